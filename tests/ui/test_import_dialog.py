"""File → Import .py with a tutorial script, driven like a user."""
import textwrap
from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from designer.core import project as projects
from designer.ui.dialogs.importing import ImportDialog
from designer.ui.document import Document

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"

SCRIPT = textwrap.dedent("""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.fc1 = nn.Linear(6 * 14 * 14, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = x.view(x.size(0), -1)
            return F.log_softmax(self.fc1(x))


    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(784, 10)

        def forward(self, x):
            return self.fc(x.view(x.size(0), -1))


    net = Net()
    net.to(torch.device("cuda:0"))
    """)


def _dialog(qtbot, missing=()):
    doc = Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    dialog = ImportDialog(doc, missing=list(missing))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return doc, dialog


def _import(qtbot, dialog):
    with qtbot.waitSignal(dialog.imported, timeout=120_000):
        qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    return dialog.report.toPlainText()


def test_the_dialog_shows_what_it_found_and_imports_another_model_on_request(qtbot, qapp, tmp_path):
    (tmp_path / "tutorial.py").write_text(SCRIPT)
    doc, dialog = _dialog(qtbot)
    assert not dialog.lacking.isVisible() and not dialog.confirm.isVisible()
    qtbot.keyClicks(dialog.py_edit, str(tmp_path / "tutorial.py"))
    text = _import(qtbot, dialog)
    assert "tutorial.py: found net (instance, a Net, line 28) chosen; Tiny (class, line 19)" in text
    assert 'skipped line 29 `net.to(torch.device("cuda:0"))`: RuntimeError' in text
    assert "input 1×32×32 inferred from Linear(1176 → 10)" in text
    assert ("line 16 `return F.log_softmax(self.fc1(x))`: LogSoftmax without dim: torch picks dim=1; the project "
            "says so") in text
    assert dialog.shape_edit.text() == "1, 32, 32"
    assert dialog.shape_note.text() == "1×32×32: inferred from Linear(1176 → 10)"
    assert dialog.import_button.text() == "Import again"
    # the learner picks the other model; its shape is inferred again
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData("Tiny"))
    assert dialog.shape_edit.text() == ""
    text = _import(qtbot, dialog)
    assert "imported 1 layer from Tiny; input 784 inferred from Linear(784 → 10)" in text
    qtbot.mouseClick(dialog.open_button, Qt.LeftButton)
    assert doc.project.name == "tutorial" and [n.type for n in doc.graph.nodes.values()] == ["Input", "Linear"]


def test_a_missing_protection_is_named_and_confirmed_once_per_file(qtbot, qapp, tmp_path):
    (tmp_path / "a.py").write_text(SCRIPT)
    (tmp_path / "b.py").write_text(SCRIPT)
    _, dialog = _dialog(qtbot, missing=["no network (its own network namespace)"])
    assert dialog.lacking.isVisible()
    assert "cannot give the file these protections: no network" in dialog.lacking.text()
    qtbot.keyClicks(dialog.py_edit, str(tmp_path / "a.py"))
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.confirm, Qt.LeftButton, pos=QPoint(6, dialog.confirm.height() // 2))
    assert dialog.import_button.isEnabled()
    text = _import(qtbot, dialog)
    assert "imported" in text
    dialog.py_edit.setText(str(tmp_path / "b.py"))  # another file: confirm again
    assert not dialog.confirm.isChecked() and not dialog.import_button.isEnabled()
    dialog.py_edit.setText(str(tmp_path / "a.py"))  # this one was confirmed
    assert dialog.confirm.isChecked() and dialog.import_button.isEnabled()


def test_weights_saved_from_the_original_class_load_into_the_saved_import(qtbot, qapp, tmp_path):
    import torch

    from designer.ui.dialogs.weights import WeightsDialog
    from tests.ml.importing.test_import import SEQUENTIALS, _in_process

    result = _in_process(tmp_path, SEQUENTIALS)
    projects.save(result.project, tmp_path / "imported.netproj.json")
    doc = Document(projects.load(tmp_path / "imported.netproj.json"))
    namespace = {}
    exec(compile(SEQUENTIALS, "original", "exec"), namespace)
    original = namespace["Model"]().state_dict()  # keys conv.0.weight, dense.2.bias, ...
    torch.save(original, tmp_path / "trained.pt")
    dialog = WeightsDialog(doc, tmp_path / "trained.pt")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=60_000):  # the file is read and compared on a worker
        pass
    assert "Keys renamed" not in dialog.summary.text()  # the import kept torch's own names (conv.0, dense.2)
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    assert dialog.loaded == "all"
    expected = original
    assert set(doc.weights) == set(expected)
    assert all(torch.equal(doc.weights[k], v) for k, v in expected.items())


def test_an_onnx_file_opens_as_a_project_with_its_weights(qtbot, qapp, tmp_path):
    from designer.core import templates
    from designer.ml import build
    from designer.ml.export import onnx_export

    graph = projects.load(templates.EXAMPLES / "lenet-28.netproj.json").graph
    onnx_export.export_onnx(build.seeded_model(graph, 5), (1, 28, 28), tmp_path / "digits.onnx")
    doc, dialog = _dialog(qtbot)
    qtbot.keyClicks(dialog.py_edit, str(tmp_path / "digits.onnx"))
    text = _import(qtbot, dialog)
    assert "with the file's weights, against onnxruntime: verified" in text, text
    qtbot.mouseClick(dialog.open_button, Qt.LeftButton)
    assert doc.project.name == "digits" and doc.weights is not None
    assert set(doc.weights) == set(build.build_model(doc.graph).state_dict())
