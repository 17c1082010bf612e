"""Import: project -> .py -> import -> the same project; hostile files are contained."""
import random
import re
import time

import torch

from designer.core import codegen
from designer.core import project as project_io
from designer.ml import _import_child, build, importer, weights
from tests.ml.chains import random_chain


def _normal(node):
    resolved = node.spec.resolve(node.params)
    if node.type in importer.POOLS and resolved.get("stride") is None:
        resolved["stride"] = resolved["kernel_size"]  # torch's default stride is the kernel size
    return node.type, resolved


def _chain(graph):
    path = graph.model_path().nodes
    idents = codegen.identifiers(graph)
    # codegen's de-duplication can write "class__2", which it reads back as "class_2"
    return [_normal(graph.nodes[n]) for n in path], [re.sub("_+", "_", idents.get(n, "")) for n in path]


def _import_in_process(path):
    data, tensors = _import_child.describe(str(path), {"catalog": importer.catalog_params()})
    assert data["ok"], data
    return importer.finish(importer.ImportResult(str(path)), data, tensors)


def test_random_chains_round_trip_through_both_styles(tmp_path):
    rng = random.Random(6)
    for i in range(48):
        graph = random_chain(rng)
        style = codegen.STYLES[i % 2]
        source = tmp_path / f"chain{i}.py"
        source.write_text(codegen.generate(graph, style))
        result = _import_in_process(source)
        assert result.ok and not result.unsupported and not result.problems, result.report()
        assert _chain(result.project.graph) == _chain(graph), source.read_text()
        assert result.check.identical, result.report()


def test_exported_lenet_imports_in_a_child_process_with_its_weights(tmp_path):
    project = project_io.load("designer/resources/examples/lenet-32.netproj.json")
    py, pt = tmp_path / "lenet.py", tmp_path / "lenet.pt"
    py.write_text(codegen.generate(project, "class"))
    model = build.seeded_model(project.graph, 5)
    weights.save_state_dict(model.state_dict(), pt)
    result = importer.import_py(py)
    assert result.ok, result.report()
    assert _chain(result.project.graph) == _chain(project.graph)
    assert result.input_shape == (1, 32, 32) and not result.input_shape_assumed
    assert "verified: identical outputs" in result.report()
    # the saved project is a valid v1 file
    assert project_io.loads(project_io.dumps(result.project)).graph.nodes.keys() == result.project.graph.nodes.keys()
    state, report = importer.attach_weights(result.project, pt, result.key_map)
    assert report.ok, report.summary()
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


TUTORIAL = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU())
        self.fc1 = nn.Linear(6 * 12 * 12, 10)
        self.up = nn.Upsample(scale_factor=1)

    def forward(self, x):
        x = F.max_pool2d(self.features(x), (2, 2))
        x = x.view(x.size(0), -1)
        x = self.up(x.unsqueeze(1)).squeeze(1)
        return F.log_softmax(self.fc1(x), dim=1)
'''


def test_functional_forward_becomes_a_chain_and_outsiders_are_named(tmp_path):
    source = tmp_path / "tutorial.py"
    source.write_text(TUTORIAL)
    result = _import_in_process(source)
    assert result.ok
    graph = result.project.graph
    types = [graph.nodes[n].type for n in graph.model_path().nodes]
    assert types == ["Input", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "LogSoftmax"]
    assert result.input_shape == (1, 28, 28) and result.input_shape_assumed
    assert result.unsupported == ["unsqueeze (call_method unsqueeze)", "up (torch.nn.modules.upsampling.Upsample)",
                                  "squeeze (call_method squeeze)"]
    assert result.key_map == {"features.0": "features_0", "features.1": "features_1", "fc1": "fc1"}
    assert "Not in the catalog, left out: unsqueeze" in result.report()


def test_a_skip_connection_is_refused_with_the_reason(tmp_path):
    source = tmp_path / "residual.py"
    source.write_text("from torch import nn\n\nclass Block(nn.Module):\n    def __init__(self):\n"
                      "        super().__init__()\n        self.conv = nn.Conv2d(1, 1, 3, padding=1)\n\n"
                      "    def forward(self, x):\n        return x + self.conv(x)\n")
    data, _ = _import_child.describe(str(source), {"catalog": importer.catalog_params()})
    assert not data["ok"]
    assert data["error"].startswith("forward is not a single chain")


def _timed_import(tmp_path, text, timeout):
    source = tmp_path / "bad.py"
    source.write_text(text)
    start = time.monotonic()
    result = importer.import_py(source, timeout=timeout)
    return result, time.monotonic() - start


def test_a_crashing_file_is_reported_with_its_line(tmp_path):
    result, _ = _timed_import(tmp_path, "import os\n\nraise ValueError('nope')\n", 60)
    assert not result.ok
    assert result.report() == "bad.py: line 3: ValueError: nope"


def test_a_hanging_file_is_stopped_at_the_time_limit(tmp_path):
    result, took = _timed_import(tmp_path, "while True:\n    pass\n", 4)
    assert result.error == "running the file did not finish within 4 s and was stopped"
    assert took < 10


def test_a_file_that_prints_endlessly_is_stopped(tmp_path):
    result, took = _timed_import(tmp_path, "while True:\n    print('spam' * 100)\n", 60)
    assert result.error == "running the file printed more than 1 MB of output and was stopped"
    assert took < 30
