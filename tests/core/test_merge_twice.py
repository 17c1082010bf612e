"""A merge fed twice by one output (``x + x``, ``torch.cat([x, x], 1)``, ``torch.cat([x, a, x], 1)``): torch runs it, so it loads."""

from __future__ import annotations

import json

import pytest
import torch

from designer.core import project as projects
from designer.core.shapes import infer
from designer.ml import build


def _project(merge: str, edges: list[dict]) -> dict:
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [2, 4, 4]}},
             {"id": "c", "type": "Conv2d", "name": "conv", "params": {"in_channels": 2, "out_channels": 3,
                                                                      "kernel_size": 1}},
             {"id": "r", "type": "ReLU", "params": {}},
             {"id": "m", "type": merge, "params": {}}]
    return {"format": "netdesigner.project", "version": 2, "name": "twice", "nodes": nodes,
            "edges": [{"from": "input", "to": "c"}, {"from": "c", "to": "r"}, *edges]}


CASES = {
    "x + x": ("Add", [{"from": "r", "to": "m"}, {"from": "r", "to": "m"}],
              lambda x, r: r + r, (3, 4, 4)),
    "cat([x, x], 1)": ("Concat", [{"from": "r", "to": "m", "port": 0}, {"from": "r", "to": "m", "port": 1}],
                       lambda x, r: torch.cat([r, r], 1), (6, 4, 4)),
    "cat([x, c, x], 1)": ("Concat", [{"from": "r", "to": "m", "port": 2}, {"from": "c", "to": "m", "port": 1},
                                     {"from": "r", "to": "m", "port": 0}],
                          None, (9, 4, 4)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_merge_fed_twice_by_one_output_loads_runs_as_torch_and_saves_as_written(case, tmp_path):
    merge, edges, compute, shape = CASES[case]
    path = tmp_path / "p.netproj.json"
    path.write_text(json.dumps(_project(merge, edges)))
    project = projects.load(path)
    result = infer(project.graph)
    assert result.valid and result.output_shape == shape
    model = build.build_model(project.graph).eval()
    x = torch.randn(2, 2, 4, 4)
    with torch.no_grad():
        out = model(x)
        c = model.conv(x)
        r = torch.relu(c)
    expected = compute(x, r) if compute else torch.cat([r, c, r], 1)
    assert torch.equal(out, expected)
    projects.save(project, tmp_path / "again.netproj.json")
    saved = json.loads((tmp_path / "again.netproj.json").read_text())["edges"]
    assert [e for e in saved if e["to"] == "m"] == edges


def test_the_same_wire_twice_into_a_layer_is_still_refused(tmp_path):
    data = _project("Add", [{"from": "r", "to": "m"}, {"from": "c", "to": "m"}])
    data["edges"].append({"from": "c", "to": "r"})
    path = tmp_path / "p.netproj.json"
    path.write_text(json.dumps(data))
    with pytest.raises(projects.ProjectError, match=r"repeats edges\[1\]"):
        projects.load(path)


def test_the_exported_code_computes_the_same_in_a_fresh_process(tmp_path):
    from designer.ml import models

    merge, edges, _, _ = CASES["cat([x, c, x], 1)"]
    path = tmp_path / "p.netproj.json"
    path.write_text(json.dumps(_project(merge, edges)))
    outcome = models.export(projects.load(path), None, models.Request(py=tmp_path / "twice.py"))
    assert outcome.verified, outcome.text()
    assert "torch.cat([x, identity, x], dim=1)" in (tmp_path / "twice.py").read_text()
