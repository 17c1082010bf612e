"""The model service: one way from a project file to a model with checked weights."""
import pytest
import torch

from designer.ml import models

EXAMPLES = "designer/resources/examples"
LENET = f"{EXAMPLES}/lenet-28.netproj.json"


def test_load_build_attach_gives_the_weights_back_exactly(tmp_path):
    project = models.load_project(LENET)
    assert models.valid_shapes(project).output_shape == (10,)
    trained = models.build(project, seed=3).state_dict()
    torch.save(trained, tmp_path / "w.pt")
    model = models.build(project)
    report = models.attach(model, models.read_weights(tmp_path / "w.pt"))
    assert report.ok and len(report.matched) == 10
    assert all(torch.equal(model.state_dict()[k], v) for k, v in trained.items())


def test_seeded_builds_agree_and_leave_the_global_generator_alone():
    project = models.load_project(LENET)
    before = torch.random.get_rng_state()
    a, b = models.build(project, seed=0), models.build(project, seed=0)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert all(torch.equal(a.state_dict()[k], v) for k, v in b.state_dict().items())


def test_errors_carry_the_exit_code_and_name_the_file(tmp_path):
    with pytest.raises(models.ModelError) as unreadable:
        models.load_project(tmp_path / "nope.json")
    assert unreadable.value.exit_code == 2 and "nope.json: cannot be read" in str(unreadable.value)
    broken = models.load_project(f"{EXAMPLES}/broken-lenet.netproj.json")
    with pytest.raises(models.ModelError) as invalid:
        models.valid_shapes(broken, "broken.json")
    assert invalid.value.exit_code == 1
    assert invalid.value.message == "broken.json: the model has errors; fix them first:"
    assert any("fc1 (Linear)" in line and "in_features should be 400" in line for line in invalid.value.details)
    (tmp_path / "junk.pt").write_bytes(b"junk" * 10)
    with pytest.raises(models.ModelError) as junk:
        models.read_weights(tmp_path / "junk.pt")
    assert junk.value.exit_code == 2 and "junk.pt: is not a PyTorch weights file" in str(junk.value)


def test_weights_that_do_not_fit_are_refused_or_loaded_in_part():
    lenet = models.load_project(LENET)
    state = models.build(lenet, seed=1).state_dict()
    state["fc3.weight"] = torch.zeros(5, 84)
    model = models.build(lenet, seed=2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(models.WeightsMismatch) as info:
        models.attach(model, state, source="w.pt")
    assert str(info.value).startswith("w.pt: The weights do not fit the model (9 of 10 tensors match).")
    assert all(torch.equal(model.state_dict()[k], v) for k, v in before.items())  # untouched
    report = models.attach(model, state, partial=True)
    assert report.shape_mismatch == [("fc3.weight", (10, 84), (5, 84))]
    assert torch.equal(model.state_dict()["conv1.weight"], state["conv1.weight"])
    assert torch.equal(model.state_dict()["fc3.weight"], before["fc3.weight"])


def test_the_signature_follows_the_model_not_the_layout():
    project = models.load_project(LENET)
    state = models.build(project, seed=0).state_dict()
    first = models.signature(project, state)
    assert first.startswith("sha256:") and first == models.signature(project, state)
    node = next(iter(project.graph.nodes))
    project.graph.move(node, (500.0, 700.0))
    project.name = "renamed"
    assert models.signature(project, state) == first  # moving a block or renaming the project changes nothing
    relu = next(n for n in project.graph.nodes.values() if n.type == "ReLU")
    relu.type = "Tanh"  # same tensors, another model
    assert models.signature(project, state) != first
    relu.type = "ReLU"
    assert models.signature(project, state) == first
    assert models.signature(project, {**state, "fc3.bias": torch.zeros(9)}) != first


def test_project_weights_are_checked_against_the_recorded_signature(tmp_path):
    project = models.load_project(LENET)
    state = models.build(project, seed=4).state_dict()
    torch.save(state, tmp_path / "w.pt")
    assert models.project_weights(project, tmp_path) is None  # the project names no weights
    project.weights, project.weights_signature = "w.pt", models.signature(project, state)
    found = models.project_weights(project, tmp_path)
    assert found.message == "Loaded the trained weights from w.pt." and found.state is not None
    project.weights_signature = "sha256:another"
    stale = models.project_weights(project, tmp_path)
    assert stale.state is None and "earlier version of this model" in stale.message
    project.weights_signature = None  # an older file without a signature: the tensors' fit decides
    assert models.project_weights(project, tmp_path).state is not None


NUMBERED = {
    "format": "netdesigner.project", "version": 3, "name": "imported",
    "blocks": {"Stage": {"args": {}, "nodes": [
        {"id": "in", "type": "Input"},
        {"id": "c", "type": "Conv2d", "name": "0", "params": {"in_channels": 2, "out_channels": 4, "kernel_size": 3}},
        {"id": "b", "type": "BatchNorm2d", "name": "1", "params": {"num_features": 4}}],
        "edges": [{"from": "in", "to": "c"}, {"from": "c", "to": "b"}]}},
    "nodes": [{"id": "input", "type": "Input", "params": {"shape": [2, 8, 8]}},
              {"id": "s", "type": "Stage", "name": "features"},
              {"id": "f", "type": "Flatten", "name": "1"},
              {"id": "l", "type": "Linear", "name": "2", "params": {"in_features": 144, "out_features": 3}}],
    "edges": [{"from": "input", "to": "s"}, {"from": "s", "to": "f"}, {"from": "f", "to": "l"}],
}


def test_numbered_layers_keep_torchs_keys_and_weights_saved_with_earlier_names_still_load(tmp_path):
    from designer.core import project as project_io

    project = project_io.from_dict(NUMBERED)
    trained = models.build(project, seed=5).state_dict()
    # nn.Sequential's own names, as the imported file had them
    assert {"features.0.weight", "features.1.running_mean", "2.weight"} <= set(trained)
    # earlier versions wrote features.conv_0 / fc_2: a project saved then keeps its trained weights
    earlier = {"features.0.": "features.conv_0.", "features.1.": "features.bn_1.", "2.": "fc_2."}
    older = {}
    for key, value in trained.items():
        prefix = next((p for p in earlier if key.startswith(p)), None)
        older[earlier[prefix] + key[len(prefix):] if prefix else key] = value
    assert set(older).isdisjoint(trained)
    torch.save(older, tmp_path / "w.pt")
    project.weights, project.weights_signature = "w.pt", models.signature(project, older)
    found = models.project_weights(project, tmp_path)
    assert found.state is not None, found.message
    model = models.build(project)
    assert models.attach(model, found.state).ok
    assert all(torch.equal(model.state_dict()[k], v) for k, v in trained.items())
