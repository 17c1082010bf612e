"""The problems list: every error and warning, double-click to go to the block."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

MAX_SHOWN = 300  # a list of thousands of warnings helps nobody and costs time on every edit


class ProblemsList(QListWidget):
    """Lists ModelShapes.problems; emits node_activated on double-click or Enter."""

    node_activated = Signal(str)
    count_changed = Signal(int)

    def __init__(self, document):
        super().__init__()
        self.setObjectName("problemsList")
        self.document = document
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(self._activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        document.shapes_changed.connect(self._timer.start)  # coalesced, after the canvas has updated
        document.changed.connect(self._timer.start)  # names in messages follow renames
        self._last = None
        self.refresh()

    def refresh(self, *_) -> None:
        doc = self.document
        problems = doc.shapes.problems
        names = doc.display_names()
        key = [(names.get(p.node_id), p.severity, p.message) for p in problems]
        if key == self._last:
            return
        self._last = key
        self.clear()
        style = self.style()
        icons = {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)}
        for problem in problems[:MAX_SHOWN]:
            model = self.tr("model")
            where = names.get(problem.node_id, model) if problem.node_id else model
            item = QListWidgetItem(icons.get(problem.severity), f"{where}: {problem.message}")
            item.setData(Qt.ItemDataRole.UserRole, problem.node_id)
            if problem.severity == "error":
                item.setForeground(QColor("#c62828"))
            self.addItem(item)
        if len(problems) > MAX_SHOWN:
            self.addItem(self.tr("… and {count} more").format(count=len(problems) - MAX_SHOWN))
        self.count_changed.emit(len(problems))

    def _activated(self, item: QListWidgetItem) -> None:
        node_id = item.data(Qt.ItemDataRole.UserRole)
        if node_id:
            self.document.leave(0)  # a problem names a node of the model, whose id a definition may also use
            self.document.select(node_id)
            self.node_activated.emit(node_id)
