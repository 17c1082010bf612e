"""The canvas's clipboard and delete: Cut, Copy, Paste, Duplicate and Delete on the selected blocks.

``ClipboardEdits`` is mixed into ``designer.ui.canvas.view.CanvasView``; every
change goes through the document (seam 2). Messages keep the ``CanvasView`` context.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, QMimeData
from PySide6.QtWidgets import QApplication

from designer.core.graph import GraphError
from designer.ui.canvas.items import GRID
from designer.ui.document import INPUT_STAYS

NODES_MIME = "application/x-netdesigner-nodes"  # copied blocks: Document.copy_data JSON


class ClipboardEdits:
    """Delete, Copy, Cut, Paste and Duplicate for a view with ``document``, ``graph_scene`` and ``_tell``."""

    def delete_selected(self) -> None:
        ids = self.graph_scene.selected_ids()
        edges = [e for e in self.graph_scene.selected_edges() if e[0] not in ids and e[1] not in ids]
        inputs = [n for n in ids if self.graph_scene.nodes[n].type_name == "Input"]
        if inputs:  # the rest of the selection still goes; the Input stays (a project needs one)
            ids = [n for n in ids if n not in inputs]
            self._tell(QCoreApplication.translate("Document", INPUT_STAYS))
        if not ids and not edges:
            return
        stack = self.document.undo_stack
        macro = bool(edges) and bool(ids) or len(edges) > 1  # one undo step for the whole deletion
        if macro:
            stack.beginMacro(QCoreApplication.translate("CanvasView", "Delete"))
        try:
            for edge in edges:
                self.document.disconnect(*edge)
            self.document.remove_nodes(ids)
        except GraphError as exc:
            self._tell(str(exc))
        finally:
            if macro:
                stack.endMacro()

    def copy(self) -> None:
        ids = self.graph_scene.selected_ids()
        if not ids:
            return
        data = self.document.copy_data(ids)
        mime = QMimeData()
        text = json.dumps(data)
        mime.setData(NODES_MIME, text.encode("utf-8"))
        mime.setText(text)
        QApplication.clipboard().setMimeData(mime)
        self._paste_count = 0

    def cut(self) -> None:
        self.copy()
        self.delete_selected()

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(NODES_MIME):
            return
        try:
            data = json.loads(bytes(mime.data(NODES_MIME)).decode("utf-8"))
            self._paste_count += 1
            shift = 2 * GRID * self._paste_count
            ids = self.document.paste(data, (shift, shift))
        except (ValueError, GraphError) as exc:
            self._tell(QCoreApplication.translate("CanvasView", "Cannot paste: {error}").format(error=exc))
            return
        self.select_only(ids)

    def duplicate(self) -> None:
        ids = self.graph_scene.selected_ids()
        if ids:
            try:
                new = self.document.paste(self.document.copy_data(ids), (2 * GRID, 2 * GRID))
            except GraphError as exc:
                self._tell(str(exc))
                return
            self.select_only(new)

