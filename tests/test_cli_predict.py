"""``predict FILE --weights W.pt IMAGE...`` as a user runs it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image, ImageDraw

from designer.cli import main
from designer.core.project import load
from designer.ml.build import build_model
from designer.ml.explain.inside import classify
from designer.ml.data.preprocess import load_image, preprocess

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "designer" / "resources" / "examples"
LENET = EXAMPLES / "lenet-28.netproj.json"


def draw(path: Path, strokes, size=(200, 160), ink=255, paper=0) -> Path:
    img = Image.new("L", size, paper)
    pen = ImageDraw.Draw(img)
    for stroke in strokes:
        pen.line(stroke, fill=ink, width=12, joint="curve")
    img.save(path)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("predict")
    torch.manual_seed(0)
    model = build_model(load(LENET).graph)
    torch.save(model.state_dict(), tmp / "w.pt")
    return {
        "model": model,
        "weights": tmp / "w.pt",
        "seven": draw(tmp / "seven.png", [[(40, 20), (150, 20), (80, 150)]]),
        "one on paper": draw(tmp / "one on paper.jpg", [[(100, 10), (100, 150)]], ink=20, paper=235),
        "blank": draw(tmp / "blank.png", []),
        "broken": tmp / "broken.png",
        "tmp": tmp,
    }


def lines(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


def expected(model, path: Path) -> tuple[int, float]:
    probs = classify(model, preprocess(load_image(path)).tensor)[0]
    return int(probs.argmax()), float(probs.max())


def test_one_line_per_image_with_class_and_probability(files):
    images = [str(files["seven"]), str(files["one on paper"])]
    result = subprocess.run([sys.executable, "main.py", "predict", str(LENET), "--weights", str(files["weights"]),
                             *images], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = lines(result.stdout)
    assert [row[0] for row in rows] == images
    for row, image in zip(rows, images):
        label, prob = expected(files["model"], Path(image))
        assert int(row[1]) == label
        assert float(row[2]) == pytest.approx(prob, abs=1e-4)


def test_unreadable_or_blank_images_give_exit_2_and_the_rest_still_print(files, capsys):
    files["broken"].write_bytes(b"\x89PNG not really")
    code = main(["predict", str(LENET), "--weights", str(files["weights"]),
                 str(files["broken"]), str(files["seven"]), str(files["blank"]), str(files["tmp"] / "missing.png")])
    out, err = capsys.readouterr()
    assert code == 2
    assert [row[0] for row in lines(out)] == [str(files["seven"])]
    assert "broken.png" in err and "blank.png: no ink" in err and "missing.png" in err


def test_a_named_pipe_as_image_is_refused_at_once_and_the_rest_still_print(files, capsys):
    pipe = files["tmp"] / "pipe.png"
    os.mkfifo(pipe)  # nobody writes to it: opening it to read would wait for ever
    code = main(["predict", str(LENET), "--weights", str(files["weights"]), str(pipe), str(files["seven"])])
    out, err = capsys.readouterr()
    assert code == 2
    assert [row[0] for row in lines(out)] == [str(files["seven"])]
    assert f"{pipe}: not a regular file" in err


def test_weights_that_do_not_fit_are_refused_with_the_report(files, capsys):
    state = torch.load(files["weights"], weights_only=True)
    state["fc3.weight"] = torch.zeros(5, 84)
    del state["fc3.bias"]
    state["extra.weight"] = torch.zeros(1)
    bad = files["tmp"] / "bad.pt"
    torch.save(state, bad)
    code = main(["predict", str(LENET), "--weights", str(bad), str(files["seven"])])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "bad.pt" in err
    assert "fc3.weight" in err and "(5, 84)" in err and "(10, 84)" in err
    assert "fc3.bias" in err and "extra.weight" in err


def test_invalid_graph_exit_1(files, capsys):
    code = main(["predict", str(EXAMPLES / "broken-lenet.netproj.json"), "--weights", str(files["weights"]),
                 str(files["seven"])])
    assert code == 1
    assert "broken-lenet" in capsys.readouterr().err


def test_unreadable_project_or_weights_exit_2(files, capsys):
    assert main(["predict", str(files["tmp"] / "nope.json"), "--weights", str(files["weights"]),
                 str(files["seven"])]) == 2
    assert "nope.json" in capsys.readouterr().err
    junk = files["tmp"] / "junk.pt"
    junk.write_bytes(b"not weights")
    assert main(["predict", str(LENET), "--weights", str(junk), str(files["seven"])]) == 2
    assert "junk.pt" in capsys.readouterr().err
