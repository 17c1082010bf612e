"""Frames of the convolution explainer, drawn with Pillow: one picture for the view, the GIF and the CLI.

A frame shows the input with its padding as a tinted border, the window's
taps (dilation leaves gaps between them) inside its outline, the output with
the cells filled so far and the current one marked, the current cell's
numbers and the output-size formula with this layer's numbers. Frames are
palette images, so a GIF needs no colour quantisation.

Chinese text needs a CJK font, looked for at run time; without one a frame is
drawn in English (Pillow's bundled font has no Chinese glyphs).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from designer.core import i18n
from designer.core.i18n import _, ngettext
from designer.core.project import write_atomic
from designer.ml.explain.numbers import ExplainError, Explainer

GREYS = 200  # palette 0..199: black to white
BACKGROUND, TEXT, WINDOW, PAD, FILLED_EDGE, POSITIVE, NEGATIVE, EMPTY, OUTSIDE, GRID, EXTRA, CURRENT = range(200, 212)
PALETTE = [v for i in range(GREYS) for v in (round(i * 255 / (GREYS - 1)),) * 3] + [
    255, 255, 255,  # background
    33, 33, 33,  # text
    229, 57, 53,  # window
    255, 204, 128,  # padding
    66, 165, 245,  # edges of filled output cells
    21, 101, 192,  # positive numbers
    198, 40, 40,  # negative numbers
    236, 239, 241,  # an output cell not filled yet
    176, 190, 197,  # past the padded input (ceil mode)
    207, 216, 220,  # grid lines
    102, 187, 106,  # output_padding
    255, 235, 59,  # the current cell
]
MARGIN, GAP, PANEL = 12, 28, 336  # pixels; PANEL: the largest side of a grid
MAX_FRAMES = 120
MAX_NUMBERS = 7  # kernels up to 7×7 show each product; larger ones show only the sum
# Where Simplified Chinese fonts usually are when fontconfig cannot say: (file, face index in a collection).
CJK_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
)


@dataclass
class Layout:
    """Where the grids are on a frame, to map a click back to a cell."""

    input_origin: tuple[int, int]
    input_cell: int
    output_origin: tuple[int, int]
    output_cell: int
    output_offset: tuple[int, int]  # output cells before the first kept one (a transpose's cropped border)

    def output_cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        col = int((x - self.output_origin[0]) // self.output_cell) - self.output_offset[1]
        row = int((y - self.output_origin[1]) // self.output_cell) - self.output_offset[0]
        return (row, col) if x >= self.output_origin[0] and y >= self.output_origin[1] else None


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int] | None:
    """A font file with Simplified Chinese glyphs and its face index, or None when there is none.

    fontconfig's best match for Chinese counts only if it really covers zh-cn (it always answers something).
    """
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{lang}", "sans-serif:lang=zh-cn"],
                                   capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            found = ""
        parts = found.split("|")
        if len(parts) >= 3 and "zh-cn" in parts[2:] and Path(parts[0]).is_file():
            return parts[0], int(parts[1] or 0)
    for path, index in CJK_FONTS:
        if Path(path).is_file():
            return path, index
    return None


def _draws_chinese() -> bool:
    return i18n.language() == i18n.CHINESE and cjk_font() is not None


@contextmanager
def _in_english():
    """English messages for a while: a Chinese frame without a CJK font would show empty boxes.

    Frames are drawn on the UI thread (or by the command), so the switch is seen by nothing else.
    """
    was = i18n.language()
    i18n.set_language(i18n.ENGLISH)
    try:
        yield
    finally:
        i18n.set_language(was)


class _Glyphs:
    """A font, one bitmap per character, written straight into a frame's index array.

    Pillow's bundled font, or a CJK font for Chinese. Rendering each string with FreeType took most of a
    frame's time; characters repeat from frame to frame.
    """

    def __init__(self, size: int, chinese: bool = False):
        if chinese:
            path, index = cjk_font()
            self.font = ImageFont.truetype(path, size, index=index)
        else:
            self.font = ImageFont.load_default(size=size)
        ascent, descent = self.font.getmetrics()
        self.height = ascent + descent
        self.cache: dict[str, tuple[np.ndarray, float]] = {}

    def _glyph(self, char: str) -> tuple[np.ndarray, float]:
        if char not in self.cache:
            advance = self.font.getlength(char)
            canvas = Image.new("L", (max(1, int(advance) + 2), self.height))
            ImageDraw.Draw(canvas).text((0, 0), char, fill=255, font=self.font)
            self.cache[char] = (np.asarray(canvas) > 110, advance)
        return self.cache[char]

    def write(self, canvas: np.ndarray, x: float, y: int, text: str, colour: int) -> None:
        for char in _plain(text):
            mask, advance = self._glyph(char)
            left = int(round(x))
            h, w = mask.shape
            h, w = min(h, canvas.shape[0] - y), min(w, canvas.shape[1] - left)
            if h <= 0 or w <= 0:
                return
            canvas[y:y + h, left:left + w][mask[:h, :w]] = colour
            x += advance


_FONTS: dict[tuple[int, bool], _Glyphs] = {}


def _font(size: int) -> _Glyphs:
    key = (size, _draws_chinese())
    if key not in _FONTS:
        _FONTS[key] = _Glyphs(*key)
    return _FONTS[key]


def _greys(values: np.ndarray, low: float, high: float) -> np.ndarray:
    span = high - low if high > low else 1.0
    return np.clip((values - low) / span * (GREYS - 1) + 0.5, 0, GREYS - 1).astype(np.uint8)


def _grid(indices: np.ndarray, cell: int) -> np.ndarray:
    """Palette indices, one per cell, blown up to ``cell`` pixels with a one-pixel grid line."""
    big = np.repeat(np.repeat(indices, cell, axis=0), cell, axis=1)
    if cell >= 6:
        big[::cell, :] = GRID
        big[:, ::cell] = GRID
    return big


class Renderer:
    """Draws frames of one Explainer; the input picture is computed once per channel choice."""

    def __init__(self, explainer: Explainer, title: str = ""):
        self.ex = explainer
        self.title = title
        self.output = explainer.output()
        self._inputs: dict = {}

    def _input_indices(self, channels: range, channel: int | None) -> np.ndarray:
        key = (channels.start, channels.stop, channel)
        if key not in self._inputs:
            ex = self.ex
            padded = ex.padded[channels.start:channels.stop] if channel is None else ex.padded[channel:channel + 1]
            shown = np.nan_to_num(padded, nan=0.0, neginf=0.0).sum(axis=0)
            h, w = ex.in_shape[1:]
            (top, left) = ex.before
            image = shown[top:top + h, left:left + w]
            indices = _greys(shown, float(image.min()), float(image.max()))
            border = np.ones(shown.shape, bool)
            border[top:top + h, left:left + w] = False
            if ex.p.get("padding_mode", "zeros") == "zeros":  # other modes show the values they copy in
                indices[border] = PAD
            indices[np.isnan(padded).any(axis=0)] = OUTSIDE
            self._inputs[key] = indices
        return self._inputs[key]

    def frame(self, step: int, out_channel: int = 0, channel: int | None = None,
              text: bool = True) -> tuple[Image.Image, Layout]:
        """The picture at ``step``; ``channel`` None shows the sum over the channels the output channel sees.

        Its text is in the current language, or in English when that is Chinese and no CJK font is found.
        Without ``text`` only the grids are drawn: the app shows the heading and the numbers (``numbers``) in
        its own fonts, readable at any size of the picture.
        """
        english = i18n.language() == i18n.CHINESE and cjk_font() is None
        with _in_english() if english else nullcontext():
            return self._frame(step, out_channel, channel, text)

    def numbers(self, step: int, out_channel: int = 0, channel: int | None = None) -> tuple[str, np.ndarray | None,
                                                                                          list[str]]:
        """What a frame writes under its grids: the heading, the grid of products (or stamped values; None when
        there is none) and the lines of the sum, then the formula."""
        ex = self.ex
        out_channel = min(max(out_channel, 0), ex.out_shape[0] - 1)
        channels = ex.input_channels(out_channel)
        if channel is not None and channel not in channels:
            channel = None
        grid, lines = self._numbers(out_channel, channel, *ex.position(step))
        if grid is not None and max(grid.shape) > MAX_NUMBERS:
            grid = None
        return self._heading(out_channel, channels, channel), grid, lines + [""] + ex.formula.split("\n")

    def _frame(self, step: int, out_channel: int, channel: int | None,
               text: bool = True) -> tuple[Image.Image, Layout]:
        ex = self.ex
        out_channel = min(max(out_channel, 0), ex.out_shape[0] - 1)
        channels = ex.input_channels(out_channel)
        if channel is not None and channel not in channels:
            channel = None
        transpose = ex.type == "ConvTranspose2d"
        i, j = ex.position(step)
        in_idx = self._input_indices(channels, channel)
        out_rows, out_cols = ex.full_shape if transpose else ex.out_shape[1:]
        in_cell = max(3, min(24, PANEL // max(in_idx.shape)))
        out_cell = max(3, min(24, PANEL // max(out_rows, out_cols)))
        top = MARGIN + 22 if text else MARGIN
        in_origin = (MARGIN, top)
        out_origin = (MARGIN + in_idx.shape[1] * in_cell + GAP, top)
        grids_h = max(in_idx.shape[0] * in_cell, out_rows * out_cell)
        numbers_top = top + grids_h + 14
        width = max(out_origin[0] + out_cols * out_cell + MARGIN, 760 if text else 0)
        height = numbers_top + 150 + 16 * ex.formula.count("\n") if text else top + grids_h + MARGIN
        canvas = np.full((height, width), BACKGROUND, np.uint8)
        ih, iw = in_idx.shape
        canvas[top:top + ih * in_cell, MARGIN:MARGIN + iw * in_cell] = _grid(in_idx, in_cell)
        out_idx, offset = self._output_indices(out_channel, step, out_rows, out_cols)
        ox = out_origin[0]
        canvas[top:top + out_rows * out_cell, ox:ox + out_cols * out_cell] = _grid(out_idx, out_cell)
        if text:
            _font(13).write(canvas, MARGIN, MARGIN, self._heading(out_channel, channels, channel), TEXT)
            self._draw_numbers(canvas, numbers_top, out_channel, channel, i, j)
        image = Image.frombuffer("P", (width, height), canvas.tobytes(), "raw", "P", 0, 1)
        image.putpalette(PALETTE)
        draw = ImageDraw.Draw(image)
        # The real image inside its padding.
        (pt, pl) = ex.before
        h, w = ex.in_shape[1:]
        draw.rectangle(self._box(in_origin, in_cell, pt, pl, pt + h - 1, pl + w - 1), outline=PAD, width=2)
        if transpose:
            pad, (oh, ow), op = ex.p["padding"], ex.out_shape[1:], ex.p["output_padding"]
            draw.rectangle(self._box(out_origin, out_cell, pad[0], pad[1], pad[0] + oh - 1, pad[1] + ow - 1),
                           outline=PAD, width=2)
            if op[0]:
                draw.rectangle(self._box(out_origin, out_cell, out_rows - op[0], 0, out_rows - 1, out_cols - 1),
                               outline=EXTRA, width=2)
            if op[1]:
                draw.rectangle(self._box(out_origin, out_cell, 0, out_cols - op[1], out_rows - 1, out_cols - 1),
                               outline=EXTRA, width=2)
            self._draw_scatter(draw, i, j, in_origin, in_cell, out_origin, out_cell)
        else:
            self._draw_window(draw, i, j, in_origin, in_cell, out_origin, out_cell)
        return image, Layout(in_origin, in_cell, out_origin, out_cell, offset)

    # pieces ---------------------------------------------------------------------------
    def _heading(self, out_channel: int, channels: range, channel: int | None) -> str:
        ex = self.ex
        if len(channels) == 1:
            text = _("{layer} · output channel {channel} of {count} sees input channel {input} · "
                     "output {height}×{width}")
        elif channel is not None:
            text = _("{layer} · output channel {channel} of {count} sees input channels {first}–{last}, "
                     "showing {input} · output {height}×{width}")
        else:
            text = _("{layer} · output channel {channel} of {count} sees input channels {first}–{last}, "
                     "shown summed · output {height}×{width}")
        text = text.format(layer=ex.type, channel=out_channel, count=ex.out_shape[0],
                           input=channels.start if channel is None else channel, first=channels.start,
                           last=channels.stop - 1, height=ex.out_shape[1], width=ex.out_shape[2])
        return f"{self.title} · {text}" if self.title else text

    def _output_indices(self, out_channel: int, step: int, rows: int, cols: int) -> tuple[np.ndarray, tuple]:
        ex = self.ex
        indices = np.full((rows, cols), EMPTY, np.uint8)
        if ex.type == "ConvTranspose2d":
            pad = ex.p["padding"]
            oh, ow = ex.out_shape[1:]
            if self.output is not None:
                # Everything stamped so far, as the partial sums torch would hold at this point.
                partial, touched = self._partial_scatter(out_channel, step)
                values = self.output[out_channel]
                indices[touched] = _greys(partial[touched], float(values.min()), float(values.max()))
            crop = np.ones((rows, cols), bool)
            crop[pad[0]:pad[0] + oh, pad[1]:pad[1] + ow] = False
            indices[crop & (indices == EMPTY)] = PAD
            op = ex.p["output_padding"]
            if op[0]:
                indices[rows - op[0]:, :][indices[rows - op[0]:, :] == EMPTY] = EXTRA
            if op[1]:
                indices[:, cols - op[1]:][indices[:, cols - op[1]:] == EMPTY] = EXTRA
            return indices, tuple(pad)
        done = min(step + 1, rows * cols)
        flat = indices.reshape(-1)
        if self.output is not None:
            values = self.output[out_channel]
            flat[:done] = _greys(values.reshape(-1)[:done], float(values.min()), float(values.max()))
        else:
            flat[:done] = GREYS * 3 // 4  # what-if kernel: no weights, only where the cells are
        return indices, (0, 0)

    def _partial_scatter(self, out_channel: int, step: int) -> np.ndarray:
        ex = self.ex
        rows, cols = ex.full_shape
        out = np.zeros((rows, cols))
        touched = np.zeros((rows, cols), bool)
        cout_g = ex.out_shape[0] // ex.groups
        group, local = divmod(out_channel, cout_g)
        share = ex.in_shape[0] // ex.groups
        x = ex.x.numpy()[group * share:(group + 1) * share]
        kernel = ex.weight[group * share:(group + 1) * share, local]
        (sh, sw), (dh, dw), (kh, kw) = ex.stride, ex.dilation, ex.kernel
        for s in range(min(step + 1, ex.steps)):
            i, j = ex.position(s)
            stamp = (x[:, i, j, None, None] * kernel).sum(axis=0)
            where = (slice(i * sh, i * sh + dh * (kh - 1) + 1, dh), slice(j * sw, j * sw + dw * (kw - 1) + 1, dw))
            out[where] += stamp
            touched[where] = True
        return out, touched

    @staticmethod
    def _box(origin, cell, r0, c0, r1, c1):
        return (origin[0] + c0 * cell, origin[1] + r0 * cell, origin[0] + (c1 + 1) * cell, origin[1] + (r1 + 1) * cell)

    def _draw_window(self, draw, i, j, in_origin, in_cell, out_origin, out_cell) -> None:
        taps = self.ex.taps(i, j)
        rows, cols = [t[0] for t in taps], [t[1] for t in taps]
        draw.rectangle(self._box(in_origin, in_cell, min(rows), min(cols), max(rows), max(cols)), outline=WINDOW)
        inset = max(1, in_cell // 5)
        for r, c in taps:
            x0, y0, x1, y1 = self._box(in_origin, in_cell, r, c, r, c)
            draw.rectangle((x0 + inset, y0 + inset, x1 - inset, y1 - inset), outline=WINDOW, width=2)
        draw.rectangle(self._box(out_origin, out_cell, i, j, i, j), outline=WINDOW, width=2)

    def _draw_scatter(self, draw, i, j, in_origin, in_cell, out_origin, out_cell) -> None:
        draw.rectangle(self._box(in_origin, in_cell, i, j, i, j), outline=WINDOW, width=2)
        stamp = self.ex.stamp(i, j)
        rows, cols = [t[0] for t in stamp], [t[1] for t in stamp]
        draw.rectangle(self._box(out_origin, out_cell, min(rows), min(cols), max(rows), max(cols)), outline=WINDOW)
        for r, c in stamp:
            draw.rectangle(self._box(out_origin, out_cell, r, c, r, c), outline=CURRENT, width=2)

    def _draw_numbers(self, canvas: np.ndarray, top: int, out_channel: int, channel: int | None, i: int, j: int) -> None:
        font, small = _font(13), _font(10)
        x = MARGIN
        grid, lines = self._numbers(out_channel, channel, i, j)
        if grid is not None and max(grid.shape) <= MAX_NUMBERS:
            size, pad = 46, _("pad")
            for (a, b), value in np.ndenumerate(grid):
                box = (x + b * size, top + a * 16)
                colour = TEXT if np.isnan(value) else (POSITIVE if value >= 0 else NEGATIVE)
                small.write(canvas, box[0], box[1], pad if np.isnan(value) else f"{value:.2f}", colour)
            x += grid.shape[1] * size + 16
        y = top
        for line in lines + [""] + self.ex.formula.split("\n"):
            font.write(canvas, x, y, line, TEXT)
            y += max(17, font.height)

    def _numbers(self, out_channel: int, channel: int | None, i: int, j: int) -> tuple[np.ndarray | None, list[str]]:
        """The grid of products (or stamped values) of output cell (i, j), and the lines saying its sum."""
        ex = self.ex
        lines: list[str] = []
        try:
            if ex.type == "ConvTranspose2d":
                value = float(ex.x[ex.input_channels(out_channel)[0] if channel is None else channel, i, j])
                grid = self._stamp_numbers(out_channel, channel, i, j)
                lines.append(_("input cell ({i}, {j}) = {value} stamps value × kernel into the output (yellow)")
                             .format(i=i, j=j, value=f"{value:.3f}"))
                lines.append(_("kept: inside the orange frame (padding {padding} is cut off); output_padding "
                               "{output_padding} adds the green rows").format(
                                 padding=_pair(ex.p["padding"]), output_padding=_pair(ex.p["output_padding"])))
            else:
                numbers = ex.cell(out_channel, i, j)
                grid = self._cell_grid(numbers, channel, out_channel)
                lines.append(self._sum_line(numbers, i, j))
        except ExplainError as exc:
            grid = None
            lines.append(_("output cell ({i}, {j}): {problem}").format(i=i, j=j, problem=exc))
        return grid, lines

    def _cell_grid(self, numbers, channel: int | None, out_channel: int) -> np.ndarray:
        products = numbers.products
        if channel is not None:
            products = products[channel - self.ex.input_channels(out_channel).start][None]
        with np.errstate(invalid="ignore"):
            finite = np.where(np.isfinite(products), products, np.nan)
            shown = finite.sum(axis=0)
            shown[np.isnan(finite).all(axis=0)] = np.nan
        return shown

    def _stamp_numbers(self, out_channel: int, channel: int | None, i: int, j: int) -> np.ndarray | None:
        ex = self.ex
        if ex.weight is None:
            return None
        cout_g = ex.out_shape[0] // ex.groups
        group, local = divmod(out_channel, cout_g)
        channels = ex.input_channels(out_channel)
        chosen = channels if channel is None else range(channel, channel + 1)
        x = ex.x.numpy()[chosen.start:chosen.stop, i, j]
        return (x[:, None, None] * ex.weight[chosen.start:chosen.stop, local]).sum(axis=0)

    def _sum_line(self, numbers, i: int, j: int) -> str:
        ex = self.ex
        taps = int(np.isfinite(numbers.inputs).sum())
        result, total = f"{numbers.result:.3f}", f"{numbers.total:.3f}"
        if ex.type == "MaxPool2d":
            return ngettext("output ({i}, {j}) = max of the {count} value in the window = {result}",
                            "output ({i}, {j}) = max of the {count} values in the window = {result}",
                            taps).format(i=i, j=j, count=taps, result=result)
        if ex.type == "AvgPool2d":
            return _("output ({i}, {j}) = sum {total} / {divisor} = {result}").format(
                i=i, j=j, total=total, divisor=numbers.divisor, result=result)
        return ngettext("output ({i}, {j}) = sum of {count} product {total} + bias {bias} = {result}",
                        "output ({i}, {j}) = sum of {count} products {total} + bias {bias} = {result}",
                        numbers.products.size).format(i=i, j=j, count=numbers.products.size, total=total,
                                                      bias=f"{numbers.bias:.3f}", result=result)

    # animation ------------------------------------------------------------------------
    def gif_steps(self) -> list[int]:
        """The steps a GIF shows: every one when few, else the first two rows cell by cell, then a row a frame."""
        steps = self.ex.steps
        if steps <= MAX_FRAMES:
            return list(range(steps))
        width = self.ex.in_shape[2] if self.ex.type == "ConvTranspose2d" else self.ex.out_shape[2]
        first = list(range(min(2 * width, MAX_FRAMES)))
        rest = list(range(first[-1] + width, steps, width))
        return first + rest + ([steps - 1] if rest and rest[-1] != steps - 1 else [])

    def save_gif(self, path, out_channel: int = 0, channel: int | None = None, frame_ms: int = 120) -> int:
        """Write the animation; returns the number of frames."""
        frames = [self.frame(step, out_channel, channel)[0] for step in self.gif_steps()]
        size = (max(f.width for f in frames), max(f.height for f in frames))
        frames = [f if f.size == size else _padded_to(f, size) for f in frames]
        buffer = io.BytesIO()
        frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=frame_ms, loop=0,
                       optimize=False, disposal=1)
        write_atomic(Path(path), buffer.getvalue())
        return len(frames)


def _pair(values) -> str:
    return f"{values[0]}×{values[1]}"


def _padded_to(frame: Image.Image, size: tuple[int, int]) -> Image.Image:
    out = Image.new("P", size, BACKGROUND)
    out.putpalette(PALETTE)
    out.paste(frame, (0, 0))
    return out


def _plain(text: str) -> str:
    """The formula's signs in the glyphs the bundled font has."""
    for fancy, plain in (("⌊", "floor("), ("⌋", ")"), ("⌈", "ceil("), ("⌉", ")"), ("−", "-"),
                         ("×", "x"), ("–", "-")):
        text = text.replace(fancy, plain)
    return text
