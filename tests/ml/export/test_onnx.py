"""ONNX export: any batch size, the same outputs through onnxruntime (within rounding)."""
import builtins

import onnx
import pytest
import torch
from torch import nn

from designer.ml.export import onnx_export
from designer.ml.export import verify


def _model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 7 * 7, 10), nn.LogSoftmax(dim=1))
    model[1].running_var.uniform_(0.5, 2.0)
    return model


def test_onnx_matches_onnxruntime_within_tolerance_for_any_batch(tmp_path):
    model = _model()
    path = onnx_export.export_onnx(model, (1, 14, 14), tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(str(path)))
    assert model.training  # restored
    check = verify.verify_onnx(model, path, (1, 14, 14))
    assert check.ok, check.message
    assert check.max_abs_diff <= 1e-5
    for batch in (1, 7):
        x = torch.randn(batch, 1, 14, 14)
        got = onnx_export.run_onnx(path, x)
        assert got.shape == (batch, 10)
        assert torch.allclose(got, verify.reference_output(model, x), atol=1e-5)


def test_onnx_check_detects_a_different_model(tmp_path):
    model = _model()
    path = onnx_export.export_onnx(model, (1, 14, 14), tmp_path / "m.onnx")
    model[5].bias.data[0] += 0.01  # one class only: LogSoftmax ignores a uniform shift
    check = verify.verify_onnx(model, path, (1, 14, 14))
    assert not check.ok
    probe = verify.probe_batch((1, 14, 14))
    exact = (verify.reference_output(model, probe).double() - onnx_export.run_onnx(path, probe).double()).abs().max()
    assert check.max_abs_diff == float(exact) > 1e-3
    assert check.message == f"outputs differ: max difference {float(exact):.3g}"


def test_missing_onnx_packages_give_the_install_command(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_onnxscript(name, *args, **kwargs):
        if name == "onnxscript":
            raise ImportError("No module named 'onnxscript'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxscript)
    with pytest.raises(onnx_export.OnnxUnavailable, match=r'pip install "netdesigner\[onnx\]"'):
        onnx_export.export_onnx(_model(), (1, 14, 14), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_random_catalog_chains_match_onnxruntime(tmp_path):
    import random

    from designer.ml import build
    from tests.ml.chains import random_chain

    rng = random.Random(11)
    for i in range(4):
        graph = random_chain(rng)
        model = build.seeded_model(graph, i)
        shape = tuple(graph.input_node().params["shape"])
        path = onnx_export.export_onnx(model, shape, tmp_path / f"chain{i}.onnx")
        check = verify.verify_onnx(model, path, shape)
        assert check.ok, (check.message, [n.type for n in graph.nodes.values()])


@pytest.mark.parametrize("style", ["class", "sequential"])
def test_a_branching_model_exports_to_onnx_and_matches_onnxruntime(tmp_path, style):
    from designer.core import project, templates
    from designer.ml import build

    graph = project.load(templates.EXAMPLES / "resnet-mnist.netproj.json").graph
    model = build.seeded_model(graph, 0, style)
    path = onnx_export.export_onnx(model, (1, 28, 28), tmp_path / "resnet.onnx")
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"Add", "Concat", "Conv"} <= ops
    check = verify.verify_onnx(model, path, (1, 28, 28))
    assert check.ok, check.message
