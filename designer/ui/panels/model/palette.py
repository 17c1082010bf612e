"""The palette: the layer catalog grouped by category, with a search box.

Drag an entry onto the canvas to place it; double-click or Enter appends it
after the selected block. Each entry's tooltip is the catalog's help text.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.core import layers
from designer.core.i18n import _ as core_text
from designer.ui.canvas.items import CATEGORY_COLORS
from designer.ui.canvas.view import BLOCK_MIME

TYPE_ROLE = Qt.ItemDataRole.UserRole


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class _Tree(QTreeWidget):
    def mimeData(self, items) -> QMimeData:  # noqa: N802 - Qt's name
        mime = QMimeData()
        types = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if types:
            mime.setData(BLOCK_MIME, types[0].encode("utf-8"))
            mime.setText(types[0])
        return mime

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [BLOCK_MIME]


class Palette(QWidget):
    """Emits ``activated(type_name)`` on double-click or Enter."""

    activated = Signal(str)

    def __init__(self, document=None, parent=None):
        super().__init__(parent)
        self.setObjectName("palette")
        self.search = QLineEdit()
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText(self.tr("Search layers…"))
        self.search.setClearButtonEnabled(True)
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setIndentation(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.entries: dict[str, QTreeWidgetItem] = {}
        groups: dict[str, QTreeWidgetItem] = {}
        for spec in layers.palette_types():
            group = groups.get(spec.category)
            if group is None:
                group = QTreeWidgetItem(self.tree, [core_text(spec.category)])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                groups[spec.category] = group
            entry = QTreeWidgetItem(group, [spec.type])
            entry.setData(0, TYPE_ROLE, spec.type)
            entry.setToolTip(0, f"<b>{spec.type}</b><br>{core_text(spec.help)}")
            entry.setIcon(0, _swatch(CATEGORY_COLORS.get(spec.category, "#607d8b")))
            entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            self.entries[spec.type] = entry
        self.groups = groups
        self.document = document
        if document is not None:  # the project's blocks, to drag in again
            for signal in (document.project_replaced, document.changed, document.level_changed):
                signal.connect(self.update_blocks)
            self.update_blocks()
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._search_enter)
        self.tree.itemActivated.connect(self._activated)

    def update_blocks(self) -> None:
        """List the project's blocks under Blocks (not the one being edited, nor those that contain it)."""
        graph = self.document.edit_graph
        inside = graph.block.name if getattr(graph, "block", None) is not None else None
        names = [n for n in graph.blocks if inside is None or (n != inside and inside not in graph.blocks.uses(n))]
        group = self.groups.get("Blocks")
        if group is not None and [group.child(i).data(0, TYPE_ROLE) for i in range(group.childCount())] == names:
            return
        if group is None:
            group = QTreeWidgetItem(self.tree, [core_text("Blocks")])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.groups["Blocks"] = group
        for name in [group.child(i).data(0, TYPE_ROLE) for i in range(group.childCount())]:
            self.entries.pop(name, None)
        group.takeChildren()
        for name in names:
            block = graph.blocks[name]
            entry = QTreeWidgetItem(group, [name])
            entry.setData(0, TYPE_ROLE, name)
            entry.setToolTip(0, self.tr("<b>{name}</b>: a block of this project, used {count} times").format(
                name=name, count=graph.blocks.count(name)) + (f"<br>{', '.join(block.args)}" if block.args else ""))
            entry.setIcon(0, _swatch(CATEGORY_COLORS["Blocks"]))
            entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            self.entries[name] = entry
        group.setHidden(not names)
        group.setExpanded(True)

    def filter(self, text: str) -> None:
        """Show entries whose name or help contains ``text``; select the first match."""
        needle = text.strip().lower()
        first = None
        for group in self.groups.values():
            visible = 0
            for i in range(group.childCount()):
                entry = group.child(i)
                spec = layers.CATALOG.get(entry.data(0, TYPE_ROLE))
                # Either language finds it: "卷积" and "conv" both find Conv2d.
                words = (spec.type, spec.help, spec.category, core_text(spec.help), core_text(spec.category)) \
                    if spec is not None else (entry.data(0, TYPE_ROLE), "Blocks", core_text("Blocks"))
                match = not needle or any(needle in w.lower() for w in words)
                entry.setHidden(not match)
                visible += match
                if match and first is None:
                    first = entry
            group.setHidden(visible == 0)
        if needle and first is not None:
            self.tree.setCurrentItem(first)

    def _search_enter(self) -> None:
        current = self.tree.currentItem()
        if current is not None and not current.isHidden() and current.data(0, TYPE_ROLE):
            self.activated.emit(current.data(0, TYPE_ROLE))

    def _activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.activated.emit(type_name)
