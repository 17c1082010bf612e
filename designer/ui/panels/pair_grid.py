"""Label/field pairs in two columns when the panel is wide enough, in one when it is narrow.

A dock on a small screen (1366×768) is narrower than two columns of fields:
the pairs then stack in one column, so the panel scrolls down, never sideways.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget


class PairGrid(QWidget):
    """``pairs`` of (label, field) laid out in as many columns (1 or 2) as the width allows."""

    def __init__(self, pairs: list[tuple[str, QWidget]], parent: QWidget | None = None):
        super().__init__(parent)
        self.pairs = [(QLabel(label), widget) for label, widget in pairs]
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.columns = 0
        self._lay_out(2)
        self._two_columns_width = self.grid.minimumSize().width()

    def _lay_out(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for label, widget in self.pairs:
            self.grid.removeWidget(label)
            self.grid.removeWidget(widget)
        for i, (label, widget) in enumerate(self.pairs):
            row, col = divmod(i, columns)
            self.grid.addWidget(label, row, col * 2)
            self.grid.addWidget(widget, row, col * 2 + 1)
        for col in range(4):
            self.grid.setColumnStretch(col, 1 if col % 2 and col // 2 < columns else 0)
        self.updateGeometry()

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        """As narrow as one column: the panel then asks for no more width than a small dock has."""
        hint = super().minimumSizeHint()
        if self.columns == 2:
            hint.setWidth(min(hint.width(), self._one_column_width()))
        return hint

    def _one_column_width(self) -> int:
        labels = max((label.sizeHint().width() for label, _ in self.pairs), default=0)
        fields = max((widget.minimumSizeHint().width() for _, widget in self.pairs), default=0)
        return labels + fields + self.grid.horizontalSpacing()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._lay_out(2 if event.size().width() >= self._two_columns_width else 1)
