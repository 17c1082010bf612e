"""Datasets: the bundled mnist-5k split and cache, shape adaptation, torchvision's IDX path."""
import gzip
import io
import struct
import urllib.error

import numpy as np
import pytest
import torch

from designer.ml.data import datasets as data


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    data.clear_memory_cache()
    yield tmp_path / "cache"
    data.clear_memory_cache()


def test_mnist_5k_is_split_once_into_fixed_stratified_sets(fresh_cache):
    first = data.load("mnist-5k")
    assert first.train_x.shape == (4500, 1, 28, 28) and first.test_x.shape == (500, 1, 28, 28)
    assert first.train_y.dtype == torch.int64
    assert first.test_y.bincount().tolist() == [50] * 10
    assert first.train_y.bincount().tolist() == [450] * 10
    assert first.classes == [str(i) for i in range(10)]
    # Shuffled: the file is sorted by digit, the training set is not.
    assert len(set(first.train_y[:50].tolist())) > 5
    data.clear_memory_cache()
    again = data.load("mnist-5k")
    assert torch.equal(first.train_x, again.train_x) and torch.equal(first.test_y, again.test_y)


def test_mnist_5k_is_parsed_once_then_read_from_the_cache(fresh_cache, monkeypatch):
    data.load_raw("mnist-5k")
    cached = list(fresh_cache.glob("mnist-5k-*.npz"))
    assert len(cached) == 1
    source = data.mnist_5k_source()
    assert f"-{source.stat().st_size}-" in cached[0].name  # keyed by the source's size and mtime

    def no_parse(*args, **kwargs):
        raise AssertionError("the CSV was parsed again")

    monkeypatch.setattr(np, "loadtxt", no_parse)
    data.clear_memory_cache()
    raw = data.load_raw("mnist-5k")
    assert raw.train_x.shape == (4500, 28, 28) and raw.train_x.dtype == np.uint8
    assert data.load("mnist-5k") is data.load("mnist-5k")  # in-process cache


def test_images_are_normalised_once():
    x = data.load("mnist-5k").train_x
    assert abs(x.mean().item()) < 0.05 and abs(x.std().item() - 1) < 0.05


def test_images_are_padded_centred_for_a_32x32_input():
    plain = data.load("mnist-5k", (1, 28, 28)).train_x
    padded = data.load("mnist-5k", (1, 32, 32)).train_x
    black = (0 - 0.1307) / 0.3081
    assert padded.shape == (4500, 1, 32, 32)
    assert torch.equal(padded[:, :, 2:30, 2:30], plain)
    border = torch.cat([padded[:, :, :2].flatten(), padded[:, :, 30:].flatten(),
                        padded[:, :, :, :2].flatten(), padded[:, :, :, 30:].flatten()])
    assert torch.allclose(border, torch.full_like(border, black))


def test_channels_are_repeated_and_vectors_flattened():
    plain = data.load("mnist-5k", (1, 28, 28)).train_x
    rgb = data.load("mnist-5k", (3, 28, 28)).train_x
    assert rgb.shape == (4500, 3, 28, 28)
    assert all(torch.equal(rgb[:, c], plain[:, 0]) for c in range(3))
    flat = data.load("mnist-5k", (784,)).train_x
    assert torch.equal(flat, plain.reshape(4500, 784))
    small = data.load("mnist-5k", (1, 14, 14)).train_x
    assert small.shape == (4500, 1, 14, 14)
    assert torch.allclose(small[0, 0, 0, 0], plain[0, 0, :2, :2].mean())


def test_an_input_that_cannot_hold_images_is_a_clear_error():
    with pytest.raises(data.DatasetError, match=r"\[10\].*784"):
        data.load("mnist-5k", (10,))
    with pytest.raises(data.DatasetError, match="mnist-5k"):
        data.load("cifar")


# torchvision -------------------------------------------------------------------

def _idx_images(images: np.ndarray) -> bytes:
    return struct.pack(">IIII", 0x803, *images.shape) + images.astype(np.uint8).tobytes()


def _idx_labels(labels: np.ndarray) -> bytes:
    return struct.pack(">II", 0x801, len(labels)) + labels.astype(np.uint8).tobytes()


def _tiny_files(seed: int = 0) -> dict[str, bytes]:
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": _idx_images(rng.integers(0, 256, (12, 28, 28))),
        "train-labels-idx1-ubyte": _idx_labels(np.arange(12) % 10),
        "t10k-images-idx3-ubyte": _idx_images(rng.integers(0, 256, (5, 28, 28))),
        "t10k-labels-idx1-ubyte": _idx_labels(np.arange(5)),
    }


@pytest.mark.parametrize("name, folder", [("mnist", "MNIST"), ("fashion-mnist", "FashionMNIST")])
def test_torchvision_datasets_read_idx_files_in_place(tmp_path, name, folder, monkeypatch):
    raw = tmp_path / folder / "raw"
    raw.mkdir(parents=True)
    files = _tiny_files()
    for filename, payload in files.items():
        (raw / filename).write_bytes(payload)
    monkeypatch.setattr("urllib.request.urlopen", _no_network)
    dataset = data.load(name, (1, 32, 32), root=tmp_path)
    assert dataset.train_x.shape == (12, 1, 32, 32) and dataset.test_x.shape == (5, 1, 32, 32)
    assert dataset.train_y.tolist() == [i % 10 for i in range(12)]
    first = np.frombuffer(files["train-images-idx3-ubyte"][16:16 + 784], np.uint8).reshape(28, 28)
    mean, std = data.NORMALISATION[name]
    expected = (torch.from_numpy(first.astype(np.float32)) / 255 - mean) / std
    assert torch.allclose(dataset.train_x[0, 0, 2:30, 2:30], expected, atol=1e-5)
    assert dataset.classes[0] == ("0" if name == "mnist" else "T-shirt/top")


def _no_network(*args, **kwargs):
    raise urllib.error.URLError("no network")


def test_offline_download_names_mnist_5k_as_the_way_on(tmp_path, monkeypatch):
    monkeypatch.setattr("urllib.request.urlopen", _no_network)
    with pytest.raises(data.DatasetError) as caught:
        data.load("mnist", root=tmp_path)
    message = str(caught.value)
    assert "mnist-5k" in message and "offline" in message and str(tmp_path) in message


class _Response(io.BytesIO):
    def __init__(self, payload: bytes):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_download_reports_progress_and_then_loads(tmp_path, monkeypatch):
    from torchvision import datasets

    files = _tiny_files(seed=1)
    names = {f"{n}.gz": gzip.compress(payload) for n, payload in files.items()}
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["https://mirror.invalid/"])
    monkeypatch.setattr(datasets.MNIST, "resources", [(n, None) for n in names])
    requested = []

    def fake_urlopen(request, timeout=None):
        name = request.full_url.rsplit("/", 1)[1]
        requested.append(name)
        return _Response(names[name])

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    seen = []
    dataset = data.load("mnist", root=tmp_path, progress=lambda what, done, total: seen.append((what, done, total)))
    assert sorted(requested) == sorted(names)
    assert {what for what, _, _ in seen} == set(names)
    assert all(done == total for what, done, total in seen if what == "t10k-labels-idx1-ubyte.gz")
    assert dataset.train_x.shape == (12, 1, 28, 28)
    data.clear_memory_cache()
    requested.clear()
    data.load("mnist", root=tmp_path)
    assert requested == []  # downloaded once


def test_the_planned_learning_rate_counts_mnist_5ks_real_training_samples():
    from designer.core.datasets import TRAIN_SAMPLES

    assert len(data.load_raw("mnist-5k").train_x) == TRAIN_SAMPLES["mnist-5k"]
