"""File → Import .py: open a PyTorch file as a new project, optionally with a .pt state_dict.

The dialog says, before anything runs, that importing runs the file's code.
The import itself happens in a child process (designer.ml.importer) started
from a worker thread, so neither a bad file nor a slow one blocks the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from designer.ui.background import run_in_background

WARNING = ("Importing a .py file runs its Python code on this computer, with your permissions. "
           "Only import files you trust. It runs in a separate process that is stopped after "
           "60 seconds or 1 MB of output.")


def parse_shape(text: str) -> list[int] | None:
    """'1, 28, 28' or '1x28x28' -> [1, 28, 28]; '' -> None (use the file's INPUT_SHAPE)."""
    text = text.strip()
    if not text:
        return None
    parts = [p for p in text.replace("×", ",").replace("x", ",").replace(" ", ",").split(",") if p]
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() and 0 < int(p) <= 4096 for p in parts):
        raise ValueError("Input shape: write 1 to 3 positive sizes, e.g. 1, 28, 28")
    return [int(p) for p in parts]



class ImportDialog(QDialog):
    """Pick a .py (and a .pt), import, read the report, open the result as a new project."""

    imported = Signal(object)  # importer.ImportResult

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import a PyTorch model")
        self.document = document
        self.result = None
        self.state = None  # attached weights, remapped to the project's layer names
        self.weights_report = None

        self.warning = QLabel(WARNING)
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5300; font-weight: bold;")
        self.py_edit = QLineEdit()
        self.py_edit.setObjectName("py_path")
        self.py_edit.setPlaceholderText("a .py that defines build_model(), an nn.Sequential or an nn.Module")
        self.shape_edit = QLineEdit()
        self.shape_edit.setPlaceholderText("from the file's INPUT_SHAPE, else guessed (e.g. 1, 28, 28)")
        self.weights_edit = QLineEdit()
        self.weights_edit.setObjectName("weights_path")
        self.weights_edit.setPlaceholderText("optional: a state_dict (.pt or .safetensors) to attach")
        form = QFormLayout()
        form.addRow("Python file", self._with_browse(self.py_edit, "Python (*.py)"))
        form.addRow("Input shape", self.shape_edit)
        form.addRow("Weights", self._with_browse(self.weights_edit, "Weights (*.pt *.pth *.safetensors)"))

        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.PlainText)  # file names and messages are never read as HTML
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setMinimumHeight(120)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.import_button = buttons.addButton("Run the file and import", QDialogButtonBox.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.open_button = buttons.addButton("Open as new project", QDialogButtonBox.AcceptRole)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_project)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.warning)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.report)
        layout.addWidget(buttons)
        self.resize(640, 440)

    def _with_browse(self, edit: QLineEdit, pattern: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        button = QPushButton("Browse…")
        button.clicked.connect(lambda: self._browse(edit, pattern))
        row.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit, pattern: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", edit.text(), pattern)
        if path:
            edit.setText(path)

    def start_import(self) -> None:
        py = Path(self.py_edit.text().strip()).expanduser()
        weights = self.weights_edit.text().strip()
        try:
            shape = parse_shape(self.shape_edit.text())
            if not py.is_file():
                raise ValueError(f"Python file: {py} does not exist")
            if weights and not Path(weights).expanduser().is_file():
                raise ValueError(f"Weights: {weights} does not exist")
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.import_button.setEnabled(False)
        self.open_button.setEnabled(False)
        self.report.setPlainText("")
        self.status.setText(f"Running {py.name} in a separate process…")

        def work():
            from designer.ml import importer
            from designer.ml.weights import WeightsError

            result = importer.import_py(py, shape)
            state = report = None
            if result.ok and weights:
                try:
                    state, report = importer.attach_weights(result.project, Path(weights).expanduser(),
                                                            result.key_map)
                except WeightsError as exc:
                    report = str(exc)
                except Exception as exc:  # an invalid imported graph cannot be built to compare with
                    report = f"{Path(weights).name}: cannot be checked against this model ({exc})"
            return result, state, report

        run_in_background(work, self._done, self._crashed, context=self)

    def _crashed(self, exc: Exception) -> None:
        self.import_button.setEnabled(True)
        self.status.setText(f"The file could not be imported: {exc}")

    def _done(self, payload) -> None:
        result, state, report = payload
        self.result = result
        self.import_button.setEnabled(True)
        lines = [result.report()]
        if report is not None:
            text = report if isinstance(report, str) else report.summary()
            lines.append(f"Weights {Path(self.weights_edit.text().strip()).name}: {text}")
        self.state = state if report is not None and not isinstance(report, str) and report.ok else None
        self.weights_report = report
        self.report.setPlainText("\n".join(lines))
        if result.ok:
            self.status.setText("Imported: check the report, then open it as a new project."
                                + ("" if self.state is not None or not self.weights_edit.text().strip()
                                   else " The weights do not fit and will not be loaded."))
            self.open_button.setEnabled(True)
        else:
            self.status.setText("The file could not be imported.")
        self.imported.emit(result)

    def open_project(self) -> None:
        if self.result is None or not self.result.ok:
            return
        if getattr(self.document, "locked", False):
            self.status.setText("Stop training before opening another project.")
            return
        self.document.set_project(self.result.project, None, modified=True)
        if self.state is not None:
            self.document.set_weights(self.state)
        self.accept()
