"""Import round trip of projects with blocks: project → .py → import → project keeps parameters and outputs.

The importer reads the nested modules as layers in a line (``layer1_0.conv1`` becomes ``layer1_0_conv1``);
what must hold is that the model is the same: its parameter count, its outputs, and the original weights,
which load strictly into the imported project once their keys are mapped.
"""

import random

import torch

from designer.core import codegen, project as project_io
from designer.core.shapes import infer
from designer.ml import build, weights
from designer.ml.importing import importer
from tests.core.block_graphs import blockify
from tests.core.block_projects import small_resnet
from tests.core.branching import valid_graph
from tests.ml.importing.test_import import _in_process


def _same_model(original_graph, result, seed: int) -> None:
    assert result.ok and not result.unsupported, result.report()
    assert result.check.ok
    imported = result.project.graph
    assert infer(imported).parameters == infer(original_graph).parameters
    assert infer(imported).output_shape == infer(original_graph).output_shape
    model = build.seeded_model(original_graph, seed).eval()
    again = build.build_model(imported).eval()
    again.load_state_dict(importer.remap(model.state_dict(), result.key_map), strict=True)
    x = torch.randn(2, *original_graph.input_node().params["shape"], generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        assert torch.equal(again(x), model(x))


def test_a_project_with_blocks_imports_in_the_sandbox_with_its_weights(tmp_path):
    proj = project_io.from_dict(small_resnet())
    py, pt = tmp_path / "resnet.py", tmp_path / "resnet.pt"
    py.write_text(codegen.generate(proj))
    model = build.seeded_model(proj.graph, 2)
    weights.save_state_dict(model.state_dict(), pt)
    result = importer.import_py(py)
    assert "verified: identical outputs" in result.report()
    assert result.key_map["layer2.down.bn1"] == "layer2.down.bn1"  # the original keys: blocks come back
    _same_model(proj.graph, result, 2)
    state, report = importer.attach_weights(result.project, pt, result.key_map)
    assert report.ok, report.summary()


def test_random_graphs_with_blocks_import_to_the_same_model(tmp_path):
    for seed in (3, 11, 29):  # nested blocks, an argument, several blocks
        rng = random.Random(seed)
        graph = blockify(valid_graph(rng), rng)
        assert graph.blocks
        text = codegen.generate(graph)
        result = _in_process(tmp_path, text, f"blocks_{seed}.py")
        _same_model(graph, result, seed)
