"""Choosing an image folder to train on: its classes, their counts, sample pictures, what is wrong.

The folder is listed on a pool thread (a big folder takes a moment) and a few
pictures per class are read there as small arrays; the pixmaps are made in the
UI thread. The model's fit is checked against the classes as the model changes:
one score per class, with the fix named as the Problems panel names fixes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from designer.core import datasets
from designer.ui.background import run_in_background

SAMPLES_PER_CLASS = 6
THUMB = 40  # pixels


def scan_folder(root: Path) -> dict:
    """Pool thread: the folder's layout and a few small RGB arrays per class (no Qt objects)."""
    from PIL import Image

    from designer.ml.data import folders

    layout = folders.scan(root)
    samples: dict[int, list[np.ndarray]] = {}
    for path, label in layout.train:
        picked = samples.setdefault(label, [])
        if len(picked) >= SAMPLES_PER_CLASS:
            continue
        try:
            with Image.open(path) as img:
                img.draft("RGB", (THUMB, THUMB))
                picked.append(np.ascontiguousarray(img.convert("RGB").resize((THUMB, THUMB))))
        except (OSError, ValueError, SyntaxError):
            continue  # unreadable: training skips it too and says so
    # Colour when any sample's channels differ (a grey picture has R = G = B).
    colour = any(int(np.ptp(a.astype(np.int16), axis=2).max()) > 8 for picked in samples.values() for a in picked)
    return {"layout": layout, "samples": samples, "colour": colour}


class FolderData(QWidget):
    """The folder, a line per class (name, counts, samples) and a message for what is wrong."""

    changed = Signal()  # the folder text changed (the setting to save)
    scanned = Signal(object)  # designer.ml.data.folders.Layout, or None when the folder cannot train

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.layout_info = None  # the last good scan
        self._pending = 0
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("A folder with one sub-folder of pictures per class"))
        self.path.editingFinished.connect(self.rescan)
        self.browse = QPushButton(self.tr("Choose…"))
        self.browse.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.refresh = QPushButton(self.tr("Refresh"))
        self.refresh.setToolTip(self.tr("Read the folder again (after adding, removing or fixing pictures)"))
        self.refresh.clicked.connect(self.rescan)
        row.addWidget(self.refresh)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(1)
        self.notes = QLabel()  # what the listing cannot say: unreadable pictures, colour turned grey
        self.notes.setWordWrap(True)
        self.notes.setMinimumWidth(1)
        self.notes.setStyleSheet("color: #8a5a00;")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.classes = QGridLayout()
        self.classes.setContentsMargins(0, 0, 0, 0)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.summary)
        box.addWidget(self.notes)
        box.addLayout(self.classes)
        box.addWidget(self.message)
        document.shapes_changed.connect(self._check_fit)
        self._skipped: list[str] = []
        self._colour = False

    # the setting ------------------------------------------------------------------
    def dataset(self) -> str:
        """``folder:PATH``, PATH relative to the project file's folder where the project has one."""
        return datasets.folder_reference(self.path.text(), self.document.folder)

    def set_dataset(self, name: str) -> None:
        text = datasets.folder_text(name)
        if text != self.path.text():
            self.path.setText(text)
        self.rescan()

    def folder(self) -> Path | None:
        text = self.path.text().strip()
        return datasets.resolve(datasets.FOLDER_PREFIX + text, self.document.folder) if text else None

    def _choose(self) -> None:
        start = str(self.folder() or self.document.folder or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose an image folder"), start)
        if chosen:
            self.path.setText(chosen)
            self.rescan()

    # listing ----------------------------------------------------------------------
    def rescan(self) -> None:
        folder = self.folder()
        self.changed.emit()
        if folder is None:
            self._show(None, self.tr("Choose a folder: one sub-folder per class, named after it (e.g. cats/, "
                                     "dogs/)."))
            return
        self._pending += 1
        ticket = self._pending
        self.summary.setText(self.tr("Reading {folder}…").format(folder=folder))
        run_in_background(lambda: scan_folder(folder), lambda found: self._scanned(ticket, found),
                          lambda exc: self._scanned(ticket, exc), context=self)

    def _scanned(self, ticket: int, found) -> None:
        if ticket != self._pending:
            return  # an older listing; a newer one is on its way
        if isinstance(found, Exception):
            self._show(None, str(found))
            return
        self._show(found, "")

    def _show(self, found: dict | None, error: str) -> None:
        while self.classes.count():
            item = self.classes.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.layout_info = found["layout"] if found else None
        self.document.set_expected_classes(list(self.layout_info.classes) if self.layout_info else None)
        self._colour = bool(found and found.get("colour"))
        self._skipped = []
        if found is None:
            self.summary.setText("")
            self.message.setText(error)
            self._show_notes()
            self.scanned.emit(None)
            return
        layout = self.layout_info
        counts = layout.counts()
        total_train, total_held = sum(c[1] for c in counts), sum(c[2] for c in counts)
        self.summary.setText(self.tr("{classes} classes · {train:,} pictures to train on, {held:,} held out "
                                     "({split})").format(classes=len(counts), train=total_train, held=total_held,
                                                         split=layout.split))
        for row, (name, n_train, n_held) in enumerate(counts):
            label = QLabel(f"<b>{name}</b>  {n_train:,} + {n_held:,}")
            label.setToolTip(self.tr("{train:,} pictures to train on, {held:,} held out to test").format(
                train=n_train, held=n_held))
            self.classes.addWidget(label, row, 0)
            strip = QLabel()
            strip.setPixmap(_strip(found["samples"].get(row, [])))
            strip.setObjectName(f"samples_{name}")
            strip.setMinimumSize(1, THUMB)  # a narrow dock shows fewer samples rather than scrolling sideways
            strip.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            strip.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.classes.addWidget(strip, row, 1)
        self.classes.setColumnStretch(1, 1)
        self.scanned.emit(layout)
        self._check_fit()

    def _check_fit(self, *_args) -> None:
        """One score per class: say so, with the fix, when the model's output does not match."""
        if self.layout_info is not None:
            self.message.setText(self.fit_problem() or "")
        self._show_notes()

    def note_skipped(self, messages: list[str]) -> None:
        """A run decoded the folder: the pictures it could not read stay said here."""
        self._skipped = list(messages)
        self._show_notes()

    def _show_notes(self) -> None:
        notes = []
        if self._skipped:
            shown = "; ".join(self._skipped[:3]) + (" …" if len(self._skipped) > 3 else "")
            notes.append(self.tr("{count} picture(s) could not be read and are left out of training: {files}").format(
                count=len(self._skipped), files=shown))
        node = self.document.graph.input_node()
        shape = node.params.get("shape") if node is not None else None
        if self._colour and isinstance(shape, list) and len(shape) == 3 and shape[0] == 1:
            notes.append(self.tr("The pictures are in colour, and the Input takes 1 channel: they are turned grey. "
                                 "To keep the colours, set Input → [3, {h}, {w}].").format(h=shape[1], w=shape[2]))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def fit_problem(self) -> str | None:
        if self.layout_info is None:
            return None
        classes = len(self.layout_info.classes)
        out = self.document.shapes.output_shape if self.document.shapes.valid else None
        shape = self.document.graph.input_node().params.get("shape") if self.document.graph.input_node() else None
        if shape is not None and not (len(shape) == 3 and shape[0] in (1, 3)):
            return self.tr("The Input's shape {shape} cannot take pictures: use [1, H, W] (grey) or [3, H, W] "
                           "(colour), e.g. [3, 64, 64].").format(shape=list(shape))
        if out is not None and tuple(out) != (classes,):
            text = self.tr("The model gives {count} scores per picture, but the folder has {classes} classes: it "
                           "needs one score per class. Fix: out_features → {classes} on the last Linear.") \
                if len(out) == 1 else \
                self.tr("The model gives an output of shape {shape} per picture, but the folder has {classes} "
                        "classes: it needs one score per class. Fix: out_features → {classes} on the last Linear.")
            return text.format(count=out[0], shape=list(out), classes=classes)
        return None


def _strip(samples: list[np.ndarray]) -> QPixmap:
    """Sample pictures side by side, one pixmap (cheap to lay out for many classes)."""
    width = max(1, len(samples)) * (THUMB + 2)
    strip = np.full((THUMB, width, 3), 255, np.uint8)
    for i, arr in enumerate(samples):
        strip[:, i * (THUMB + 2):i * (THUMB + 2) + THUMB] = arr
    image = QImage(strip.data, width, THUMB, width * 3, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image)
