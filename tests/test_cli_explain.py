"""``explain FILE --weights W.pt --layer NAME --image IMG --out OUT.gif`` as a user runs it."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image, ImageDraw

from designer.cli import main
from designer.core.project import load
from designer.ml.build import build_model

ROOT = Path(__file__).resolve().parents[1]
LENET = ROOT / "designer" / "resources" / "examples" / "lenet-28.netproj.json"


def explain(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "explain", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("explain")
    torch.manual_seed(0)
    torch.save(build_model(load(LENET).graph).state_dict(), tmp / "w.pt")
    seven = Image.new("L", (120, 120))
    ImageDraw.Draw(seven).line([(20, 15), (100, 15), (50, 110)], fill=255, width=10)
    seven.save(tmp / "seven.png")
    return tmp


def test_explain_writes_an_animated_gif_of_the_window(files, capsys):
    out = files / "conv1.gif"
    result = explain(LENET, "--weights", files / "w.pt", "--layer", "conv1", "--image", files / "seven.png",
                     "--out", out)
    assert result.returncode == 0, result.stderr
    assert "conv1 (Conv2d)" in result.stdout and "frames" in result.stdout
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.n_frames > 28  # the first row cell by cell, then row by row
        first = gif.convert("RGB")
        gif.seek(5)
        assert gif.convert("RGB").tobytes() != first.tobytes()  # the window moved

    # A pooling layer's window, from the same command run in this process (the run above is the user's).
    assert main(["explain", str(LENET), "--weights", str(files / "w.pt"), "--layer", "pool2", "--image",
                 str(files / "seven.png"), "--out", str(files / "pool.gif"), "--channel", "15"]) == 0, \
        capsys.readouterr().err
    with Image.open(files / "pool.gif") as gif:
        assert gif.n_frames == 25  # 5×5 outputs, one frame each


def test_explain_names_what_is_wrong(files, capsys):
    def run(*args) -> tuple[int, str]:
        code = main(["explain", str(LENET), *map(str, args)])
        return code, capsys.readouterr().err

    common = ("--weights", files / "w.pt", "--image", files / "seven.png", "--out", files / "x.gif")
    code, err = run("--layer", "conv9", *common)
    assert code == 1 and "no layer named 'conv9'" in err and "conv1, pool1, conv2, pool2" in err
    code, err = run("--layer", "fc1", *common)
    assert code == 1 and "Linear has no sliding window" in err
    code, err = run("--layer", "conv1", "--channel", "6", *common)
    assert code == 1 and "output channels 0 to 5" in err
    code, err = run("--layer", "conv1", "--weights", files / "w.pt", "--image", files / "none.png",
                    "--out", files / "x.gif")
    assert code == 2 and "none.png" in err
    assert not (files / "x.gif").exists()
