"""state_dict files: exact round trips in both formats, clear errors, the compatibility report."""
import os
import pickle

import pytest
import torch

from designer.core.graph import Graph
from designer.ml import build, weights


def bn_model():
    graph = Graph()
    graph.add_node("Input", {"shape": [3, 4, 4]}, node_id="input")
    graph.add_node("Conv2d", {"in_channels": 3, "out_channels": 2, "kernel_size": 3}, node_id="c")
    graph.add_node("BatchNorm2d", {"num_features": 2}, node_id="b")
    graph.connect("input", "c")
    graph.connect("c", "b")
    return build.seeded_model(graph, 7)


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_round_trip_is_exact(tmp_path, suffix):
    state = bn_model().state_dict()
    state["bn1.running_mean"].uniform_()  # buffers too, including the int64 scalar
    state["bn1.num_batches_tracked"].fill_(5)
    path = tmp_path / f"w{suffix}"
    weights.save_state_dict(state, path)
    loaded = weights.load_state_dict(path)
    assert list(loaded) == list(state)  # the model's key order survives, safetensors too
    for key, value in state.items():
        assert loaded[key].dtype == value.dtype and torch.equal(loaded[key], value), key
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left no temp file


def test_format_is_recognised_by_content(tmp_path):
    state = bn_model().state_dict()
    weights.save_state_dict(state, tmp_path / "real.safetensors")
    misnamed = tmp_path / "misnamed.pt"
    misnamed.write_bytes((tmp_path / "real.safetensors").read_bytes())
    assert set(weights.load_state_dict(misnamed)) == set(state)


def test_checkpoint_with_a_nested_state_dict_is_accepted(tmp_path):
    state = bn_model().state_dict()
    torch.save({"epoch": 3, "model_state_dict": state}, tmp_path / "ckpt.pt")
    assert set(weights.load_state_dict(tmp_path / "ckpt.pt")) == set(state)


class Foreign:
    pass


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"not a weights file at all" * 3, "is not a PyTorch weights file"),
    (b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1", "is not a readable safetensors file"),
    ("foreign", r"holds a Python object \(.*Foreign\)"),
    ("list", "holds a value of type list, not a state_dict"),
    ("numbers", "'a' holds a value of type int, not a tensor"),
    ("truncated", "is not a PyTorch weights file"),
])
def test_bad_files_give_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.pt"
    if content == "foreign":
        torch.save({"a": Foreign()}, path)
    elif content == "list":
        torch.save([torch.zeros(1)], path)
    elif content == "numbers":
        torch.save({"a": 1}, path)
    elif content == "truncated":
        torch.save(bn_model().state_dict(), path)
        path.write_bytes(path.read_bytes()[:200])
    else:
        path.write_bytes(content)
    with pytest.raises(weights.WeightsError, match=message) as info:
        weights.load_state_dict(path)
    assert str(info.value).startswith(str(path))
    assert not isinstance(info.value, pickle.UnpicklingError)


def test_missing_file(tmp_path):
    with pytest.raises(weights.WeightsError, match="cannot be read"):
        weights.load_state_dict(tmp_path / "nope.pt")


def test_named_pipe_is_refused_without_waiting(tmp_path):
    pipe = tmp_path / "w.pt"
    os.mkfifo(pipe)  # nobody writes to it: opening it to read would wait for ever
    with pytest.raises(weights.WeightsError, match=r"w\.pt: is not a regular file"):
        weights.load_state_dict(pipe)


def test_compare_reports_each_kind_of_difference():
    expected = {"a.weight": torch.zeros(2, 3), "a.bias": torch.zeros(2), "b.weight": torch.zeros(4)}
    loaded = {"a.weight": torch.zeros(3, 2), "a.bias": torch.ones(2), "c.weight": torch.zeros(1)}
    report = weights.compare(expected, loaded)
    assert not report.ok
    assert report.matched == ["a.bias"]
    assert report.missing == ["b.weight"] and report.unexpected == ["c.weight"]
    assert report.shape_mismatch == [("a.weight", (2, 3), (3, 2))]
    text = report.summary()
    assert "a.weight: the file has shape (3, 2), the model expects (2, 3)" in text
    assert "Missing from the file: b.weight" in text and "In the file but not in the model: c.weight" in text
    same = weights.compare(expected, {k: v.clone() for k, v in expected.items()})
    assert same.ok and same.summary() == "All 3 tensors match the model."
    assert weights.compare({"k": (2, 3)}, {"k": torch.zeros(2, 3)}).ok  # shapes alone are enough


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_the_record_travels_in_the_file_and_plain_torch_still_loads_it(tmp_path, suffix):
    model = bn_model()
    record = {"format": "netdesigner.weights", "classes": ["big dogs", "小鸟"], "input_shape": [3, 4, 4]}
    path = tmp_path / f"w{suffix}"
    weights.save_state_dict(model.state_dict(), path, record)
    state, found = weights.load_weights(path)
    assert found == record
    if suffix == ".pt":  # the file stays a state_dict that torch loads with strict=True
        bn_model().load_state_dict(torch.load(path, weights_only=True), strict=True)
    assert weights.load_weights(_plain(tmp_path, model))[1] is None


def _plain(tmp_path, model):
    path = tmp_path / "plain.pt"
    torch.save(model.state_dict(), path)
    return path


def test_the_torch_floor_is_one_where_weights_only_loading_is_safe():
    """torch.load(weights_only=True) below 2.6 can run code from a crafted file (CVE-2025-32434)."""
    import re
    import tomllib
    from pathlib import Path

    deps = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"][
        "dependencies"]
    floors = {m.group(1): tuple(map(int, m.group(2).split("."))) for d in deps
              if (m := re.fullmatch(r"(torch|torchvision)>=([\d.]+)", d.split(",")[0].strip()))}
    assert floors["torch"] >= (2, 6) and floors["torchvision"] >= (0, 21), floors
