"""File → Export and File → Import .py, driven like a user."""
from pathlib import Path

import torch
from PySide6.QtCore import QPoint, Qt

from designer.core import project as projects
from designer.ml import build, weights
from designer.ui.document import Document
from designer.ui.dialogs.export import ExportDialog, base_name
from designer.ui.dialogs.importing import ImportDialog

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"


def _trained_document(qapp):
    doc = Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    doc.set_weights(build.seeded_model(doc.graph, 42).state_dict())  # stands in for trained weights
    return doc


def test_export_writes_every_file_and_shows_the_verification(qtbot, qapp, tmp_path):
    doc = _trained_document(qapp)
    dialog = ExportDialog(doc, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "trained weights" in dialog.source_label.text()
    dialog.py_edit.clear()
    qtbot.keyClicks(dialog.py_edit, str(tmp_path / "my_lenet.py"))
    dialog.style_combo.setCurrentIndex(1)  # compact nn.Sequential
    dialog.weights_format.setCurrentText(".safetensors")
    for box in (dialog.onnx_check, dialog.train_check):
        qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(6, box.height() // 2))  # on the tick box
        assert box.isChecked()
    with qtbot.waitSignal(dialog.finished_export, timeout=120_000):
        qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.verification_text().startswith(".py: verified: identical outputs; ONNX: verified"), \
        dialog.log.toPlainText()
    for name in ("my_lenet.py", "my_lenet.safetensors", "my_lenet.onnx", "train.py"):
        assert (tmp_path / name).exists(), name
    assert "nn.Sequential(OrderedDict" in (tmp_path / "my_lenet.py").read_text()
    saved = weights.load_state_dict(tmp_path / "my_lenet.safetensors")
    assert all(torch.equal(saved[k], v) for k, v in doc.weights.items())  # the trained ones, exactly
    assert "tensors, trained weights)" in dialog.log.toPlainText()


def test_export_reports_a_bad_folder_without_writing(qtbot, qapp, tmp_path):
    doc = _trained_document(qapp)
    dialog = ExportDialog(doc, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.py_edit.setText(str(tmp_path / "missing" / "m.py"))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.verification_text() == f"Python file: the folder {tmp_path / 'missing'} does not exist"
    assert not list(tmp_path.iterdir())


def test_an_invalid_model_is_refused_with_its_errors_and_nothing_written(qtbot, qapp, tmp_path):
    doc = Document(projects.load(EXAMPLES / "broken-lenet.netproj.json"))
    dialog = ExportDialog(doc, folder=tmp_path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_export, timeout=60_000):
        qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.verification_text().startswith("Export failed: The model is not valid")
    assert "fc1 (Linear)" in dialog.log.toPlainText()
    assert not list(tmp_path.iterdir())


def test_base_name_keeps_hostile_project_names_out_of_file_names():
    assert base_name('LeNet 5 "../../etc"; rm') == "lenet_5_etc_rm"
    assert base_name("") == "model"
    assert base_name("5x") == "model_5x"


def test_import_dialog_warns_first_then_opens_the_file_as_a_project_with_weights(qtbot, qapp, tmp_path):
    from designer.core.codegen import generate

    source = projects.load(EXAMPLES / "lenet-32.netproj.json")
    (tmp_path / "net.py").write_text(generate(source, "class"))
    model = build.seeded_model(source.graph, 9)
    weights.save_state_dict(model.state_dict(), tmp_path / "net.pt")
    doc = _trained_document(qapp)
    dialog = ImportDialog(doc)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "runs its Python code" in dialog.warning.text()
    assert not dialog.open_button.isEnabled()
    qtbot.keyClicks(dialog.py_edit, str(tmp_path / "net.py"))
    qtbot.keyClicks(dialog.weights_edit, str(tmp_path / "net.pt"))
    with qtbot.waitSignal(dialog.imported, timeout=120_000):
        qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    text = dialog.report.toPlainText()
    assert "imported 12 layers from build_model(); input 1×32×32" in text
    assert "verified: identical outputs" in text
    assert "Weights net.pt: All 10 tensors match the model." in text
    qtbot.mouseClick(dialog.open_button, Qt.LeftButton)
    assert doc.project.name == "net" and doc.modified
    assert [n.type for n in doc.graph.nodes.values()] == [n.type for n in source.graph.nodes.values()]
    assert len({n.pos[1] for n in doc.graph.nodes.values()}) == 3  # 13 blocks, wrapped in rows of 6
    assert all(torch.equal(doc.weights[k], v) for k, v in model.state_dict().items())


def test_file_menu_offers_export_and_import_above_quit(qtbot, qapp, tmp_path):
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))  # not the user's
    from designer.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    names = [a.objectName() for a in window.menu("File").actions()]
    assert names.index("action_export") < names.index("action_import") < names.index("action_quit")
    window.document.mark_saved()


def _conv_linear_document():
    from designer.core.graph import Graph
    from designer.core.project import Project

    graph = Graph()
    graph.add_node("Input", {"shape": [1, 28, 28]}, node_id="input")
    graph.add_node("Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3}, node_id="conv")
    graph.add_node("Flatten", {}, node_id="flat")
    graph.add_node("Linear", {"in_features": 5408, "out_features": 10}, node_id="fc")
    for edge in (("input", "conv"), ("conv", "flat"), ("flat", "fc")):
        graph.connect(*edge)
    return Document(Project(graph=graph, name="convlin"))


def test_a_long_sum_is_verified_not_reported_in_red(qtbot, qapp, tmp_path):
    """Conv2d(1,8,3) → Flatten → Linear(5408,10) with default settings used to show 'outputs differ' in red."""
    torch.set_num_threads(max(2, torch.get_num_threads()))
    dialog = ExportDialog(_conv_linear_document(), folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.finished_export, timeout=120_000):
        qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.verification_text().startswith("verified:"), dialog.log.toPlainText()
    assert "outputs differ" not in dialog.log.toPlainText()
    assert "#b3261e" not in dialog.status.styleSheet()


def test_outputs_that_differ_are_shown_in_red_with_the_difference(qtbot, qapp, tmp_path, monkeypatch):
    from designer.ml.export import verify

    real = verify.reference_output
    monkeypatch.setattr(verify, "reference_output", lambda model, probe: real(model, probe) + 0.25)
    dialog = ExportDialog(_trained_document(qapp), folder=tmp_path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_export, timeout=120_000):
        qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.verification_text() == ".py: outputs differ: max difference 0.25"
    assert "#b3261e" in dialog.status.styleSheet()
