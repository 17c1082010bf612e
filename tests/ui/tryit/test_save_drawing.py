"""Try it ▸ Save Drawing As: a class collects its own handwriting as an image folder, and trains on it."""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from designer.ml.data import folders
from designer.ui.panels.tryit.save_drawing import SaveDrawingDialog
from tests.ui.tryit.test_drawpad import draw

SEVEN = [[(60, 50), (220, 50), (120, 250)]]
ONE = [[(140, 40), (140, 250)]]


def fill_dialog(qtbot, folder, name, done):
    """Type the folder and the class into the dialog when it opens, then press Save."""
    def poll():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SaveDrawingDialog):
            QTimer.singleShot(20, poll)
            return
        if folder is not None:
            dialog.folder.clear()
            qtbot.keyClicks(dialog.folder, str(folder))
        dialog.label.setFocus()
        dialog.label.lineEdit().selectAll()
        if name.isascii():
            qtbot.keyClicks(dialog.label.lineEdit(), name)
        else:  # what an input method commits (Qt's test keys are ASCII only)
            dialog.label.lineEdit().insert(name)
        done.append(dialog.count.text())
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    QTimer.singleShot(0, poll)


def test_drawings_saved_by_class_make_a_folder_to_train_on(window, qtbot, tmp_path):
    panel = window.try_panel
    action = panel.save_drawing_action
    assert not action.isEnabled()  # nothing drawn yet
    saved = []
    for strokes, name in ((SEVEN, "7"), (SEVEN, "7"), (ONE, "1"), (ONE, "小一")):
        panel.pad.clear()
        draw(qtbot, panel.pad, strokes)
        assert action.isEnabled()
        seen = []
        fill_dialog(qtbot, tmp_path / "ours" if not saved else None, name, seen)  # the folder is remembered
        action.trigger()
        saved.append(seen[0])
    assert saved[1] == "1 drawings of “7” so far."  # the dialog counts what the class has already
    files = sorted(p.relative_to(tmp_path / "ours").as_posix() for p in (tmp_path / "ours").rglob("*.png"))
    assert files == ["1/drawing-0001.png", "7/drawing-0001.png", "7/drawing-0002.png", "小一/drawing-0001.png"]
    assert "drawing-0001.png" in panel.status.text() and "小一" in panel.status.text()
    data = folders.load(f"folder:{tmp_path / 'ours'}", (1, 28, 28))  # what Train on an image folder reads
    assert data.classes == ["1", "7", "小一"] and len(data.train_y) + len(data.test_y) == 4
