"""Load a state_dict file into the open project, after showing how well it fits.

The file is read with ``weights_only=True`` (``designer.ml.weights``), then
compared key by key with the model the canvas describes: matching keys,
keys the model needs but the file lacks, keys the model does not have, and
tensors whose shapes differ. Nothing is loaded on a mismatch unless the user
picks "Partial load", which takes the matching tensors and keeps fresh
random values for the rest.
"""

from __future__ import annotations

from pathlib import Path

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from designer.ui.background import run_in_background



def _dims(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


@dataclass
class _Examined:
    """What the worker found: the state_dict (renamed where that makes it fit), the report, the partial load."""

    error: str = ""
    state: dict | None = None
    record: object = None
    fresh: dict | None = None
    report: object = None
    renamed: bool = False
    partial: dict | None = None


def _examine(path: Path, project) -> _Examined:
    """On a worker thread: read the file (``weights_only``), build the model, compare them key by key."""
    from designer.ml import models
    from designer.ml.importing.importer import key_map_of, remap

    try:
        state, record = models.read_weights_record(path)
        model = models.build(project.graph)
        models.check_record(project.graph, state, record, Path(path).name)
    except models.ModelError as exc:
        return _Examined(str(exc))
    fresh = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    report, renamed = models.fit(model, state), False
    if not report.ok:  # weights saved from the class this project was imported from
        key_map = key_map_of(project)
        mapped = remap(state, key_map) if key_map else None
        if mapped is not None and models.fit(model, mapped).ok:
            state, report, renamed = mapped, models.fit(model, mapped), True
    partial = None
    if not report.ok and report.matched:
        models.attach(model, state, partial=True)
        partial = {key: value.detach().clone() for key, value in model.state_dict().items()}
    return _Examined("", state, record, fresh, report, renamed, partial)


class WeightsDialog(QDialog):
    """The compatibility report for one weights file, with Load / Partial load / Cancel.

    The file is read and the model built on a worker thread; ``ready`` says when the report is shown.

    Attributes:
        report: the CompatReport (None when the file or the model could not be read).
        error: why nothing can be loaded at all, or "".
        loaded: "all", "partial" or None once the dialog closed.
    """

    ready = Signal()  # the report (or why there is none) is shown

    def __init__(self, document, path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.path = Path(path)
        self.report = None
        self.error = ""
        self.loaded: str | None = None
        self._state: dict | None = None
        self._record = None  # what the file says the weights were trained for
        self._fresh: dict | None = None  # the model's own tensor shapes, by key
        self._partial: dict | None = None  # the matching tensors over the model's fresh ones
        self.setWindowTitle(self.tr("Load weights: {file}").format(file=self.path.name))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Tensor"), self.tr("In the file"), self.tr("The model expects")])
        self.buttons = QDialogButtonBox()
        self.load_button = QPushButton(self.tr("Load"))
        self.partial_button = QPushButton(self.tr("Partial load"))
        self.partial_button.setToolTip(self.tr("Load only the tensors that match; the others keep fresh random "
                                                "values."))
        self.buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.partial_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.load_button.clicked.connect(self.load_all)
        self.partial_button.clicked.connect(self.load_partial)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self.resize(620, 420)
        self._examine()

    def _examine(self) -> None:
        """Read the file and build the model on a worker thread; the report arrives in ``_examined``."""
        self.summary.setText(self.tr("Reading {file}…").format(file=self.path.name))
        self.load_button.setEnabled(False)
        self.partial_button.setVisible(False)
        self._signature = self.document.model_signature()
        path, project = self.path, self.document.snapshot()
        run_in_background(lambda: _examine(path, project), self._examined, context=self)

    def _examined(self, found: "_Examined") -> None:
        self.error = found.error
        if not self.error and self.document.model_signature() != self._signature:
            self.error = self.tr("The model was edited while the weights were read: load them again.")
        if not self.error and getattr(self.document, "locked", False):
            self.error = self.tr("The model is being trained: load weights when training has finished.")
        if self.error:
            self.summary.setText(self.error)
            self.load_button.setEnabled(False)
            self.partial_button.setVisible(False)
            self.tree.setVisible(False)
            self.ready.emit()
            return
        self._state, self._record, self._fresh, self._partial = found.state, found.record, found.fresh, found.partial
        self.report = report = found.report
        renamed = "\n" + self.tr("Keys renamed from the imported file's model to the project's layer names.") \
            if found.renamed else ""
        self.summary.setText(report.summary() + renamed + ("" if report.ok else
                                                 "\n" + self.tr("Nothing is loaded unless you choose a partial load.")))
        self.load_button.setEnabled(report.ok)
        self.partial_button.setVisible(not report.ok and bool(report.matched))
        matched = len(report.matched)
        self.partial_button.setText(self.tr("Partial load (1 matching tensor)") if matched == 1 else
                                    self.tr("Partial load ({count} matching tensors)").format(count=matched))

        def group(title: str, rows: list[tuple[str, str, str]], expand: bool = True) -> None:
            item = QTreeWidgetItem(self.tree, [self.tr("{group} ({count})").format(group=title, count=len(rows))])
            for row in rows:
                QTreeWidgetItem(item, list(row))
            item.setExpanded(bool(rows) and expand)

        state, fresh = self._state, self._fresh
        group(self.tr("Shape differs"), [(k, _dims(got), _dims(want)) for k, want, got in report.shape_mismatch])
        group(self.tr("Missing from the file"), [(k, "—", _dims(fresh[k])) for k in report.missing])
        group(self.tr("Not in the model"), [(k, _dims(state[k].shape), "—") for k in report.unexpected])
        group(self.tr("Matching"), [(k, _dims(state[k].shape), _dims(fresh[k])) for k in report.matched],
              expand=False)
        self.tree.resizeColumnToContents(0)
        self.ready.emit()

    def load_all(self) -> None:
        """Give the file's tensors to the project; only possible when everything fits."""
        if self.report is None or not self.report.ok:
            return
        self.document.set_weights(dict(self._state), self._record)
        self.loaded = "all"
        self.accept()

    def load_partial(self) -> None:
        """The matching tensors from the file, fresh random values for everything else."""
        if self.report is None or not self.report.matched:
            return
        self.document.set_weights(self._partial)
        self.loaded = "partial"
        self.accept()


def open_weights(window) -> WeightsDialog | None:
    """Model > Load Weights…: choose a file, show the report, load on the user's word."""
    translate = QCoreApplication.translate
    path, _ = QFileDialog.getOpenFileName(window, translate("WeightsDialog", "Load weights into this project"), "",
                                          translate("WeightsDialog", "Weights (*.pt *.pth *.safetensors);;"
                                                                     "All files (*)"))
    if not path:
        return None
    dialog = WeightsDialog(window.document, path, window)
    dialog.exec()
    if dialog.loaded and hasattr(window, "statusBar"):
        text = (translate("WeightsDialog", "Loaded some of the weights from {file}") if dialog.loaded == "partial"
                else translate("WeightsDialog", "Loaded the weights from {file}"))
        window.statusBar().showMessage(text.format(file=Path(path).name), 5000)
    return dialog
