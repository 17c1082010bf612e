"""File ▸ Open Challenge: the teacher's goals as a live checklist beside the canvas, and File ▸ Hand In.

The checklist follows every edit (parameters, layers, output shape) and the
last finished run (held-out accuracy, on the challenge's dataset only). Hand In
writes one file with the project, its trained weights and the run's record.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)

from designer.core import challenges, handin
from designer.core.challenges import NO, YES, Challenge
from designer.ui.background import run_in_background

MARKS = {YES: "✓", NO: "✗"}


class ChallengePanel(QWidget):
    """The goals of the open challenge, each ticked when the project meets it."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.challenge: Challenge | None = None
        self.run: dict | None = None  # the last finished run: accuracy, epochs, dataset
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.goals = QVBoxLayout()  # one wrapped line per goal: labels size to their text in a short dock
        self.goals.setSpacing(2)
        self.goal_labels: list[QLabel] = []
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.hand_in_button = QPushButton(self.tr("Hand In…"))
        self.hand_in_button.clicked.connect(self.hand_in)
        top = QHBoxLayout()  # the button stays in sight in a short dock on a laptop screen
        top.addWidget(self.title, 1)
        top.addWidget(self.hand_in_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addLayout(self.goals)
        for widget in (self.status, self.text):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.document.shapes_changed.connect(lambda *_: self.refresh())
        self.document.weights_changed.connect(self._weights_changed)
        self.document.project_replaced.connect(self._project_replaced)
        self.refresh()

    def open_challenge(self, challenge: Challenge) -> None:
        self.challenge = challenge
        self.title.setText(challenge.title_text())
        self.text.setText(challenge.body_text())
        self.refresh()

    def run_finished(self, event) -> None:
        """A run ended: its best held-out accuracy counts if it was measured on the challenge's dataset."""
        dataset = self.document.project.training.get("dataset", "mnist-5k")
        self.run = {"accuracy": float(event.best_val_acc), "epochs": int(event.epochs_done),
                    "best_epoch": int(event.best_epoch), "dataset": dataset}
        self.refresh()

    def _weights_changed(self) -> None:
        if self.document.weights is None:
            self.run = None  # the model changed: the accuracy no longer belongs to it
        self.refresh()

    def _project_replaced(self) -> None:
        self.run = None
        self.refresh()

    def accuracy(self) -> float | None:
        if self.run is None or self.challenge is None or self.document.weights is None:
            return None
        return self.run["accuracy"] if self.run["dataset"] == self.challenge.dataset else None

    def verdicts(self) -> list[challenges.Verdict]:
        if self.challenge is None:
            return []
        return challenges.judge(self.challenge, self.document.project, self.document.shapes, self.accuracy())

    def refresh(self) -> None:
        verdicts = self.verdicts()
        while len(self.goal_labels) > len(verdicts):
            self.goal_labels.pop().deleteLater()
        while len(self.goal_labels) < len(verdicts):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.goals.addWidget(label)
            self.goal_labels.append(label)
        for label, verdict in zip(self.goal_labels, verdicts):
            mark = MARKS.get(verdict.result, "–")
            text = verdict.goal.label()
            label.setText(f"{mark}  {text}" + (f"  ({verdict.found})" if verdict.found and verdict.found not in text
                                               else ""))
            label.setProperty("result", verdict.result)
            colour = "#17803d" if verdict.result == YES else "#b42318" if verdict.result == NO else "#777777"
            label.setStyleSheet(f"color: {colour};")
        if self.challenge is None:  # a remembered layout may show the dock before any challenge is opened
            self.title.setText(self.tr("No challenge open"))
            self.status.setText(self.tr("File ▸ Open Challenge… opens the one your teacher handed out; its goals "
                                        "are ticked here as you build and train."))
        elif verdicts and challenges.passed(verdicts):
            self.status.setText(self.tr("Every goal is met. Hand it in when you are ready."))
        elif self.run is not None and self.accuracy() is None and self.document.weights is not None:
            self.status.setText(self.tr("Your last run trained on another dataset; the accuracy goal is measured on "
                                        "{dataset}.").format(dataset=self.challenge.dataset))
        else:
            met = sum(1 for v in verdicts if v.result == YES)
            self.status.setText(self.tr("{met} of {total} goals met.").format(met=met, total=len(verdicts)))

    # Hand In ----------------------------------------------------------------
    def hand_in(self) -> None:
        document = self.document
        if document.weights is None:
            QMessageBox.information(self, self.tr("Hand In"), self.tr(
                "Train the model first: a hand-in carries the trained weights, and the teacher measures their "
                "accuracy."))
            return
        learner, ok = QInputDialog.getText(self, self.tr("Hand In"), self.tr("Your name:"),
                                           text=_default_learner())
        if not ok or not learner.strip():
            return
        stem = Path(document.path).name.split(".")[0] if document.path else "project"
        start = str((Path(document.path).parent if document.path else Path.home()) / f"{stem}{handin.SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Hand in as"), start,
                                              self.tr("Hand-in files (*.handin.zip)"))
        if not path:
            return
        if not path.endswith(handin.SUFFIX):
            path += handin.SUFFIX
        project, state = document.snapshot(), dict(document.weights)  # the worker gets a copy: editing goes on
        record = document.weights_record.to_dict() if document.weights_record is not None else None
        title = self.challenge.title_text() if self.challenge is not None else ""
        summary = dict(self.run or {})

        def work():
            from designer.ml import grading

            grading.write_hand_in(path, project, state, summary, learner.strip(), title, record)
            return path

        def done(written: str) -> None:
            self.window.statusBar().showMessage(self.tr("Handed in: {file}").format(file=written), 8000)
            self.status.setText(self.tr("Handed in: {file}").format(file=Path(written).name))

        def failed(exc: Exception) -> None:
            QMessageBox.warning(self, self.tr("Hand In"), self.tr("The hand-in was not written: {reason}").format(
                reason=exc))

        run_in_background(work, done, failed, context=self)


def _default_learner() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def install(window):
    """File ▸ Open Challenge… and File ▸ Hand In…, and the Challenge dock (hidden until a challenge is opened)."""
    translate = QCoreApplication.translate
    panel = ChallengePanel(window)
    dock = window.add_dock("Challenge", panel, Qt.DockWidgetArea.RightDockWidgetArea, tabify=False)
    dock.hide()
    window.challenge_panel = panel

    def open_challenge() -> None:
        path, _ = QFileDialog.getOpenFileName(window, translate("ChallengePanel", "Open challenge"), "",
                                              translate("ChallengePanel", "Challenges (*.netchallenge.json);;"
                                                                          "All files (*)"))
        if path:
            open_challenge_file(path)

    def open_challenge_file(path: str) -> bool:
        try:
            challenge = challenges.load(path)
        except challenges.ChallengeError as exc:
            QMessageBox.warning(window, translate("ChallengePanel", "Open challenge"), str(exc))
            return False
        if challenge.project is not None and not window.new_from_template(lambda: challenge.project):
            return False  # the learner kept the project they have (it asks about unsaved edits first)
        panel.open_challenge(challenge)
        dock.show()
        dock.raise_()
        # room for the goals without scrolling: about a third of the window's height
        window.resizeDocks([dock], [max(dock.height(), window.height() // 3)], Qt.Orientation.Vertical)
        return True

    window.open_challenge_file = open_challenge_file
    file_menu = window.menu("File")
    before = next((a for a in file_menu.actions() if a.objectName() == "action_quit"), None)
    for text, slot, name in ((translate("ChallengePanel", "Open C&hallenge…"), open_challenge, "action_challenge"),
                             (translate("ChallengePanel", "Han&d In…"), panel.hand_in, "action_hand_in")):
        action = QAction(text, window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        file_menu.insertAction(before, action)
    if hasattr(window, "training_panel"):
        window.training_panel.run_finished.connect(panel.run_finished)
    return dock
