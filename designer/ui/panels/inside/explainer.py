"""Explain: how the selected Conv2d, ConvTranspose2d or pooling layer computes, on the pad's drawing.

The picture (drawn by ``designer.ml.explain.frames``, the same frames the GIF
export writes) shows the layer's input for the drawing with its padding, the
window sliding with its stride and dilation, the output cell it fills and
that cell's numbers. Play, pause, step and speed drive it; clicking an
output cell jumps there. The what-if editors change kernel_size, stride,
padding and dilation for the picture only; Apply makes them one undoable
edit of the model. The forward runs on a worker thread; torch is imported on
first use, not with the window.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from designer.core import layers
from designer.ui.background import Latest
from designer.ui.canvas import levels
from designer.ui.panels.inside.frame_view import FrameView, numbers_html
from designer.ui.panels.inside.what_if import WhatIf


class ExplainerPanel(WhatIf, QWidget):
    """The selected layer's computation, step by step, with what-if settings.

    The layer's input comes from a forward of the pad's model on a worker thread;
    ``shown`` says when the picture (or a note saying why there is none) is up to date.
    """

    shown = Signal()

    def __init__(self, tryout, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("explainer")
        self.tryout = tryout
        self.document = tryout.document
        self.node_id: str | None = None  # in the graph shown (inside a block, the definition's own id)
        self.path: tuple[str, ...] | None = None  # from the model's instance down to the layer explained
        self.explainer = None
        self.renderer = None
        self.step = 0
        self.changes: dict = {}  # what-if settings not yet applied
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.view = FrameView()
        self.view.cell_clicked.connect(self._cell_clicked)

        self.back_button = QPushButton("◀ " + self.tr("Step"))
        self.play_button = QPushButton("▶ " + self.tr("Play"))
        self.play_button.setCheckable(True)
        self.step_button = QPushButton(self.tr("Step") + " ▶")
        self.back_button.clicked.connect(lambda: self.go_to(self.step - 1))
        self.step_button.clicked.connect(lambda: self.go_to(self.step + 1))
        self.play_button.toggled.connect(self._play_toggled)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 30)
        self.speed.setValue(8)
        self.speed.setToolTip(self.tr("Steps per second"))
        self.speed.setMaximumWidth(160)
        self.speed.valueChanged.connect(self._speed_changed)
        self.out_channel = QSpinBox()
        self.out_channel.setPrefix(self.tr("output channel "))
        self.out_channel.valueChanged.connect(self._channel_changed)
        self.in_channel = QComboBox()
        self.in_channel.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.in_channel.setMinimumContentsLength(8)
        self.in_channel.setToolTip(self.tr("The input channel to show, or the sum over every channel this output "
                                            "sees"))
        self.in_channel.currentIndexChanged.connect(lambda _: self.show_frame())
        self.gif_button = QPushButton(self.tr("Export GIF…"))
        self.gif_button.clicked.connect(self.export_gif)
        # The what-if column beside the numbers, or (narrow, e.g. a projector's zoom) shown on demand below them.
        self.what_if_button = QPushButton(self.tr("What if…"))
        self.what_if_button.setCheckable(True)
        self.what_if_button.toggled.connect(self._show_what_if)
        steps, channels = QHBoxLayout(), QHBoxLayout()
        self.speed_label = QLabel(self.tr("speed"))  # narrow: only the slider, with its tooltip
        for widget in (self.back_button, self.play_button, self.step_button, self.speed_label, self.speed,
                       self.what_if_button):
            steps.addWidget(widget)
        channels.addWidget(self.out_channel)
        channels.addWidget(self.in_channel, 1)  # as wide as the row allows: "input channels 0–5, summed"
        channels.addWidget(self.gif_button)
        self.controls = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # one row, or two when narrow
        self.controls.addLayout(steps)
        self.controls.addLayout(channels)

        self.editors: dict = {}  # key -> PairEditor (what_if)
        self.what_if_form = QFormLayout()
        what_if = QWidget()
        what_if.setLayout(self.what_if_form)
        self.formula = QLabel()
        self.formula.setObjectName("explainFormula")
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setWordWrap(True)
        self.apply_button = QPushButton(self.tr("Apply to the model"))
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_button.clicked.connect(self.reset_what_if)
        self.what_if_box = QWidget()
        side = QVBoxLayout(self.what_if_box)
        side.setContentsMargins(0, 0, 0, 0)
        what_if_title = QLabel(self.tr("<b>What if…</b> (the model stays as it is until you apply)"))
        what_if_title.setWordWrap(True)
        side.addWidget(what_if_title)
        side.addWidget(what_if)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.reset_button)
        side.addLayout(buttons)
        side.addStretch(1)
        # The cell's numbers in the app's font, beside the picture: readable however small the picture is drawn.
        self.numbers = QLabel()
        self.numbers.setObjectName("explainNumbers")
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.numbers.setWordWrap(True)
        self.numbers.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.numbers.setMinimumWidth(180)
        self.body = QGridLayout()
        self.body.addWidget(self.view, 0, 0)
        numbers = QVBoxLayout()  # the cell's numbers, then the layer's size formula
        numbers.addWidget(self.numbers)
        numbers.addWidget(self.formula)
        numbers.addStretch(1)
        self.body.addLayout(numbers, 0, 1)
        self.body.setColumnStretch(0, 1)
        self.body.setColumnStretch(1, 1)
        self.wide: bool | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.body, 1)
        layout.addLayout(self.controls)
        self._lay_out(wide=True)

        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.go_to(self.step + 1))
        self._speed_changed(self.speed.value())
        self._stale = True
        self._jobs = Latest(self)  # the newest selection, settings and drawing win
        self.document.selection_changed.connect(self._selection_changed)
        self.document.changed.connect(self._invalidate)
        tryout.result_ready.connect(self._invalidate)
        tryout.model_changed.connect(self._invalidate)
        tryout.model_ready.connect(self._invalidate)
        self._show_note(self.tr("Select a Conv2d, ConvTranspose2d, MaxPool2d or AvgPool2d block and draw a digit on "
                                 "the pad."))

    @property
    def busy(self) -> bool:
        """A forward for the picture (or the pad's model) is in flight."""
        return self._jobs.busy or self.tryout.busy

    # layout -----------------------------------------------------------------------
    def _lay_out(self, wide: bool) -> None:
        """Wide: picture, numbers and what-if side by side, the controls in one row. Narrow: the what-if column
        below the numbers when asked for (What if…), the controls in two rows."""
        if wide == self.wide:
            return
        self.wide = wide
        self.body.removeWidget(self.what_if_box)
        if wide:
            self.body.addWidget(self.what_if_box, 0, 2)
        else:
            self.body.addWidget(self.what_if_box, 1, 0, 1, 2)
        self._show_what_if()
        self.what_if_button.setVisible(not wide)
        self.speed_label.setVisible(wide)
        self.controls.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        self.layout().activate()

    def _show_what_if(self, *_args) -> None:
        """The what-if column and the size formula: always when wide, on demand when narrow."""
        shown = bool(self.wide) or self.what_if_button.isChecked()
        self.what_if_box.setVisible(shown)
        self.formula.setVisible(shown)

    def _wide_width(self) -> int:
        """The width the one-row layout needs (it grows with the font)."""
        columns = (self.view.minimumWidth() + self.numbers.minimumWidth()
                   + self.what_if_box.minimumSizeHint().width())
        controls = sum(self.controls.itemAt(i).minimumSize().width() for i in range(self.controls.count()))
        return max(columns, controls) + 40

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._lay_out(wide=event.size().width() >= self._wide_width())

    # what is shown ----------------------------------------------------------------
    def _selection_changed(self, _node_id) -> None:
        self.changes = {}
        self.step = 0
        self._build_editors(self.document.selection())
        self._invalidate()

    def _invalidate(self, *args) -> None:
        self._stale = True
        self._jobs.discard()  # a forward on the settings, model or drawing of before
        if self.isVisible():
            self.rebuild()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.rebuild()

    def rebuild(self) -> None:
        """Compute the explainer for the selection, the drawing and the what-if settings."""
        self._stale = False
        self.explainer = self.renderer = None
        doc = self.document
        self.apply_button.setEnabled(bool(self.changes) and not doc.locked)
        chosen = doc.selection()  # inside a block: the layer of the instance entered through
        if chosen is None or chosen.node.type not in layers.EXPLAINABLE:
            self.node_id = self.path = None
            return self._show_note(self.tr("Select a Conv2d, ConvTranspose2d, MaxPool2d or AvgPool2d block to see "
                                           "how it computes."))
        if chosen.path != self.path:
            self._build_editors(chosen)
        elif not self.changes:
            self._show_settings()  # after an undo or an inspector edit
        node, name = chosen.node, chosen.name
        tryout = self.tryout
        if tryout.last is None or tryout.last.empty:
            return self._show_note(self.tr("{name}: draw a digit on the pad to see {type} compute on it.").format(
                name=name, type=node.type) + _which(chosen))
        if tryout.needs_build() or tryout.current() is None:
            tryout.request_model()  # after an edit: the new model's answer (result_ready) brings us back
            return
        if tryout.model is None:
            return self._show_note(self.tr("{name}: the model cannot run yet: {problem}").format(
                name=name, problem=tryout.status()[1]))
        self._jobs.request(lambda: self._prepare(chosen), self._explained)

    def _prepare(self, chosen):
        """The forward for the explainer, on a worker thread, on the model and drawing of this moment."""
        tryout, changes = self.tryout, dict(self.changes)
        model, graph, result, path = tryout.model, tryout.graph, tryout.current(), list(self.document.shapes.path)
        node_id, inner = chosen.path[0], chosen.path[1:]
        if model is None or result is None or node_id not in graph.nodes:
            return None

        def work():
            from designer.ml.explain.numbers import ExplainError, for_node
            from designer.ui.panels.tryit.tryout import one_core_left

            with tryout.lock, one_core_left():  # the pad's forward hooks share the model
                try:
                    # A fresh forward, not the pad's capture: the what-if settings change it.
                    return chosen, for_node(graph, path, model, result.tensor, node_id, changes, inner)
                except ExplainError as exc:
                    return chosen, exc

        return work

    def _explained(self, found) -> None:
        from designer.ml.explain.frames import Renderer
        from designer.ml.explain.numbers import ExplainError

        chosen, explainer = found
        node, name = chosen.node, chosen.name
        if isinstance(explainer, ExplainError):
            self.formula.setText(f"<span style='color:#c62828'>{explainer}</span>")
            self.apply_button.setEnabled(False)  # settings the layer cannot run with
            return self._show_note(f"{name}: {explainer}" + _which(chosen), keep_formula=True)
        self.explainer, self.renderer = explainer, Renderer(explainer, name)
        self.out_channel.blockSignals(True)
        self.out_channel.setRange(0, explainer.out_shape[0] - 1)
        self.out_channel.blockSignals(False)
        self._fill_channels()
        model_shape = chosen.result.out_shape if chosen.result is not None else explainer.out_shape
        shape = "×".join(map(str, explainer.out_shape))
        output = self.tr("output {shape}").format(shape=shape) if not self.changes else \
            self.tr("output {shape} (the model's: {model_shape})").format(
                shape=shape, model_shape="×".join(map(str, model_shape)))
        weights = "" if explainer.weight is not None or node.type in ("MaxPool2d", "AvgPool2d") else \
            "<br><i>" + self.tr("A what-if kernel size has no weights yet: the picture shows where the window "
                                "goes.") + "</i>"
        # Monospace that still wraps in a narrow dock (a <pre> would widen the panel).
        formula = html.escape(explainer.formula).replace("\n", "<br>")
        self.formula.setText(f"<p style='font-family: monospace; white-space: pre-wrap'>{formula}</p>{output}{weights}")
        header = (self.tr("{name} · {type} on your drawing, trained weights. Step through the output cells, or "
                          "click one.") if self.tryout.trained else
                  self.tr("{name} · {type} on your drawing, untrained (random) weights. Step through the output "
                          "cells, or click one."))
        self.header.setText(header.format(name=name, type=node.type) + _which(chosen))
        self.step = min(self.step, explainer.steps - 1)
        self.show_frame()
        self.shown.emit()

    def _show_note(self, text: str, keep_formula: bool = False) -> None:
        self._jobs.discard()
        self.header.setText(text)
        self.view.set_frame(None, None)
        self.numbers.setText("")
        if not keep_formula:
            self.formula.setText("")
        for widget in (self.back_button, self.play_button, self.step_button, self.gif_button):
            widget.setEnabled(False)
        self.play_button.setChecked(False)
        self.shown.emit()

    def _fill_channels(self) -> None:
        channels = self.explainer.input_channels(self.out_channel.value())
        wanted = self.in_channel.currentData()
        self.in_channel.blockSignals(True)
        self.in_channel.clear()
        if len(channels) > 1:
            self.in_channel.addItem(self.tr("input channels {first}–{last}, summed").format(
                first=channels.start, last=channels.stop - 1), None)
        for c in channels:
            self.in_channel.addItem(self.tr("input channel {channel}").format(channel=c), c)
        index = self.in_channel.findData(wanted)
        self.in_channel.setCurrentIndex(max(index, 0))
        self.in_channel.blockSignals(False)

    def show_frame(self) -> None:
        if self.renderer is None:
            return
        out_channel, channel = self.out_channel.value(), self.in_channel.currentData()
        image, info = self.renderer.frame(self.step, out_channel, channel, text=False)
        heading, grid, lines = self.renderer.numbers(self.step, out_channel, channel)
        self.view.setToolTip(heading)  # which channels the picture shows
        self.numbers.setText(numbers_html(grid, lines))
        rgb = image.convert("RGB")
        qimage = QImage(rgb.tobytes(), rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()
        self.view.set_frame(qimage, info)
        for widget in (self.back_button, self.play_button, self.step_button, self.gif_button):
            widget.setEnabled(True)

    # animation --------------------------------------------------------------------
    def go_to(self, step: int) -> None:
        if self.explainer is None:
            return
        self.step = step % self.explainer.steps
        self.show_frame()

    def _play_toggled(self, playing: bool) -> None:
        self.play_button.setText("❚❚ " + self.tr("Pause") if playing else "▶ " + self.tr("Play"))
        if playing:
            self.timer.start()
        else:
            self.timer.stop()

    def _speed_changed(self, per_second: int) -> None:
        self.timer.setInterval(max(1, round(1000 / per_second)))

    def _channel_changed(self, _value: int) -> None:
        if self.explainer is not None:
            self._fill_channels()
            self.show_frame()

    def _cell_clicked(self, row: int, col: int) -> None:
        ex = self.explainer
        if ex is None:
            return
        rows, cols = ex.in_shape[1:] if ex.type == "ConvTranspose2d" else ex.out_shape[1:]
        if ex.type != "ConvTranspose2d" and 0 <= row < rows and 0 <= col < cols:
            self.go_to(row * cols + col)

    # GIF --------------------------------------------------------------------------
    def export_gif(self, path: str | None = None) -> None:
        if self.renderer is None:
            return
        if path is None:
            chosen = self.document.selection()
            name = chosen.name if chosen is not None else "layer"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the animation as a GIF"), f"{name}.gif",
                                                  self.tr("GIF images (*.gif)"))
            if not path:
                return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            frames = self.renderer.save_gif(path, self.out_channel.value(), self.in_channel.currentData())
            wrote = self.tr("Wrote {file}: 1 frame.") if frames == 1 else self.tr("Wrote {file}: {frames} frames.")
            self.header.setText(wrote.format(file=path, frames=frames))
        except OSError as exc:
            self.header.setText(self.tr("Could not write {file}: {error}").format(file=path,
                                                                                   error=exc.strerror or exc))
        finally:
            QGuiApplication.restoreOverrideCursor()


def _which(chosen) -> str:
    """Inside a block: a line saying which instance's layer is shown (the definition may be used many times)."""
    note = levels.instance_note(chosen)
    return "\n" + note if note else ""


def install(window) -> None:
    """Dock the explainer next to Look inside; it shares the pad's model and drawing."""
    from designer.ui.panels.tryit.tryout import Tryout

    tryout = window.findChild(Tryout)
    panel = ExplainerPanel(tryout)
    dock = window.add_dock("Explain", panel, Qt.DockWidgetArea.BottomDockWidgetArea)

    def room(visible: bool) -> None:
        """Brought forward in a short bottom area: grow it to half the window, room for the numbers of a 7×7
        kernel and the controls (the canvas keeps the other half)."""
        if not visible or dock.isFloating() or not window.isVisible():
            return
        wanted = window.height() // 2
        if dock.height() < wanted:
            window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    dock.visibilityChanged.connect(room)
