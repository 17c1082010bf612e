"""Export round trip: the exported .py, run in a fresh process, equals the in-app model bit for bit.

Each batch of exports is checked by ONE child process (importing torch is the
slow part), which imports every exported file by path, loads its weights with
``strict=True`` and runs the export check's probe batch. The export command's own
check (a fresh process per file) is left off unless asked for: the child does the
same work for the whole batch, and ``run_child`` asserts the verdict the check
would give against the same reference, the model the command held in memory
(so weights written wrongly are caught, not only code).
"""
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from designer.cli import build_parser
from designer.core import layers, project as project_io
from designer.core.graph import Graph
from designer.core.params import ParamError
from designer.core.project import Project
from designer.core.rules import ShapeError
from designer.headless import export
from designer.ml import build, models, weights
from designer.ml.export import verify
from tests.core.branching import valid_graph

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "designer" / "resources" / "examples"

CHILD = r"""
import importlib.util, json, runpy, sys
import torch
torch.set_num_threads(1)
for i, job in enumerate(json.loads(sys.argv[1])):
    spec = importlib.util.spec_from_file_location(f"exported_{i}", job["py"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.build_model()
    if job["weights"].endswith(".safetensors"):
        from safetensors.torch import load_file
        state = load_file(job["weights"])
    else:
        state = torch.load(job["weights"], weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        out = model(torch.load(job["input"], weights_only=True))
    torch.save({"out": out, "keys": list(model.state_dict())}, job["out"])
    if job.get("main"):  # run it as a script too
        runpy.run_path(job["py"], run_name="__main__")
print("checked", i + 1)
"""


@pytest.fixture(autouse=True)
def one_thread():
    # The same thread count as the child, so that float reductions happen in the same order.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def export_project(project: Project, folder: Path, style: str, suffix: str = ".pt", check: bool = False) -> dict:
    """Run the export command in-process (with its own fresh-process check if ``check``); returns the child's job
    for it."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "project.netproj.json"
    project_io.save(project, source)
    py, w = folder / f"model_{style}.py", folder / f"weights_{style}{suffix}"
    args = build_parser().parse_args(["export", str(source), "--py", str(py), "--style", style, "--weights", str(w),
                                      *([] if check else ["--no-check"])])
    assert export.run(args) == 0
    x = verify.probe_batch(project.graph.input_node().params["shape"])  # what the export check feeds its child
    torch.save(x, folder / "input.pt")
    # What the check compares with: the command's own model, fresh and seeded, before anything was written.
    reference = verify.reference_output(models.build(project, models.SEED, style), x)
    return {"py": str(py), "weights": str(w), "input": str(folder / "input.pt"),
            "out": str(folder / f"out_{style}.pt"), "graph": project.graph, "style": style, "reference": reference}


def run_child(jobs: list[dict], cwd: Path) -> str:
    plain = [{k: v for k, v in job.items() if k not in ("graph", "style", "reference")} for job in jobs]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", CHILD, json.dumps(plain)], cwd=cwd, capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    for job in jobs:
        model = build.build_model(job["graph"], job["style"])
        state = weights.load_state_dict(job["weights"])
        model.load_state_dict(state, strict=True)
        model.eval()
        with torch.no_grad():
            expected = model(torch.load(job["input"], weights_only=True))
        child = torch.load(job["out"], weights_only=True)
        assert child["keys"] == list(model.state_dict())
        assert torch.equal(child["out"], expected), job["py"]
        # The export check's verdict on the same outputs: against the exporting command's model where the export
        # command wrote the files, else against the model the weights were saved from, loaded here.
        reference = job.get("reference")
        if reference is None:
            reference = verify.reference_output(model, torch.load(job["input"], weights_only=True))
        verdict = verify.compare(reference, child["out"])
        assert verdict.identical, f'{job["py"]}: {verdict.message}'
    return result.stdout


def test_examples_round_trip_in_a_fresh_process(tmp_path):
    jobs = []
    for i, name in enumerate(["lenet-28", "lenet-32", "small-module", "resnet-mnist"]):
        project = project_io.load(EXAMPLES / f"{name}.netproj.json")
        for style in ("class", "sequential"):
            jobs.append(export_project(project, tmp_path / name, style, ".safetensors" if i == 1 else ".pt"))
    run_child(jobs, tmp_path)


# Random valid chains ----------------------------------------------------

def _candidate(draw, kind: str, shape: tuple) -> dict:
    small = st.integers(1, 3)
    if kind == "Conv2d":
        return {"in_channels": shape[0], "out_channels": draw(small), "kernel_size": draw(small),
                "stride": draw(st.integers(1, 2)), "padding": draw(st.integers(0, 1)), "bias": draw(st.booleans())}
    if kind == "ConvTranspose2d":
        return {"in_channels": shape[0], "out_channels": draw(small), "kernel_size": draw(small),
                "stride": draw(st.integers(1, 2))}
    if kind in ("MaxPool2d", "AvgPool2d"):
        return {"kernel_size": draw(st.integers(1, 2)), "ceil_mode": draw(st.booleans())}
    if kind == "AdaptiveAvgPool2d":
        return {"output_size": draw(small)}
    if kind in ("BatchNorm2d", "BatchNorm1d"):
        return {"num_features": shape[0]}
    if kind == "Linear":
        return {"in_features": shape[-1], "out_features": draw(st.integers(1, 6))}
    if kind == "LeakyReLU":
        return {"negative_slope": draw(st.sampled_from([0.01, 0.2]))}
    if kind == "Dropout":
        return {"p": 0.5}
    return {}


IMAGE_KINDS = ["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm2d", "ReLU",
               "Tanh", "Dropout2d", "Flatten"]
VECTOR_KINDS = ["Linear", "BatchNorm1d", "ReLU", "LeakyReLU", "GELU", "Sigmoid", "Dropout", "Identity"]


@st.composite
def valid_chains(draw) -> Project:
    shape = (draw(st.integers(1, 3)), draw(st.integers(3, 10)), draw(st.integers(3, 10)))
    graph = Graph()
    prev = graph.add_node("Input", {"shape": list(shape)}, node_id="input")
    for _ in range(draw(st.integers(2, 8))):
        kind = draw(st.sampled_from(IMAGE_KINDS if len(shape) == 3 else VECTOR_KINDS))
        params = _candidate(draw, kind, shape)
        spec = layers.CATALOG[kind]
        try:
            new_shape = tuple(spec.rule(shape, spec.resolve(params)))
        except (ShapeError, ParamError):
            continue
        name = draw(st.sampled_from([None, None, "layer", "x y", "forward"]))
        node = graph.add_node(kind, params, name)
        graph.connect(prev.id, node.id)
        prev, shape = node, new_shape
    if len(shape) == 3 and draw(st.booleans()):  # a classifier head, as most learners build
        for kind, params in (("Flatten", {}), ("Linear", {"in_features": shape[0] * shape[1] * shape[2],
                                                          "out_features": draw(st.integers(1, 5))})):
            node = graph.add_node(kind, params)
            graph.connect(prev.id, node.id)
            prev = node
    return Project(graph=graph, name="random chain")


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(projects=st.lists(valid_chains(), min_size=3, max_size=3))
def test_random_chains_round_trip(tmp_path_factory, projects):
    folder = tmp_path_factory.mktemp("chains")
    jobs = [export_project(p, folder / f"chain{i}", style)
            for i, p in enumerate(projects) for style in ("class", "sequential")]
    run_child(jobs, folder)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=3, max_size=3))
def test_random_branching_graphs_round_trip_in_both_styles(tmp_path_factory, seeds):
    folder = tmp_path_factory.mktemp("graphs")
    projects = [Project(graph=valid_graph(random.Random(seed)), name="random graph") for seed in seeds]
    jobs = [export_project(p, folder / f"graph{i}", style)
            for i, p in enumerate(projects) for style in ("class", "sequential")]
    run_child(jobs, folder)


# Hostile names ----------------------------------------------------------

HOSTILE_NAMES = ["__import__('os').system('touch PWNED')", "class", "forward", "", "ümlaut", "a\nimport os",
                 "dup", "dup", "training", "'''", '"""', "\\", "exec(open('x').read())#"]
HOSTILE_PROJECT = 'x"""\nimport os; os.system("touch PWNED")\n"""\\\'\'\'#'


def hostile_project() -> Project:
    graph = Graph()
    prev = graph.add_node("Input", {"shape": [4]}, node_id="input")
    for name in HOSTILE_NAMES:
        node = graph.add_node("Linear", {"in_features": 4, "out_features": 4}, name)
        graph.connect(prev.id, node.id)
        prev = node
    return Project(graph=graph, name=HOSTILE_PROJECT)


def test_hostile_names_export_runs_and_executes_none_of_it(tmp_path):
    jobs = [export_project(hostile_project(), tmp_path / "hostile", style) for style in ("class", "sequential")]
    for job in jobs:
        job["main"] = True
    stdout = run_child(jobs, tmp_path)
    assert stdout.count("Output shape for one sample: (1, 4)") == 2
    assert stdout.count("Linear(in_features=4, out_features=4, bias=True)") == 2 * len(HOSTILE_NAMES)
    assert "(class_): Linear" in stdout and "(forward_): Linear" in stdout and "(dup_2): Linear" in stdout
    assert not list(tmp_path.rglob("PWNED")) and not (ROOT / "PWNED").exists()
