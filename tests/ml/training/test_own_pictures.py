"""A trained model checked on a folder of a class's own pictures, converted as its training pictures were."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from designer.ml.data.folders import prepare_picture
from designer.ml.data.preprocess import load_image, preprocess
from designer.ml.record import DIGITS, FOLDER, Record
from designer.ml.training.own_pictures import CheckError, check_folder

DIGIT_NAMES = tuple(str(i) for i in range(10))


def handwriting(path, strokes, size=(120, 90)):
    """Dark ink on white paper, as a phone photo or a scan of a sheet would be."""
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).line(strokes, fill=0, width=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


@pytest.fixture
def class_folder(tmp_path):
    root = tmp_path / "ours"
    for i in range(3):
        handwriting(root / "7" / f"anna{i}.png", [(10 + i, 10), (100, 12), (50, 80)])
        handwriting(root / "1" / f"ben{i}.png", [(60 + i, 5), (60, 85)])
    handwriting(root / "smiley" / "s.png", [(10, 10), (50, 50)])  # no class of the model
    (root / "1" / "torn.png").write_bytes(b"not a picture")
    return root


class Spy(torch.nn.Module):
    """Remembers its inputs and answers the scores it is given, one row per call."""

    def __init__(self, answers):
        super().__init__()
        self.answers, self.seen = list(answers), []

    def forward(self, x):
        self.seen.append(x.clone())
        return self.answers[len(self.seen) - 1].reshape(1, -1)


def scores(best, strength):
    out = torch.zeros(10)
    out[best] = strength
    return out


def test_digits_are_converted_as_the_pad_converts_a_drawing_and_mistakes_come_most_confident_first(class_folder):
    # Files in ImageFolder order: 1/ben0..2 (torn.png unreadable), then 7/anna0..2.
    model = Spy([scores(1, 5), scores(7, 2), scores(1, 9), scores(7, 1), scores(1, 8), scores(7, 9)])
    record = Record("sig", (1, 28, 28), DIGITS, DIGIT_NAMES, "mnist-5k")
    checked = check_folder(model, class_folder, (1, 28, 28), DIGIT_NAMES, record)
    files = sorted((class_folder / "1").glob("ben*.png")) + sorted((class_folder / "7").glob("*.png"))
    for seen, path in zip(model.seen, files, strict=True):
        assert torch.equal(seen, preprocess(load_image(path), (1, 28, 28)).tensor)
    assert (checked.total, checked.correct) == (6, 4) and checked.accuracy == pytest.approx(4 / 6)
    assert [(m.name, m.true, m.predicted) for m in checked.mistakes] == [("7/anna1.png", "7", "1"),
                                                                          ("1/ben1.png", "1", "7")]
    assert checked.paths == [class_folder / "7" / "anna1.png", class_folder / "1" / "ben1.png"]
    first, second = checked.mistakes
    assert first.confidence > second.confidence
    probs = torch.softmax(scores(1, 8), 0)
    assert first.confidence == pytest.approx(float(probs.max()))
    assert first.picture.shape == (28, 28) and first.picture.dtype == np.uint8
    assert checked.unknown == ["smiley"] and len(checked.skipped) == 1 and "torn.png" in checked.skipped[0]


def test_an_image_folder_model_sees_the_pictures_as_its_folder_was_converted(class_folder):
    model = Spy([scores(0, 3)] * 6)
    record = Record("sig", (3, 16, 16), FOLDER, ("1", "7"), "folder:ours", 3, 16, 16)
    checked = check_folder(model, class_folder, (3, 16, 16), ("1", "7"), record)
    files = sorted((class_folder / "1").glob("ben*.png")) + sorted((class_folder / "7").glob("*.png"))
    for seen, path in zip(model.seen, files, strict=True):
        assert torch.equal(seen, prepare_picture(path, (3, 16, 16)))
    assert (checked.total, checked.correct) == (6, 3)
    assert {m.true for m in checked.mistakes} == {"7"} and checked.mistakes[0].picture.shape == (16, 16, 3)


def test_a_folder_without_class_folders_is_refused_with_a_reason(tmp_path):
    with pytest.raises(CheckError):
        check_folder(Spy([]), tmp_path, (1, 28, 28), DIGIT_NAMES, None)
