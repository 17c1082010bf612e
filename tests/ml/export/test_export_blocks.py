"""Projects with blocks, exported: a class per block, nested state_dict keys, the same outputs in a fresh process
and through ONNX."""

import random

import onnx
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from designer.core import codegen, project as project_io
from designer.core.shapes import infer
from designer.ml import build
from designer.ml.export import onnx_export, verify
from tests.core.block_graphs import blockify
from tests.core.block_projects import small_resnet
from tests.core.branching import valid_graph
from tests.ml.export.test_export_roundtrip import export_project, one_thread, run_child  # noqa: F401 (fixture)


def test_projects_with_blocks_round_trip_in_a_fresh_process_with_nested_keys(tmp_path):
    proj = project_io.from_dict(small_resnet())
    jobs = [export_project(proj, tmp_path / "resnet", "class", check=True)]  # the export command, with its own check
    # The compact style too, written directly: the same weights under its keys.
    folder = tmp_path / "sequential"
    folder.mkdir()
    (folder / "model.py").write_text(codegen.generate(proj, "sequential"))
    state = build.restyle_state(proj.graph, build.seeded_model(proj.graph, 1).state_dict(), "sequential")
    torch.save(state, folder / "w.pt")
    torch.save(torch.randn(2, 1, 16, 16), folder / "x.pt")
    jobs.append({"py": str(folder / "model.py"), "weights": str(folder / "w.pt"), "input": str(folder / "x.pt"),
                 "out": str(folder / "out.pt"), "graph": proj.graph, "style": "sequential"})
    source = open(jobs[0]["py"]).read()
    assert "class BasicBlock(nn.Module):" in source
    assert "    def __init__(self, channels, stride=1):" in source
    assert "self.layer2 = Stage(16)" in source and "self.block = BasicBlock(width)" in source
    assert source.index("class DownBlock(") < source.index("class Stage(") < source.index("class Net(")
    run_child(jobs, tmp_path)
    keys = list(build.build_model(jobs[0]["graph"]).state_dict())
    assert {"layer1_0.conv1.weight", "layer2.down.bn1.running_mean", "layer2.block.conv2.bias"} <= set(keys)


def test_a_model_from_blocks_counts_the_parameters_torch_counts():
    graph = project_io.from_dict(small_resnet()).graph
    model = build.build_model(graph)
    assert infer(graph).parameters == sum(p.numel() for p in model.parameters())


def _paths(graph, prefix: str = "") -> dict[str, str]:
    """Every layer's module path, inner layers of blocks included: node id -> ``layer1_0.conv1``."""
    out = {}
    for node_id, ident in codegen.identifiers(graph).items():
        node = graph.nodes[node_id]
        if node.type in graph.blocks:
            out.update(_paths(graph.blocks[node.type].graph, f"{prefix}{ident}."))
        else:
            out[node_id] = prefix + ident
    return out


@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=4))
def test_random_graphs_with_blocks_compute_what_the_flat_graph_computes_and_round_trip(tmp_path_factory, seeds):
    folder = tmp_path_factory.mktemp("blocks")
    jobs = []
    for i, seed in enumerate(seeds):
        rng = random.Random(seed)
        flat = valid_graph(rng)
        graph = blockify(flat, rng)
        flat_model, model = build.seeded_model(flat, 0), build.build_model(graph)
        flat_paths, paths = codegen.identifiers(flat), _paths(graph)
        state = {}
        for key, value in flat_model.state_dict().items():
            head, _, rest = key.partition(".")
            node_id = next(n for n, ident in flat_paths.items() if ident == head)
            state[f"{paths[node_id]}.{rest}"] = value
        model.load_state_dict(state, strict=True)
        x = torch.randn(2, *flat.input_node().params["shape"], generator=torch.Generator().manual_seed(i))
        flat_model.eval(), model.eval()
        with torch.no_grad():
            assert torch.equal(model(x), flat_model(x))
        job_folder = folder / f"g{i}"
        job_folder.mkdir()
        py = job_folder / "model.py"
        py.write_text(codegen.generate(graph))
        torch.save(model.state_dict(), job_folder / "w.pt")
        torch.save(x, job_folder / "x.pt")
        jobs.append({"py": str(py), "weights": str(job_folder / "w.pt"), "input": str(job_folder / "x.pt"),
                     "out": str(job_folder / "out.pt"), "graph": graph, "style": "class"})
    run_child(jobs, folder)


def test_a_model_from_blocks_exports_to_onnx_and_matches_onnxruntime(tmp_path):
    graph = project_io.from_dict(small_resnet()).graph
    model = build.seeded_model(graph, 0)
    path = onnx_export.export_onnx(model, (1, 16, 16), tmp_path / "blocks.onnx")
    assert {"Add", "Conv", "Gemm"} <= {node.op_type for node in onnx.load(str(path)).graph.node}
    check = verify.verify_onnx(model, path, (1, 16, 16))
    assert check.ok, check.message


def test_editing_a_definition_changes_what_weights_belong_to():
    from designer.ml import models

    proj = project_io.from_dict(small_resnet())
    state = build.build_model(proj.graph).state_dict()
    before = models.signature(proj, state)
    proj.blocks["DownBlock"].graph.set_param("c1", "stride", 1)  # the same tensors, another model
    proj.blocks["DownBlock"].graph.set_param("skip", "stride", 1)
    assert models.signature(proj, state) != before
