"""The lesson panel (Help ▸ Lessons): the tutorial, step by step, beside the canvas.

Each step's text and the part of the window it points at (outlined); the
Code dock beside it shows the PyTorch code of what the learner has built so
far. The steps and their checks
are ``designer.core.lessons``; this panel only gathers the app's facts (runs,
a tried drawing, the docks on screen), asks the lesson how far the learner
is, and remembers it in the settings.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QDockWidget, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from designer.core import lessons, templates
from designer.ui import settings

HIGHLIGHT = QColor("#ff9800")


class Highlight(QWidget):
    """An orange frame over ``target`` that lets every click through; it follows the target's size."""

    def __init__(self, target: QWidget):
        super().__init__(target)
        self.setObjectName("lessonHighlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        target.installEventFilter(self)
        self.setGeometry(target.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(watched.rect())
            self.raise_()
        return False

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(HIGHLIGHT, 4))
        painter.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 6, 6)


class LessonPanel(QWidget):
    """Pick a lesson, follow its steps; each step moves on when its check sees it done."""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.window_ = window
        self.document = window.document
        self.lessons = lessons.all_lessons()
        self.facts: dict = {"runs": [], "tried": False}
        self.done = 0
        self.highlight: Highlight | None = None

        self.chooser = QComboBox()
        self.chooser.setObjectName("lessonChooser")
        # Long titles must not make the panel wider than its dock: the step text wraps to the dock.
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(12)
        for lesson in self.lessons:
            self.chooser.addItem(f"{lesson.number}. {lesson.name()}", lesson.id)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setObjectName("lessonStart")
        self.start_button.setToolTip(self.tr("Open the lesson's starting project and begin at its first step"))
        self.start_button.clicked.connect(self.start)
        self.progress = QLabel()
        self.progress.setObjectName("lessonProgress")
        self.text = QLabel()
        self.text.setObjectName("lessonText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.text.setFont(font)
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.setObjectName("lessonBack")
        self.back_button.clicked.connect(lambda: self._go(self.done - 1))
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.setObjectName("lessonNext")
        self.next_button.setShortcut(QKeySequence("Alt+N"))
        self.next_button.clicked.connect(lambda: self._go(self.done + 1))

        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(self.start_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self._timer = QTimer(self)  # checks run once per burst of edits, after the shapes are inferred
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.evaluate)
        self.document.changed.connect(self._timer.start)
        self.document.project_replaced.connect(self._timer.start)
        self.document.selection_changed.connect(lambda _=None: self._timer.start())
        self.chooser.currentIndexChanged.connect(self._chosen)
        self._restore()

    # the app's facts ------------------------------------------------------------------------------
    def watch(self) -> None:
        """Listen to the panels installed after this one: training runs, the try-it pad, the docks."""
        training = getattr(self.window_, "training_panel", None)
        if training is not None:
            training.run_finished.connect(self._run_finished)
        from designer.ui.panels.tryit.tryout import Tryout

        tryout = self.window_.findChild(Tryout)
        if tryout is not None:
            tryout.result_ready.connect(self._tried)
        for dock in self.window_.findChildren(QDockWidget):
            dock.visibilityChanged.connect(lambda _=False: self._timer.start())

    def _run_finished(self, *_) -> None:
        training = self.document.project.training
        self.facts["runs"].append({k: training.get(k, "") for k in ("optimizer", "loss", "dataset")})
        self._timer.start()

    def _tried(self, *_) -> None:
        self.facts["tried"] = True
        self._timer.start()

    def state(self) -> lessons.State:
        visible = [name for name in self._targets() if self._dock(name) is not None and self._dock(name).isVisible()]
        selected = self.document.selected
        node = self.document.graph.nodes.get(selected) if selected else None
        facts = dict(self.facts, visible=visible, selected=node.type if node else None)
        return lessons.State(self.document.graph, self.document.shapes, dict(self.document.project.training), facts)

    # lessons and steps ----------------------------------------------------------------------------
    @property
    def lesson(self) -> lessons.Lesson:
        return self.lessons[max(0, self.chooser.currentIndex())]

    def start(self) -> None:
        """Begin the chosen lesson on its starting project (after asking about unsaved changes)."""
        lesson = self.lesson
        if lesson.template is not None:
            before = self.document.project
            self.window_.new_from_template(lambda: templates.new_project(lesson.template))
            if self.document.project is before:
                return  # the learner kept their unsaved project
        self.facts = {"runs": [], "tried": False}
        self._go(0)

    def evaluate(self) -> None:
        """Move on past every step the learner has now done."""
        done = self.lesson.advance(self.done, self.state())
        if done != self.done:
            self._go(done)

    def _go(self, done: int) -> None:
        self.done = max(0, min(done, len(self.lesson.steps)))
        store = settings.settings()
        store.setValue("lessons/current", self.lesson.id)
        store.setValue(f"lessons/{self.lesson.id}/done", self.done)
        self._show()

    def _chosen(self, index: int) -> None:
        self.done = int(settings.settings().value(f"lessons/{self.lesson.id}/done", 0) or 0)
        self._go(self.done)

    def _restore(self) -> None:
        current = settings.settings().value("lessons/current")
        index = self.chooser.findData(current) if current else 0
        self.chooser.setCurrentIndex(max(0, index))
        self._chosen(self.chooser.currentIndex())

    def _show(self) -> None:
        lesson, steps = self.lesson, self.lesson.steps
        finished = self.done >= len(steps)
        self.progress.setText(lessons.progress_text(lesson, self.done))
        if finished:
            self.text.setText(self.tr("Well done: you finished “{title}”. Pick the next lesson above.").format(
                title=lesson.name()))
        else:
            self.text.setText(steps[self.done].say())
        self.back_button.setEnabled(self.done > 0)
        self.next_button.setEnabled(not finished)
        self._point_at(None if finished else steps[self.done].target)

    def show_code(self) -> None:
        """The Code dock beside the lesson: the PyTorch code of what the learner builds."""
        code = self._dock("Code")
        if code is not None:
            code.show()
            code.raise_()

    # pointing ---------------------------------------------------------------------------------------
    def _targets(self) -> set[str]:
        return {step.target for lesson in self.lessons for step in lesson.steps if step.target}

    def _dock(self, name: str) -> QDockWidget | None:
        try:
            return self.window_.dock_for(name)
        except StopIteration:
            return None

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._show()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self._point_at(None)

    def _point_at(self, target: str | None) -> None:
        """Outline (and bring forward) the part of the window the step is about, while the lesson is open."""
        if self.highlight is not None:
            self.highlight.deleteLater()
            self.highlight = None
        if target is None or not self.isVisible():
            return
        if target == "canvas":
            widget = self.window_.canvas.viewport()
        else:
            dock = self._dock(target)
            if dock is None:
                return
            dock.show()
            dock.raise_()
            widget = dock
        self.highlight = Highlight(widget)


def install(window) -> QDockWidget:
    """The lesson dock, hidden until Help ▸ Lessons shows it (a saved layout may show it again)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QAction

    panel = LessonPanel(window)
    dock = window.add_dock("Lessons", panel, Qt.DockWidgetArea.LeftDockWidgetArea, tabify=False)
    action = QAction(QCoreApplication.translate("LessonPanel", "&Lessons…"), window)
    action.setObjectName("action_lessons")
    action.setStatusTip(QCoreApplication.translate("LessonPanel", "Follow the tutorial step by step in the app"))
    def open_lessons() -> None:
        dock.show()
        dock.raise_()
        # Room to read: the lesson takes a good part of the left column, wider than the palette alone.
        window.resizeDocks([dock], [max(dock.width(), 360)], Qt.Orientation.Horizontal)
        window.resizeDocks([dock], [max(dock.height(), window.height() // 3)], Qt.Orientation.Vertical)
        panel.show_code()
        panel.evaluate()

    action.triggered.connect(open_lessons)
    help_menu = window.menu("Help")
    help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, action)
    dock.hide()
    window.lesson_panel = panel
    QTimer.singleShot(0, panel.watch)  # after the other panels are installed
    return dock
