"""The lesson panel (Help ▸ Lessons): the tutorial, step by step, beside the canvas.

Each step's text and the part of the window it points at (outlined); the
Code dock beside it shows the PyTorch code of what the learner has built so
far. The steps and their checks
are ``designer.core.lessons``; this panel only gathers the app's facts (runs,
a tried drawing, the docks on screen), asks the lesson how far the learner
is, and remembers it in the settings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from designer.core import lesson_check, lessons, templates
from designer.ui import settings
from designer.ui.panels.lessons.highlight import Highlight, around, on_canvas

DONE_MARK = "✓ "  # before a finished lesson's title in the chooser

class LessonPanel(QWidget):
    """Pick a lesson, follow its steps; each step moves on when its check sees it done."""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.window_ = window
        self.document = window.document
        self.lessons: list[lessons.Lesson] = list(lessons.all_lessons())
        self.facts: dict = {"runs": [], "tried": False, "answers": {}}
        self.done = 0
        self.highlight: Highlight | None = None
        self._drawn = False
        self.following = True  # the lesson follows the open project; another project opened pauses it
        self._starting = False

        self.chooser = QComboBox()
        self.chooser.setObjectName("lessonChooser")
        # Long titles must not make the panel wider than its dock: the step text wraps to the dock.
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(12)
        for lesson in self.lessons:
            self.chooser.addItem("", key(lesson))
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
        self.answer = QLineEdit()  # a predict-then-check step: the learner types what they expect
        self.answer.setObjectName("lessonAnswer")
        self.answer.setPlaceholderText(self.tr("Your answer"))
        self.answer.returnPressed.connect(self.check_answer)
        self.check_button = QPushButton(self.tr("Check"))
        self.check_button.setObjectName("lessonCheck")
        self.check_button.setToolTip(self.tr("See whether your answer is right"))
        self.check_button.clicked.connect(self.check_answer)
        self.hint = QLabel()
        self.hint.setObjectName("lessonHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet("color: #b71c1c")
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.setObjectName("lessonBack")
        self.back_button.clicked.connect(lambda: self._go(self.done - 1))
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.setObjectName("lessonNext")
        self.next_button.setShortcut(QKeySequence("Alt+N"))
        self.next_button.clicked.connect(self.next_step)

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
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer, 1)
        answer_row.addWidget(self.check_button)
        layout.addLayout(answer_row)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self._timer = QTimer(self)  # checks run once per burst of edits, after the shapes are inferred
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.evaluate)
        self.document.changed.connect(self._timer.start)
        self.document.project_replaced.connect(self._project_replaced)
        self.document.selection_changed.connect(lambda _=None: self._timer.start())
        self.chooser.currentIndexChanged.connect(self._chosen)
        self._reopen()
        self._name_items()
        self._restore()

    # the app's facts ------------------------------------------------------------------------------
    def watch(self) -> None:
        """Listen to the panels installed after this one: training runs, the try-it pad, the docks."""
        training = getattr(self.window_, "training_panel", None)
        if training is not None:
            training.run_finished.connect(self._run_finished)
            history = training.history.runs
            history.list.itemSelectionChanged.connect(
                lambda: self._fact("compared", len(history.selected()) >= 2))
        self.document.path_changed.connect(lambda *_: self._timer.start())
        from designer.ui.panels.tryit.drawpad import TryPanel

        try_panel = self.window_.findChild(TryPanel)
        if try_panel is not None:  # tried: the model classified something the learner drew or dropped
            try_panel.pad.stroke_finished.connect(lambda: setattr(self, "_drawn", True))
            try_panel.pad.file_dropped.connect(lambda _: setattr(self, "_drawn", True))
            try_panel.tryout.result_ready.connect(self._tried)
        for dock in self.window_.findChildren(QDockWidget):
            dock.visibilityChanged.connect(lambda _=False: self._timer.start())

    def _run_finished(self, *_) -> None:
        self.facts["runs"].append(dict(self.document.project.training))  # the run's settings, kept at Start
        self._timer.start()

    def _tried(self, *_) -> None:
        if self._drawn:
            self._fact("tried", True)

    def _fact(self, name: str, value) -> None:
        self.facts[name] = value
        self._timer.start()

    def state(self) -> lessons.State:
        visible = [name for name in self._targets() if self._dock(name) is not None and self._dock(name).isVisible()]
        selected = self.document.selected
        node = self.document.edit_graph.nodes.get(selected) if selected else None  # inside a block: its own
        facts = dict(self.facts, visible=visible, selected=node.type if node else None,
                     saved=self.document.path is not None)
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
            self._starting = True
            try:
                self.window_.new_from_template(lambda: templates.new_project(lesson.template))
            finally:
                self._starting = False
            if self.document.project is before:
                return  # the learner kept their unsaved project
        self.following = True
        self.facts = {"runs": [], "tried": False, "answers": {}}
        self._drawn = False
        self._go(0)

    def _project_replaced(self) -> None:
        """A project the lesson did not open (File ▸ Open, New, a challenge): the lesson stops where it was."""
        if self._starting:
            return
        self.following = False
        self._show()

    def evaluate(self) -> None:
        """Move on past every step the learner has now done (while the lesson follows the open project)."""
        if not self.following:
            return
        done = self.lesson.advance(self.done, self.state())
        if done != self.done:
            self._go(done)
        else:
            self._update_next()

    def next_step(self) -> None:
        """Next: only past a step to read or one already done; a task must be done first."""
        if self.following and self.lesson.may_skip(self.done, self.state()):
            self._go(self.done + 1)

    def check_answer(self) -> None:
        """A predicted answer: right moves on, wrong shows the step's hint."""
        if self.done >= len(self.lesson.steps) or not self.lesson.steps[self.done].asks:
            return
        step = self.lesson.steps[self.done]
        self.facts.setdefault("answers", {})[step.id] = self.answer.text()
        done = self.lesson.advance(self.done, self.state())
        if done == self.done:
            self.hint.setText(self.tr("Not yet. Hint: {hint}").format(hint=step.hint()))
            self.hint.show()
        else:
            self._go(done)

    def _update_next(self) -> None:
        self.next_button.setEnabled(self.following and self.lesson.may_skip(self.done, self.state()))

    def _go(self, done: int) -> None:
        self.done = max(0, min(done, len(self.lesson.steps)))
        store = settings.settings()
        store.setValue("lessons/current", key(self.lesson))
        store.setValue(f"lessons/{key(self.lesson)}/done", self.done)
        if self.done >= len(self.lesson.steps):
            store.setValue(f"lessons/{key(self.lesson)}/finished", True)
            self._name_items()
        self._show()

    def _chosen(self, index: int) -> None:
        self.done = int(settings.settings().value(f"lessons/{key(self.lesson)}/done", 0) or 0)
        self._go(self.done)

    def _name_items(self) -> None:
        """Each lesson's number and title in the chooser, with ✓ before those this user has finished."""
        store = settings.settings()
        for index, lesson in enumerate(self.lessons):
            finished = str(store.value(f"lessons/{key(lesson)}/finished", False)).lower() == "true"
            self.chooser.setItemText(index, f"{DONE_MARK if finished else ''}{lesson.number}. {lesson.name()}")

    # a teacher's lessons --------------------------------------------------------------------------
    def add_lessons(self, path) -> list[lessons.Lesson]:
        """Read a lesson file or a folder of them into the chooser (LessonError says what is wrong); choose
        the first, and remember the path so the lessons are there next time."""
        found = lessons.open_lessons(path)
        for lesson in found:
            index = self.chooser.findData(key(lesson))
            if index >= 0:
                self.lessons[index] = lesson
            else:
                self.lessons.append(lesson)
                self.chooser.addItem("", key(lesson))
        self._name_items()
        opened = [p for p in _opened() if p != str(path)]
        settings.write_list("lessons/opened", [*opened, str(path)])
        self.chooser.setCurrentIndex(self.chooser.findData(key(found[0])))
        return list(found)

    def _reopen(self) -> None:
        """The teacher's lessons opened before, still where they were."""
        for path in _opened():
            try:
                for lesson in lessons.open_lessons(str(path)):
                    if self.chooser.findData(key(lesson)) < 0:
                        self.lessons.append(lesson)
                        self.chooser.addItem("", key(lesson))
            except lessons.LessonError:
                continue  # moved or changed since: File ▸ Open Lesson says why

    def _restore(self) -> None:
        current = settings.settings().value("lessons/current")
        index = self.chooser.findData(current) if current else 0
        self.chooser.setCurrentIndex(max(0, index))
        self._chosen(self.chooser.currentIndex())

    def _show(self) -> None:
        lesson, steps = self.lesson, self.lesson.steps
        finished = self.done >= len(steps)
        self.progress.setText(lessons.progress_text(lesson, self.done))
        if not self.following:
            self.text.setText(self.tr("The lesson stopped here: another project was opened. Start begins it again "
                                      "on its own project."))
        elif finished:
            self.text.setText(self.tr("Well done: you finished “{title}”. Pick the next lesson above.").format(
                title=lesson.name()))
        else:
            self.text.setText(steps[self.done].say())
        asks = self.following and not finished and steps[self.done].asks
        self.answer.setVisible(asks)
        self.check_button.setVisible(asks)
        self.answer.clear()
        self.hint.clear()
        self.hint.hide()
        self.back_button.setEnabled(self.following and self.done > 0)
        self._update_next()
        self._point_at(None if finished or not self.following else steps[self.done])

    def show_code(self) -> None:
        """The Code dock beside the lesson: the PyTorch code of what the learner builds."""
        code = self._dock("Code")
        if code is not None:
            code.show()
            code.raise_()

    # pointing ---------------------------------------------------------------------------------------
    def _targets(self) -> set[str]:
        return set(lesson_check.TARGETS[1:])

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

    def _point_at(self, step: lessons.Step | None) -> None:
        """Outline (and bring forward) the part of the window the step is about, while the lesson is open.

        On the canvas, the block the step's check names, once it is there (``Step.layer``).
        """
        if self.highlight is not None:
            self.highlight.remove()
            self.highlight = None
        if step is None or step.target is None or not self.isVisible():
            return
        if step.target == "canvas":
            self.highlight = on_canvas(self.window_.canvas, step.layer)
            return
        dock = self._dock(step.target)
        if dock is None:
            return
        dock.show()
        dock.raise_()
        self.highlight = around(dock)


def _opened() -> list[str]:
    """The teacher's lesson files and folders opened before."""
    return settings.read_list("lessons/opened")


def key(lesson: lessons.Lesson) -> str:
    """Where a lesson's progress is kept: its id, and for a teacher's file also the file's name."""
    if not lesson.source:
        return lesson.id
    from pathlib import Path

    return f"{lesson.id}@{Path(lesson.source).stem}"


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
    open_file = QAction(QCoreApplication.translate("LessonPanel", "Open &Lesson…"), window)
    open_file.setObjectName("action_open_lesson")
    open_file.setStatusTip(QCoreApplication.translate("LessonPanel", "Follow a lesson file a teacher wrote"))
    open_file.triggered.connect(lambda: _ask_and_open(window, panel, open_lessons, folder=False))
    open_folder = QAction(QCoreApplication.translate("LessonPanel", "Open Lesson &Folder…"), window)
    open_folder.setObjectName("action_open_lesson_folder")
    open_folder.setStatusTip(QCoreApplication.translate("LessonPanel", "Add every lesson file in a folder"))
    open_folder.triggered.connect(lambda: _ask_and_open(window, panel, open_lessons, folder=True))
    window.menu("File").addActions([open_file, open_folder])
    help_menu = window.menu("Help")
    help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, action)
    dock.hide()
    window.lesson_panel = panel
    QTimer.singleShot(0, panel.watch)  # after the other panels are installed
    return dock


def _ask_and_open(window, panel: LessonPanel, show, folder: bool) -> None:
    """File ▸ Open Lesson (a file) or Open Lesson Folder: into the chooser, or a message naming the problem."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    translate = QCoreApplication.translate
    if folder:
        path = QFileDialog.getExistingDirectory(window, translate("LessonPanel", "Open a folder of lessons"))
    else:
        path, _ = QFileDialog.getOpenFileName(window, translate("LessonPanel", "Open a lesson"), "",
                                              translate("LessonPanel", "Lessons (*.json)"))
    if not path:
        return
    try:
        panel.add_lessons(path)
    except lessons.LessonError as exc:
        QMessageBox.warning(window, translate("LessonPanel", "Cannot open the lesson"), str(exc))
        return
    show()
