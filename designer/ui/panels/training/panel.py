"""The Training dock: settings, Start / Pause / Stop, live curves, mistakes and runs.

Pressing Start locks the document (the canvas refuses edits and the status
bar says why), hands a snapshot of the project to a ``TrainingRun`` (a worker
thread of its own) and hears its events in order. Curves are buffered as events arrive and
redrawn by a timer at most 30 times a second, so a fast run cannot flood the
UI thread. The best weights (by held-out accuracy) go to
``document.set_weights`` and make the project modified, so Save keeps them and
closing asks first. The settings (``form.TrainingForm``) scroll in their own
part of a splitter: Start, Stop and the curves stay in view in a small dock.
torch is never imported here.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QSizePolicy, QSplitter,
                               QVBoxLayout, QWidget)

from designer.core import datasets
from designer.core.training import ConfigError, TrainConfig
from designer.ml.training import events
from designer.ui.panels.training.form import FIELDS, FOLDER_ITEM, TrainingForm
from designer.ui.panels.training.lr_preview import LrPreview
from designer.ui.panels.training.plots import TrainingCurves
from designer.ui.panels.training.runs import attach_history
from designer.ui.worker import TrainingRun

__all__ = ["FOLDER_ITEM", "TrainingPanel", "install"]
REDRAW_MS = 100  # curves redraw 10 times a second (<= 30): painting holds the GIL the training loop needs
# English keys, shown through translate("TrainingPanel", ...).
LOCK_REASON = QT_TRANSLATE_NOOP("TrainingPanel", "training is running (Stop it to edit the model)")


class TrainingPanel(QWidget):
    """Train the open document's model and watch it learn."""

    run_started = Signal()
    run_failed = Signal(str)
    run_finished = Signal(object)  # designer.ml.training.events.Finished
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
        self._blocked = False  # the message says why Start could not start
        self._run_epochs = self._run_patience = 0
        self._kept_note = ""  # says which weights a failed run kept
        self._unusable = False  # the message names a setting that is not usable yet
        self._build()
        self.load_settings()
        self.form.edited.connect(self._store)  # every edit of the form goes to project.training at once
        document.project_replaced.connect(self._project_replaced)
        document.locked_changed.connect(self._update_buttons)
        document.shapes_changed.connect(self._update_buttons)
        document.shapes_changed.connect(self._recheck)
        self.form.edited.connect(self._recheck)
        self.folder.scanned.connect(self._recheck)
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
        self.form = TrainingForm(self.document)
        for name in FIELDS:  # the form's fields, as the panel's own
            setattr(self, name, getattr(self.form, name))
        self.config = self.form.config
        self._folder_chosen = self.form._folder_chosen
        settings = QScrollArea()
        settings.setObjectName("trainingSettings")
        settings.setWidgetResizable(True)
        settings.setFrameShape(QScrollArea.Shape.NoFrame)
        settings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the form narrows instead
        settings.setWidget(self.form)
        settings.setMinimumWidth(self.form.minimumSizeHint().width())

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
        self.progress_label = _wrapping(self.tr("Not trained yet"))  # wraps in a narrow dock, never cut
        self.message = _wrapping("")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.curves = TrainingCurves()
        self.history = attach_history(self)  # the Mistakes and Runs tabs
        self.lr_preview = LrPreview(self)  # the planned learning rate, before and during a run

        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.progress_label)
        column.addWidget(self.message)
        column.addWidget(self.curves, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(settings)
        self.split.addWidget(results)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self._split_sized = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.split)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Once shown at its size, the settings get two fifths of the height (then the splitter keeps the user's
        share)."""
        super().resizeEvent(event)
        if not self._split_sized and self.isVisible() and self.split.height() > 200:
            self._split_sized = True
            height = self.split.height()
            self.split.setSizes([height * 2 // 5, height - height * 2 // 5])

    # settings -----------------------------------------------------------------
    def load_settings(self) -> None:
        """Fill the form from the project's ``training`` object (defaults where absent or unusable)."""
        problem = self.form.load_settings()
        if problem:
            self._say(problem, error=True)

    def _store(self, *_args) -> None:
        """The form's settings into the project (marks it modified); a setting being typed that is not yet
        usable is named, and the project keeps its last usable value."""
        if self.run is not None:
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
            self._blocked = resume is None
            return
        problem = self._start_problem(resume)
        if problem:
            self._say(problem, error=True)
            self._blocked = True  # said until it no longer holds (see _recheck)
            return
        keep = self.keep_weights.isChecked() and self.document.weights is not None and resume is None
        base = self.document.folder
        self.run = TrainingRun(self.document.project, config, self.document.weights if keep else None, self.threads,
                               base, self.document.path, resume)
        self._run_project = self.document.project  # results belong to this project only
        self._run_dataset = config.dataset
        self._run_epochs, self._run_patience = config.epochs, config.patience
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
        """One event of the run, in order (designer.ml.training.events: plain data, no torch)."""
        self.run_event.emit(event)
        if isinstance(event, str):
            self._say(event)
        elif isinstance(event, events.Failed):
            if event.best_state is not None:
                self._kept(event)
            self._failed(event.message)
        elif isinstance(event, events.Loading):
            self._loading(event.what, event.done, event.total)
        elif isinstance(event, events.Skipped):
            if not self._stale():
                self.folder.note_skipped(event.messages)
        elif isinstance(event, events.Started):
            self._started(event)
        elif isinstance(event, events.BatchEnd):
            self._progress(event)
        elif isinstance(event, events.EpochEnd):
            self._epoch(event)
        elif isinstance(event, events.Finished):
            self._finished(event)
        # Recorded and Mistakes are the Runs and Mistakes tabs' (run_event)

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
            if event.early_stopped:  # the bar stops short of the end: say why
                after = self.tr("Stopped early after {count} of {epochs} epochs: no better held-out loss for "
                                "{patience} epochs") if self._run_patience != 1 else self.tr(
                    "Stopped early after {count} of {epochs} epochs: no better held-out loss for 1 epoch")
            self.progress_label.setText(after.format(how=how, count=event.epochs_done, epochs=self._run_epochs,
                                                     patience=self._run_patience))
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
        names = datasets.class_names(self.dataset.currentText())
        return names if names is not None and len(names) == count else [str(i) for i in range(count)]

    def _start_problem(self, resume=None) -> str | None:
        """Why Start cannot start a run now, in words; None when it can."""
        try:
            if resume is None:
                self.config()
        except ConfigError as exc:
            return self.tr("Cannot start: {setting}: {problem}").format(
                setting=exc.field.removeprefix("training."), problem=exc.message)
        if not self.document.shapes.valid:
            return self.tr("Cannot start: the model has problems. Fix them first (see the Problems tab).")
        if self._folder_chosen() and resume is None:
            problem = self.folder.message.text() if self.folder.layout_info is None else self.folder.fit_problem()
            if problem:
                return self.tr("Cannot start: {problem}").format(problem=problem)
        return None

    def _recheck(self, *_args) -> None:
        """A "Cannot start" said earlier goes once it is no longer true (the model or a setting was fixed)."""
        if self._blocked and self.run is None and self._start_problem() is None:
            self._blocked = False
            self._say("")

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
        self.form.set_running(running)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _wrapping(text: str) -> QLabel:
    """A label that wraps instead of asking the dock for its whole width."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label

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
        from designer.ui.panels.training.folder_check import try_mistake

        panel.history.mistakes.chosen.connect(lambda shown: try_mistake(window, panel.history.folder_check, shown))
    return panel
