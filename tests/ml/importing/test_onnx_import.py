"""Open an ONNX file: converted to torch, imported like a .py, its weights kept, checked against onnxruntime."""

from __future__ import annotations

from pathlib import Path

import torch

from designer.core import project as project_io
from designer.core import shapes, templates
from designer.ml import build, weights
from designer.ml.export import onnx_export, verify
from designer.ml.importing import files, importer
from tests.ml.importing.flat import flat as unpacked


def _exported(tmp_path, name: str) -> tuple[torch.nn.Module, Path, tuple]:
    graph = project_io.load(templates.EXAMPLES / f"{name}.netproj.json").graph
    model = build.seeded_model(graph, 3).eval()
    shape = tuple(graph.input_node().params["shape"])
    return model, onnx_export.export_onnx(model, shape, tmp_path / f"{name}.onnx"), shape


def test_an_onnx_file_becomes_a_project_with_its_weights_that_exports_to_the_same_onnx(tmp_path):
    model, path, shape = _exported(tmp_path, "resnet-mnist")
    result = files.import_model(path)
    assert result.ok, result.report()
    assert result.input_shape == shape and result.project.name == "resnet mnist"
    assert result.check.ok and result.onnx_check.ok, result.report()
    assert {n.type for n in result.project.graph.nodes.values()} >= {"Conv2d", "Add", "Concat", "Linear"}
    rebuilt = build.build_model(result.project.graph).eval()
    rebuilt.load_state_dict(result.state, strict=True)
    again = onnx_export.export_onnx(rebuilt, shape, tmp_path / "again.onnx")
    probe = verify.probe_batch(shape)
    assert verify.compare(onnx_export.run_onnx(path, probe), onnx_export.run_onnx(again, probe)).ok
    assert "against onnxruntime: verified" in result.report()


def test_import_command_writes_the_project_and_the_weights_of_an_onnx_file(tmp_path, capsys):
    from designer.cli import main

    model, path, _shape = _exported(tmp_path, "lenet-28")
    # In this process, where onnx2torch and torch are imported already (the command's own process spends most of
    # its time importing them); tests/test_cli_import.py runs the command as a user does.
    code = main(["import", str(path), "--out", str(tmp_path / "lenet.netproj.json")])
    done = capsys.readouterr()
    assert code == 0, done.out + done.err
    assert f"wrote {tmp_path / 'lenet.pt'}" in done.out
    project = project_io.load(tmp_path / "lenet.netproj.json")
    build.build_model(project.graph).load_state_dict(weights.load_state_dict(tmp_path / "lenet.pt"), strict=True)
    assert shapes.infer(project.graph).parameters == sum(p.numel() for p in model.parameters())


def test_a_file_that_is_not_onnx_is_named_and_exits_2(tmp_path):
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"not a graph")
    result = files.import_model(bad)
    assert not result.ok and result.failure == importer.FAILED_FILE
    assert result.error.startswith("not an ONNX file onnx can read")


def test_slices_and_an_unflatten_come_back_from_onnx_with_the_same_outputs(tmp_path):
    from designer.core.graph import Graph

    graph = Graph()
    ids = {name: graph.add_node(kind, params).id for name, kind, params in [
        ("in", "Input", {"shape": [8, 5, 5]}), ("left", "Slice", {"end": 4}), ("right", "Slice", {"start": 4}),
        ("conv", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 1}), ("cat", "Concat", {}),
        ("flat", "Flatten", {}), ("fc", "Linear", {"in_features": 200, "out_features": 32}),
        ("image", "Unflatten", {"dim": 1, "unflattened_size": [2, 4, 4]})]}
    for src, dst in [("in", "left"), ("in", "right"), ("right", "conv"), ("cat", "flat"), ("flat", "fc"),
                     ("fc", "image")]:
        graph.connect(ids[src], ids[dst])
    graph.connect(ids["left"], ids["cat"], {"port": 0})
    graph.connect(ids["conv"], ids["cat"], {"port": 1})
    model = build.seeded_model(graph, 3).eval()
    path = onnx_export.export_onnx(model, (8, 5, 5), tmp_path / "parts.onnx")
    result = files.import_model(path)
    assert result.ok and result.check.ok and result.onnx_check.ok, result.report()
    flat = [n.type for n in unpacked(result.project.graph).nodes.values()]
    assert flat.count("Slice") == 2 and "Unflatten" in flat
    assert shapes.infer(result.project.graph).parameters == sum(p.numel() for p in model.parameters())

