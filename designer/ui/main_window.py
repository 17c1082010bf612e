"""The main window: the composition root, and the only home of file dialogs.

Docks: palette (left), canvas (centre), inspector (right), model summary and
problems (bottom), plus the panels that ``_install_panels`` adds. Menus use
the platform's standard shortcuts. Files, recent files, window layout and
crash recovery live here; editing lives in Document.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractScrollArea, QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox,
                               QScrollArea, QTabWidget, QUndoView, QWidget)

from designer.core import project as projects
from designer.core import topology
from designer.core.graph import GraphError
from designer.ui import files, i18n, presentation, settings
from designer.ui.autosave import Autosaver
from designer.ui.canvas.view import CanvasView
from designer.ui.document import STEP_X, Document, chain_layout
from designer.ui.panels.model.inspector import Inspector
from designer.ui.panels.model.palette import Palette
from designer.ui.panels.model.problems import ProblemsList
from designer.ui.panels.model.summary import SummaryTable

LAYOUT_VERSION = 1
# menu(name) keys stay English (panels ask for "Model"); the bar shows these, translated.
MENU_TITLES = {"File": QT_TRANSLATE_NOOP("MainWindow", "&File"), "Edit": QT_TRANSLATE_NOOP("MainWindow", "&Edit"),
               "View": QT_TRANSLATE_NOOP("MainWindow", "&View"), "Model": QT_TRANSLATE_NOOP("MainWindow", "&Model"),
               "Help": QT_TRANSLATE_NOOP("MainWindow", "&Help")}
# Every dock's English name (its key for dock_for and the saved layout); add_dock shows it translated.
DOCK_TITLES = (QT_TRANSLATE_NOOP("Docks", "Layers"), QT_TRANSLATE_NOOP("Docks", "Inspector"),
               QT_TRANSLATE_NOOP("Docks", "Model"), QT_TRANSLATE_NOOP("Docks", "History"),
               QT_TRANSLATE_NOOP("Docks", "Training"), QT_TRANSLATE_NOOP("Docks", "Try it"),
               QT_TRANSLATE_NOOP("Docks", "Look inside"), QT_TRANSLATE_NOOP("Docks", "Explain"),
               QT_TRANSLATE_NOOP("Docks", "Code"), QT_TRANSLATE_NOOP("Docks", "Health"),
               QT_TRANSLATE_NOOP("Docks", "Lessons"), QT_TRANSLATE_NOOP("Docks", "Challenge"))
PREFERRED_SIZE = (1500, 950)  # the first window on a large screen; smaller screens get all of their room


class MainWindow(QMainWindow):
    """One project per window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self._default_size = (min(PREFERRED_SIZE[0], screen.width()), min(PREFERRED_SIZE[1], screen.height()))
        project = files.default_project()
        self._wrap(project, self._default_size[0] - 680)
        self.document = Document(project, parent=self)
        self._menus: dict[str, QMenu] = {}
        self._docks: list[QDockWidget] = []

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
        history = QUndoView(self.document.undo_stack)
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

        self._build_menus()
        self.autosaver = Autosaver(self.document, self)
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
    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, tabify: bool = True) -> QDockWidget:
        """Dock ``widget`` under ``title``; its visibility toggle goes into the View menu.

        ``title`` is English and listed in DOCK_TITLES: it names the dock (``dock_for``, the saved
        layout) and is shown translated. With ``tabify`` a dock joins the
        first dock already in that area as a tab, so the canvas keeps its room; the window's own dock
        stays the visible tab.
        """
        dock = QDockWidget(QCoreApplication.translate("Docks", title), self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget if isinstance(widget, QAbstractScrollArea) else _scrolling(widget))
        self.addDockWidget(area, dock)
        first = next((d for d in self._docks if self.dockWidgetArea(d) == area), None)
        if tabify and first is not None:
            self.tabifyDockWidget(first, dock)
            first.raise_()
        self._docks.append(dock)
        if "View" in self._menus:
            self._menus["View"].addAction(dock.toggleViewAction())
        return dock

    def dock_for(self, title: str) -> QDockWidget:
        """The dock added under ``title``."""
        return next(d for d in self._docks if d.objectName() == f"dock_{title.lower().replace(' ', '_')}")

    def menu(self, name: str) -> QMenu:
        """The menu called ``name`` (File, Edit, View, Model, Help), created if new."""
        if name not in self._menus:
            title = MENU_TITLES.get(name, f"&{name}")
            menu = self.menuBar().addMenu(QCoreApplication.translate("MainWindow", title))
            menu.setObjectName(f"menu_{name.lower()}")
            self._menus[name] = menu
        return self._menus[name]

    def show_first(self) -> None:
        """Show the window at start: maximized when the screen is smaller than the preferred size on a first
        start (the window manager then fits it, title bar and task bar included), else as remembered."""
        if self._fresh_layout and self._default_size != PREFERRED_SIZE:
            self.showMaximized()
        else:
            self.show()

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

    # menus -----------------------------------------------------------------
    def _action(self, menu: str, text: str, slot, shortcut=None, name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(QKeySequence.keyBindings(shortcut)
                                if isinstance(shortcut, QKeySequence.StandardKey) else [QKeySequence(shortcut)])
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        self.menu(menu).addAction(action)
        return action

    def _build_menus(self) -> None:
        key = QKeySequence.StandardKey
        for name in ("File", "Edit", "View", "Model", "Help"):
            self.menu(name)
        self._action("File", self.tr("&New"), lambda: self.new_from_template(files.blank_project), key.New,
                     "action_new")
        new_menu = self.menu("File").addMenu(self.tr("New from &Template"))
        for title, template, description in files.templates():
            action = new_menu.addAction(title, lambda t=template: self.new_from_template(t))
            action.setStatusTip(description)
            action.setToolTip(description)
        new_menu.setToolTipsVisible(True)
        self._action("File", self.tr("&Open…"), self.open_dialog, key.Open, "action_open")
        self.recent_menu = self.menu("File").addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action("File", self.tr("&Save"), self.save, key.Save, "action_save")
        self._action("File", self.tr("Save &As…"), self.save_as, key.SaveAs, "action_save_as")
        self.menu("File").addSeparator()
        self._action("File", self.tr("&Quit"), self.close, key.Quit, "action_quit")

        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcuts(QKeySequence.keyBindings(key.Undo))
        self.redo_action = stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts(QKeySequence.keyBindings(key.Redo))
        self.menu("Edit").addActions([self.undo_action, self.redo_action])
        self.menu("Edit").addSeparator()
        canvas = self.canvas
        self.cut_action = self._action("Edit", self.tr("Cu&t"), canvas.cut, key.Cut)
        self.copy_action = self._action("Edit", self.tr("&Copy"), canvas.copy, key.Copy)
        self._action("Edit", self.tr("&Paste"), canvas.paste, key.Paste)
        self.duplicate_action = self._action("Edit", self.tr("&Duplicate"), canvas.duplicate, "Ctrl+D")
        self.delete_action = self._action("Edit", self.tr("De&lete"), canvas.delete_selected, key.Delete)
        canvas.graph_scene.selectionChanged.connect(self._selection_actions)
        self.menu("Edit").addSeparator()
        self._action("Edit", self.tr("Select &All"), canvas.select_all, key.SelectAll)

        zoom_in = self._action("View", self.tr("Zoom &In"), canvas.zoom_in, key.ZoomIn)
        # Ctrl++ needs Shift on most layouts: Ctrl+= (the same key unshifted) zooms in too, as in browsers.
        zoom_in.setShortcuts(zoom_in.shortcuts() + [QKeySequence("Ctrl+=")])
        self._action("View", self.tr("Zoom &Out"), canvas.zoom_out, key.ZoomOut)
        self._action("View", self.tr("&Actual Size"), canvas.reset_zoom, "Ctrl+0")
        self._action("View", self.tr("&Fit to View"), canvas.fit, "Ctrl+F")
        snap = self._action("View", self.tr("&Snap to Grid"), lambda on: canvas.set_snap(on))
        snap.setCheckable(True)
        snap.setChecked(True)
        self._action("View", self.tr("&Reset Layout"), self.reset_layout, name="action_reset_layout")
        i18n.install_menu(self)
        presentation.install(self)
        self.menu("View").addSeparator()

        self._action("Model", self.tr("Auto-&layout"), self._auto_layout, "Ctrl+L")
        self.skip_action = self._action("Model", self.tr("Add &Skip Connection"), self._add_skip, "Ctrl+Shift+R",
                                        "action_skip")
        self._selection_actions()
        self._action("Model", self.tr("&Check Shapes"), self._show_problems, "Ctrl+Shift+K")
        self.menu("Model").addSeparator()
        self._action("Help", self.tr("&Keyboard Shortcuts"), self._shortcuts, key.HelpContents)
        self._action("Help", self.tr("&About NetDesigner"), self._about)

    def _file_filter(self) -> str:
        return self.tr("NetDesigner projects (*.netproj.json *.json);;All files (*)")

    def _selection_actions(self) -> None:
        """Grey out what needs a selection, as desktop editors do: the menu shows what will work."""
        try:
            blocks = bool(self.canvas.graph_scene.selected_ids())
            for action in (self.cut_action, self.copy_action, self.duplicate_action, self.skip_action):
                action.setEnabled(blocks)
            self.delete_action.setEnabled(blocks or bool(self.canvas.graph_scene.selected_edges()))
        except RuntimeError:  # the scene emptied while Qt tears the window down
            pass

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = settings.recent_files()
        for path in recent:
            self.recent_menu.addAction(path, lambda p=path: self.open_file(p, show_errors=True) if self.maybe_save()
                                       else None)
        if not recent:
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear"), settings.clear_recent_files)

    # files -----------------------------------------------------------------
    def new_from_template(self, template) -> None:
        if not self.maybe_save():
            return
        project = template()
        self._wrap(project, self.canvas.viewport().width())
        self.document.set_project(project)
        self.canvas.fit()
        self.statusBar().showMessage(self.tr("New project: {name}").format(name=self.document.project.name), 4000)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.document.path.parent) if self.document.path else ""
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
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        start = str(self.document.path or Path.home() / f"{self.document.project.name}.netproj.json")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save project as"), start, self._file_filter())
        return self._save_to(Path(path)) if path else False

    def _save_to(self, path: Path) -> bool:
        try:
            files.save_project(self.document, path)
        except (OSError, ValueError) as exc:
            QMessageBox.critical(self, self.tr("Cannot save"),
                                 self.tr("Could not save {file}:").format(file=path) + f"\n\n{exc}")
            return False
        settings.add_recent_file(path)
        self.autosaver.discard()
        self.statusBar().showMessage(self.tr("Saved {file}").format(file=path), 4000)
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
            return self.save()
        return answer == buttons.Discard

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.maybe_save():
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
        if paths and self.maybe_save():
            self.open_file(paths[0], show_errors=True)
            event.acceptProposedAction()

    # layout ----------------------------------------------------------------
    def _save_layout(self) -> None:
        store = settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.presentation.normal_state())

    def _restore_layout(self) -> None:
        store = settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)
        self._fresh_layout = not isinstance(state, QByteArray) or not self._layout_fits()
        if self._fresh_layout:  # first start, or a layout remembered from a larger screen
            self.resize(*self._default_size)
            self._default_dock_sizes()

    def _available(self):
        return (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()

    def _layout_fits(self) -> bool:
        """The window inside the screen's free area, and the canvas still the largest part of it."""
        screen, frame = self._available(), self.frameGeometry()
        if frame.width() > screen.width() or frame.height() > screen.height():
            return False
        self.layout().activate()  # the docks' sizes as they will be shown
        canvas = self.canvas.size()
        return canvas.width() >= self.width() * 0.4 and canvas.height() >= self.height() * 0.4

    def fit_to_screen(self) -> None:
        """Shrink and move the shown window into its screen's free area (title bar and task bar included)."""
        screen, frame = self._available(), self.frameGeometry()
        if screen.contains(frame):
            return
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()  # the window frame
        self.resize(min(self.width(), screen.width() - extra_w), min(self.height(), screen.height() - extra_h))
        frame = self.frameGeometry()
        self.move(max(screen.left(), min(frame.left(), screen.right() - frame.width() + 1)),
                  max(screen.top(), min(frame.top(), screen.bottom() - frame.height() + 1)))
        if not self._layout_fits():
            self._default_dock_sizes()

    def _default_dock_sizes(self) -> None:
        """Docks sized from the window: the palette and the right column narrow, the canvas the largest part."""
        width, height = self.width(), self.height()
        bottom = max(130, min(230, int(height * 0.24)))
        left = max(150, min(220, int(width * 0.14)))
        right = max(260, min(420, int(width * 0.26)))
        self.resizeDocks([self.findChild(QDockWidget, "dock_model")], [bottom], Qt.Orientation.Vertical)
        self.resizeDocks([self.findChild(QDockWidget, "dock_layers"), self.findChild(QDockWidget, "dock_inspector")],
                         [left, right], Qt.Orientation.Horizontal)

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
        self.undo_action.setEnabled(not locked and self.document.undo_stack.canUndo())
        self.redo_action.setEnabled(not locked and self.document.undo_stack.canRedo())
        if locked:
            self._lock_message = self.tr("Editing is locked: {reason}").format(
                reason=self.document.lock_reason or self.tr("training"))
            self.statusBar().showMessage(self._lock_message)
        elif self.statusBar().currentMessage() == getattr(self, "_lock_message", None):
            self.statusBar().showMessage(self.tr("Editing is unlocked"), 3000)

    def _append_block(self, type_name: str) -> None:
        try:
            path = self.document.shapes.path
            after = self.document.selected or (path[-1] if path else None)  # nothing selected: the model's end
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
        for node_id, pos in chain_layout(project.graph, self._per_row(width)).items():
            project.graph.move(node_id, pos)

    @staticmethod
    def _per_row(width: float) -> int:
        """How many blocks fit in one row of a canvas ``width`` pixels wide at a readable zoom."""
        return max(3, int(width / 0.9 / STEP_X))

    def _auto_layout(self) -> None:
        self.document.auto_layout(self._per_row(self.canvas.viewport().width()))
        self.canvas.fit()

    def _add_skip(self) -> None:
        """Wrap the selected run of blocks in a residual; the status bar says why when it cannot."""
        try:
            add = self.document.add_skip_connection(self.canvas.graph_scene.selected_ids())
        except GraphError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.document.select(add)
        self.statusBar().showMessage(self.tr("Skip connection added: the run's input is added to its output."), 6000)

    def _show_problems(self) -> None:
        self.bottom_tabs.setCurrentWidget(self.problems)
        self.findChild(QDockWidget, "dock_model").show()

    def reset_layout(self) -> None:
        """Every dock back where it starts (after docks were closed, floated or lost)."""
        self.restoreState(self._initial_state, LAYOUT_VERSION)
        for dock in self._docks:
            if dock.isHidden() and dock.widget() is not None:
                dock.show()
        self._default_dock_sizes()

    def _shortcuts(self) -> None:
        rows = []
        for name in ("File", "Edit", "View", "Model"):
            for action in self.menu(name).actions():
                keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
                if keys:
                    rows.append(f"<tr><td>{action.text().replace('&', '')}</td><td><b>{keys}</b></td></tr>")
        for what, how in ((self.tr("Zoom"), self.tr("mouse wheel")),
                          (self.tr("Pan"), self.tr("middle drag, or Space + drag")),
                          (self.tr("Connect"), self.tr("drag from an output port to a block")),
                          (self.tr("Nudge"), self.tr("arrow keys (Shift: ×5)"))):
            rows.append(f"<tr><td>{what}</td><td><b>{how}</b></td></tr>")
        QMessageBox.information(self, self.tr("Keyboard shortcuts"), f"<table cellspacing=4>{''.join(rows)}</table>")

    def _about(self) -> None:
        QMessageBox.about(self, self.tr("About NetDesigner"),
                          self.tr("NetDesigner: design a neural network with the mouse, see every shape as it changes, "
                                  "train it and try it out."))


def _scrolling(widget: QWidget) -> QScrollArea:
    """A dock's panel that scrolls when the dock is smaller than it: docks never force the window off a small screen."""
    area = QScrollArea()
    area.setObjectName(f"scroll_{widget.objectName() or type(widget).__name__}")
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def projects_fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")" if shape else "?"

