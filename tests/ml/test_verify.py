"""The export check runs the exported file in a fresh process and catches any difference."""
import importlib.util

import torch

from designer.ml import verify

SOURCE = '''\
import torch
from torch import nn

INPUT_SHAPE = (1, 12, 12)


def build_model():
    return nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3 * 5 * 5, 10))
'''


def _load(path):
    spec = importlib.util.spec_from_file_location("exported_here", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _export(tmp_path, source=SOURCE):
    py = tmp_path / "model.py"
    py.write_text(source)
    torch.manual_seed(3)
    model = _load(py).build_model()
    model[1].running_mean.uniform_(-1, 1)  # buffers must travel too
    weights = tmp_path / "model.pt"
    torch.save(model.state_dict(), weights)
    return model, py, weights


def test_exported_file_gives_identical_outputs_in_a_fresh_process(tmp_path):
    model, py, weights = _export(tmp_path)
    model.train()
    check = verify.verify_py(model, py, weights, (1, 12, 12))
    assert check.ok and check.identical, check.message
    assert check.message == "verified: identical outputs"
    assert model.training  # the check leaves the app's model in its mode


def test_a_corrupted_weight_is_detected_with_the_exact_difference(tmp_path):
    model, py, weights = _export(tmp_path)
    state = torch.load(weights, weights_only=True)
    state["5.weight"][3, 7] += 0.25
    torch.save(state, weights)
    check = verify.verify_py(model, py, weights, (1, 12, 12))
    assert not check.ok and not check.identical
    expected = verify.reference_output(model, verify.probe_batch((1, 12, 12)))
    model[5].weight.data[3, 7] += 0.25
    exact = (expected.double() - verify.reference_output(model, verify.probe_batch((1, 12, 12))).double()).abs().max()
    assert check.max_abs_diff == float(exact) > 0
    assert check.message == f"outputs differ: max abs difference {float(exact)!r}"


def test_safetensors_weights_are_checked_too(tmp_path):
    from safetensors.torch import save_file

    model, py, _ = _export(tmp_path)
    save_file(model.state_dict(), tmp_path / "model.safetensors")
    check = verify.verify_py(model, py, tmp_path / "model.safetensors", (1, 12, 12))
    assert check.identical, check.message


def test_a_file_that_crashes_is_reported_not_raised(tmp_path):
    model, py, weights = _export(tmp_path)
    py.write_text(SOURCE + "\nraise RuntimeError('broken on purpose')\n")
    check = verify.verify_py(model, py, weights, (1, 12, 12))
    assert not check.ok
    assert check.message == "importing model.py failed: RuntimeError: broken on purpose"


def test_codegen_exports_of_both_styles_verify_identical(tmp_path):
    from designer.core import project as project_io
    from designer.core.codegen import generate
    from designer.ml import build, weights

    project = project_io.load("designer/resources/examples/lenet-28.netproj.json")
    model = build.seeded_model(project.graph, 7)
    for style, suffix in (("class", ".pt"), ("sequential", ".safetensors")):
        py, pt = tmp_path / f"lenet_{style}.py", tmp_path / f"lenet{suffix}"
        py.write_text(generate(project, style))
        weights.save_state_dict(model.state_dict(), pt)
        check = verify.verify_py(model, py, pt, (1, 28, 28))
        assert check.identical, f"{style}: {check.message}"


def test_bundle_checks_the_py_even_without_a_weights_file(tmp_path):
    from designer.core import project as project_io
    from designer.ml import bundle

    project = project_io.load("designer/resources/examples/small-module.netproj.json")
    outcome = bundle.export_bundle(project, None, bundle.Request(py=tmp_path / "small.py", style="sequential"))
    assert outcome.verified, outcome.text()
    assert outcome.lines[-1] == "small.py in a fresh process (fresh weights, seed 0): verified: identical outputs"
    assert [p.name for p in tmp_path.iterdir()] == ["small.py"]
