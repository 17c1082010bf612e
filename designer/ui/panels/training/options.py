"""The Training panel's steering settings: learning-rate schedule, early stopping, augmentation.

Ranges and option lists come from the settings model (``designer.core.training``).
Flips are greyed out for digits (a mirrored 2 is no digit), and the learning
rate's curve for the whole run is previewed as the schedule changes.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QLabel, QSpinBox, QVBoxLayout,
                               QWidget)

from designer.core.datasets import DIGITS
from designer.core.training import SETTINGS, TrainConfig
from designer.ui.panels.pair_grid import PairGrid

# What the schedule box shows; the project keeps the English value (the item's data).
SCHEDULE_LABELS = {
    "constant": QT_TRANSLATE_NOOP("RunOptions", "constant"),
    "step": QT_TRANSLATE_NOOP("RunOptions", "step"),
    "cosine": QT_TRANSLATE_NOOP("RunOptions", "cosine"),
    "one-cycle": QT_TRANSLATE_NOOP("RunOptions", "one-cycle"),
}
SCHEDULE_HELP = {
    "constant": QT_TRANSLATE_NOOP("RunOptions", "The same learning rate from the first batch to the last"),
    "step": QT_TRANSLATE_NOOP("RunOptions", "Multiplied by the factor every few epochs"),
    "cosine": QT_TRANSLATE_NOOP("RunOptions", "Down to zero along half a cosine over the run"),
    "one-cycle": QT_TRANSLATE_NOOP("RunOptions", "Up to the learning rate over the first 30% of the run, then far "
                                                 "below it"),
}
AUGMENT_KEYS = ("augment_shift", "augment_rotation", "augment_scale", "augment_color")


class RunOptions(QWidget):
    """Schedule, patience and augmentation, read from and written to a TrainConfig."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.schedule = QComboBox()
        for name in SETTINGS["lr_schedule"].options:
            self.schedule.addItem(self.tr(SCHEDULE_LABELS[name]), name)
            self.schedule.setItemData(self.schedule.count() - 1, self.tr(SCHEDULE_HELP[name]), 3)  # 3: ToolTipRole
        self.step_epochs = _whole("lr_step_epochs")
        self.step_factor = _decimal("lr_step_factor", 0.05, 3)
        self.patience = _whole("patience")
        self.patience.setSpecialValueText(self.tr("off"))
        self.patience.setToolTip(self.tr("Stop when the held-out loss has not improved for this many epochs "
                                         "(the best weights are kept)"))
        self.augment = QCheckBox(self.tr("Augment training pictures"))
        self.augment.setToolTip(self.tr("Random small changes to every training batch (the held-out set is never "
                                        "changed)"))
        self.shift = _decimal("augment_shift", 0.05, 2)
        self.rotation = _decimal("augment_rotation", 5.0, 1)
        self.scale = _decimal("augment_scale", 0.05, 2)
        self.color = _decimal("augment_color", 0.05, 2)
        self.flip = QCheckBox(self.tr("Mirror"))
        self.step_row = QWidget()
        step = QGridLayout(self.step_row)
        step.setContentsMargins(0, 0, 0, 0)
        step.addWidget(QLabel(self.tr("every")), 0, 0)
        step.addWidget(self.step_epochs, 0, 1)
        step.addWidget(QLabel(self.tr("epochs ×")), 0, 2)
        step.addWidget(self.step_factor, 0, 3)
        self.augment_widgets = (self.shift, self.rotation, self.scale, self.color, self.flip)
        # Pairs in one column when the dock is narrow (PairGrid), so the panel never scrolls sideways.
        self.grid = PairGrid([(self.tr("LR schedule"), self.schedule), ("", self.step_row),
                              (self.tr("Early stop after"), self.patience), ("", self.augment),
                              (self.tr("Shift"), self.shift), (self.tr("Rotate (°)"), self.rotation),
                              (self.tr("Zoom"), self.scale), (self.tr("Colour"), self.color), ("", self.flip)])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.grid)
        self._digits = True
        self.schedule.currentTextChanged.connect(self._update)
        self.augment.toggled.connect(self._update)
        for widget in (self.schedule, self.step_epochs, self.step_factor, self.patience, self.augment, self.shift,
                       self.rotation, self.scale, self.color, self.flip):
            signal = getattr(widget, "valueChanged", None) or getattr(widget, "toggled", None) \
                or widget.currentTextChanged
            signal.connect(self.changed)
        self._update()

    def load(self, config: TrainConfig) -> None:
        self.schedule.setCurrentIndex(max(0, self.schedule.findData(config.lr_schedule)))
        self.step_epochs.setValue(config.lr_step_epochs)
        self.step_factor.setValue(config.lr_step_factor)
        self.patience.setValue(config.patience)
        self.augment.setChecked(config.augment)
        self.shift.setValue(config.augment_shift)
        self.rotation.setValue(config.augment_rotation)
        self.scale.setValue(config.augment_scale)
        self.color.setValue(config.augment_color)
        self.flip.setChecked(config.augment_flip)
        self._update()

    def values(self) -> dict:
        """The settings as TrainConfig keyword arguments."""
        return {"lr_schedule": self.schedule.currentData(), "lr_step_epochs": self.step_epochs.value(),
                "lr_step_factor": self.step_factor.value(), "patience": self.patience.value(),
                "augment": self.augment.isChecked(), "augment_shift": self.shift.value(),
                "augment_rotation": self.rotation.value(), "augment_scale": self.scale.value(),
                "augment_color": self.color.value(),
                "augment_flip": self.flip.isChecked() and not self._digits}

    def set_dataset(self, name: str) -> None:
        """Flips make no sense for digits: greyed out (and off) for them."""
        self._digits = name in DIGITS
        self._update()

    def _update(self, *_args) -> None:
        self.step_row.setVisible(self.schedule.currentData() == "step")
        on = self.augment.isChecked()
        for widget in self.augment_widgets:
            widget.setEnabled(on)
        self.flip.setEnabled(on and not self._digits)
        self.flip.setToolTip(self.tr("A mirrored digit is not a digit: off for digits") if self._digits else
                             self.tr("Mirror left-right half the time"))


def _whole(key: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(SETTINGS[key].low, min(SETTINGS[key].high, 10_000))
    return box


def _decimal(key: str, step: float, decimals: int) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    low = SETTINGS[key].low + (10 ** -decimals if getattr(SETTINGS[key], "above_low", False) else 0)
    box.setRange(low, SETTINGS[key].high)
    box.setSingleStep(step)
    return box
