"""The Training panel's live preview of augmentation: a few training samples, as stored and as a run changes them.

Redrawn (on a pool thread, by ``designer.ml.data.preview``: the run's own
augmentation code) a moment after a setting changes; "New samples" draws
other samples and other random changes. Shown only while augmentation is on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from designer.core.training import ConfigError, TrainConfig
from designer.ui.background import Latest

THUMB = 40  # pixels per sample
DELAY_MS = 150  # a spin box held down redraws once it settles


class AugmentPreview(QWidget):
    """Two strips of the same samples: as stored, and augmented with the panel's current settings."""

    shown = Signal()  # new strips are on screen

    def __init__(self, panel, parent: QWidget | None = None):
        super().__init__(parent)
        self.panel = panel
        self.draw = 0
        self.arrays = None  # (original, augmented) uint8 (N, H, W, 3), as last shown
        self._latest = Latest(self)  # the newest settings win; older draws are dropped
        self.original = _strip_label()
        self.augmented = _strip_label()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.reroll = QPushButton(self.tr("New samples"))
        self.reroll.setToolTip(self.tr("Other samples, changed at random again"))
        self.reroll.clicked.connect(self._reroll)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(self.tr("Stored")), 0, 0)
        grid.addWidget(self.original, 0, 1)
        grid.addWidget(QLabel(self.tr("Augmented")), 1, 0)
        grid.addWidget(self.augmented, 1, 1)
        grid.addWidget(self.note, 2, 0, 1, 2)
        grid.addWidget(self.reroll, 3, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        options = panel.options
        options.changed.connect(self.request)
        panel.dataset.currentTextChanged.connect(self.request)
        panel.folder.scanned.connect(self.request)
        panel.document.shapes_changed.connect(self.request)
        self.request()

    def request(self, *_args) -> None:
        """Redraw soon (once, however many settings changed meanwhile)."""
        on = self.panel.options.augment.isChecked()
        self.setVisible(on)
        if on:
            self._timer.start()

    def _reroll(self) -> None:
        self.draw += 1
        self.refresh()

    def refresh(self) -> None:
        """Draw the samples on a pool thread; the newest request wins."""
        self._timer.stop()
        self._latest.request(self._prepare, self._arrived, self._arrived)

    def _prepare(self):
        panel = self.panel
        node = panel.document.graph.input_node()
        shape = node.params.get("shape") if node is not None else None
        folder = panel.folder.layout_info if panel._folder_chosen() else None
        if shape is None or (panel._folder_chosen() and folder is None):
            return None
        try:
            dataset = panel.folder.dataset() if panel._folder_chosen() else panel.dataset.currentText()
            config = TrainConfig(dataset=dataset, **panel.options.values()).validated()
        except ConfigError as exc:
            self._say(exc.message)
            return None
        files = [path for path, _ in folder.train] if folder is not None else []
        draw = self.draw

        def work():
            from designer.ml.data import preview

            return preview.samples(config, shape, draw, files)

        return work

    def _arrived(self, found) -> None:
        if isinstance(found, Exception):
            self._say(str(found))
            return
        self.arrays = found
        self.original.setPixmap(_strip(found[0]))
        self.augmented.setPixmap(_strip(found[1]))
        self.note.setText(self.tr("A new draw every batch; the held-out pictures are never changed."))
        self.shown.emit()

    def _say(self, text: str) -> None:
        self.arrays = None
        self.original.clear()
        self.augmented.clear()
        self.note.setText(text)
        self.shown.emit()


def _strip_label() -> QLabel:
    label = QLabel()
    label.setMinimumSize(1, THUMB)  # a narrow dock shows fewer samples rather than scrolling sideways
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return label


def _strip(pictures) -> QPixmap:
    """uint8 (N, H, W, 3) pictures side by side, each scaled to THUMB pixels high."""
    strip = QPixmap(len(pictures) * (THUMB + 2), THUMB)
    strip.fill(Qt.GlobalColor.white)
    from PySide6.QtGui import QPainter

    painter = QPainter(strip)
    for i, arr in enumerate(pictures):
        h, w = arr.shape[:2]
        image = QImage(arr.data, w, h, w * 3, QImage.Format.Format_RGB888)
        painter.drawImage(i * (THUMB + 2), 0, image.scaled(THUMB, THUMB))
    painter.end()
    return strip
