"""The model summary: one row per layer on the model path, with totals, kept live."""

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
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        document.changed.connect(self._timer.start)  # coalesced: typing does not rebuild the table per key
        self.refresh()

    def refresh(self, *_) -> None:
        doc = self.document
        shapes, names = doc.shapes, doc.display_names()
        rows, ids, total_params, total_macs = [], [], 0, 0
        for node_id in shapes.path:
            result = shapes.nodes[node_id]
            node = doc.graph.nodes[node_id]
            if result.error:
                out = self.tr("error")
            elif result.out_shape is None:
                out = "?"
            else:
                out = fmt(result.out_shape)
            params, macs = result.parameters, result.macs
            total_params += params
            total_macs += macs
            rows.append((names.get(node_id, node_id), node.type, out, _count(params),
                         "—" if result.error or result.out_shape is None else _count(macs), result.error is not None))
            ids.append(node_id)
        if rows:
            rows.append((self.tr("Total"), self.tr("1 layer") if len(ids) == 1 else self.tr("{count} layers").format(count=len(ids)),
                         fmt(shapes.output_shape) if shapes.output_shape else "—",
                         _count(total_params), _count(total_macs), False))
            ids.append(None)
        self.beginResetModel()
        self.rows, self.node_ids = rows, ids
        self.endResetModel()

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
        if node_id is not None:
            self.document.select(node_id)
