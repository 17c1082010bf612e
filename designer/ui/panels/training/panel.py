"""The Training dock: settings, Start / Pause / Stop, live curves and the confusion matrix.

Pressing Start locks the document (the canvas refuses edits and the status
bar says why), hands a snapshot of the project to a ``TrainingRun`` (a worker
thread of its own) and hears its events in order. Curves are buffered as events arrive and
redrawn by a timer at most 30 times a second, so a fast run cannot flood the
UI thread. The best weights (by held-out accuracy) go to
``document.set_weights`` and make the project modified, so Save keeps them and
closing asks first. torch is never imported here.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from designer.core.training import SETTINGS, ConfigError, TrainConfig
from designer.ui.panels.training.augment_preview import AugmentPreview
from designer.ui.panels.training.folder_data import FolderData
from designer.ui.panels.training.lr_preview import LrPreview
from designer.ui.panels.pair_grid import PairGrid
from designer.ui.panels.training.runs import attach_history
from designer.ui.panels.training.options import RunOptions
from designer.ui.panels.training.plots import TrainingCurves
from designer.ui.worker import TrainingRun

REDRAW_MS = 100  # curves redraw 10 times a second (<= 30): painting holds the GIL the training loop needs
# English keys, shown through translate("TrainingPanel", ...).
LOCK_REASON = QT_TRANSLATE_NOOP("TrainingPanel", "training is running (Stop it to edit the model)")
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


class TrainingPanel(QWidget):
    """Train the open document's model and watch it learn."""

    run_started = Signal()
    run_failed = Signal(str)
    run_finished = Signal(object)  # designer.ml.training.loop.Finished
    run_ended = Signal()  # after finished or failed: controls are usable again
    run_event = Signal(object)  # every event of the run, in order (status texts, Started, BatchEnd, ...)

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.run: TrainingRun | None = None
        self._run_project = None
        self.threads: int | None = None  # torch threads for a run; None: every core but one
        self._step, self._status = 0, ""  # progress shown at the next redraw
        self._run_classes: list[str] = []  # class names of the latest run's dataset
        self._run_dataset = ""
        self._kept_note = ""  # says which weights a failed run kept
        self._filling = False  # the form is being filled from the project: nothing to store back
        self._unusable = False  # the message names a setting that is not usable yet
        self._build()
        self.load_settings()
        self._connect_settings()
        document.project_replaced.connect(self._project_replaced)
        document.path_changed.connect(self._path_changed)
        document.locked_changed.connect(self._update_buttons)
        document.shapes_changed.connect(self._update_buttons)
        document.weights_changed.connect(self._weights_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._update_buttons()

    # layout -------------------------------------------------------------------
    def _build(self) -> None:
        self.dataset = _choices("dataset", DATASET_HELP)
        self.dataset.addItem(self.tr(FOLDER_ITEM), FOLDER_ITEM)
        self.dataset.setItemData(self.dataset.count() - 1,
                                 self.tr("Your own pictures: a folder with one sub-folder per class"),
                                 Qt.ItemDataRole.ToolTipRole)
        self.folder = FolderData(self.document)
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
        self.init = _choices("init", skip=("keep",))  # keep: the check box below
        self.keep_weights = QCheckBox(self.tr("Continue from trained weights"))
        self.seed = _spin("seed")
        self.device = DeviceCombo()
        momentum_row = QHBoxLayout()
        momentum_row.setContentsMargins(0, 0, 0, 0)
        momentum_row.addWidget(self.momentum)
        momentum_row.addWidget(self.nesterov)
        momentum = QWidget()
        momentum.setLayout(momentum_row)
        # Two columns of label/field pairs (one in a narrow dock): the dock stays short enough to show the curves.
        self.settings = PairGrid([
            (self.tr("Dataset"), self.dataset), (self.tr("Device"), self.device), (self.tr("Epochs"), self.epochs),
            (self.tr("Batch size"), self.batch_size), (self.tr("Optimizer"), self.optimizer),
            (self.tr("Learning rate"), self.lr), (self.tr("Momentum"), momentum),
            (self.tr("Weight decay"), self.weight_decay), (self.tr("Loss"), self.loss),
            (self.tr("Initialisation"), self.init), (self.tr("Seed"), self.seed), ("", self.keep_weights)])

        self.start_button = QPushButton(self.tr("Start"))
        self.pause_button = QPushButton(self.tr("Pause"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.start_button.clicked.connect(lambda: self.start())
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.progress_label = QLabel(self.tr("Not trained yet"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.curves = TrainingCurves()
        self.history = attach_history(self)  # the Runs and Mistakes tabs
        self.lr_preview = LrPreview(self)  # the planned learning rate, before and during a run

        layout = QVBoxLayout(self)
        layout.addWidget(self.settings)
        layout.addWidget(self.folder)
        layout.addWidget(self.options)
        self.augment_preview = AugmentPreview(self)  # after the form: it reads the settings
        layout.addWidget(self.augment_preview)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.message)
        layout.addWidget(self.curves, 1)

    # settings -----------------------------------------------------------------
    def load_settings(self) -> None:
        """Fill the form from the project's ``training`` object (defaults where absent or unusable)."""
        self._filling = True
        try:
            self._fill()
        finally:
            self._filling = False

    def _fill(self) -> None:
        try:
            config = TrainConfig.from_project(self.document.project.training)
        except ConfigError as exc:
            config = TrainConfig()
            self._say(self.tr("The project's training settings were not usable ({error}); using the defaults.").format(
                error=exc), error=True)
        if config.dataset.startswith("folder:"):
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
        self.init.setCurrentText(config.init if config.init != "keep" else "default")
        self.seed.setValue(config.seed if config.seed is not None else 0)
        self._optimizer_changed(config.optimizer)
        self.options.load(config)
        self.options.set_dataset(config.dataset)

    def config(self) -> TrainConfig:
        """The form as a checked TrainConfig; raises ConfigError naming the setting."""
        lr, decay = _number(self.lr.text(), "lr"), _number(self.weight_decay.text() or "0", "weight_decay")
        sgd = self.optimizer.currentText() == "SGD"
        dataset = self.folder.dataset() if self._folder_chosen() else self.dataset.currentText()
        return TrainConfig(dataset=dataset, epochs=self.epochs.value(),
                           batch_size=self.batch_size.value(), optimizer=self.optimizer.currentText(), lr=lr,
                           momentum=self.momentum.value() if sgd else 0.0, nesterov=sgd and self.nesterov.isChecked(),
                           weight_decay=decay, loss=self.loss.currentText(), init=self.init.currentText(),
                           seed=self.seed.value(), device=self.device.currentText(),
                           **self.options.values()).validated()

    def _connect_settings(self) -> None:
        """Every edit of the form goes to ``project.training`` at once, through the document."""
        for signal in (self.dataset.currentIndexChanged, self.folder.changed, self.epochs.valueChanged,
                       self.batch_size.valueChanged, self.optimizer.currentIndexChanged, self.lr.textChanged,
                       self.momentum.valueChanged, self.nesterov.toggled, self.weight_decay.textChanged,
                       self.loss.currentIndexChanged, self.init.currentIndexChanged, self.seed.valueChanged,
                       self.options.changed):
            signal.connect(self._store)

    def _store(self, *_args) -> None:
        """The form's settings into the project (marks it modified); a setting being typed that is not yet
        usable is named, and the project keeps its last usable value."""
        if self._filling or self.run is not None:
            return
        try:
            config = self.config()
        except ConfigError as exc:
            if exc.field == "training.dataset" and self._folder_chosen():
                return  # no folder yet: the folder's own line says what to do
            self._say(self.tr("{setting}: {problem} (the project keeps its last usable value)").format(
                setting=exc.field.removeprefix("training."), problem=exc.message), error=True)
            self._unusable = True
            return
        if self._unusable:
            self._unusable = False
            self._say("")
        self.document.set_training(config.to_project())

    def _folder_chosen(self) -> bool:
        return self.dataset.currentData() == FOLDER_ITEM

    def _dataset_changed(self, name: str) -> None:
        name = FOLDER_ITEM if self._folder_chosen() else name
        self.folder.setVisible(name == FOLDER_ITEM)
        self.options.set_dataset(name)
        if name == FOLDER_ITEM and self.folder.layout_info is None:
            self.folder.rescan()

    def _optimizer_changed(self, name: str) -> None:
        self.momentum.setEnabled(name == "SGD")
        self.nesterov.setEnabled(name == "SGD")

    def _path_changed(self, _path) -> None:
        """Saved As into another folder: Save rewrote a relative image-folder path; show it as stored."""
        dataset = (self.document.project.training or {}).get("dataset", "")
        if self._folder_chosen() and isinstance(dataset, str) and dataset != self.folder.dataset():
            self._filling = True
            try:
                self.folder.set_dataset(dataset)
            finally:
                self._filling = False

    def _project_replaced(self) -> None:
        if self.run is not None:
            self.run.stop()
        self.load_settings()
        self._clear()
        self.progress.setValue(0)
        self.progress_label.setText(self.tr("Not trained yet"))
        self._say("")

    def _weights_changed(self) -> None:
        """Weights that came from elsewhere (an opened file, an edit or its undo): say whether the model is trained."""
        self._update_buttons()
        if self.run is not None:
            return  # the run's own results say it
        note = self.document.weights_note
        if self.document.weights is None:
            if note:  # cleared by an edit: the last run's "the weights belong to the project" is no longer true
                self.progress_label.setText(self.tr("Not trained: the model changed"))
                self._say(note)
            return
        self.progress_label.setText(self.tr("Trained: Try it uses these weights"))
        if note:
            self._say(note)

    # run control ----------------------------------------------------------------
    def start(self, resume=None) -> None:
        """Start a run with the form's settings, or continue ``resume`` (a recorded run) with its own."""
        if self.run is not None:
            return
        try:
            config = self.config() if resume is None else TrainConfig.from_project(resume.settings).updated(
                device=self.device.currentText())
        except ConfigError as exc:
            self._say(self.tr("Cannot start: {setting}: {problem}").format(
                setting=exc.field.removeprefix("training."), problem=exc.message), error=True)
            return
        if not self.document.shapes.valid:
            self._say(self.tr("Cannot start: the model has problems. Fix them first (see the Problems tab)."),
                      error=True)
            return
        if self._folder_chosen() and resume is None:
            problem = self.folder.message.text() if self.folder.layout_info is None else self.folder.fit_problem()
            if problem:
                self._say(self.tr("Cannot start: {problem}").format(problem=problem), error=True)
                return
        keep = self.keep_weights.isChecked() and self.document.weights is not None and resume is None
        base = self.document.path.parent if self.document.path else None
        self.run = TrainingRun(self.document.project, config, self.document.weights if keep else None, self.threads,
                               base, self.document.path, resume)
        self._run_project = self.document.project  # results belong to this project only
        self._run_dataset = config.dataset
        self._kept_note = ""
        self.destroyed.connect(self.run.control.stop)  # a closed panel must not leave a run going
        self._clear()
        self.progress.setValue(0)
        self.progress_label.setText(self.tr("Starting…"))
        self.document.set_locked(True, self.tr(LOCK_REASON))
        self._timer.start()
        self.run.start(self._event, self._ended, context=self)
        self._update_buttons()
        self.run_started.emit()

    def toggle_pause(self) -> None:
        if self.run is None:
            return
        control = self.run.control
        if control.paused:
            control.resume()
            self.pause_button.setText(self.tr("Pause"))
            self._say("")
        else:
            control.pause()
            self.pause_button.setText(self.tr("Resume"))
            self._say(self.tr("Paused: Resume carries on where it stopped."))

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()
            self.pause_button.setText(self.tr("Pause"))

    def shutdown(self) -> None:
        """Stop a run and wait briefly for its thread: called when the app quits."""
        if self.run is not None:
            self.run.stop(wait_ms=3000)

    @property
    def running(self) -> bool:
        return self.run is not None

    # the run's events ----------------------------------------------------------------
    def _event(self, event) -> None:
        """One event of the run, in order (designer.ml.training.loop's, named so that torch is not imported here)."""
        self.run_event.emit(event)
        if isinstance(event, str):
            self._say(event)
            return
        kind = type(event).__name__
        if kind == "Failed":
            if event.best_state is not None:
                self._kept(event)
            self._failed(event.message)
            return
        if kind == "Loading":
            self._loading(event.what, event.done, event.total)
            return
        handler = {"Started": self._started, "BatchEnd": self._progress, "EpochEnd": self._epoch,
                   "Finished": self._finished}.get(kind)
        if handler is not None:  # Recorded and Mistakes are the Runs and Mistakes tabs' (run_event)
            handler(event)

    def _loading(self, what: str, done: int, total: int) -> None:
        """Downloading (bytes) or decoding (pictures) before the first batch."""
        if self._stale():
            return
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress_label.setText(f"{what[:1].upper()}{what[1:]}…" if what.startswith("decoding")
                                    else self.tr("Downloading {what}…").format(what=what))

    def _started(self, event) -> None:
        self._run_classes = list(event.classes)
        self.progress.setValue(0)
        self.progress.setMaximum(event.epochs * event.steps_per_epoch)
        self._say(" ".join(event.warnings) or self.tr(
            "Training on {count:,} samples ({device}, seed {seed}); {held:,} held out to test.").format(
                count=event.train_samples, device=event.device, seed=event.seed, held=event.held_out_samples))
        self.device.refresh()

    def _stale(self) -> bool:
        """Events still queued from a run whose project was replaced: they are not this project's."""
        return self.document.project is not self._run_project

    def _progress(self, event) -> None:
        if self._stale():
            return
        self.curves.add_batches(event)
        self._step = event.step
        status = self.tr("Epoch {epoch} · step {step:,}/{steps:,} · {speed:,.0f} samples/s · ETA {eta}")
        self._status = status.format(
            epoch=event.epoch, step=event.step, steps=event.steps, speed=event.samples_per_s,
            eta=_duration(event.eta_s))

    def _epoch(self, event) -> None:
        if self._stale():
            return
        self.curves.add_epoch(event)
        self._say(self.tr("Epoch {epoch}/{epochs}: held-out accuracy {accuracy:.1%}, loss {loss:.4f} (held-out "
                          "{held_loss:.4f}), {speed:,.0f} samples/s").format(
            epoch=event.epoch, epochs=event.epochs, accuracy=event.val_acc, loss=event.train_loss,
            held_loss=event.val_loss, speed=event.samples_per_s))

    def _finished(self, event) -> None:
        self._redraw()
        if self._stale():
            self._say(self.tr("Training stopped: another project was opened."))
            self.run_finished.emit(event)
            return
        if event.epochs_done == 0:
            self._say(self.tr("Stopped before the first epoch ended: no weights were kept."))
        else:
            self.document.set_weights(event.best_state, self._record(event.best_state))
            self.document.mark_modified()
            how = self.tr("Stopped") if event.stopped else self.tr("Done")
            self._say(self.tr("{how}: best held-out accuracy {accuracy:.1%} (epoch {epoch}). The weights belong to "
                              "the project now: Save keeps them.").format(
                how=how, accuracy=event.best_val_acc, epoch=event.best_epoch))
            after = self.tr("{how} after 1 epoch") if event.epochs_done == 1 else self.tr("{how} after {count} epochs")
            self.progress_label.setText(after.format(how=how, count=event.epochs_done))
        if event.confusion:
            self.curves.show_confusion(event.confusion, self._classes(len(event.confusion)))
        self.run_finished.emit(event)

    def _kept(self, event) -> None:
        """A run that failed after some epochs: its best weights so far are the project's."""
        if self._stale():
            return
        self.document.set_weights(event.best_state, self._record(event.best_state))
        self.document.mark_modified()
        self._kept_note = self.tr("The best weights before the failure (epoch {epoch}, held-out accuracy "
                                  "{accuracy:.1%}) are kept: Save keeps them.").format(
            epoch=event.best_epoch, accuracy=event.best_val_acc)

    def _failed(self, message: str) -> None:
        self._redraw()
        self._say(f"{message} {self._kept_note}".strip(), error=True)
        self.progress_label.setText(self.tr("Failed; the best weights so far are kept") if self._kept_note
                                    else self.tr("Failed"))
        self.run_failed.emit(message)

    def _ended(self) -> None:
        self._timer.stop()
        self._redraw()
        self.run = None
        self.document.set_locked(False)
        self.pause_button.setText(self.tr("Pause"))
        self._update_buttons()
        self.run_ended.emit()

    # drawing -------------------------------------------------------------------
    def _clear(self) -> None:
        self.curves.clear()
        self._step, self._status = 0, ""

    def _redraw(self) -> None:
        """Progress bar, label and curves catch up with the events (at most 10 times a second)."""
        if self._status:
            self.progress.setValue(self._step)
            self.progress_label.setText(self._status)
            self._status = ""
        self.curves.redraw()

    def _record(self, state: dict):
        """What the run's weights were trained for: its data set's conversion and class names."""
        from designer.ml import models  # the run has loaded torch

        return models.record_for(self.document.graph, state, self._run_dataset, self._run_classes)

    def _classes(self, count: int) -> list[str]:
        if len(self._run_classes) == count:
            return self._run_classes
        if self.dataset.currentText() == "fashion-mnist" and count == 10:
            return ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
        return [str(i) for i in range(count)]

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def _update_buttons(self, *_args) -> None:
        running = self.run is not None
        other_lock = self.document.locked and not running  # e.g. a quick training from the drawing pad
        self.start_button.setEnabled(not running and not other_lock)
        self.start_button.setToolTip(self.tr("Another training run holds the model") if other_lock else
                                     "" if self.document.shapes.valid else
                                     self.tr("The model has problems: fix them first"))
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.settings.setEnabled(not running)
        self.options.setEnabled(not running)
        self.augment_preview.reroll.setEnabled(not running)
        self.folder.setEnabled(not running)
        self.keep_weights.setEnabled(self.document.weights is not None)


def _spin(key: str) -> QSpinBox:
    """A spin box over the setting's range."""
    setting = SETTINGS[key]
    box = QSpinBox()
    box.setRange(setting.low, setting.high)
    box.setGroupSeparatorShown(True)
    return box


def _choices(key: str, tips: dict[str, str] | None = None, skip: tuple[str, ...] = ()) -> QComboBox:
    """A combo box of the setting's options, each with its tooltip where ``tips`` has one."""
    box = QComboBox()
    for name in SETTINGS[key].options:
        if name in skip:
            continue
        box.addItem(name)
        if tips and name in tips:
            box.setItemData(box.count() - 1, QCoreApplication.translate("TrainingPanel", tips[name]),
                            Qt.ItemDataRole.ToolTipRole)
    return box


def _number(text: str, key: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ConfigError(f"training.{key}", f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"training.{key}", "must be a finite number")
    return value


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


def install(window) -> TrainingPanel:
    """Dock the panel beside the inspector and add Model ▸ Train (Ctrl+T) to bring it forward."""
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QDockWidget

    panel = TrainingPanel(window.document)
    dock = window.add_dock("Training", panel, Qt.DockWidgetArea.RightDockWidgetArea)
    inspector = window.findChild(QDockWidget, "dock_inspector")
    if inspector is not None:
        window.tabifyDockWidget(inspector, dock)
        inspector.raise_()
    action = QAction(QCoreApplication.translate("TrainingPanel", "&Train…"), window)
    action.setShortcut(QKeySequence("Ctrl+T"))
    action.setStatusTip(QCoreApplication.translate("TrainingPanel", "Show the training panel"))
    action.triggered.connect(lambda: (dock.show(), dock.raise_(), panel.start_button.setFocus()))
    window.menu("Model").addAction(action)
    window.training_panel = panel
    if getattr(window, "try_panel", None) is not None:  # a mistake clicked goes to Try it, editable on the pad
        panel.history.mistakes.chosen.connect(
            lambda shown: (window.try_panel.show_picture(shown.picture), window.try_dock.show(),
                           window.try_dock.raise_()))
    return panel
