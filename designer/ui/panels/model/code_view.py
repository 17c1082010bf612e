"""The code view: the PyTorch code of the current graph, in the export's class style, updated as you edit.

Selecting a block highlights the lines that create and apply its layer; a
click on such a line selects the block. Inside a block's definition the lines
are those of the block's class (``class BasicBlock``), the one every instance runs. While the graph has an error the
last valid code stays, greyed, under a line naming the problem.
"""

from __future__ import annotations

import keyword
import re

from PySide6.QtCore import QCoreApplication, QRegularExpression, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from designer.core import codegen, codemap
from designer.ml.export import notebook as notebooks

DELAY_MS = 150  # edits in quick succession (typing a number) regenerate once


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, strings, numbers and comments, enough to read the code at a glance."""

    RULES = [(r"\b(" + "|".join(keyword.kwlist) + r")\b", _format("#6a1b9a", bold=True)),
             (r"\b\d+(\.\d+)?\b", _format("#00695c")),
             (r"\"[^\"]*\"|'[^']*'", _format("#2e7d32")),
             (r"#[^\n]*", _format("#78909c", italic=True))]

    def __init__(self, document):
        super().__init__(document)
        self.rules = [(QRegularExpression(p), f) for p, f in self.RULES]

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), fmt)


class CodeEditor(QPlainTextEdit):
    """Read-only code whose lines can be clicked."""

    def __init__(self, on_line, parent: QWidget | None = None):
        super().__init__(parent)
        self.on_line = on_line
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(mono)
        self.highlighter = PythonHighlighter(self.document())

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            self.on_line(self.cursorForPosition(event.position().toPoint()).blockNumber())


class CodeView(QWidget):
    """The graph's code, following the document."""

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("codeView")
        self.document = document
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #c62828")
        self.status.hide()
        self.editor = CodeEditor(self._line_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.editor, 1)
        self.lines: dict[str, list[int]] = {}  # the lines of the nodes of the graph shown (codemap)
        self._lines_for: tuple | None = None  # (source, level) self.lines was mapped for
        self.source = ""
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.regenerate)
        self._stale = True
        document.changed.connect(self._changed)
        document.selection_changed.connect(lambda _: self.highlight())
        document.level_changed.connect(self.highlight)

    def _changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.regenerate()

    def regenerate(self) -> None:
        """Write the code for the graph as it is now."""
        self.timer.stop()
        self._stale = False
        try:
            source = codegen.generate(self.document.project, "class")
        except codegen.CodegenError as exc:
            self.status.setText(str(exc).splitlines()[0] + " " + " ".join(
                f"{label}: {message}" for _, label, message in exc.errors[:2]) +
                ("  " + self.tr("(the code below is from before)") if self.source else ""))
            self.status.show()
            self.editor.setStyleSheet("color: #90a4ae")
            return
        self.status.hide()
        self.editor.setStyleSheet("")
        if source != self.source:
            scroll = self.editor.verticalScrollBar().value()
            self.source = source
            self.editor.setPlainText(source)
            self.editor.verticalScrollBar().setValue(scroll)
        self.highlight()

    def _map_lines(self) -> None:
        """Map the nodes of the graph shown to their lines: ``Net``'s, or inside a block its class's."""
        doc = self.document
        key = (self.source, tuple(doc.level))
        if key == self._lines_for:
            return
        self._lines_for = key
        titles = doc.level_titles() if doc.level else []
        self.lines = (codemap.block_lines(self.source, doc.graph, titles[-1]) if titles else
                      codemap.node_lines(self.source, doc.graph))

    def highlight(self) -> None:
        """Mark the selected block's lines and bring the first into view (inside a block with nothing selected:
        the block's class)."""
        self._map_lines()
        numbers = self.lines.get(self.document.selected, [])
        selections = []
        for number in numbers:
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(QColor("#fff3c4"))
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(self.editor.document().findBlockByNumber(number))
            selections.append(selection)
        self.editor.setExtraSelections(selections)
        first = numbers[0] if numbers else self._class_line()
        if first is not None:
            self.editor.setTextCursor(QTextCursor(self.editor.document().findBlockByNumber(first)))
            self.editor.centerCursor()

    def _class_line(self) -> int | None:
        """Inside a block: the line ``class BasicBlock(nn.Module):`` of the definition shown."""
        if not self.document.level:
            return None
        name = codemap.class_name(self.document.graph, self.document.level_titles()[-1])
        header = f"class {name}("
        return next((n for n, line in enumerate(self.source.splitlines()) if line.startswith(header)), None)

    def highlighted_lines(self) -> list[int]:
        return [s.cursor.blockNumber() for s in self.editor.extraSelections()]

    def _line_clicked(self, line: int) -> None:
        self._map_lines()
        node_id = codemap.line_owner(self.lines, line)
        if node_id is not None:
            self.document.select(node_id)


def export_notebook(window, path: str | None = None) -> bool:
    """File ▸ Export Notebook…: the project as a notebook in the tutorial's order."""
    translate = QCoreApplication.translate
    if path is None:
        start = re.sub(r"[^\w.-]+", "_", window.document.project.name or "model") + ".ipynb"
        if window.document.path is not None:
            start = str(window.document.path.with_suffix("").with_suffix(".ipynb"))
        path, _ = QFileDialog.getSaveFileName(window, translate("CodeView", "Export as a Jupyter notebook"), start,
                                              translate("CodeView", "Jupyter notebooks (*.ipynb)"))
        if not path:
            return False
    try:
        notebooks.write(window.document.project, path)
    except codegen.CodegenError as exc:
        QMessageBox.warning(window, translate("CodeView", "Export notebook"), str(exc))
        return False
    except OSError as exc:
        QMessageBox.warning(window, translate("CodeView", "Export notebook"),
                            translate("CodeView", "{file} could not be written: {error}").format(
                                file=path, error=exc.strerror or exc))
        return False
    window.statusBar().showMessage(translate("CodeView", "Wrote {file}: run it top to bottom in Jupyter.").format(
        file=path), 5000)
    return True


def install(window) -> None:
    """The Code dock, and File ▸ Export Notebook… after Export…."""
    from PySide6.QtGui import QAction

    window.add_dock("Code", CodeView(window.document), Qt.DockWidgetArea.RightDockWidgetArea)
    menu = window.menu("File")
    translate = QCoreApplication.translate
    action = QAction(translate("CodeView", "Export Note&book…"), window)
    action.setObjectName("action_export_notebook")
    action.setStatusTip(translate("CodeView", "Write the model, the data, the training loop and an evaluation as "
                                              "a Jupyter notebook"))
    action.triggered.connect(lambda: export_notebook(window))
    actions = menu.actions()
    after = next((i for i, a in enumerate(actions) if a.objectName() == "action_export"), None)
    if after is not None and after + 1 < len(actions):
        menu.insertAction(actions[after + 1], action)
    else:
        menu.addAction(action)
