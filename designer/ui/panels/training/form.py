"""The Training panel's settings form: dataset, device, optimizer, loss and the rest, read from and into a
TrainConfig.

Label/field pairs stand in two columns, or one in a narrow dock (PairGrid); below them the image-folder
chooser, the steering options and the augmentation preview. The panel keeps the form in a scroll area of its
own, so Start, Stop and the curves stay in view whatever the form's height. torch is never imported here.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit, QSpinBox, QVBoxLayout,
                               QWidget)

from designer.core import datasets
from designer.core.training import SETTINGS, ConfigError, TrainConfig
from designer.ui.panels.pair_grid import PairGrid
from designer.ui.panels.training.augment_preview import AugmentPreview
from designer.ui.panels.training.folder_data import FolderData
from designer.ui.panels.training.options import RunOptions

# English keys, shown through translate("TrainingPanel", ...).
# What the init box shows; the project keeps the English value (the item's data).
INIT_LABELS = {
    "default": QT_TRANSLATE_NOOP("TrainingPanel", "default"),
    "kaiming": QT_TRANSLATE_NOOP("TrainingPanel", "kaiming"),
    "xavier": QT_TRANSLATE_NOOP("TrainingPanel", "xavier"),
}
DATASET_HELP = {
    "mnist-5k": QT_TRANSLATE_NOOP("TrainingPanel",
                                  "5,000 handwritten digits bundled with the app: works offline, trains in seconds"),
    "mnist": QT_TRANSLATE_NOOP("TrainingPanel", "70,000 handwritten digits (downloaded once, about 11 MB)"),
    "fashion-mnist": QT_TRANSLATE_NOOP("TrainingPanel",
                                       "70,000 pictures of clothes in 10 classes (downloaded once, about 30 MB)"),
}
# The dataset list's last entry (its item data; the text is translated): your own pictures, one sub-folder per class.
FOLDER_ITEM = QT_TRANSLATE_NOOP("TrainingPanel", "image folder")
LOSS_HELP = {
    "MSELoss": QT_TRANSLATE_NOOP("TrainingPanel",
                                 "Mean squared error against one-hot targets (1 for the right class); the "
                                 "tutorial's example compares with a random target, torch.randn(10)"),
    "NLLLoss": QT_TRANSLATE_NOOP("TrainingPanel", "Needs LogSoftmax as the last layer"),
}
# The form's fields, also reachable as the panel's attributes (panel.epochs, panel.lr, ...).
FIELDS = ("dataset", "folder", "options", "epochs", "batch_size", "optimizer", "lr", "momentum", "nesterov",
          "weight_decay", "loss", "init", "keep_weights", "seed", "device", "settings", "augment_preview")


class DeviceCombo(QComboBox):
    """Lists only the devices this machine has; asks torch when the list is opened."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.addItem("cpu")
        self.refresh(import_torch=False)

    def refresh(self, import_torch: bool = True) -> None:
        if not import_torch and "torch" not in sys.modules:
            return  # the window must paint before torch loads
        from designer.ml.training.loop import available_devices

        current = self.currentText()
        names = available_devices()
        if names != [self.itemText(i) for i in range(self.count())]:
            self.clear()
            self.addItems(names)
            self.setCurrentText(current if current in names else "cpu")

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        self.refresh()
        super().showPopup()


class TrainingForm(QWidget):
    """Every setting of a run, for the open document; ``edited`` says the user changed one."""

    edited = Signal()

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._filling = False  # the form is being filled from the project: no edit of the user's
        self.dataset = _choices("dataset", DATASET_HELP)
        self.dataset.addItem(_tr(FOLDER_ITEM), FOLDER_ITEM)
        self.dataset.setItemData(self.dataset.count() - 1,
                                 self.tr("Your own pictures: a folder with one sub-folder per class"),
                                 Qt.ItemDataRole.ToolTipRole)
        self.folder = FolderData(document)
        self.folder.setVisible(False)
        self.options = RunOptions()
        self.dataset.currentTextChanged.connect(self._dataset_changed)
        self.epochs = _spin("epochs")
        self.batch_size = _spin("batch_size")
        self.optimizer = _choices("optimizer")
        self.optimizer.currentTextChanged.connect(self._optimizer_changed)
        self.lr = QLineEdit()
        self.lr.setToolTip(self.tr("Learning rate: how big each step is. Too big and the loss explodes; too small "
                                   "and it crawls."))
        self.momentum = QDoubleSpinBox()
        self.momentum.setRange(SETTINGS["momentum"].low, SETTINGS["momentum"].high)
        self.momentum.setSingleStep(0.1)
        self.momentum.setDecimals(3)
        self.nesterov = QCheckBox("Nesterov")  # untranslated: a name
        self.weight_decay = QLineEdit()
        self.loss = _choices("loss", LOSS_HELP)
        self.init = _choices("init", skip=("keep",), labels=INIT_LABELS)  # keep: the check box below
        self.keep_weights = QCheckBox(self.tr("Continue from trained weights"))
        self.seed = _spin("seed")
        self.device = DeviceCombo()
        momentum_row = QHBoxLayout()
        momentum_row.setContentsMargins(0, 0, 0, 0)
        momentum_row.addWidget(self.momentum)
        momentum_row.addWidget(self.nesterov)
        momentum = QWidget()
        momentum.setLayout(momentum_row)
        # Two columns of label/field pairs (one in a narrow dock).
        self.settings = PairGrid([
            (self.tr("Dataset"), self.dataset), (self.tr("Device"), self.device), (self.tr("Epochs"), self.epochs),
            (self.tr("Batch size"), self.batch_size), (self.tr("Optimizer"), self.optimizer),
            (self.tr("Learning rate"), self.lr), (self.tr("Momentum"), momentum),
            (self.tr("Weight decay"), self.weight_decay), (self.tr("Loss"), self.loss),
            (self.tr("Initialisation"), self.init), (self.tr("Seed"), self.seed), ("", self.keep_weights)])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.settings)
        layout.addWidget(self.folder)
        layout.addWidget(self.options)
        self.augment_preview = AugmentPreview(self)  # after the fields: it reads them
        layout.addWidget(self.augment_preview)
        layout.addStretch(1)
        for signal in (self.dataset.currentIndexChanged, self.folder.changed, self.epochs.valueChanged,
                       self.batch_size.valueChanged, self.optimizer.currentIndexChanged, self.lr.textChanged,
                       self.momentum.valueChanged, self.nesterov.toggled, self.weight_decay.textChanged,
                       self.loss.currentIndexChanged, self.init.currentIndexChanged, self.seed.valueChanged,
                       self.options.changed):
            signal.connect(self._edited)
        document.path_changed.connect(self._path_changed)

    def load_settings(self) -> str:
        """Fill the form from the project's ``training`` object; the problem when it was unusable (defaults
        then), else ""."""
        self._filling = True
        try:
            return self._fill()
        finally:
            self._filling = False

    def _fill(self) -> str:
        problem = ""
        try:
            config = TrainConfig.from_project(self.document.project.training)
        except ConfigError as exc:
            config = TrainConfig()
            problem = self.tr("The project's training settings were not usable ({error}); using the defaults."
                              ).format(error=exc)
        if datasets.is_folder(config.dataset):
            self.dataset.setCurrentIndex(self.dataset.findData(FOLDER_ITEM))
            self.folder.set_dataset(config.dataset)
        else:
            self.dataset.setCurrentText(config.dataset)
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.optimizer.setCurrentText(config.optimizer)
        self.lr.setText(f"{config.lr:g}")
        self.momentum.setValue(config.momentum)
        self.nesterov.setChecked(config.nesterov)
        self.weight_decay.setText(f"{config.weight_decay:g}")
        self.loss.setCurrentText(config.loss)
        self.init.setCurrentIndex(max(0, self.init.findData(config.init if config.init != "keep" else "default")))
        self.seed.setValue(config.seed if config.seed is not None else 0)
        self._optimizer_changed(config.optimizer)
        self.options.load(config)
        self.options.set_dataset(config.dataset)
        return problem

    def config(self) -> TrainConfig:
        """The form as a checked TrainConfig; raises ConfigError naming the setting."""
        lr, decay = _number(self.lr.text(), "lr"), _number(self.weight_decay.text() or "0", "weight_decay")
        sgd = self.optimizer.currentText() == "SGD"
        dataset = self.folder.dataset() if self._folder_chosen() else self.dataset.currentText()
        return TrainConfig(dataset=dataset, epochs=self.epochs.value(),
                           batch_size=self.batch_size.value(), optimizer=self.optimizer.currentText(), lr=lr,
                           momentum=self.momentum.value() if sgd else 0.0, nesterov=sgd and self.nesterov.isChecked(),
                           weight_decay=decay, loss=self.loss.currentText(), init=self.init.currentData(),
                           seed=self.seed.value(), device=self.device.currentText(),
                           **self.options.values()).validated()

    def set_running(self, running: bool) -> None:
        """Settings are read-only while a run uses them."""
        for part in (self.settings, self.options, self.augment_preview.reroll, self.folder):
            part.setEnabled(not running)
        self.keep_weights.setEnabled(self.document.weights is not None)

    def _folder_chosen(self) -> bool:
        return self.dataset.currentData() == FOLDER_ITEM

    def _dataset_changed(self, name: str) -> None:
        name = FOLDER_ITEM if self._folder_chosen() else name
        self.folder.setVisible(name == FOLDER_ITEM)
        if name != FOLDER_ITEM:
            self.document.set_expected_classes(None)  # a built-in data set: the folder's classes no longer count
        self.options.set_dataset(name)
        if name == FOLDER_ITEM and self.folder.layout_info is None:
            self.folder.rescan()

    def _optimizer_changed(self, name: str) -> None:
        self.momentum.setEnabled(name == "SGD")
        self.nesterov.setEnabled(name == "SGD")

    def _edited(self, *_args) -> None:
        if not self._filling:
            self.edited.emit()

    def _path_changed(self, _path) -> None:
        """Saved As into another folder: Save rewrote a relative image-folder path; show it as stored."""
        dataset = (self.document.project.training or {}).get("dataset", "")
        if self._folder_chosen() and datasets.folder_text(dataset) != self.folder.path.text().strip():
            self._filling = True
            try:
                self.folder.set_dataset(dataset)
            finally:
                self._filling = False


def _tr(text: str) -> str:
    """A QT_TRANSLATE_NOOP key of the "TrainingPanel" context, translated."""
    return QCoreApplication.translate("TrainingPanel", text)


def _spin(key: str) -> QSpinBox:
    """A spin box over the setting's range."""
    setting = SETTINGS[key]
    box = QSpinBox()
    box.setRange(setting.low, setting.high)
    box.setGroupSeparatorShown(True)
    return box


def _choices(key: str, tips: dict[str, str] | None = None, skip: tuple[str, ...] = (),
             labels: dict[str, str] | None = None) -> QComboBox:
    """A combo box of the setting's options (shown as ``labels`` has them, translated; the data is the value kept),
    each with its tooltip where ``tips`` has one."""
    box = QComboBox()
    for name in SETTINGS[key].options:
        if name in skip:
            continue
        box.addItem(_tr(labels[name]) if labels and name in labels else name, name)
        if tips and name in tips:
            box.setItemData(box.count() - 1, _tr(tips[name]), Qt.ItemDataRole.ToolTipRole)
    return box


def _number(text: str, key: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ConfigError(f"training.{key}", f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"training.{key}", "must be a finite number")
    return value
