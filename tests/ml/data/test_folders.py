"""Image-folder datasets: layout, splits, conversion, skipped files, the decode-once cache."""
import os

import numpy as np
import pytest
import torch
from torch import nn
from torchvision.datasets import ImageFolder

from designer.ml.data import datasets as data
from designer.ml.data import folders
from designer.ml.standalone import pictures
from designer.ml.training.loop import Failed, Finished, TrainConfig, train
from tests.ml.picture_folders import write_folder, write_grey_jpeg


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NETDESIGNER_MEMORY_BUDGET", raising=False)
    return tmp_path / "cache"


def test_classes_counts_and_a_seeded_held_out_share(tmp_path):
    root = write_folder(tmp_path / "shapes", {"star": 29, "circle": 20, "square": 10})
    write_folder(root / "star" / "more", {"star": 1})  # nested folders count, as in ImageFolder
    (root / "star" / "more" / "star" / "000.png").rename(root / "star" / "more" / "star" / "UPPER.PNG")
    (root / "circle" / "notes.txt").write_text("not a picture")
    layout = folders.scan(root)
    assert layout.classes == ["circle", "square", "star"] == ImageFolder(str(root)).classes
    assert layout.counts() == [("circle", 18, 2), ("square", 9, 1), ("star", 27, 3)]
    assert sorted(layout.train + layout.held_out) == sorted(ImageFolder(str(root), allow_empty=True).samples)
    # Class numbers are ImageFolder's, so the exported training script labels the same way.
    labels = dict(ImageFolder(str(root)).samples)
    assert all(labels[path] == label for path, label in layout.train + layout.held_out)
    again = folders.scan(root)
    assert again.held_out == layout.held_out  # the same pictures every run
    assert not {p for p, _ in layout.train} & {p for p, _ in layout.held_out}


def test_train_and_val_folders_are_the_split(tmp_path):
    write_folder(tmp_path / "set" / "train", {"circle": 5, "star": 4})
    write_folder(tmp_path / "set" / "val", {"circle": 2, "star": 3}, seed=1)
    layout = folders.scan(tmp_path / "set")
    assert layout.counts() == [("circle", 5, 2), ("star", 4, 3)]
    assert all("/val/" in path for path, _ in layout.held_out)
    assert "val/ held out" in layout.split


def test_grey_jpeg_among_rgb_pngs_is_converted_to_the_inputs_channels_and_size(tmp_path):
    root = write_folder(tmp_path / "mixed", {"circle": 6, "tree": 6})
    write_grey_jpeg(root / "tree" / "grey.jpg", "tree")
    colour = data.load(f"folder:{root}", [3, 16, 12])
    assert colour.train_x.dtype == torch.uint8 and colour.train_x.shape[1:] == (3, 16, 12)
    assert len(colour.train_x) + len(colour.test_x) == 13
    grey = folders.decode_picture(root / "tree" / "grey.jpg", 3, 16, 12)
    assert (grey[0] == grey[1]).all() and (grey[1] == grey[2]).all()
    assert grey[:, 8:, 6:].mean() > 120 > grey[:, :8, :6].mean()  # the bright quarter stays where it was
    mono = data.load(f"folder:{root}", [1, 20, 20])
    assert mono.train_x.shape[1:] == (1, 20, 20)
    batch = mono.prepare(mono.train_x[:4])
    assert batch.dtype == torch.float32 and -1.0 <= batch.min() and batch.max() <= 1.0


def test_a_corrupt_file_is_skipped_with_a_warning_naming_it(tmp_path):
    root = write_folder(tmp_path / "pics", {"circle": 5, "star": 5})
    (root / "star" / "broken.png").write_bytes(b"\x89PNG not really")
    dataset = data.load(f"folder:{root}", [3, 8, 8])
    assert len(dataset.train_x) + len(dataset.test_x) == 10
    assert len(dataset.warnings) == 1 and "broken.png" in dataset.warnings[0]


@pytest.mark.parametrize("make, words", [
    (lambda r: (write_folder(r, {"circle": 4}), (r / "empty").mkdir()), ["empty", "no pictures"]),
    (lambda r: write_folder(r, {"circle": 4}), ["only one class", "circle"]),
    (lambda r: r.mkdir(), ["no class folders"]),
    (lambda r: (write_folder(r / "train", {"circle": 3, "star": 3}), write_folder(r / "val", {"tree": 2})),
     ["tree", "not in"]),
])
def test_folders_that_cannot_train_say_why(tmp_path, make, words):
    root = tmp_path / "bad"
    make(root)
    with pytest.raises(folders.FolderError) as caught:
        data.load(f"folder:{root}", [3, 8, 8])
    assert str(root) in str(caught.value) and all(w in str(caught.value) for w in words)
    with pytest.raises(folders.FolderError, match="no such folder"):
        data.load(f"folder:{tmp_path / 'missing'}", [3, 8, 8])


def test_input_shapes_pictures_cannot_fill_are_refused():
    with pytest.raises(folders.FolderError, match=r"\[3, H, W\]"):
        folders.picture_size([784])
    with pytest.raises(folders.FolderError, match="grey"):
        folders.picture_size([2, 8, 8])


def test_a_relative_folder_counts_from_the_projects_folder(tmp_path):
    write_folder(tmp_path / "project" / "pics", {"circle": 3, "star": 3})
    dataset = data.load("folder:pics", [3, 8, 8], base=tmp_path / "project")
    assert dataset.classes == ["circle", "star"]


def test_pictures_are_decoded_once_and_again_when_the_folder_changes(tmp_path, monkeypatch):
    root = write_folder(tmp_path / "pics", {"circle": 4, "star": 4})
    seen = []
    first = data.load(f"folder:{root}", [3, 8, 8], progress=lambda *a: seen.append(a))
    assert seen[-1] == ("decoding 8 pictures", 8, 8)
    real = pictures.decode_picture
    calls = []
    monkeypatch.setattr(pictures, "decode_picture", lambda *a: calls.append(a[0]) or real(*a))
    again = data.load(f"folder:{root}", [3, 8, 8])
    assert calls == [] and torch.equal(first.train_x, again.train_x)
    write_folder(tmp_path / "pics", {"star": 1}, seed=5)  # star/000.png rewritten
    edited = data.load(f"folder:{root}", [3, 8, 8])
    assert len(calls) == 8 and not torch.equal(torch.cat([first.train_x, first.test_x]),
                                               torch.cat([edited.train_x, edited.test_x]))
    calls.clear()
    data.load(f"folder:{root}", [3, 10, 10])  # another Input size: another cache
    assert len(calls) == 8


def test_past_the_memory_budget_pictures_stay_memory_mapped(tmp_path, monkeypatch):
    root = write_folder(tmp_path / "pics", {"circle": 4, "star": 4})
    layout = folders.scan(root)
    in_ram = folders.decode(layout, [3, 8, 8])
    assert not isinstance(in_ram.pictures, np.memmap)
    monkeypatch.setenv("NETDESIGNER_MEMORY_BUDGET", "100")
    mapped = folders.decode(layout, [3, 8, 8])
    assert isinstance(mapped.pictures, np.memmap) and np.array_equal(mapped.pictures, in_ram.pictures)
    dataset = data.load(f"folder:{root}", [3, 8, 8])
    events = list(train(nn.Sequential(nn.Flatten(), nn.Linear(192, 2)), dataset, TrainConfig(epochs=1, batch_size=4)))
    assert isinstance(events[-1], Finished)


def tiny_cnn(channels: int, classes: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(channels, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, classes))


def test_a_small_cnn_learns_the_folder(tmp_path):
    root = write_folder(tmp_path / "pics", {"circle": 20, "square": 20, "star": 20})
    dataset = data.load(f"folder:{root}", [3, 16, 16])
    events = list(train(tiny_cnn(3, 3), dataset, TrainConfig(epochs=6, batch_size=8, lr=0.02)))
    assert isinstance(events[-1], Finished) and events[-1].best_val_acc == 1.0


def test_a_model_without_one_score_per_class_names_the_fix(tmp_path):
    root = write_folder(tmp_path / "pics", {"circle": 3, "square": 3, "star": 3})
    events = list(train(tiny_cnn(3, 10), data.load(f"folder:{root}", [3, 16, 16]), TrainConfig(epochs=1)))
    assert isinstance(events[-1], Failed)
    assert "3 classes (circle, square, star)" in events[-1].message and "out_features → 3" in events[-1].message


def test_the_class_names_of_a_missing_folder_are_refused_in_words(tmp_path):
    import pytest as _pytest

    from designer.ml.data import folders as _folders

    with _pytest.raises(_folders.FolderError, match="no such folder"):
        _folders.classes_of("folder:nowhere", tmp_path)
