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

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)



def _dims(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


class WeightsDialog(QDialog):
    """The compatibility report for one weights file, with Load / Partial load / Cancel.

    Attributes:
        report: the CompatReport (None when the file or the model could not be read).
        error: why nothing can be loaded at all, or "".
        loaded: "all", "partial" or None once the dialog closed.
    """

    def __init__(self, document, path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.path = Path(path)
        self.report = None
        self.error = ""
        self.loaded: str | None = None
        self._state: dict | None = None
        self._record = None  # what the file says the weights were trained for
        self._fresh: dict | None = None
        self._model = None
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
        from designer.ml import models

        try:
            self._state, self._record = models.read_weights_record(self.path)
            self._model = models.build(self.document.graph)
            self._fresh = self._model.state_dict()
            models.check_record(self.document.graph, self._state, self._record, Path(self.path).name)
        except models.ModelError as exc:
            self.error = str(exc)
        if not self.error and getattr(self.document, "locked", False):
            self.error = self.tr("The model is being trained: load weights when training has finished.")
        if self.error:
            self.summary.setText(self.error)
            self.load_button.setEnabled(False)
            self.partial_button.setVisible(False)
            self.tree.setVisible(False)
            return
        self.report = report = models.fit(self._model, self._state)
        renamed = ""
        if not report.ok:  # weights saved from the class this project was imported from
            from designer.ml.importing.importer import key_map_of, remap

            key_map = key_map_of(self.document.project)
            mapped = remap(self._state, key_map) if key_map else None
            if mapped is not None and models.fit(self._model, mapped).ok:
                self._state, self.report = mapped, models.fit(self._model, mapped)
                report = self.report
                renamed = "\n" + self.tr("Keys renamed from the imported file's model to the project's layer names.")
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
        group(self.tr("Missing from the file"), [(k, "—", _dims(fresh[k].shape)) for k in report.missing])
        group(self.tr("Not in the model"), [(k, _dims(state[k].shape), "—") for k in report.unexpected])
        group(self.tr("Matching"), [(k, _dims(state[k].shape), _dims(fresh[k].shape)) for k in report.matched],
              expand=False)
        self.tree.resizeColumnToContents(0)

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
        from designer.ml import models

        models.attach(self._model, self._state, partial=True)
        self.document.set_weights({key: value.detach().clone() for key, value in self._model.state_dict().items()})
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
