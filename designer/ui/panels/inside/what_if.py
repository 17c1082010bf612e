"""Explain's what-if settings: kernel_size, stride, padding and dilation changed for the picture only, and
Apply, which makes them one undoable edit of the model (inside a block, of its definition).

A mixin of ``ExplainerPanel`` (which owns the editors' form, ``changes`` and ``rebuild``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from designer.core import layers
from designer.core.blocks import is_ref
from designer.core.i18n import _ as core_text
from designer.core.graph import GraphError
from designer.ui.panels.model.inspector import PairEditor

WHAT_IF = ("kernel_size", "stride", "padding", "dilation")


class WhatIf:
    """The what-if editors and Apply (mixed into ``ExplainerPanel``)."""

    def _build_editors(self, chosen) -> None:
        while self.what_if_form.rowCount():
            self.what_if_form.removeRow(0)
        self.editors = {}
        self.node_id, self.path = (chosen.node_id, chosen.path) if chosen is not None else (None, None)
        node = chosen.node if chosen is not None else None
        if node is None or node.type not in layers.EXPLAINABLE:
            return
        spec = layers.CATALOG[node.type]
        for key in WHAT_IF:
            param = spec.param(key)
            if param is None:
                continue
            editor = PairEditor(param, allow_none=param.default is None and not param.required)
            editor.setObjectName(f"whatif_{key}")
            editor.setToolTip(core_text(param.help))
            editor.edited.connect(lambda value, k=key: self._what_if(k, value))
            self.what_if_form.addRow(key, editor)
            self.editors[key] = editor
        self._show_settings()

    def _resolved(self) -> dict:
        """The layer's settings as it runs: inside a block, with the entered instance's arguments filled in."""
        node, result = self.document.edit_graph.nodes[self.node_id], self.document.edit_shapes.nodes.get(self.node_id)
        if self.document.level and result is not None and result.resolved:
            return result.resolved
        try:
            return node.spec.resolve(node.params)
        except Exception:  # an invalid parameter: the inspector names it; start from the defaults
            return {}

    def _show_settings(self) -> None:
        node = self.document.edit_graph.nodes[self.node_id]
        resolved = self._resolved()
        for key, editor in self.editors.items():
            value = self.changes.get(key, resolved.get(key, node.params.get(key)))
            if value == "valid":
                value = 0
            elif value == "same":  # the numbers torch pads before the image
                value = [d * (k - 1) // 2 for k, d in zip(resolved["kernel_size"], resolved["dilation"])]
            if isinstance(value, str):
                value = None
            editor.set_value(value)

    def _what_if(self, key: str, value) -> None:
        node = self.document.edit_graph.nodes[self.node_id]
        param = node.spec.param(key)
        own = node.params.get(key, param.default)
        if is_ref(own):  # "$stride": the entered instance's argument
            own = self._resolved().get(key, param.default)
        if _normal(param, value) == _normal(param, own):
            self.changes.pop(key, None)
        else:
            self.changes[key] = value
        self.rebuild()

    def reset_what_if(self) -> None:
        self.changes = {}
        if self.node_id is not None:
            self._show_settings()
        self.rebuild()

    def apply(self) -> None:
        """The what-if settings become one undoable edit of the model."""
        if not self.changes or self.node_id is None:
            return
        node = self.document.edit_graph.nodes[self.node_id]
        refs = [key for key in self.changes if is_ref(node.params.get(key))]
        if refs:  # Apply would cut the definition's tie to the argument for every instance
            self.formula.setText("<span style='color:#c62828'>" + QCoreApplication.translate(
                "ExplainerPanel", "{key} is set by the block's argument {ref}: change the argument on the instance, "
                                  "at the model's level.").format(key=refs[0], ref=node.params[refs[0]]) + "</span>")
            return
        changes, self.changes = dict(self.changes), {}
        try:
            self.document.set_params(self.node_id, changes)
        except GraphError as exc:
            self.changes = changes
            self.formula.setText(f"<span style='color:#c62828'>{exc}</span>")
            return
        self._show_settings()
        self.rebuild()


def _normal(param, value):
    try:
        return param.check(value) if value is not None else None
    except Exception:  # an invalid value compares as it is
        return value
