"""The inspector: every parameter of the selected block, with the right editor per kind.

Edits go to Document.set_param as the user types (consecutive edits of one
field merge into one undo step), so the shapes downstream update live. Under the
title: the error with a one-click fix (in view in a short dock); below the
form: input and output shapes, parameter count and formula.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QSizePolicy, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from designer.core.block_edits import make_argument
from designer.core.blocks import BlockError, is_ref
from designer.core import params as kinds
from designer.core.graph import GraphError
from designer.core.i18n import _ as core_text
from designer.core.params import Param, ParamError
from designer.core.rules import fmt

SPIN_LIMIT = 2_000_000_000


def _pair(values) -> str:
    return f"{values[0]}×{values[1]}"


def _normalised(param: Param, value):
    try:
        return param.check(value)
    except ParamError:
        return value


class PairEditor(QWidget):
    """Two spin boxes and a link toggle: linked edits give one int, unlinked a [h, w] pair.

    With ``allow_none`` the lowest value reads "auto" and means torch's default (None).
    """

    edited = Signal(object)

    def __init__(self, param: Param, allow_none: bool = False, parent=None):
        super().__init__(parent)
        self.param = param
        low = int(param.minimum if param.minimum is not None else 0) - (1 if allow_none else 0)
        high = int(param.maximum if param.maximum is not None else SPIN_LIMIT)
        self.allow_none, self.none_value = allow_none, low
        self.first, self.second = QSpinBox(), QSpinBox()
        for spin in (self.first, self.second):
            spin.setRange(low, high)
            spin.setKeyboardTracking(True)
            if allow_none:
                spin.setSpecialValueText(self.tr("auto"))
            spin.valueChanged.connect(self._changed)
        self.link = QToolButton()
        self.link.setCheckable(True)
        self.link.setChecked(True)
        self.link.setToolTip(self.tr("= : one value for height and width. Click to set them separately (≠)."))
        self.link.toggled.connect(self._link_toggled)
        self.link.setText("=")
        self.link.setFixedWidth(24)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.first, 1)
        layout.addWidget(self.link)
        layout.addWidget(self.second, 1)
        self._quiet = False

    def set_value(self, value) -> None:
        self._quiet = True
        if value is None:
            h = w = self.none_value
        elif isinstance(value, (list, tuple)):
            h, w = value
        else:
            h = w = value
        self.first.setValue(h)
        self.second.setValue(w)
        self.link.setChecked(h == w)
        self.second.setEnabled(h != w)
        self._quiet = False

    def value(self):
        h, w = self.first.value(), self.second.value()
        if self.allow_none and h == self.none_value:
            return None
        if self.link.isChecked():
            return h
        return [h, max(w, self.none_value + 1) if self.allow_none else w]

    def _link_toggled(self, linked: bool) -> None:
        self.link.setText("=" if linked else "≠")
        self.second.setEnabled(not linked)
        if linked and not self._quiet:
            self._quiet = True
            self.second.setValue(self.first.value())
            self._quiet = False
            self.edited.emit(self.value())

    def _changed(self) -> None:
        if self._quiet:
            return
        if self.link.isChecked():
            self._quiet = True
            self.second.setValue(self.first.value())
            self._quiet = False
        self.edited.emit(self.value())


class PaddingEditor(QWidget):
    """Conv2d padding: numbers (a pair editor), "same" or "valid"."""

    edited = Signal(object)

    def __init__(self, param: Param, parent=None):
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItem(self.tr("numbers"), "numbers")  # untranslated: the second is the data
        self.mode.addItem("same", "same")  # untranslated: torch's value
        self.mode.addItem("valid", "valid")  # untranslated: torch's value
        self.mode.setToolTip(self.tr('"same" keeps height and width (stride 1 only); "valid" means no padding.'))
        self.pair = PairEditor(param)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.mode)
        layout.addWidget(self.pair)
        self.mode.currentIndexChanged.connect(lambda _: self._mode_changed(self.mode.currentData()))
        self.pair.edited.connect(self.edited)
        self._quiet = False

    def set_value(self, value) -> None:
        self._quiet = True
        if isinstance(value, str):
            self.mode.setCurrentIndex(self.mode.findData(value))
        else:
            self.mode.setCurrentIndex(self.mode.findData("numbers"))
            self.pair.set_value(value)
        self.pair.setVisible(not isinstance(value, str))
        self._quiet = False

    def _mode_changed(self, text: str) -> None:  # the mode's data: numbers, same or valid
        self.pair.setVisible(text == "numbers")
        if not self._quiet:
            self.edited.emit(self.pair.value() if text == "numbers" else text)


def make_editor(param: Param):
    """(widget, setter, signal) for one parameter; the signal carries the new value."""
    kind = param.kind
    if kind in (kinds.INT, kinds.OPT_INT):
        spin = QSpinBox()
        low = int(param.minimum if param.minimum is not None else -SPIN_LIMIT)
        high = int(param.maximum if param.maximum is not None else SPIN_LIMIT)
        optional = kind == kinds.OPT_INT
        spin.setRange(low - 1 if optional else low, high)
        if optional:
            spin.setSpecialValueText("None")  # untranslated: Python's None
        spin.setKeyboardTracking(True)

        def set_int(v):
            spin.setValue(low - 1 if v is None else int(v))

        return spin, set_int, spin.valueChanged, (lambda v: None if optional and v == low - 1 else v)
    if kind in (kinds.FLOAT, kinds.OPT_FLOAT):
        spin = QDoubleSpinBox()
        small = param.default is not None and 0 < abs(param.default) < 1e-3
        spin.setDecimals(6 if small else 3)
        spin.setSingleStep(1e-5 if small else 0.05)
        low = param.minimum if param.minimum is not None else -1e9
        spin.setRange(low - (0.001 if kind == kinds.OPT_FLOAT else 0), param.maximum if param.maximum is not None
                      else 1e9)
        if kind == kinds.OPT_FLOAT:
            spin.setSpecialValueText("None")  # untranslated: Python's None
        return spin, (lambda v: spin.setValue(spin.minimum() if v is None else float(v))), spin.valueChanged, \
            (lambda v: None if kind == kinds.OPT_FLOAT and v <= spin.minimum() else v)
    if kind == kinds.BOOL:
        box = QCheckBox()
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # clicks anywhere on it toggle
        return box, (lambda v: box.setChecked(bool(v))), box.toggled, (lambda v: bool(v))
    if kind == kinds.CHOICE:
        combo = QComboBox()
        combo.addItems([str(c) for c in param.choices])
        return combo, (lambda v: combo.setCurrentText(str(v))), combo.currentTextChanged, (lambda v: v)
    if kind == kinds.PAIR:
        editor = PairEditor(param, allow_none=param.default is None and not param.required)
        return editor, editor.set_value, editor.edited, (lambda v: v)
    if kind == kinds.PADDING:
        editor = PaddingEditor(param)
        return editor, editor.set_value, editor.edited, (lambda v: v)
    if kind in (kinds.SHAPE, kinds.QUAD):
        line = QLineEdit()
        if kind == kinds.SHAPE:
            line.setPlaceholderText(QCoreApplication.translate("Inspector", "e.g. 1, 28, 28"))

        def parse(text: str):
            try:
                numbers = [int(p) for p in text.replace("[", "").replace("]", "").replace("(", "").replace(")", "")
                           .split(",") if p.strip()]
            except ValueError:
                return text
            return numbers[0] if kind == kinds.QUAD and len(numbers) == 1 else numbers  # one number: every side

        def show(v):
            if line.hasFocus():
                return  # the learner is typing: "1, 2" is on its way to four numbers
            line.setText(", ".join(str(d) for d in (v if isinstance(v, (list, tuple)) else () if v is None else [v])))
        return line, show, line.textEdited, parse
    if kind == kinds.VALUE:  # a block's argument: 16, 2.5, true, [3, 3] or text
        line = QLineEdit()

        def parse_value(text: str):
            try:
                return json.loads(text)
            except ValueError:
                return text.strip()

        def show_value(v):
            if not line.hasFocus():
                line.setText(v if isinstance(v, str) else json.dumps(v))
        return line, show_value, line.textEdited, parse_value
    raise AssertionError(f"no editor for parameter kind {kind}")


class Inspector(QScrollArea):
    """Shows and edits the document's selected block."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.document = document
        self.setWidgetResizable(True)
        self.node_id: str | None = None
        self.editors: dict[str, tuple] = {}
        self._updating = False
        self._build_empty()
        document.selection_changed.connect(self.show_node)
        document.changed.connect(self.refresh)
        document.locked_changed.connect(lambda locked: self.widget().setEnabled(not locked))

    def _build_empty(self) -> None:
        page = QLabel(self.tr("Select a block on the canvas to see and edit its parameters.\n\n"
                              "Drag layers from the palette on the left, or double-click one to add it after the "
                              "selected block."))
        page.setWordWrap(True)
        page.setAlignment(Qt.AlignmentFlag.AlignTop)
        page.setMargin(12)
        page.setStyleSheet("color: #607d8b")
        self.setWidget(page)
        self.editors = {}
        self.fix_button = None

    def show_node(self, node_id) -> None:
        """Build the form for ``node_id`` (None shows a hint)."""
        self.node_id = node_id if node_id in self.document.edit_graph.nodes else None
        if self.node_id is None:
            self._build_empty()
            return
        node = self.document.edit_graph.nodes[self.node_id]
        spec = self.document.edit_graph.spec(node.type)
        page = QWidget()
        outer = QVBoxLayout(page)
        title = QLabel(f"<b style='font-size:14px'>{spec.type}</b> <span style='color:#78909c'>"
                       f"({core_text(spec.category)})</span>")
        outer.addWidget(title)
        # The problem and its fix first, under the title: in view in a short dock, whatever the form's length.
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; background: #fff5f5; border: 1px solid #ef9a9a;"
                                       "border-radius: 4px; padding: 6px")
        self.fix_button = QPushButton()
        self.fix_button.setObjectName("fixButton")
        self.fix_button.clicked.connect(self._apply_fix)
        outer.addWidget(self.error_label)
        outer.addWidget(self.fix_button)
        about = QLabel(core_text(spec.help))
        about.setWordWrap(True)
        about.setStyleSheet("color: #546e7a")
        outer.addWidget(about)
        graph = self.document.edit_graph
        if graph.is_block(self.node_id):
            uses = graph.blocks.count(node.type)
            about.setText(self.tr("A block used {count} times: double-click it on the canvas to edit its layers "
                                  "(that changes every instance).").format(count=uses))
            unique = QPushButton(self.tr("Make Unique"))
            unique.setObjectName("makeUniqueButton")
            unique.setToolTip(self.tr("Give this instance its own copy of the block, to change it alone."))
            unique.setEnabled(uses > 1)
            unique.clicked.connect(self._make_unique)
            outer.addWidget(unique)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.textEdited.connect(self._renamed)
        form.addRow(self.tr("name"), self.name_edit)
        self.editors = {}
        for param in spec.params:
            widget, setter, signal, convert = make_editor(param)
            widget.setObjectName(f"param_{param.name}")
            widget.setToolTip(core_text(param.help))
            signal.connect(lambda value, p=param.name, c=convert: self._edited(p, c(value)))
            label = QLabel(param.name + (" *" if param.required else ""))
            label.setToolTip(core_text(param.help))
            if self.document.level and param.kind != kinds.SHAPE:  # inside a block: one click makes it an argument
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                row.addWidget(self._argument_button(param.name))
                form.addRow(label, row)
            else:
                form.addRow(label, widget)
            self.editors[param.name] = (widget, setter, param)
        outer.addLayout(form)
        self.shapes_label = QLabel()
        self.shapes_label.setObjectName("shapesLabel")
        self.shapes_label.setWordWrap(True)
        self.formula_label = QLabel()
        self.formula_label.setObjectName("formulaLabel")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.formula_label.setFont(mono)
        self.formula_label.setWordWrap(True)
        for widget in (self.shapes_label, self.formula_label):
            outer.addWidget(widget)
        outer.addStretch(1)
        page.setEnabled(not self.document.locked)
        self.setWidget(page)
        self.refresh()

    def refresh(self) -> None:
        """Show the model's current values (after undo, a fix, or an edit elsewhere)."""
        if self.node_id is None:
            return
        if self.node_id not in self.document.edit_graph.nodes:
            self.show_node(None)
            return
        node = self.document.edit_graph.nodes[self.node_id]
        result = self.document.edit_shapes.nodes.get(self.node_id)
        self._updating = True
        try:
            generated = self.document.edit_graph.generated_names().get(self.node_id, "")
            if self.name_edit.text() != (node.name or ""):
                self.name_edit.setText(node.name or "")
            self.name_edit.setPlaceholderText(generated)
            for name, (widget, setter, param) in self.editors.items():
                value = node.params.get(name, param.default)
                widget.setEnabled(not is_ref(value))  # "$channels": each instance's argument decides
                if is_ref(value):
                    widget.setToolTip(self.tr("{ref}: set by the block's argument in each instance").format(
                        ref=value))
                    continue
                widget.blockSignals(True)
                try:
                    setter(_normalised(param, value) if value is not None else None)
                finally:
                    widget.blockSignals(False)
                widget.setProperty("error", bool(result and result.param == name))
                widget.setStyleSheet("background: #ffebee" if result and result.param == name and result.error
                                     else "")
        finally:
            self._updating = False
        self._show_result(result)

    def _show_result(self, result) -> None:
        if result is None:
            return
        lines = []
        if result.in_shapes is not None:  # a merge: every input, in order
            lines.append("<b>" + self.tr("Inputs") + "</b> " + " · ".join("?" if s is None else fmt(s)
                                                                         for s in result.in_shapes))
        elif result.in_shape is not None:
            lines.append("<b>" + self.tr("Input") + "</b> " + fmt(result.in_shape))
        if result.out_shape is not None and not result.error:
            lines.append("<b>" + self.tr("Output") + "</b> " + fmt(result.out_shape))
        field = self.document.edit_fields().get(self.node_id)  # inside a block: the entered instance's
        if field is not None:
            lines.append(self.tr("<b>Receptive field</b> {size} input pixels, <b>jump</b> {jump}").format(
                size=_pair(field.size), jump=_pair(field.jump)))
        lines.append("<b>" + self.tr("Parameters") + f"</b> {result.parameters:,}")
        if result.macs:
            lines.append("<b>" + self.tr("Multiply-adds") + f"</b> {result.macs:,}")
        if not result.on_path:
            lines.append("<i>" + self.tr("Not connected to the model: wire it into the chain from Input.") + "</i>")
        self.shapes_label.setText("<br>".join(lines))
        self.formula_label.setText(result.formula)
        self.formula_label.setVisible(bool(result.formula))
        self.error_label.setText(result.error or "")
        self.error_label.setVisible(bool(result.error))
        self.fix_button.setVisible(result.fix is not None)
        self._fix = result.fix
        if result.fix is not None:
            self.fix_button.setText(self.tr("Fix: {label}").format(label=result.fix.label))

    def _edited(self, key: str, value) -> None:
        if self._updating or self.node_id is None:
            return
        try:
            self.document.set_param(self.node_id, key, value)
        except GraphError as exc:
            self.error_label.setText(str(exc))
            self.error_label.setVisible(True)

    def _make_unique(self) -> None:
        node_id = self.node_id
        try:
            self.document.block_edit(self.tr("Make Block Unique"),
                                     lambda graph: graph.blocks.make_unique(graph, node_id))
        except (BlockError, GraphError) as exc:
            self.error_label.setText(str(exc))
            self.error_label.setVisible(True)
            return
        self.show_node(node_id)

    def _argument_button(self, key: str) -> QToolButton:
        button = QToolButton()
        button.setText("$")
        button.setObjectName(f"argument_{key}")
        button.setToolTip(self.tr("Make {key} an argument of the block: each instance sets its own value "
                                  "(the current one is the default)").format(key=key))
        button.clicked.connect(lambda: self._make_argument(key))
        return button

    def _make_argument(self, key: str) -> None:
        """Expose ``key`` of the inner layer as the block's argument ``$key`` (one undo step)."""
        node_id = self.node_id
        if node_id is None:
            return
        try:
            name = self.document.block_edit(self.tr("Make {key} an Argument").format(key=key),
                                            lambda graph: make_argument(graph, node_id, key))
        except (BlockError, GraphError) as exc:
            self.error_label.setText(str(exc))
            self.error_label.setVisible(True)
            return
        self.window().statusBar().showMessage(self.tr("{key} is now the block's argument ${name}: set it on each "
                                                      "instance.").format(key=key, name=name), 8000)

    def _renamed(self, text: str) -> None:
        if self.node_id is not None:
            try:
                self.document.rename(self.node_id, text.strip() or None)
            except GraphError as exc:
                self.error_label.setText(str(exc))

    def _apply_fix(self) -> None:
        if self.node_id is not None and self._fix is not None:
            try:
                self.document.apply_fix(self.node_id, self._fix)
            except GraphError as exc:
                self.error_label.setText(str(exc))
                self.error_label.setVisible(True)
