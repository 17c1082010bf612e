"""Try it ▸ Save Drawing As: the pad's drawing into a class folder (``3/``, ``7/``…), for a class's own digits.

Drawings saved this way make an image folder (``folder:PATH``) that the class
trains on like any other: one sub-folder per class, a PNG per drawing. The
folder is remembered, so a learner saves drawing after drawing in two clicks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QMenu, QPushButton, QToolButton, QWidget)

from designer.ui import settings

FOLDER_KEY = "tryit/drawings_folder"
STEM = "drawing"
translate = QCoreApplication.translate



def next_free(folder: Path) -> Path:
    """``drawing-0001.png``, or the next number not yet taken in ``folder``."""
    taken = {p.name for p in folder.glob(f"{STEM}-*.png")} if folder.is_dir() else set()
    number = len(taken) + 1
    while f"{STEM}-{number:04d}.png" in taken:
        number += 1
    return folder / f"{STEM}-{number:04d}.png"


class SaveDrawingDialog(QDialog):
    """Where the drawing goes: the class folder's parent, and the class (a digit or any name)."""

    def __init__(self, parent: QWidget | None = None, folder: str = "", guess: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Save Drawing As"))
        self.folder = QLineEdit(folder)
        self.folder.setObjectName("drawings_folder")
        self.folder.setPlaceholderText(self.tr("a folder for the class's drawings"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.label = QComboBox()
        self.label.setObjectName("drawing_class")
        self.label.setEditable(True)
        self.count = QLabel()
        form = QFormLayout(self)
        form.addRow(self.tr("Folder:"), row)
        form.addRow(self.tr("Class:"), self.label)
        form.addRow("", self.count)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.folder.textChanged.connect(self._fill_classes)
        self.label.currentTextChanged.connect(self._show_count)
        self._fill_classes()
        if guess:
            self.label.setCurrentText(guess)
        self._show_count()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Folder for the drawings"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _fill_classes(self) -> None:
        current = self.label.currentText()
        root = Path(self.folder.text().strip()) if self.folder.text().strip() else None
        existing = sorted(p.name for p in root.iterdir() if p.is_dir()) if root and root.is_dir() else []
        self.label.blockSignals(True)
        self.label.clear()
        self.label.addItems(list(dict.fromkeys([*(str(d) for d in range(10)), *existing])))
        self.label.setCurrentText(current)
        self.label.blockSignals(False)
        self._show_count()

    def target(self) -> Path | None:
        folder, name = self.folder.text().strip(), self.label.currentText().strip()
        if not folder or not name or name in (".", "..") or "/" in name or "\\" in name:
            return None
        return Path(folder).expanduser() / name

    def _show_count(self) -> None:
        target = self.target()
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(target is not None)
        if target is None:
            self.count.setText(self.tr("Choose a folder and a class."))
            return
        count = len(list(target.glob("*.png"))) if target.is_dir() else 0
        self.count.setText(self.tr("{count} drawings of “{name}” so far.").format(count=count, name=target.name))


def save_drawing(panel) -> Path | None:
    """Ask where, then write the pad's picture as a PNG in the class's folder; returns the file written."""
    store = settings.settings()
    guess = panel.answer.text() if panel.answer.text().strip() not in ("", "–") else ""
    dialog = SaveDrawingDialog(panel, str(store.value(FOLDER_KEY, "") or ""), guess)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    target = dialog.target()
    if target is None:
        return None
    store.setValue(FOLDER_KEY, dialog.folder.text().strip())
    try:
        target.mkdir(parents=True, exist_ok=True)
        path = next_free(target)
        if not panel.pad.save(path):
            raise OSError(translate("SaveDrawingDialog", "the picture could not be written"))
    except OSError as exc:
        panel.status.setText(translate("SaveDrawingDialog", "The drawing was not saved: {reason}").format(
            reason=exc.strerror or exc))
        return None
    panel.status.setText(translate("SaveDrawingDialog", "Saved {file} in class “{name}” ({folder}).").format(
        file=path.name, name=target.name, folder=target.parent))
    return path


def install(panel, layout) -> QToolButton:
    """A small ⋯ button beside the pad's buttons, with Save Drawing As… (also Ctrl+Shift+D on the pad)."""
    action = QAction(translate("SaveDrawingDialog", "Save Drawing As…"), panel)
    action.setObjectName("action_save_drawing")
    action.setShortcut("Ctrl+Shift+D")
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setStatusTip(translate("SaveDrawingDialog", "Save the drawing into a class folder (3/, 7/…): "
                                                       "your class's own digits to train on"))
    action.triggered.connect(lambda: save_drawing(panel))
    panel.addAction(action)
    panel.pad.changed.connect(lambda: action.setEnabled(not panel.pad.is_empty()))
    action.setEnabled(not panel.pad.is_empty())
    button = QToolButton(panel)
    button.setText("⋯")
    button.setToolTip(translate("SaveDrawingDialog", "More: save the drawing into a class folder"))
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.addAction(action)
    button.setMenu(menu)
    layout.addWidget(button)
    panel.save_drawing_action = action
    return button
