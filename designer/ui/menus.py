"""The main window's menus: File, Edit, View, Model and Help, their shortcuts, and the shortcuts list.

Built by MainWindow (designer.ui.main_window), whose file and layout methods
the actions call; the actions hang on the window too (``window.undo_action``
...). Each key sequence belongs to
one action only (an ambiguous key does nothing at all), and what cannot work
now is greyed out: edits without a selection, and every edit while a training
run holds the model.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox

from designer.core.graph import GraphError
from designer.ui import files, i18n, presentation, settings
from designer.ui.block_actions import BlockActions
from designer.core import layout
from designer.ui.document import STEP_X, chain_layout

# menu(name) keys stay English (panels ask for "Model"); the bar shows these, translated.
MENU_TITLES = {"File": QT_TRANSLATE_NOOP("MainWindow", "&File"), "Edit": QT_TRANSLATE_NOOP("MainWindow", "&Edit"),
               "View": QT_TRANSLATE_NOOP("MainWindow", "&View"), "Model": QT_TRANSLATE_NOOP("MainWindow", "&Model"),
               "Help": QT_TRANSLATE_NOOP("MainWindow", "&Help")}
# Keys a laptop has, for the shortcuts list: platform extras (F14 "Undo", a "Save" key) work but are not listed.
_NAMED_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter,
               Qt.Key.Key_Insert, Qt.Key.Key_Delete, Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Left,
               Qt.Key.Key_Up, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


class WindowMenus(QObject):
    """The menu bar of ``window`` and its actions."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self._menus: dict[str, QMenu] = {}

    def menu(self, name: str) -> QMenu:
        """The menu called ``name`` (File, Edit, View, Model, Help), created if new."""
        if name not in self._menus:
            title = MENU_TITLES.get(name, f"&{name}")
            menu = self.window.menuBar().addMenu(QCoreApplication.translate("MainWindow", title))
            menu.setObjectName(f"menu_{name.lower()}")
            self._menus[name] = menu
        return self._menus[name]

    def _action(self, menu: str, text: str, slot, shortcut=None, name: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, QKeySequence.StandardKey)
                                else [QKeySequence(k) for k in (shortcut if isinstance(shortcut, list) else [shortcut])])
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        self.menu(menu).addAction(action)
        return action

    def build(self) -> None:
        key = QKeySequence.StandardKey
        for name in ("File", "Edit", "View", "Model", "Help"):
            self.menu(name)
        self._action("File", self.tr("&New"), lambda: self.window.new_from_template(files.blank_project), key.New,
                     "action_new")
        new_menu = self.menu("File").addMenu(self.tr("New from &Template"))
        for template_id, title, template, description in files.templates():
            action = new_menu.addAction(title, lambda t=template: self.window.new_from_template(t))
            action.setData(template_id)
            action.setStatusTip(description)
            action.setToolTip(description)
        new_menu.setToolTipsVisible(True)
        self._action("File", self.tr("&Open…"), self.window.open_dialog, key.Open, "action_open")
        self.window.recent_menu = self.menu("File").addMenu(self.tr("Open &Recent"))
        self.window.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action("File", self.tr("&Save"), self.window.save, key.Save, "action_save")
        self._action("File", self.tr("Save &As…"), self.window.save_as, key.SaveAs, "action_save_as")
        self.menu("File").addSeparator()
        self._action("File", self.tr("&Quit"), self.window.close, key.Quit, "action_quit")

        stack = self.window.document.undo_stack
        self.window.undo_action = stack.createUndoAction(self.window, self.tr("&Undo"))
        self.window.undo_action.setShortcuts(QKeySequence.keyBindings(key.Undo))
        self.window.redo_action = stack.createRedoAction(self.window, self.tr("&Redo"))
        self.window.redo_action.setShortcuts(QKeySequence.keyBindings(key.Redo))
        self.menu("Edit").addActions([self.window.undo_action, self.window.redo_action])
        self.menu("Edit").addSeparator()
        canvas = self.window.canvas
        self.window.cut_action = self._action("Edit", self.tr("Cu&t"), canvas.cut, key.Cut)
        self.window.copy_action = self._action("Edit", self.tr("&Copy"), canvas.copy, key.Copy)
        self.window.paste_action = self._action("Edit", self.tr("&Paste"), canvas.paste, key.Paste)
        self.window.duplicate_action = self._action("Edit", self.tr("&Duplicate"), canvas.duplicate, "Ctrl+D")
        # Not the platform's Delete keys: on Linux desktops they include Ctrl+D, which is Duplicate's.
        self.window.delete_action = self._action("Edit", self.tr("De&lete"), canvas.delete_selected, ["Del", "Backspace"])
        canvas.graph_scene.selectionChanged.connect(self._update_edit_actions)
        self.window.document.locked_changed.connect(self._update_edit_actions)
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
        self.menu("View").addSeparator()
        self.window.panels_menu = self.menu("View").addMenu(self.tr("Pa&nels"))  # each dock: shown or closed
        self.window.panels_menu.setObjectName("menu_panels")
        for dock in self.window._docks:
            self.window.panels_menu.addAction(dock.toggleViewAction())
        self._action("View", self.tr("&Reset Layout"), self.window.reset_layout, name="action_reset_layout")
        i18n.install_menu(self.window)
        presentation.install(self.window)

        self.window.layout_action = self._action("Model", self.tr("Auto-&layout"), self.auto_layout, "Ctrl+L",
                                          "action_auto_layout")
        self.window.skip_action = self._action("Model", self.tr("Add &Skip Connection"), self._add_skip, "Ctrl+Shift+R",
                                        "action_skip")
        self.window.block_actions = BlockActions(self.window, self)
        self._update_edit_actions()
        self._action("Model", self.tr("&Check Shapes"), self._show_problems, "Ctrl+Shift+K")
        self.menu("Model").addSeparator()
        self._action("Help", self.tr("&Keyboard Shortcuts"), self.show_shortcuts, key.HelpContents,
                     "action_shortcuts")
        self._action("Help", self.tr("&About NetDesigner"), self._about)

    def _update_edit_actions(self, *_) -> None:
        """Grey out what cannot work now, as desktop editors do: edits need a selection and an unlocked model."""
        try:
            free = not self.window.document.locked
            blocks = bool(self.window.canvas.graph_scene.selected_ids())
            for action in (self.window.cut_action, self.window.duplicate_action, self.window.skip_action):
                action.setEnabled(free and blocks)
            self.window.copy_action.setEnabled(blocks)
            self.window.delete_action.setEnabled(free and (blocks or bool(self.window.canvas.graph_scene.selected_edges())))
            self.window.paste_action.setEnabled(free)
            self.window.layout_action.setEnabled(free)
            self.window.undo_action.setEnabled(free and self.window.document.undo_stack.canUndo())
            self.window.redo_action.setEnabled(free and self.window.document.undo_stack.canRedo())
        except RuntimeError:  # the scene emptied while Qt tears the window down
            pass

    def _fill_recent(self) -> None:
        self.window.recent_menu.clear()
        recent = settings.recent_files()
        for path in recent:
            self.window.recent_menu.addAction(path, lambda p=path: self.window.open_file(p, show_errors=True)
                                       if self.window.may_replace_project() else None)
        if not recent:
            self.window.recent_menu.addAction(self.tr("(none)")).setEnabled(False)
        else:
            self.window.recent_menu.addSeparator()
            self.window.recent_menu.addAction(self.tr("Clear"), settings.clear_recent_files)

    @staticmethod
    def per_row(width: float) -> int:
        """How many blocks fit in one row of a canvas ``width`` pixels wide at a readable zoom."""
        return max(3, int(width / 0.9 / STEP_X))

    def auto_layout(self) -> None:
        """Model ▸ Auto-layout: the model (or the block entered) wrapped to show largest on the canvas.

        The status bar says why when it cannot.
        """
        try:
            document, viewport = self.window.document, self.window.canvas.viewport()
            graph = document.edit_graph
            document.auto_layout(layout.best_per_row(lambda k: chain_layout(graph, k), viewport.width(),
                                                     viewport.height(), len(graph.nodes)))
        except GraphError as exc:  # EditLocked while training
            self.window.statusBar().showMessage(str(exc), 6000)
            return
        self.window.canvas.fit()

    def _add_skip(self) -> None:
        """Wrap the selected run of blocks in a residual; the status bar says why when it cannot."""
        try:
            add = self.window.document.add_skip_connection(self.window.canvas.graph_scene.selected_ids())
        except GraphError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)
            return
        self.window.document.select(add)
        self.window.statusBar().showMessage(self.tr("Skip connection added: the run's input is added to its output."), 6000)

    def _show_problems(self) -> None:
        self.window.bottom_tabs.setCurrentWidget(self.window.problems)
        self.window.findChild(QDockWidget, "dock_model").show()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(what, keys) for Help ▸ Keyboard Shortcuts: each menu entry's keys a keyboard has, then mouse gestures."""
        rows = []
        for name in ("File", "Edit", "View", "Model"):
            for action in self.menu(name).actions():
                keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                                 if _on_a_keyboard(k))
                if keys:
                    rows.append((action.text().replace("&", ""), keys))
        rows += [(self.tr("Zoom"), self.tr("mouse wheel")), (self.tr("Pan"), self.tr("middle drag, or Space + drag")),
                 (self.tr("Connect"), self.tr("drag from an output port to a block")),
                 (self.tr("Nudge"), self.tr("arrow keys (Shift: ×5)"))]
        return rows

    def show_shortcuts(self) -> None:
        table = "".join(f"<tr><td>{what}</td><td><b>{keys}</b></td></tr>" for what, keys in self.shortcut_rows())
        QMessageBox.information(self.window, self.tr("Keyboard shortcuts"), f"<table cellspacing=4>{table}</table>")

    def _about(self) -> None:
        QMessageBox.about(self.window, self.tr("About NetDesigner"),
                          self.tr("NetDesigner: design a neural network with the mouse, see every shape as it changes, "
                                  "train it and try it out."))


def _on_a_keyboard(sequence: QKeySequence) -> bool:
    """Whether every key of ``sequence`` is on an ordinary keyboard (not F13–F35 or a special "Undo" key)."""
    for i in range(sequence.count()):
        key = sequence[i].key()
        if not (Qt.Key.Key_Space.value <= key.value <= Qt.Key.Key_AsciiTilde.value
                or Qt.Key.Key_F1.value <= key.value <= Qt.Key.Key_F12.value or key in _NAMED_KEYS):
            return False
    return sequence.count() > 0
