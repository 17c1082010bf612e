"""Settings kept as lists come back as lists after a restart, though the INI file writes one item as a plain string."""
import shutil
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from designer.core import lessons
from designer.ui import settings
from designer.ui.main_window import MainWindow


def restart(private_settings: Path, tmp_path: Path) -> None:
    """Read the settings as the next start does: parsed afresh from the INI file as written.

    Qt keeps a parsed copy of each settings file for the running app (a one-item
    list stays a list there), so the file is read from a copy in a new folder.
    """
    store = settings.settings()
    store.sync()
    written = Path(store.fileName())
    folder = tmp_path / f"restarted-{len(list(tmp_path.glob('restarted-*')))}"
    copy = folder / written.relative_to(private_settings)
    copy.parent.mkdir(parents=True)
    shutil.copy(written, copy)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    assert settings.settings().fileName() == str(copy)


def test_a_one_item_list_and_an_empty_one_are_lists_after_a_restart(private_settings, tmp_path):
    settings.write_list("some/list", ["only"])
    settings.write_list("some/empty", [])
    settings.write_list("some/two", ["a", "b, with a comma"])
    restart(private_settings, tmp_path)
    assert settings.settings().value("some/list") == "only"  # what the INI file gives back by itself
    assert settings.read_list("some/list") == ["only"]
    assert settings.read_list("some/empty") == []
    assert settings.read_list("some/two") == ["a", "b, with a comma"]
    assert settings.read_list("some/never-written") == []


def test_one_recent_file_and_one_teachers_lesson_are_there_after_a_restart(qtbot, private_settings, tmp_path):
    project = tmp_path / "mine.netproj.json"
    project.write_text((Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"
                        / "blank.netproj.json").read_text())
    lesson_file = tmp_path / "mine.json"
    shutil.copy(lessons.lesson_files()[0], lesson_file)
    first = MainWindow()
    qtbot.addWidget(first)
    assert first.open_file(project)
    first.lesson_panel.add_lessons(str(lesson_file))
    first.close()
    restart(private_settings, tmp_path)

    second = MainWindow()
    qtbot.addWidget(second)
    second.recent_menu.aboutToShow.emit()  # File ▸ Open Recent
    paths = [a.text() for a in second.recent_menu.actions() if isinstance(a, QAction) and a.text().startswith("/")]
    assert paths == [str(project.resolve())]  # one file, not one entry per character
    chooser = second.lesson_panel.chooser
    assert chooser.findData(f"module@{lesson_file.stem}") >= 0  # the teacher's lesson is back in the chooser
