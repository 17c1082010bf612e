"""The main window: the composition root, and the only home of file dialogs.

Docks: palette (left), canvas (centre), inspector (right), model summary and
problems (bottom), plus the panels that ``_install_panels`` adds. Files and
crash recovery live here; the menus in ``menus``, the docks' layout in
``window_layout``; editing lives in Document.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QUndoView,
                               QWidget)

from designer.core import project as projects
from designer.core import topology
from designer.ui import files, i18n, presentation, settings
from designer.ui.autosave import Autosaver
from designer.ui.canvas.view import CanvasView
from designer.ui.document import Document, chain_layout
from designer.ui.menus import WindowMenus
from designer.ui.saving import Saver
from designer.ui.panels.model.inspector import Inspector
from designer.ui.panels.model.palette import Palette
from designer.ui.panels.model.problems import ProblemsList
from designer.ui.panels.model.summary import SummaryTable
from designer.ui.window_layout import DOCK_TITLES, LAYOUT_VERSION, MINIMUM_SIZE, PREFERRED_SIZE, WindowLayout

__all__ = ["DOCK_TITLES", "MainWindow"]

class MainWindow(WindowLayout, QMainWindow):
    """One project per window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        # The side columns run the window's full height: a taller bottom panel (Explain) takes room from the
        # canvas, never from the Training or Try it panels.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self._default_size = (min(PREFERRED_SIZE[0], screen.width()), min(PREFERRED_SIZE[1], screen.height()))
        project = files.default_project()
        self._wrap(project, self._default_size[0] - 680)
        self.document = Document(project, parent=self)
        self._docks: list[QDockWidget] = []
        self.menus = WindowMenus(self)

        self.canvas = CanvasView(self.document)
        self.setCentralWidget(self.canvas)
        self.palette = Palette(self.document)
        self.palette.activated.connect(self._append_block)
        self.inspector = Inspector(self.document)
        self.summary = SummaryTable(self.document)
        self.problems = ProblemsList(self.document)
        self.problems.node_activated.connect(self._focus_node)
        self.add_dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.add_dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        bottom = QTabWidget()
        bottom.setObjectName("bottomTabs")
        bottom.setDocumentMode(True)
        bottom.addTab(self.summary, self.tr("Model summary"))
        bottom.addTab(self.problems, self.tr("Problems"))
        self.bottom_tabs = bottom
        self.add_dock("Model", bottom, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.history = history = QUndoView(self.document.undo_stack)
        history.setObjectName("historyView")
        history.setEmptyLabel(self.tr("Opened project"))
        self.add_dock("History", history, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.statusBar().addPermanentWidget(self.model_label)
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("zoomLabel")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))

        self.menus.build()
        self.autosaver = Autosaver(self.document, self)
        self.saver = Saver(self)
        self.document.modified_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self._update_status)
        self.document.changed.connect(self._status_timer.start)
        self.document.locked_changed.connect(self._locked)
        self.document.weights_changed.connect(self._weights_changed)
        self.problems.count_changed.connect(self._problem_count)
        self.statusBar().showMessage(self.tr("Ready"), 3000)
        self._update_title()
        self._update_status()

        self._install_panels()
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*self._default_size)
        self._initial_state = self.saveState(LAYOUT_VERSION)  # for View ▸ Reset Layout
        self._restore_layout()

    def _install_panels(self) -> None:
        """The docks and menu entries of the other parts of the app; each must not import torch at module level."""
        from designer.ui.dialogs.export import install as install_export
        from designer.ui.panels.model.code_view import install as install_code_view
        from designer.ui.panels.tryit.drawpad import install as install_tryit
        from designer.ui.panels.inside.explainer import install as install_explainer
        from designer.ui.panels.training.health import install as install_health
        from designer.ui.panels.lessons.panel import install as install_lessons
        from designer.ui.panels.training.panel import install as install_training
        from designer.ui.panels.challenge.checklist import install as install_challenge

        install_tryit(self)  # Try it + Look inside docks
        install_explainer(self)  # Explain dock, on the pad's model and drawing
        install_export(self)  # File ▸ Export, Import
        install_training(self)  # Training dock
        install_code_view(self)  # Code dock, File ▸ Export Notebook…
        install_health(self)  # Health dock, after Training: it follows the training panel's runs
        install_lessons(self)  # Help ▸ Lessons: the lesson dock (hidden until asked for)
        install_challenge(self)  # File ▸ Open Challenge, Hand In: the goals' checklist (hidden until opened)

    # public API for panels --------------------------------------------------
    def menu(self, name: str) -> QMenu:
        """The menu called ``name`` (File, Edit, View, Model, Help), created if new."""
        return self.menus.menu(name)

    def after_shown(self) -> None:
        """Work that waits until the window is painted: crash recovery, then weights."""
        if self._fresh_layout:
            self._default_dock_sizes()
        self.fit_to_screen()
        self.canvas.fit(readable=True)
        i18n.warn_missing_font(self)
        self.autosaver.offer_restore(self)
        self.autosaver.start()
        presentation.restore(self)

    def _file_filter(self) -> str:
        return self.tr("NetDesigner projects (*.netproj.json *.json);;All files (*)")

    # files -----------------------------------------------------------------
    def new_from_template(self, template) -> bool:
        """Replace the project with a fresh one from ``template``; False when the user kept the current one."""
        if not self.may_replace_project():
            return False
        project = template()
        self._wrap(project, self.canvas.viewport().width())
        self.document.set_project(project)
        self.canvas.fit()
        self.statusBar().showMessage(self.tr("New project: {name}").format(name=self.document.project.name), 4000)
        return True

    def open_dialog(self) -> None:
        if not self.may_replace_project():
            return
        start = str(self.document.folder or "")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open project"), start, self._file_filter())
        if path:
            self.open_file(path, show_errors=True)

    def open_file(self, path: str | Path, show_errors: bool = False) -> bool:
        """Load ``path``; on a bad file say which file and what is wrong, and keep the current project."""
        path = Path(path)
        try:
            project = projects.load(path)
        except projects.ProjectError as exc:
            if show_errors:
                QMessageBox.warning(self, self.tr("Cannot open project"),
                                    self.tr("Could not open {file}:").format(file=path.name) + f"\n\n{exc}")
            self.statusBar().showMessage(str(exc), 8000)
            return False
        self.document.set_project(project, path)
        settings.add_recent_file(path)
        self.canvas.fit(readable=True)
        hint = ""
        if not self.canvas.fits_readably():
            hint = " · " + (self.tr("wider than the window: View ▸ Fit to View (Ctrl+F) shows all of it")
                            if topology.branches(project.graph) else
                            self.tr("wider than the window: Model ▸ Auto-layout (Ctrl+L) wraps it"))
        self.statusBar().showMessage(self.tr("Opened {file}").format(file=path) + hint, 8000)
        files.load_weights_later(self.document, path, self._weights_loaded)
        return True

    def save(self) -> bool:
        """File ▸ Save: the project is written on a worker thread (``saver``); False when Save As was cancelled."""
        path = self.saver.target or self.document.path  # a first Save still being written has chosen the file
        if path is None:
            return self.save_as()
        self.saver.save(path)
        return True

    def save_as(self) -> bool:
        start = str(self.document.path or Path.home() / f"{self.document.project.name}.netproj.json")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save project as"), start, self._file_filter())
        if not path:
            return False
        self.saver.save(Path(path))
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.document.modified:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, self.tr("Unsaved changes"), self.tr("Save the changes to “{name}” first?").format(
                name=self._display_name()),
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            return self.save() and self.saver.wait()
        return answer == buttons.Discard

    def may_replace_project(self) -> bool:
        """Before New, Open or Close: ask about a training run, then about unsaved changes; False: the user cancelled.

        A save being written is waited for first: it belongs to the project about to go.
        """
        self.saver.wait()
        return self.may_stop_training() and self.maybe_save()

    def may_stop_training(self) -> bool:
        """Ask before a running training is stopped (as for unsaved edits); on yes, stop it."""
        if not self.document.locked:
            return True
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Training is running"),
                          self.tr("A training run is going. Stop it? The weights it has found so far are not kept."),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("stopTrainingQuestion")
        stop = box.addButton(self.tr("Stop Training"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not stop:
            return False
        panel, tryout = getattr(self, "training_panel", None), getattr(self, "try_panel", None)
        if panel is not None and panel.running:
            panel.stop()
        if tryout is not None and tryout.tryout.training:
            tryout.tryout.stop_training()  # a quick training from the pad: its weights must not reach another project
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.may_replace_project():
            event.ignore()
            return
        self._save_layout()
        self.autosaver.discard()
        event.accept()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths and self.may_replace_project():
            self.open_file(paths[0], show_errors=True)
            event.acceptProposedAction()

    # reactions -------------------------------------------------------------
    def _display_name(self) -> str:
        return self.document.path.name if self.document.path else self.document.project.name

    def _update_title(self, *_) -> None:
        self.setWindowTitle(f"{self._display_name()}[*] — NetDesigner")
        self.setWindowModified(self.document.modified)

    def _update_status(self) -> None:
        shapes = self.document.shapes
        if shapes.valid:
            text = self.tr("Output {shape} · {count:,} parameters").format(
                shape=projects_fmt(shapes.output_shape), count=shapes.parameters)
        else:
            errors = sum(1 for p in shapes.problems if p.severity == "error")
            counted = self.tr("1 problem: the model cannot run yet") if errors == 1 else \
                self.tr("{count} problems: the model cannot run yet").format(count=errors)
            text = "<span style='color:#c62828'>" + counted \
                + "</span>"
        self.model_label.setText(text)

    def _weights_loaded(self, message: str, loaded: bool) -> None:
        """Say plainly whether the opened project's trained weights were loaded, and if not, why."""
        self.statusBar().showMessage(message, 8000 if loaded else 0)
        if not loaded:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Trained weights not loaded"), message,
                              QMessageBox.StandardButton.Ok, self)
            box.setObjectName("weightsWarning")
            box.setModal(False)  # the project is open and usable: this only informs
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.document.project_replaced.connect(box.close)  # it speaks of this file only
            box.show()

    def _weights_changed(self) -> None:
        if self.document.weights_note:
            self.statusBar().showMessage(self.document.weights_note, 8000)

    def _problem_count(self, count: int) -> None:
        self.bottom_tabs.setTabText(1, self.tr("Problems ({count})").format(count=count) if count
                                    else self.tr("Problems"))

    def _locked(self, locked: bool) -> None:
        self.history.setEnabled(not locked)  # a click in the history undoes and redoes: an edit
        if locked:
            self._lock_message = self.tr("Editing is locked: {reason}").format(
                reason=self.document.lock_reason or self.tr("training"))
            self.statusBar().showMessage(self._lock_message)
        elif self.statusBar().currentMessage() == getattr(self, "_lock_message", None):
            self.statusBar().showMessage(self.tr("Editing is unlocked"), 3000)

    def _append_block(self, type_name: str) -> None:
        try:
            path = self.document.edit_shapes.path  # inside a block: its definition's
            after = self.document.selected or (path[-1] if path else None)  # nothing selected: the graph's end
            node_id = self.document.add_node(type_name, after=after)
        except Exception as exc:  # GraphError / EditLocked: say why instead of crashing
            self.statusBar().showMessage(str(exc), 6000)
            return
        self.canvas.select_only([node_id])

    def _focus_node(self, node_id: str) -> None:
        self.canvas.select_only([node_id])
        self.canvas.center_on(node_id)

    def _wrap(self, project, width: float) -> None:
        """Lay a fresh template out in rows that fit ``width`` (no undo step: nothing to undo yet)."""
        for node_id, pos in chain_layout(project.graph, WindowMenus.per_row(width)).items():
            project.graph.move(node_id, pos)


def projects_fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")" if shape else "?"

