"""File → Export: the model as .py (+ weights, ONNX, training script), then the export check.

The files are written and checked on a worker thread (the check imports the
exported file in a fresh process); the result comes back by a queued signal
and the dialog shows "verified: identical outputs" or the exact difference.
Torch is imported only when Export is pressed, never at module level.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from designer.core import project as project_io
from designer.ui.background import run_in_background

STYLES = ((QT_TRANSLATE_NOOP("ExportDialog", "Class with a step-by-step forward (tutorial style)"), "class"),
          (QT_TRANSLATE_NOOP("ExportDialog", "Compact nn.Sequential"), "sequential"))
ONNX_HINT = QT_TRANSLATE_NOOP("ExportDialog",
                              'ONNX export needs the onnx and onnxscript packages: pip install "netdesigner[onnx]"')


def onnx_installed() -> bool:
    """Whether the optional ONNX packages are present (checked without importing them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxscript"))


def base_name(project_name: str) -> str:
    """A file-name stem from the project name: lowercase letters, digits and _."""
    stem = re.sub(r"[^0-9a-z]+", "_", str(project_name).lower()).strip("_")[:40]
    return stem if stem and not stem[0].isdigit() else f"model_{stem}".strip("_")



class ExportDialog(QDialog):
    """Choose what to export, press Export, read the verification."""

    finished_export = Signal(object)  # models.Outcome

    def __init__(self, document, parent: QWidget | None = None, folder: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export model"))
        self.document = document
        self.outcome = None
        folder = folder or document.folder or Path.cwd()
        stem = base_name(document.project.name)

        self.py_edit = QLineEdit(str(folder / f"{stem}.py"))
        self.py_edit.setObjectName("py_path")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.py_edit, 1)
        row.addWidget(browse)
        self.style_combo = QComboBox()
        for label, style in STYLES:
            self.style_combo.addItem(self.tr(label), style)
        self.weights_check = QCheckBox(self.tr("State dict"))
        self.weights_check.setChecked(True)
        self.weights_format = QComboBox()
        self.weights_format.addItems([".pt", ".safetensors"])
        self.weights_check.toggled.connect(self.weights_format.setEnabled)
        weights_row = QHBoxLayout()
        weights_row.addWidget(self.weights_check)
        weights_row.addWidget(self.weights_format)
        weights_row.addStretch(1)
        self.onnx_check = QCheckBox(self.tr("ONNX (.onnx), checked with onnxruntime"))
        if not onnx_installed():
            self.onnx_check.setEnabled(False)
            self.onnx_check.setToolTip(self.tr(ONNX_HINT))
            self.onnx_check.setText(self.onnx_check.text() + " " + self.tr("(not installed)"))
        self.train_check = QCheckBox(
            self.tr("Training script train.py (MNIST, FashionMNIST or an image folder; runs under torchrun)"))
        trained = document.weights is not None
        self.source_label = QLabel(self.tr("Uses the trained weights.") if trained else
                                   self.tr("No trained weights yet: exports fresh weights (seed 0)."))

        form = QFormLayout()
        form.addRow(self.tr("Python file"), row)
        form.addRow(self.tr("Style"), self.style_combo)
        form.addRow(self.tr("Weights"), weights_row)
        form.addRow("", self.onnx_check)
        form.addRow("", self.train_check)
        form.addRow("", self.source_label)

        self.status = QLabel("")
        self.status.setObjectName("verification")
        self.status.setTextFormat(Qt.PlainText)  # paths and messages are never read as HTML
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMinimumHeight(110)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.export_button = buttons.addButton(self.tr("Export"), QDialogButtonBox.ActionRole)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.log)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export model as"), self.py_edit.text(),
                                              "Python (*.py)")  # untranslated: a file type
        if path:
            self.py_edit.setText(path if path.endswith(".py") else path + ".py")

    def request(self):
        """The models.Request the fields describe; raises ValueError naming the field."""
        from designer.ml.models import Request

        text = self.py_edit.text().strip()
        if not text:
            raise ValueError(self.tr("Python file: choose where to write the model"))
        py = Path(text).expanduser()
        if py.suffix != ".py":
            py = py.with_name(py.name + ".py")
        if not py.parent.is_dir():
            raise ValueError(self.tr("Python file: the folder {folder} does not exist").format(folder=py.parent))
        weights = py.with_suffix(self.weights_format.currentText()) if self.weights_check.isChecked() else None
        return Request(py=py, style=self.style_combo.currentData(), weights=weights,
                       onnx=py.with_suffix(".onnx") if self.onnx_check.isChecked() else None,
                       train_script=py.with_name("train.py") if self.train_check.isChecked() else None,
                       project_dir=self.document.folder,
                       record=getattr(self.document, "weights_record", None) if self.document.weights is not None
                       else None)

    def start_export(self) -> None:
        """Write and verify on a worker thread; the dialog stays responsive."""
        try:
            request = self.request()
        except ValueError as exc:
            self._show_status(str(exc), False)
            return
        # A snapshot: the worker never sees later edits.
        project = project_io.from_dict(project_io.to_dict(self.document.project))
        state = self.document.weights
        self.export_button.setEnabled(False)
        self.log.setPlainText("")
        self._show_status(self.tr("Exporting and checking in a fresh Python process…"), None)

        def work():
            from designer.ml import models

            return models.export(project, state, request)

        run_in_background(work, self._done, self._crashed, context=self)

    def _crashed(self, exc: Exception) -> None:
        self.export_button.setEnabled(True)
        self._show_status(self.tr("Export failed: {error}").format(error=exc), False)

    def _done(self, outcome) -> None:
        self.outcome = outcome
        self.export_button.setEnabled(True)
        self.log.setPlainText(outcome.text())
        if outcome.error:
            self._show_status(self.tr("Export failed: {error}").format(error=outcome.error), False)
        elif not outcome.checks:
            self._show_status(self.tr("Written (not checked)."), None)
        elif all(c.identical for c in outcome.checks.values()):
            self._show_status(next(iter(outcome.checks.values())).message, True)  # "verified: identical outputs"
        else:  # each file's own verdict; red when one of them differs or could not be checked
            labelled = [f"{'.py' if name == 'py' else 'ONNX'}: {c.message}" for name, c in outcome.checks.items()]
            self._show_status("; ".join(labelled), outcome.verified)
        self.finished_export.emit(outcome)

    def _show_status(self, text: str, ok: bool | None) -> None:
        colour = {True: "#1b7f3b", False: "#b3261e", None: "palette(text)"}[ok]
        self.status.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.status.setText(text)

    def verification_text(self) -> str:
        return self.status.text()


def install(window) -> None:
    """File → Export… and File → Import .py…, placed above Quit."""
    from PySide6.QtGui import QAction

    from designer.ui.dialogs.importing import ImportDialog

    menu = window.menu("File")
    quit_action = next((a for a in menu.actions() if a.objectName() == "action_quit"), None)
    export = QAction(QCoreApplication.translate("ExportDialog", "&Export…"), window)
    export.setObjectName("action_export")
    export.setShortcut(QKeySequence("Ctrl+E"))
    export.triggered.connect(lambda: ExportDialog(window.document, window).exec())
    imp = QAction(QCoreApplication.translate("ExportDialog", "&Import .py…"), window)
    imp.setObjectName("action_import")
    imp.triggered.connect(lambda: ImportDialog(window.document, window).exec())
    for action in (export, imp):
        menu.insertAction(quit_action, action) if quit_action else menu.addAction(action)
    if quit_action:
        menu.insertSeparator(quit_action)
