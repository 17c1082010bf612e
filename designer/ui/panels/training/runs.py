"""The Training panel's Runs and Mistakes tabs: every run of the project, compared and reused; where it errs.

Runs are read from the project's ``.runs`` folder (``designer.core.runs``), so
they are there again after closing and reopening the project. Selecting runs
overlays their held-out curves and shows their settings side by side (those
that differ first); a run's weights can be made the project's, and a run that
stopped or crashed before its last epoch can be continued.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QScrollArea, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from designer.core import runs
from designer.ml.training import events
from designer.ui.background import run_in_background
from designer.ui.panels.training.plots import COLORS, NARROW, _plot


class RunHistory(QWidget):
    """A list of runs, their curves overlaid, their settings side by side, and what to do with one."""

    use_weights = Signal(object)  # designer.core.runs.Run
    continue_run = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.project_path: Path | None = None
        self.runs: list[runs.Run] = []
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setToolTip(self.tr("Select two runs (Ctrl+click) to compare their curves and settings"))
        self.list.itemSelectionChanged.connect(self._selected)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.use_button = QPushButton(self.tr("Use these weights"))
        self.use_button.setToolTip(self.tr("Make the selected run's best weights the project's"))
        self.use_button.clicked.connect(lambda: self._emit(self.use_weights))
        self.continue_button = QPushButton(self.tr("Continue run"))
        self.continue_button.setToolTip(self.tr("Carry on from the selected run's last checkpoint, with its own "
                                                 "settings"))
        self.continue_button.clicked.connect(lambda: self._emit(self.continue_run))
        self.loss_plot = _plot(self.tr("Held-out loss"), self.tr("epoch"))
        self.acc_plot = _plot(self.tr("Held-out accuracy"), self.tr("epoch"))
        self.acc_plot.setYRange(0, 1)
        self.settings = QTableWidget(0, 0)
        self.settings.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.continue_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list, 1)
        column.addLayout(buttons)
        column.addWidget(self.note)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.acc_plot)
        plots.addWidget(self.settings)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(plots)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self._selected()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Narrow (a side dock): the runs above their curves, so the plots keep the width their titles need."""
        super().resizeEvent(event)
        self.split.setOrientation(Qt.Orientation.Vertical if event.size().width() < NARROW
                                  else Qt.Orientation.Horizontal)

    def refresh(self, project_path: Path | None, select: str | None = None) -> None:
        """List the project's runs again (after a run, or another project opened)."""
        chosen = select or (self.selected()[-1].id if self.selected() else None)
        self.project_path = project_path
        self.runs = runs.list_runs(project_path) if project_path else []
        self.list.blockSignals(True)
        self.list.clear()
        for run in self.runs:
            item = QListWidgetItem(run.summary())
            item.setData(Qt.ItemDataRole.UserRole, run.id)
            self.list.addItem(item)
            if run.id == chosen:
                item.setSelected(True)
        self.list.blockSignals(False)
        if project_path is None:
            self.note.setText(self.tr("Save the project to keep a history of its runs beside it."))
        elif not self.runs:
            self.note.setText(self.tr("No runs yet: each run is recorded in {folder}/.").format(
                folder=runs.runs_folder(project_path).name))
        else:
            self.note.setText("")
        self._selected()

    def selected(self) -> list[runs.Run]:
        ids = {item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()}
        return [run for run in self.runs if run.id in ids]

    def _emit(self, signal) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            signal.emit(chosen[0])

    def _selected(self) -> None:
        chosen = self.selected()
        one = chosen[0] if len(chosen) == 1 else None
        self.use_button.setEnabled(one is not None and one.weights_path.is_file())
        self.continue_button.setEnabled(one is not None and one.can_resume)
        self.loss_plot.clear()
        self.acc_plot.clear()
        for i, run in enumerate(chosen):
            epochs = [e["epoch"] for e in run.epochs]
            pen = pg.mkPen(COLORS[i % len(COLORS)], width=2)
            self.loss_plot.plot(epochs, [e["val_loss"] for e in run.epochs], pen=pen, symbol="o", name=run.id)
            self.acc_plot.plot(epochs, [e["val_acc"] for e in run.epochs], pen=pen, symbol="o", name=run.id)
        self._show_settings(chosen)

    def _show_settings(self, chosen: list[runs.Run]) -> None:
        keys = sorted({k for run in chosen for k in run.settings})
        differ = [k for k in keys if len({repr(run.settings.get(k)) for run in chosen}) > 1]
        rows = differ + [k for k in keys if k not in differ]
        table = self.settings
        table.setRowCount(len(rows))
        table.setColumnCount(len(chosen))
        table.setHorizontalHeaderLabels([run.id for run in chosen])
        table.setVerticalHeaderLabels(rows)
        for r, key in enumerate(rows):
            for c, run in enumerate(chosen):
                item = QTableWidgetItem(_text(run.settings.get(key)))
                if key in differ:
                    item.setBackground(pg.mkColor("#fff3c4"))
                table.setItem(r, c, item)
        table.resizeColumnsToContents()


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class HistoryTabs(QObject):
    """The Runs and Mistakes tabs of a Training panel, and what their buttons do to the document."""

    def __init__(self, panel):
        from designer.ui.panels.training.folder_check import FolderCheck
        from designer.ui.panels.training.mistakes import MistakesBrowser

        super().__init__(panel)
        self.panel = panel
        self.runs = RunHistory()
        self.mistakes = MistakesBrowser()
        self.folder_check = FolderCheck(panel.document, self.mistakes, self)
        # Where the model goes wrong, in one tab: the confusion matrix above the wrong pictures themselves.
        where = QSplitter(Qt.Orientation.Vertical)
        where.setChildrenCollapsible(False)
        where.addWidget(panel.curves.confusion)
        where.addWidget(self.mistakes)
        # These tabs scroll inside themselves when the dock is short: the curves' tab sets the panel's height.
        self.mistakes_page = _scrolled(where)
        panel.curves.addTab(self.mistakes_page, self.tr("Mistakes"))
        panel.curves.addTab(_scrolled(self.runs), self.tr("Runs"))
        document = panel.document
        document.path_changed.connect(lambda *_: self.runs.refresh(document.path))
        document.project_replaced.connect(self._replaced)
        panel.run_started.connect(self.mistakes.clear)
        panel.run_event.connect(self._event)
        panel.run_ended.connect(lambda: self.runs.refresh(document.path))
        self.runs.use_weights.connect(self._use_weights)
        self.runs.continue_run.connect(lambda run: panel.start(resume=run))
        self.runs.refresh(document.path)

    def _replaced(self) -> None:
        self.mistakes.clear()
        self.runs.refresh(self.panel.document.path)

    def _event(self, event) -> None:
        if isinstance(event, events.Recorded):
            self.runs.refresh(self.panel.document.path, select=event.run.id)
        elif isinstance(event, events.Mistakes) and not self.panel._stale():
            self.mistakes.show_mistakes(event.items)

    def _use_weights(self, run: runs.Run) -> None:
        """The run's best weights become the project's, if they still fit the model (read on a worker thread)."""
        document = self.panel.document
        project, signature = document.snapshot(), document.model_signature()

        def work():
            from designer.ml import models

            try:
                state, record = models.read_weights_record(run.weights_path)
                models.check_record(project.graph, state, record, run.id)
                return state, record, models.fit(models.build(project), state)
            except models.ModelError as exc:
                return exc

        run_in_background(work, lambda found: self._weights_read(run, signature, found), context=self)

    def _weights_read(self, run: runs.Run, signature: tuple, found) -> None:
        panel, document = self.panel, self.panel.document
        if isinstance(found, Exception):
            panel._say(str(found), error=True)
            return
        state, record, report = found
        if document.model_signature() != signature:
            panel._say(self.tr("The model was edited while the weights were read: load them again."), error=True)
            return
        if not report.ok:
            panel._say(self.tr("{run}'s weights do not fit the model as it is now: {report}").format(
                run=run.id, report=report.summary()), error=True)
            return
        document.set_weights(state, record)
        document.mark_modified()
        if run.best_val_acc is None:
            panel._say(self.tr("The project now has {run}'s best weights: Save keeps them.").format(run=run.id))
        else:
            panel._say(self.tr("The project now has {run}'s best weights (held-out accuracy {accuracy:.1%}): Save "
                               "keeps them.").format(run=run.id, accuracy=run.best_val_acc))


def _scrolled(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    return area


def attach_history(panel) -> HistoryTabs:
    return HistoryTabs(panel)
