"""The model summary: one row per layer on the model path, with totals, kept live.

A block instance's row opens (click it: ▸ becomes ▾) onto its inner layers,
indented under it with the shapes of that instance; the totals count each
instance once.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from designer.core.rules import fmt

COLUMNS = (QT_TRANSLATE_NOOP("SummaryModel", "Name"), QT_TRANSLATE_NOOP("SummaryModel", "Type"),
           QT_TRANSLATE_NOOP("SummaryModel", "Output shape"), QT_TRANSLATE_NOOP("SummaryModel", "Parameters"),
           QT_TRANSLATE_NOOP("SummaryModel", "Multiply-adds"))


def _count(n: int) -> str:
    return f"{n:,}"


class SummaryModel(QAbstractTableModel):
    """Rows built from Document.shapes; the last row holds the totals."""

    def __init__(self, document):
        super().__init__()
        self.document = document
        self.rows: list[tuple] = []
        self.node_ids: list[str | None] = []
        self.keys: list[str | None] = []  # an instance's row: its key in ``expanded`` ("n4", "n4/n2")
        self.expanded: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        document.changed.connect(self._timer.start)  # coalesced: typing does not rebuild the table per key
        self.refresh()

    def refresh(self, *_) -> None:
        doc = self.document
        shapes, names = doc.shapes, doc.display_names()
        rows, ids, keys = [], [], []
        self._add_rows(shapes, doc.graph, names, "", 0, None, rows, ids, keys)
        count = len(shapes.path)
        total_params = sum(shapes.nodes[n].parameters for n in shapes.path)
        total_macs = sum(shapes.nodes[n].macs for n in shapes.path)
        if rows:
            rows.append((self.tr("Total"), self.tr("1 layer") if count == 1 else self.tr("{count} layers").format(count=count),
                         fmt(shapes.output_shape) if shapes.output_shape else "—",
                         _count(total_params), _count(total_macs), False))
            ids.append(None)
            keys.append(None)
        self.beginResetModel()
        self.rows, self.node_ids, self.keys = rows, ids, keys
        self.endResetModel()

    def _add_rows(self, shapes, graph, names, prefix, depth, owner, rows, ids, keys) -> None:
        """Rows for ``shapes.path`` of ``graph``; an open instance's inner rows follow it, indented."""
        for node_id in shapes.path:
            result = shapes.nodes[node_id]
            node = graph.nodes[node_id]
            if depth and node.type == "Input":
                continue  # inside a block: its input is the row above
            if result.error:
                out = self.tr("error")
            elif result.out_shape is None:
                out = "?"
            else:
                out = fmt(result.out_shape)
            key = prefix + node_id
            block = result.inner is not None and graph.is_block(node_id)
            mark = ("▾ " if key in self.expanded else "▸ ") if block else ""
            rows.append(("    " * depth + mark + names.get(node_id, node_id), node.type, out, _count(result.parameters),
                         "—" if result.error or result.out_shape is None else _count(result.macs),
                         result.error is not None))
            ids.append(owner or node_id)  # an inner row selects the instance it belongs to
            keys.append(key if block else None)
            if block and key in self.expanded:
                inner = graph.blocks[node.type].graph
                self._add_rows(result.inner, inner, inner.generated_names(), key + "/", depth + 1, owner or node_id,
                               rows, ids, keys)

    def toggle(self, row: int) -> bool:
        """Open or close the block instance on ``row``; False when the row is no instance."""
        key = self.keys[row] if 0 <= row < len(self.keys) else None
        if key is None:
            return False
        self.expanded.symmetric_difference_update({key})
        self.refresh()
        return True

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("SummaryModel", COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row[5]:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.FontRole and self.node_ids[index.row()] is None:
            font = QFont()
            font.setBold(True)
            return font
        return None


class SummaryTable(QTableView):
    """Table view of SummaryModel; clicking a row selects that layer."""

    def __init__(self, document):
        super().__init__()
        self.setObjectName("summaryTable")
        self.document = document
        self.table_model = SummaryModel(document)
        self.setModel(self.table_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.clicked.connect(self._clicked)

    def _clicked(self, index) -> None:
        node_id = self.table_model.node_ids[index.row()]
        self.table_model.toggle(index.row())
        if node_id is not None and not self.document.level:
            self.document.select(node_id)
