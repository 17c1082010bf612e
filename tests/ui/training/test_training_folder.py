"""Training on an image folder from the Training dock, as a user does it."""
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.core import project as projects
from designer.ui.document import Document
from designer.ui.panels.training.panel import FOLDER_ITEM, TrainingPanel
from tests.ml.picture_folders import folder_project, write_folder
from tests.ui.conftest import saving

torch.set_num_threads(1)


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    write_folder(tmp_path / "work" / "pictures", {"circle": 12, "square": 12, "star": 12})
    return tmp_path / "work"


def open_panel(qtbot, path: Path) -> TrainingPanel:
    document = Document(projects.load(path), path)
    panel = TrainingPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_choosing_a_folder_shows_classes_counts_and_samples(qtbot, work):
    project = folder_project(work / "p.netproj.json", "mnist-5k", classes=3)
    panel = open_panel(qtbot, project)
    assert not panel.folder.isVisible()
    panel.dataset.setCurrentText(FOLDER_ITEM)
    assert panel.folder.isVisible() and "Choose a folder" in panel.folder.message.text()
    qtbot.mouseClick(panel.folder.path, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.folder.path, str(work / "pictures"))
    with qtbot.waitSignal(panel.folder.scanned, timeout=60000) as found:
        QTest.keyClick(panel.folder.path, Qt.Key.Key_Return)
    assert found.args[0].classes == ["circle", "square", "star"]
    assert "3 classes" in panel.folder.summary.text() and "33 pictures to train on, 3 held out" in \
        panel.folder.summary.text()
    strip = panel.folder.findChild(type(panel.folder.summary), "samples_star")
    assert strip is not None and strip.pixmap().width() >= 6 * 40
    assert panel.folder.message.text() == ""
    assert panel.config().dataset == "folder:pictures"  # saved relative to the project file


def test_a_model_without_one_score_per_class_cannot_start_and_names_the_fix(qtbot, work):
    panel = open_panel(qtbot, folder_project(work / "p.netproj.json", "folder:pictures", classes=10))
    qtbot.waitUntil(lambda: panel.folder.layout_info is not None, timeout=60000)
    assert panel.dataset.currentText() == FOLDER_ITEM and panel.folder.path.text() == "pictures"
    assert "out_features → 3" in panel.folder.message.text()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.run is None and "out_features → 3" in panel.message.text()
    panel.document.set_param("n5", "out_features", 3)
    assert panel.folder.message.text() == ""
    assert panel.message.text() == ""  # the "Cannot start" is no longer true: it goes


def test_an_empty_class_is_reported(qtbot, work):
    (work / "pictures" / "tree").mkdir()
    panel = open_panel(qtbot, folder_project(work / "p.netproj.json", "folder:pictures", classes=4))
    qtbot.waitUntil(lambda: "tree" in panel.folder.message.text(), timeout=60000)
    assert "no pictures" in panel.folder.message.text()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.run is None and "tree" in panel.message.text()


def test_a_run_on_the_folder_shows_decoding_and_class_names(qtbot, work):
    panel = open_panel(qtbot, folder_project(work / "p.netproj.json", "folder:pictures", epochs=3))
    qtbot.waitUntil(lambda: panel.folder.layout_info is not None, timeout=60000)
    decoding = []
    panel.run_event.connect(lambda e: decoding.append((e.what, e.done, e.total))
                            if type(e).__name__ == "Loading" else None)
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert decoding[-1] == ("decoding 36 pictures", 36, 36)
    assert "best held-out accuracy" in panel.message.text()
    table = panel.curves.confusion
    assert [table.horizontalHeaderItem(i).text() for i in range(3)] == ["circle", "square", "star"]
    assert table.verticalHeaderItem(2).text() == "true star"


def test_save_as_into_another_folder_keeps_naming_the_same_image_folder(qtbot, window, work, monkeypatch):
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QFileDialog

    assert window.open_file(folder_project(work / "p.netproj.json", "folder:pictures"))
    panel = window.training_panel
    qtbot.waitUntil(lambda: panel.folder.layout_info is not None, timeout=60000)
    target = work.parent / "elsewhere" / "deeper" / "copy.netproj.json"
    target.parent.mkdir(parents=True)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with saving(qtbot, window):
        qtbot.keySequence(window.canvas, QKeySequence.StandardKey.SaveAs)
    saved = projects.load(target).training["dataset"]
    assert saved == "folder:../../work/pictures"  # still relative, from the new file's folder
    assert panel.config().dataset == saved  # and the panel's next run trains on the same folder
    reopened = open_panel(qtbot, target)
    qtbot.waitUntil(lambda: reopened.folder.layout_info is not None, timeout=60000)
    assert reopened.folder.layout_info.classes == ["circle", "square", "star"]
    assert reopened.folder.layout_info.root.resolve() == (work / "pictures").resolve()


def test_a_folder_chosen_before_the_first_save_is_saved_relative_to_the_file(qtbot, window, work, monkeypatch):
    """Before, the first Save wrote the chosen folder's absolute path (the README says relative)."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QFileDialog

    window.document.set_project(projects.load(folder_project(work / "p.netproj.json", "mnist-5k", classes=3)))
    panel = window.training_panel
    panel.dataset.setCurrentText(FOLDER_ITEM)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(work / "pictures"))
    with qtbot.waitSignal(panel.folder.scanned, timeout=60000):
        qtbot.mouseClick(panel.folder.browse, Qt.MouseButton.LeftButton)
    target = work / "projects" / "mine.netproj.json"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with saving(qtbot, window):
        qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Save)
    assert projects.load(target).training["dataset"] == "folder:../pictures"
    assert panel.folder.path.text() == "../pictures"
    assert panel.folder.folder().resolve() == (work / "pictures").resolve()


def test_augmentation_preview_shows_the_folders_pictures_at_the_inputs_size(qtbot, work):
    panel = open_panel(qtbot, folder_project(work / "p.netproj.json", "folder:pictures"))
    qtbot.waitUntil(lambda: panel.folder.layout_info is not None, timeout=60000)
    preview = panel.augment_preview
    with qtbot.waitSignal(preview.shown, timeout=30000):
        qtbot.mouseClick(panel.options.augment, Qt.MouseButton.LeftButton)
    stored, changed = preview.arrays
    assert stored.shape == (8, 16, 16, 3) and (stored[..., 0] != stored[..., 1]).any()  # in colour
    assert (stored != changed).any()


def test_an_unreadable_picture_stays_said_colour_into_grey_is_said_with_the_fix_and_refresh_rereads(qtbot, work):
    (work / "pictures" / "star" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    panel = open_panel(qtbot, folder_project(work / "p.netproj.json", "folder:pictures", shape=(1, 16, 16),
                                             epochs=1))
    qtbot.waitUntil(lambda: panel.folder.layout_info is not None, timeout=60000)
    assert "Input → [3, 16, 16]" in panel.folder.notes.text() and panel.folder.notes.isVisible()
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert "best held-out accuracy" in panel.message.text()
    notes = panel.folder.notes.text()
    assert "1 picture(s) could not be read" in notes and "broken.jpg" in notes  # still said after the run
    write_folder(work / "pictures", {"tree": 12}, seed=5)
    with qtbot.waitSignal(panel.folder.scanned, timeout=60000) as found:
        qtbot.mouseClick(panel.folder.refresh, Qt.MouseButton.LeftButton)
    assert found.args[0].classes == ["circle", "square", "star", "tree"]


def test_a_model_without_one_score_per_class_is_a_problem_on_its_last_layer_with_a_fix(qtbot, window, work):
    path = folder_project(work / "p.netproj.json", "folder:pictures", classes=10)
    assert window.open_file(path)
    panel = window.training_panel
    qtbot.waitUntil(lambda: panel.folder.layout_info is not None, timeout=60000)
    document = window.document
    problems = [p for p in document.shapes.problems if p.node_id == "n5"]
    assert problems and "3 classes (circle, square, star)" in problems[0].message
    assert problems[0].fix is not None and problems[0].fix.value == 3
    document.select("n5")
    fix = window.inspector.fix_button
    assert fix is not None and fix.isVisible() and fix.text() == "Fix: set out_features to 3"
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    assert document.graph.nodes["n5"].params["out_features"] == 3
    assert not [p for p in document.shapes.problems if p.node_id == "n5"]
    assert panel.folder.message.text() == ""
