"""The MNIST recipe: crop, fit 20x20, centre of mass at the centre, normalise, adapt."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from designer.ml.data.preprocess import MEAN, STD, PreprocessError, load_image, naive, preprocess

BLACK = -MEAN / STD  # a background pixel after normalisation


def seven(size=280, box=(40, 30, 140, 200), width=18) -> np.ndarray:
    """A thick white 7 inside ``box`` (left, top, right, bottom) on a black square."""
    img = Image.new("L", (size, size), 0)
    left, top, right, bottom = box
    ImageDraw.Draw(img).line([(left, top), (right, top), (left + (right - left) * 0.4, bottom)],
                             fill=255, width=width, joint="curve")
    return np.asarray(img)


def test_ink_fits_20_box_and_centre_of_mass_is_mnist_centre():
    out = preprocess(seven())
    rows = np.flatnonzero(out.image.max(axis=1) > 0.01)
    cols = np.flatnonzero(out.image.max(axis=0) > 0.01)
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) == 20
    ys, xs = np.indices(out.image.shape)
    total = out.image.sum()
    assert abs((ys * out.image).sum() / total - 14) <= 0.5
    assert abs((xs * out.image).sum() / total - 14) <= 0.5


def test_same_digit_anywhere_and_any_size_gives_nearly_the_same_input():
    small_corner = preprocess(seven(box=(190, 180, 250, 270), width=9)).tensor
    big_middle = preprocess(seven(box=(40, 30, 220, 260), width=27)).tensor
    naive_small, naive_big = naive(seven(box=(190, 180, 250, 270), width=9)), naive(seven(box=(40, 30, 220, 260), width=27))
    diff = (small_corner - big_middle).abs().mean()
    assert diff < 0.25 * (naive_small - naive_big).abs().mean()


def test_dark_ink_on_light_paper_is_inverted():
    photo = 230 - (seven() * 0.8).astype(np.uint8)  # grey-black ink on off-white paper
    plain = preprocess(seven())
    inverted = preprocess(photo)
    assert np.abs(plain.image - inverted.image).max() < 0.1


def test_an_mnist_digit_stays_itself():
    from designer.ml.data.datasets import load_raw

    for raw in load_raw("mnist-5k").test_x[::50]:
        digit = raw.astype(np.float32) / 255
        out = preprocess(digit).image
        assert np.corrcoef(out.ravel(), digit.ravel())[0, 1] > 0.9


@pytest.mark.parametrize("image", [np.zeros((50, 80)), np.full((40, 40), 255, np.uint8), np.full((9, 9), 0.4)])
def test_an_image_without_ink_is_reported_empty(image):
    out = preprocess(image)
    assert out.empty and out.tensor is None and not out.image.any()


def test_normalised_as_in_training():
    out = preprocess(seven())
    assert out.tensor.shape == (1, 1, 28, 28)
    assert torch.allclose(out.tensor[0, 0], (torch.from_numpy(out.image) - MEAN) / STD)
    assert out.tensor[0, 0, 0, 0].item() == pytest.approx(BLACK)


def test_adapts_to_the_input_shape():
    base = preprocess(seven()).tensor[0, 0]
    padded = preprocess(seven(), (1, 32, 32)).tensor
    assert padded.shape == (1, 1, 32, 32)
    assert torch.equal(padded[0, 0, 2:30, 2:30], base)
    assert torch.allclose(padded[0, 0, :2], torch.full((2, 32), BLACK))  # the pad is black, as MNIST's border
    rgb = preprocess(seven(), (3, 28, 28)).tensor
    assert rgb.shape == (1, 3, 28, 28) and torch.equal(rgb[0, 2], base)
    flat = preprocess(seven(), (784,)).tensor
    assert flat.shape == (1, 784) and torch.equal(flat[0], base.flatten())
    assert preprocess(seven(), (28, 28)).tensor.shape == (1, 28, 28)
    assert preprocess(seven(), (1, 14, 14)).tensor.shape == (1, 1, 14, 14)


def test_unusable_input_shape_is_refused():
    with pytest.raises(PreprocessError, match="cannot hold"):
        preprocess(seven(), (90,))


def test_pil_images_of_any_mode(tmp_path):
    rgba = Image.new("RGBA", (100, 60), (0, 0, 0, 0))
    ImageDraw.Draw(rgba).line([(20, 10), (20, 50)], fill=(0, 0, 0, 255), width=6)  # black ink on transparency
    out = preprocess(rgba)
    assert not out.empty
    path = tmp_path / "one.png"
    rgba.save(path)
    assert np.array_equal(preprocess(load_image(path)).image, out.image)


def test_unreadable_file_names_the_file(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(PreprocessError, match="notes.png"):
        load_image(bad)
