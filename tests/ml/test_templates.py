"""The classic CNN templates: each builds, computes what core infers, and is what tools/make_templates.py writes."""
import importlib.util

import pytest
import torch

from designer.core import templates
from designer.core.shapes import infer
from designer.ml import models

ROOT = templates.RESOURCES.parents[1]
spec = importlib.util.spec_from_file_location("make_templates", ROOT / "tools" / "make_templates.py")
make_templates = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_templates)
CLASSIC = [t for t in templates.TEMPLATES if t.id in make_templates.BUILDERS]
USES_BLOCKS = {"vgg11-small", "nin", "googlenet-small", "resnet18-small", "densenet-small", "mobilenetv2-small"}


def test_the_chapter_s_models_are_all_offered():
    assert {t.id for t in CLASSIC} >= {"alexnet-small", "vgg11-small", "nin", "googlenet-small", "resnet18-small",
                                       "densenet-small"}


@pytest.mark.parametrize("template", CLASSIC, ids=lambda t: t.id)
def test_a_classic_template_runs_as_inferred_on_digits(template):
    project = templates.new_project(template.id)
    assert template.path.read_text(encoding="utf-8") == make_templates.text(template.id), \
        "run python tools/make_templates.py"
    shapes = infer(project.graph)
    assert shapes.valid and project.graph.input_node().params["shape"] == [1, 28, 28]
    model = models.build(project, seed=0)
    out = model.eval()(torch.rand(3, 1, 28, 28))
    assert tuple(out.shape) == (3, *shapes.output_shape) == (3, 10)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == shapes.parameters
    if template.id in USES_BLOCKS:
        assert len(project.blocks) >= 1
        assert any("." in key.split(".", 1)[1] for key in model.state_dict() if "." in key)  # nested keys


@pytest.mark.parametrize("template", CLASSIC, ids=lambda t: t.id)
def test_a_classic_template_s_accuracy_was_measured_on_its_model_and_settings(template):
    project = templates.new_project(template.id)
    measured = templates.measurements().get(template.id)
    assert measured is not None, f"run python tools/measure_templates.py {template.id}"
    assert measured.signature == templates.model_signature(project), \
        f"the model changed since it was measured: run python tools/measure_templates.py {template.id}"
    assert measured.training == project.training, \
        f"the training settings changed since: run python tools/measure_templates.py {template.id}"
    assert measured.epochs == project.training["epochs"] == 5 and measured.dataset == "mnist-5k"
    assert 0.9 <= measured.accuracy <= 1  # a learner's first try with a classic network works


def test_the_measurement_s_signature_follows_the_model_and_not_the_drawing():
    project = templates.new_project("nin")
    before = templates.model_signature(project)
    project.graph.nodes[project.graph.input_node().id].pos = (500, 500)
    project.name = "Mine"
    assert templates.model_signature(project) == before
    inner = project.blocks["NiNBlock"].graph
    mlp = next(n for n in inner.nodes.values() if n.params.get("kernel_size") == 1)
    mlp.params["kernel_size"] = 3  # an edit inside the block changes the model (and so its accuracy)
    assert templates.model_signature(project) != before
