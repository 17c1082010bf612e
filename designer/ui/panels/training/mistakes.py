"""The Training panel's Mistakes tab: held-out samples the trained model gets wrong, most confident first.

Each shows the picture, its true class and what the model answered; clicking
one sends it to Try it, where it can be edited on the pad while the
prediction follows (and Look inside shows the layers).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

ICON = 64


class MistakesBrowser(QWidget):
    """A grid of wrong answers; ``chosen`` carries the clicked one (designer.ml.training.mistakes.Shown)."""

    chosen = Signal(object)
    check_folder = Signal()  # "Check on a folder…" pressed (designer.ui.panels.training.folder_check answers)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items: list = []
        self.note = QLabel(self.tr("After a run, the held-out samples the model gets wrong appear here."))
        self.note.setWordWrap(True)
        self.grid = QListWidget()
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(ICON, ICON))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setSpacing(4)
        self.grid.itemClicked.connect(self._clicked)
        self.check_button = QPushButton(self.tr("Check on a folder…"))
        self.check_button.setToolTip(self.tr("Run the trained model on a folder of pictures (one sub-folder per "
                                             "class, e.g. the class's saved drawings) and show its mistakes there"))
        self.check_button.clicked.connect(self.check_folder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)

    def show_mistakes(self, mistakes: list, held_out: int | None = None, where: str = "") -> None:
        """Show ``mistakes`` (Shown); ``where`` names a checked folder, whose pictures they are (else held-out)."""
        self.items = list(mistakes)
        self.grid.clear()
        for i, shown in enumerate(self.items):
            item = QListWidgetItem(QIcon(_pixmap(shown.picture)), f"{shown.true} → {shown.predicted}\n"
                                                                  f"{shown.confidence:.0%}")
            tip = (self.tr("Held-out sample {index}: a '{true}' the model calls '{predicted}' with "
                           "{confidence:.1%} confidence. Click to try it.") if not where else
                   self.tr("{name}: a '{true}' the model calls '{predicted}' with {confidence:.1%} confidence. "
                           "Click to try it."))
            item.setToolTip(tip.format(index=shown.index, name=shown.name, true=shown.true,
                                       predicted=shown.predicted, confidence=shown.confidence))
            item.setData(Qt.ItemDataRole.UserRole, i)
            self.grid.addItem(item)
        if where:
            return  # the folder check writes its own note
        if not self.items:
            self.note.setText(self.tr("No mistakes on the held-out set."))
        elif held_out:
            self.note.setText(self.tr("{wrong} wrong of {held_out:,} held-out samples, the most confident first. "
                                      "Click one to send it to Try it.").format(wrong=len(self.items),
                                                                                held_out=held_out))
        else:
            self.note.setText(self.tr("{wrong} wrong, the most confident first. Click one to send it to "
                                      "Try it.").format(wrong=len(self.items)))

    def clear(self) -> None:
        self.items = []
        self.grid.clear()
        self.note.setText(self.tr("After a run, the held-out samples the model gets wrong appear here."))

    def _clicked(self, item: QListWidgetItem) -> None:
        self.chosen.emit(self.items[item.data(Qt.ItemDataRole.UserRole)])


def _pixmap(picture: np.ndarray) -> QPixmap:
    data = np.ascontiguousarray(picture)
    h, w = data.shape[:2]
    if data.ndim == 2:
        image = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(data.data, w, h, w * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy()).scaled(ICON, ICON, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.FastTransformation)
