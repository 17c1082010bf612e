"""The export check runs the exported file in a fresh process and catches any difference."""
import importlib.util

import torch

from designer.ml.export import verify

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
    assert check.message == f"outputs differ: max difference {float(exact):.3g}"


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


def test_export_checks_the_py_even_without_a_weights_file(tmp_path):
    from designer.ml import models

    project = models.load_project("designer/resources/examples/small-module.netproj.json")
    outcome = models.export(project, None, models.Request(py=tmp_path / "small.py", style="sequential"))
    assert outcome.verified, outcome.text()
    assert outcome.lines[-1] == "small.py in a fresh process (fresh, seed 0): verified: identical outputs"
    assert [p.name for p in tmp_path.iterdir()] == ["small.py"]


def test_the_three_verdicts():
    expected = torch.tensor([[-0.3611, 0.0058, 12.5], [1.0, -2.0, 0.25]])
    same = verify.compare(expected, expected.clone())
    assert (same.ok, same.identical, same.message) == (True, True, "verified: identical outputs")
    rounded = expected.clone()
    rounded[0, 0] = torch.nextafter(rounded[0, 0], torch.tensor(0.0))  # one unit in the last place
    close = verify.compare(expected, rounded)
    diff = float((expected[0, 0].double() - rounded[0, 0].double()).abs())
    assert close.ok and not close.identical and close.max_abs_diff == diff
    assert close.message == f"verified: outputs match within floating-point rounding (max difference {diff:.3g})"
    cancelled = expected.clone()
    cancelled[0, 1] += 1e-6  # a result near zero of a long sum: rounding is measured against the output's scale
    assert verify.compare(expected, cancelled).ok
    wrong = expected.clone()
    wrong[1, 2] += 1e-3
    far = verify.compare(expected, wrong)
    assert not far.ok and far.message == f"outputs differ: max difference {far.max_abs_diff:.3g}"
    assert abs(far.max_abs_diff - 1e-3) < 1e-6
    shaped = verify.compare(expected, expected[:1])
    assert not shaped.ok and shaped.message == "outputs differ: output shapes (2, 3) in the app, (1, 3) exported"


def test_tiny_outputs_are_compared_against_their_own_scale():
    """An untrained model's outputs may be ~1e-10: a layer left out must not hide under an absolute floor."""
    expected = torch.tensor([[3e-10, -1e-10, 2e-10]])
    assert not verify.compare(expected, expected.clamp(0, 6)).ok  # a ReLU6 too many
    rounded = expected.clone()
    rounded[0, 0] = torch.nextafter(rounded[0, 0], torch.tensor(1.0))
    assert verify.compare(expected, rounded).ok


def test_nan_in_the_same_places_is_identical_and_anywhere_else_differs():
    expected = torch.tensor([1.0, float("nan"), 3.0])
    assert verify.compare(expected, expected.clone()).identical
    moved = torch.tensor([float("nan"), 2.0, 3.0])
    assert not verify.compare(expected, moved).ok


def test_a_long_sum_computed_on_several_threads_is_not_called_a_difference(tmp_path):
    """Conv2d(1, 8, 3) -> Flatten -> Linear(5408, 10): the app's threads used to sum in another order."""
    from designer.core.graph import Graph
    from designer.core.project import Project
    from designer.ml import models

    graph = Graph()
    graph.add_node("Input", {"shape": [1, 28, 28]}, node_id="input")
    graph.add_node("Conv2d", {"in_channels": 1, "out_channels": 8, "kernel_size": 3}, node_id="conv")
    graph.add_node("Flatten", {}, node_id="flat")
    graph.add_node("Linear", {"in_features": 5408, "out_features": 10}, node_id="fc")
    for edge in (("input", "conv"), ("conv", "flat"), ("flat", "fc")):
        graph.connect(*edge)
    threads = torch.get_num_threads()
    torch.set_num_threads(4)  # as on a student's laptop; the checking process runs on one thread
    try:
        outcome = models.export(Project(graph=graph, name="convlin"), None,
                                models.Request(py=tmp_path / "m.py", weights=tmp_path / "m.pt", onnx=tmp_path / "m.onnx"))
    finally:
        torch.set_num_threads(threads)
    assert outcome.verified, outcome.text()
    assert not any("outputs differ" in line for line in outcome.lines), outcome.text()
    assert torch.get_num_threads() == threads
