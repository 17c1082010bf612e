"""File → Import .py: open a PyTorch file as a new project, optionally with a .pt state_dict.

Before anything runs, the dialog says that importing runs the file's code and
how it is contained; where this system lacks a protection it names it, and
the user confirms once per file. The import runs in the sandboxed child
(designer.ml.importing.importer) from a pool thread, so neither a bad file nor a slow
one blocks the window. Then it shows what it found (the models in the file,
the chosen one, the input shape and how it was found, what it could not
represent, with the lines) before the project opens; the model and the input
shape can be changed and the file imported again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from designer.core.params import ParamError, parse_shape
from designer.ui.background import run_in_background
from designer.ui.document import chain_layout

CONTAINED = QT_TRANSLATE_NOOP("ImportDialog", "Importing a .py file runs its Python code on this computer, in a "
                              "separate process that is stopped after 60 s or 1 MB of output. Only import files "
                              "you trust.")
PER_ROW = 6  # blocks per row of an imported model on the canvas
_confirmed: set[str] = set()  # files whose missing protections the user accepted, this session


def missing_protections() -> list[str]:
    """The sandbox's protections this system cannot give, in words."""
    from designer.ml.importing import sandbox

    return sandbox.missing()


def _warning(missing: list[str]) -> str:
    from designer.ml.importing import sandbox

    given = [text for text in sandbox.protections().values() if text not in missing]
    text = QCoreApplication.translate("ImportDialog", CONTAINED)
    if not given:
        return text
    return QCoreApplication.translate("ImportDialog", "{warning} Its protections: {protections}.").format(
        warning=text, protections="; ".join(given))


def _automatic() -> str:
    return QCoreApplication.translate("ImportDialog", "Automatic: the model the file makes, else its outermost "
                                                      "model class")


class ImportDialog(QDialog):
    """Pick a .py (and a .pt), import, read what was found, open the result as a new project."""

    imported = Signal(object)  # importer.ImportResult

    def __init__(self, document, parent: QWidget | None = None, missing: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import a PyTorch model"))
        self.document = document
        self.result = None
        self.state = None  # attached weights, remapped to the project's layer names
        self.weights_report = None
        self.missing = missing_protections() if missing is None else list(missing)

        self.warning = QLabel(_warning(self.missing))
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5300; font-weight: bold;")
        self.lacking = QLabel(self.tr("This system cannot give the file these protections: {protections}.").format(
            protections="; ".join(self.missing)) if self.missing else "")
        self.lacking.setObjectName("lacking")
        self.lacking.setWordWrap(True)
        self.lacking.setStyleSheet("color: #a01010;")
        self.lacking.setVisible(bool(self.missing))
        self.confirm = QCheckBox(self.tr("Run this file anyway, without those protections"))
        self.confirm.setObjectName("confirm")
        self.confirm.setVisible(bool(self.missing))
        self.confirm.toggled.connect(self._update_buttons)

        self.py_edit = QLineEdit()
        self.py_edit.setObjectName("py_path")
        self.py_edit.setPlaceholderText(self.tr("a tutorial script or a NetDesigner export: any .py with an "
                                                 "nn.Module"))
        self.py_edit.textChanged.connect(self._file_changed)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("model")
        self.model_combo.addItem(_automatic(), None)
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        self.shape_edit = QLineEdit()
        self.shape_edit.setObjectName("input_shape")
        self.shape_edit.setPlaceholderText(self.tr("from the file, else inferred (e.g. 1, 28, 28)"))
        self.shape_note = QLabel("")
        self.shape_note.setObjectName("shape_note")
        self.shape_note.setTextFormat(Qt.PlainText)
        self.weights_edit = QLineEdit()
        self.weights_edit.setObjectName("weights_path")
        self.weights_edit.setPlaceholderText(self.tr("optional: a state_dict (.pt or .safetensors) saved from the "
                                                      "file's model"))
        form = QFormLayout()
        form.addRow(self.tr("Python file"), self._with_browse(self.py_edit, self.tr("Python or ONNX (*.py *.onnx)")))
        form.addRow(self.tr("Model"), self.model_combo)
        form.addRow(self.tr("Input shape"), self.shape_edit)
        form.addRow("", self.shape_note)
        form.addRow(self.tr("Weights"), self._with_browse(self.weights_edit,
                                                          self.tr("Weights (*.pt *.pth *.safetensors)")))

        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.PlainText)  # file names and messages are never read as HTML
        self.report = QPlainTextEdit()
        self.report.setObjectName("report")
        self.report.setReadOnly(True)
        self.report.setMinimumHeight(160)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.import_button = buttons.addButton(self.tr("Run the file and import"), QDialogButtonBox.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.open_button = buttons.addButton(self.tr("Open as new project"), QDialogButtonBox.AcceptRole)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_project)
        buttons.rejected.connect(self.reject)
        self._running = False

        layout = QVBoxLayout(self)
        layout.addWidget(self.warning)
        layout.addWidget(self.lacking)
        layout.addWidget(self.confirm)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(680, 520)
        self._update_buttons()

    def _with_browse(self, edit: QLineEdit, pattern: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        button = QPushButton(self.tr("Browse…"))
        button.clicked.connect(lambda: self._browse(edit, pattern))
        row.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit, pattern: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), edit.text(), pattern)
        if path:
            edit.setText(path)

    def _py_path(self) -> Path:
        return Path(self.py_edit.text().strip()).expanduser()

    def _file_changed(self) -> None:
        """Another file: its own models, shape and confirmation."""
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem(_automatic(), None)
        self.model_combo.blockSignals(False)
        self.shape_edit.clear()
        self.shape_note.clear()
        self.open_button.setEnabled(False)
        self.confirm.blockSignals(True)
        self.confirm.setChecked(str(self._py_path().resolve()) in _confirmed if self.py_edit.text().strip() else False)
        self.confirm.blockSignals(False)
        self._update_buttons()

    def _model_changed(self) -> None:
        """Another model has its own input shape: infer it again unless the user types one."""
        self.shape_edit.clear()
        self.shape_note.clear()

    def _update_buttons(self) -> None:
        allowed = not self.missing or self.confirm.isChecked()
        self.import_button.setEnabled(allowed and not self._running)
        self.import_button.setText(self.tr("Run the file and import") if self.result is None or not self.result.found
                                   else self.tr("Import again"))

    def start_import(self) -> None:
        py = self._py_path()
        weights = self.weights_edit.text().strip()
        try:
            shape = parse_shape(self.shape_edit.text())
            if not py.is_file():
                raise ValueError(self.tr("Python file: {path} does not exist").format(path=py))
            if weights and not Path(weights).expanduser().is_file():
                raise ValueError(self.tr("Weights: {path} does not exist").format(path=weights))
        except ParamError as exc:
            self.status.setText(self.tr("Input shape: {problem}").format(problem=exc.message))
            return
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        if self.missing:
            if not self.confirm.isChecked():
                return
            _confirmed.add(str(py.resolve()))
        class_name = self.model_combo.currentData()
        self._running = True
        self._update_buttons()
        self.open_button.setEnabled(False)
        self.report.setPlainText("")
        self.status.setText(self.tr("Running {file} in a separate process…").format(file=py.name))

        cannot_check = self.tr("{file}: cannot be checked against this model ({error})")

        def work():  # on a pool thread: the text it needs was translated above
            from designer.ml.importing import files, importer
            from designer.ml.weights import WeightsError

            result = files.import_model(py, shape, class_name)
            state = report = None
            if result.ok and result.state is not None and not weights:  # an ONNX file brings its weights
                from designer.ml import models

                state, report = result.state, models.fit(models.build(result.project), result.state)
            if result.ok and weights:
                try:
                    state, report = importer.attach_weights(result.project, Path(weights).expanduser(),
                                                            result.key_map)
                except WeightsError as exc:
                    report = str(exc)
                except Exception as exc:  # an invalid imported graph cannot be built to compare with
                    report = cannot_check.format(file=Path(weights).name, error=exc)
            return result, state, report

        run_in_background(work, self._done, self._crashed, context=self)

    def _crashed(self, exc: Exception) -> None:
        self._running = False
        self._update_buttons()
        self.status.setText(self.tr("The file could not be imported: {error}").format(error=exc))

    def _done(self, payload) -> None:
        result, state, report = payload
        self.result = result
        self._running = False
        self._show_found(result)
        lines = [result.report()]
        if report is not None:
            text = report if isinstance(report, str) else report.summary()
            lines.append(self.tr("Weights {file}: {report}").format(file=Path(self.weights_edit.text().strip()).name,
                                                                    report=text))
        self.state = state if report is not None and not isinstance(report, str) and report.ok else None
        self.weights_report = report
        self.report.setPlainText("\n".join(lines))
        if result.ok:
            fits = self.state is not None or not self.weights_edit.text().strip()
            self.status.setText(self.tr("Imported: check what was found, then open it as a new project (or change "
                                        "the model or the input shape and import again).") if fits else
                                self.tr("Imported: check what was found, then open it as a new project (or change "
                                        "the model or the input shape and import again). The weights do not fit "
                                        "and will not be loaded."))
            self.open_button.setEnabled(True)
        else:
            self.status.setText(self.tr("The file could not be imported: {error}").format(error=result.error or ""))
        self._update_buttons()
        self.imported.emit(result)

    def _show_found(self, result) -> None:
        """The file's models in the combo (the chosen one selected), the shape and how it was found."""
        chosen = self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem(_automatic(), None)
        for found in result.found:
            name = found["name"]
            label = (self.tr("{name} ({kind}, line {line})").format(name=name, kind=found["kind"], line=found["line"])
                     if found.get("line") else self.tr("{name} ({kind})").format(name=name, kind=found["kind"]))
            if found.get("chosen"):
                label = self.tr("{model} — imported").format(model=label)
            self.model_combo.addItem(label, name[:-2] if name.endswith("()") else name)
        index = self.model_combo.findData(chosen)
        self.model_combo.setCurrentIndex(max(index, 0))
        self.model_combo.blockSignals(False)
        if result.input_shape:
            self.shape_edit.setText(", ".join(str(d) for d in result.input_shape))
            self.shape_note.setText(f"{'×'.join(str(d) for d in result.input_shape)}: {result.shape_source}")

    def open_project(self) -> None:
        if self.result is None or not self.result.ok:
            return
        window = self.parentWidget()
        if hasattr(window, "may_replace_project"):
            if not window.may_replace_project():  # a training run, unsaved changes: asked as File ▸ Open asks
                return
        elif getattr(self.document, "locked", False):
            self.status.setText(self.tr("Stop training before opening another project."))
            return
        graph = self.result.project.graph
        for node_id, pos in chain_layout(graph, PER_ROW).items():  # wrapped, as Model ▸ Auto-layout does
            graph.move(node_id, pos)
        self.document.set_project(self.result.project, None, modified=True)
        if self.state is not None:
            self.document.set_weights(self.state)
        self.accept()
