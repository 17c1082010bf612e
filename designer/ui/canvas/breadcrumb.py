"""The breadcrumb above the canvas inside a block: ``Model › BasicBlock``, each part a link back out.

Shown only inside a block's definition; clicking a part leaves to that level
(Escape on the canvas leaves one level).
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel


class Breadcrumb(QLabel):
    """A row of links over the canvas's top-left corner."""

    def __init__(self, document, parent):
        super().__init__(parent)
        self.setObjectName("breadcrumb")
        self.document = document
        self.setStyleSheet("QLabel { background: #e8eaf6; border: 1px solid #9fa8da; border-radius: 4px;"
                           " padding: 4px 8px; color: #1a237e; font-size: 13px; }")
        self.linkActivated.connect(lambda depth: document.leave(int(depth)))
        document.level_changed.connect(self.update_text)
        document.project_replaced.connect(self.update_text)
        self.update_text()

    def parts(self) -> list[str]:
        """What the breadcrumb says, outermost first (``["Model", "BasicBlock"]``)."""
        return [self.tr("Model")] + self.document.level_titles() if self.document.level else []

    def update_text(self) -> None:
        parts = self.parts()
        self.setVisible(bool(parts))
        links = [f"<a href='{depth}' style='color:#1a237e'>{escape(part)}</a>" for depth, part in enumerate(parts[:-1])]
        tail = f"<b>{escape(parts[-1])}</b>" if parts else ""
        hint = self.tr("(Esc leaves; edits change every instance)")
        self.setText(" › ".join(links + [tail]) + f" <span style='color:#5c6bc0'>{hint}</span>")
        self.setToolTip(self.tr("Inside a block: the shapes are those of the block you entered through."))
        self.adjustSize()
        self.move(8, 8)
        self.raise_()
