"""Mistakes ▸ Check on a folder…: the trained model on a folder of pictures, such as a class's own handwriting.

The pictures are converted as the weights' own were (designer.ml.training.own_pictures),
on a worker thread; the Mistakes tab then shows the accuracy and the wrong answers,
most confident first, and a click opens one on the Try it pad.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from designer.core.datasets import CLASSES, is_folder
from designer.ui.background import run_in_background


class FolderCheck(QObject):
    """Answers ``browser.check_folder``: asks for a folder and checks ``document``'s trained model on it."""

    def __init__(self, document, browser, parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.browser = document, browser
        self.job = None
        self.checked = None  # the last designer.ml.training.own_pictures.Checked
        browser.check_folder.connect(self.ask)
        document.weights_changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        trained = self.document.weights is not None
        self.browser.check_button.setEnabled(trained and (self.job is None or not self.job.running))
        if not trained:
            self.browser.check_button.setToolTip(self.tr("Train the model first: a folder is checked with the "
                                                         "trained weights"))
        else:
            self.browser.check_button.setToolTip(self.tr(
                "Run the trained model on a folder of pictures (one sub-folder per class, e.g. the class's saved "
                "drawings) and show its mistakes there"))

    def ask(self) -> None:
        start = str(self.document.folder or Path.home())
        folder = QFileDialog.getExistingDirectory(self.browser, self.tr("Check on a folder"), start)
        if folder:
            self.check(folder)

    def check(self, folder: str) -> None:
        """Check the trained model on ``folder`` in the background; the result replaces the tab's mistakes."""
        document = self.document
        if document.weights is None:
            return
        project, state, record = document.snapshot(), document.weights, document.weights_record
        shape, base = _input_shape(document), document.folder

        def work():
            from designer.ml import models
            from designer.ml.data.folders import classes_of
            from designer.ml.training import own_pictures

            model = models.build(project)
            models.attach(model, state)
            known = record
            if known is None:  # weights made elsewhere: the project's data set says how its pictures were made
                dataset = (project.training or {}).get("dataset") or "mnist-5k"
                names = classes_of(dataset, base) if is_folder(dataset) else CLASSES.get(dataset, CLASSES["mnist"])
                known = models.record_for(project, state, dataset, names)
            return own_pictures.check_folder(model, folder, shape, known.classes, known)

        self.browser.note.setText(self.tr("Checking the model on {folder}…").format(folder=folder))
        self.job = run_in_background(work, self._done, self._failed, context=self)
        self._update()

    def _done(self, checked) -> None:
        self.job = None
        self.checked = checked
        self.browser.show_mistakes(checked.mistakes, where=str(checked.folder))
        text = self.tr("{folder}: {correct} of {total} right ({accuracy:.0%}); {wrong} mistakes, the most "
                       "confident first. Click one to open it on the Try it pad.").format(
            folder=checked.folder.name, correct=checked.correct, total=checked.total, accuracy=checked.accuracy,
            wrong=len(checked.mistakes))
        if checked.unknown:
            text += " " + self.tr("Not classes of this model, left out: {names}.").format(
                names=", ".join(checked.unknown))
        if checked.skipped:
            text += " " + self.tr("{count} pictures skipped (unreadable or blank).").format(
                count=len(checked.skipped))
        self.browser.note.setText(text)
        self._update()

    def _failed(self, exc: Exception) -> None:
        self.job = None
        self.browser.note.setText(self.tr("Cannot check that folder: {problem}").format(problem=exc))
        self._update()


def _input_shape(document) -> list[int]:
    shapes = document.shapes
    if shapes.path and shapes.nodes[shapes.path[0]].out_shape:
        return list(shapes.nodes[shapes.path[0]].out_shape)
    return [1, 28, 28]


def try_mistake(window, check: FolderCheck, shown) -> None:
    """A checked folder's picture opens from its file, as Try it opens any; a held-out sample as the model saw it."""
    if shown.name and check.checked is not None:
        window.try_panel.open_file(str(check.checked.folder / shown.name))
    else:
        window.try_panel.show_picture(shown.picture)
    window.try_dock.show()
    window.try_dock.raise_()
