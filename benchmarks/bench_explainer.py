"""Convolution explainer figures: frame time and GIF export time on a 28×28 digit.

    python benchmarks/bench_explainer.py [--repeat 200]

1. Frame time: one explainer frame of LeNet's conv1 (5×5, padding 2, on 28×28),
   drawn and turned into the RGB bytes the view paints, median over every
   output cell. Goal <= 16 ms. Baseline in the same run: the same frame with
   every text line rendered by FreeType (Pillow's ImageDraw.text), the way
   a first version drew it.
2. GIF export: the whole animation of conv1 written as a GIF. Goal <= 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import ImageDraw  # noqa: E402

from designer.core.project import load  # noqa: E402
from designer.ml.explain import frames as explain_render  # noqa: E402
from designer.ml.build import seeded_model  # noqa: E402
from designer.ml.explain.numbers import for_node  # noqa: E402

LENET = Path(__file__).resolve().parents[1] / "designer" / "resources" / "examples" / "lenet-28.netproj.json"


def digit() -> torch.Tensor:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 5:23, 12:16] = 2.5  # a "1", normalised like MNIST ink
    x[0, 0, 5:8, 8:16] = 2.5
    return x


def frame_ms(renderer, steps) -> float:
    times = []
    for step in steps:
        start = time.perf_counter()
        image, _ = renderer.frame(step)
        image.convert("RGB").tobytes()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


class FreeTypeText(explain_render._Glyphs):
    """The baseline: every string through FreeType, as ImageDraw.text does it."""

    def write(self, canvas, x, y, text, colour):
        from PIL import Image

        image = Image.fromarray(canvas, "P")
        ImageDraw.Draw(image).text((x, y), text, fill=colour, font=self.font)
        canvas[:] = np.asarray(image)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    project = load(LENET)
    model = seeded_model(project.graph).eval()
    from designer.core.shapes import infer

    path = infer(project.graph).path
    explainer = for_node(project.graph, path, model, digit(), "n1")
    renderer = explain_render.Renderer(explainer, "conv1")
    steps = [s % explainer.steps for s in range(args.repeat)]
    frame_ms(renderer, steps[:10])  # warm the glyph cache
    fast = frame_ms(renderer, steps)
    explain_render._FONTS.clear()
    for size in (10, 13):
        explain_render._FONTS[size] = FreeTypeText(size)
    slow = frame_ms(renderer, steps[:max(20, args.repeat // 4)])
    explain_render._FONTS.clear()
    print(f"frame (conv1 on 28x28, draw + RGB bytes): median {fast:.1f} ms (goal <= 16 ms); "
          f"FreeType text per frame {slow:.1f} ms; ratio {slow / fast:.1f}x")
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        frames = renderer.save_gif(Path(folder) / "conv1.gif")
        seconds = time.perf_counter() - start
        size = (Path(folder) / "conv1.gif").stat().st_size
    print(f"GIF export: {frames} frames, {size / 1024:.0f} KiB in {seconds:.2f} s (goal <= 3 s); "
          f"{seconds * 1000 / frames:.1f} ms a frame, {seconds * 1000 / frames / fast:.2f}x a view frame")


if __name__ == "__main__":
    main()
