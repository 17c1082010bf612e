"""`python main.py check`: run as a user runs it, in a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "designer" / "resources" / "examples"
LENET = "designer/resources/examples/lenet-28.netproj.json"
BROKEN = "designer/resources/examples/broken-lenet.netproj.json"


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "check", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def test_lenet_is_valid_with_61706_parameters_and_output_10():
    result = check(LENET, "--json")
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    assert report["file"] == LENET
    assert report["valid"] is True and report["error"] is None
    assert report["output_shape"] == [10]
    assert report["parameters"] == 61706
    assert list(report) == ["file", "valid", "error", "output_shape", "parameters", "nodes"]
    first = report["nodes"][1]
    assert first == {"id": "n1", "type": "Conv2d", "output_shape": [6, 28, 28], "error": None,
                     "receptive_field": [5, 5], "jump": [1, 1]}
    assert [n["output_shape"] for n in report["nodes"]][-6:] == [[400], [120], [120], [84], [84], [10]]


def test_lenet_table_for_humans():
    result = check(LENET)
    assert result.returncode == 0
    out = result.stdout
    assert "conv1" in out and "Conv2d" in out and "6×28×28" in out
    assert "valid: output 10, 61,706 trainable parameters" in out
    assert out.rstrip().endswith("1 file: 1 valid, 0 invalid, 0 unreadable")


def test_broken_lenet_exits_1_with_the_linear_error_and_its_fix():
    result = check(BROKEN, "--json")
    assert result.returncode == 1
    [report] = json.loads(result.stdout)
    assert report["valid"] is False and report["error"] is None
    assert report["output_shape"] is None and report["parameters"] is None
    fc1 = next(n for n in report["nodes"] if n["id"] == "n8")
    assert "in_features should be 400" in fc1["error"]
    assert fc1["output_shape"] is None

    table = check(BROKEN)
    assert table.returncode == 1
    assert "in_features should be 400" in table.stdout
    assert "fix:" in table.stdout and "400" in table.stdout.split("fix:")[1].splitlines()[0]


def test_unreadable_file_exits_2_and_others_are_still_checked(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "netdesigner.project", "version": 1, "nodes": [{"id": "x", "type": "os.system"}]}')
    result = check(LENET, str(bad), "--json")
    assert result.returncode == 2
    good, broken = json.loads(result.stdout)
    assert good["valid"] is True
    assert broken == {"file": str(bad), "valid": False, "output_shape": None, "parameters": None, "nodes": [],
                      "error": f'{bad}: nodes[0] (id "x").type: unknown layer type "os.system"'}
    assert "Traceback" not in result.stderr

    missing = check(str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "nope.json: cannot be read" in missing.stdout
    assert "Traceback" not in missing.stderr


def test_many_files_reported_in_argument_order():
    files = [BROKEN, LENET, "designer/resources/examples/small-module.netproj.json", LENET]
    result = check("--json", *files)
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [r["file"] for r in reports] == files
    assert [r["valid"] for r in reports] == [False, True, True, True]
    assert reports[2]["output_shape"] == [8] and reports[2]["parameters"] == 393

    table = check(*files)
    positions = [table.stdout.index(name) for name in ("broken-lenet", "lenet-28", "small-module")]
    assert positions == sorted(positions)
    assert "4 files: 3 valid, 1 invalid, 0 unreadable" in table.stdout


def test_every_bundled_example_but_the_broken_one_is_valid():
    files = sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.glob("*.netproj.json") if "broken" not in p.name)
    result = check("--json", *files)
    assert result.returncode == 0, result.stdout
    assert all(r["valid"] for r in json.loads(result.stdout))


def test_hostile_text_is_escaped_in_the_table(tmp_path):
    data = json.loads((EXAMPLES / "small-module.netproj.json").read_text())
    data["name"] = "evil\x1b]0;pwned\x07"
    data["nodes"][1]["name"] = "conv\x1b[2J"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(data))
    result = check(str(path))
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "conv\\x1b[2J" in result.stdout


def test_check_never_imports_torch_or_numpy():
    code = ("import sys, io, contextlib, argparse\n"
            "from designer.headless import check\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = check.run(argparse.Namespace(files=[{LENET!r}, {BROKEN!r}], json=True))\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'PySide6'))\n"
            "print(rc, heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "1 []", result.stdout + result.stderr

    timing = subprocess.run([sys.executable, "-X", "importtime", "main.py", "check", LENET], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    imported = {line.split("|")[-1].strip() for line in timing.stderr.splitlines() if "|" in line}
    assert "designer.core.shapes" in imported
    assert not {m for m in imported if m.split(".")[0] in ("torch", "numpy")}


def test_fan_out_is_an_invalid_graph_reported_on_its_node(tmp_path):
    data = json.loads((EXAMPLES / "small-module.netproj.json").read_text())
    data["nodes"].append({"id": "extra", "type": "ReLU", "params": {}, "pos": [0, 200]})
    data["edges"].append({"from": "n1", "to": "extra"})
    path = tmp_path / "fork.json"
    path.write_text(json.dumps(data))
    result = check(str(path), "--json")
    assert result.returncode == 1
    nodes = {n["id"]: n for n in json.loads(result.stdout)[0]["nodes"]}
    assert "feeds more than one block" in nodes["n1"]["error"]
    assert nodes["extra"]["error"] is None and nodes["extra"]["output_shape"] is None

    table = check(str(path)).stdout
    assert "not on the model path" in table and "extra" in table


def test_largest_allowed_project_is_checked(tmp_path):
    from designer.core.project import MAX_NODES
    from designer.headless.check import check_file

    nodes = [{"id": "input", "type": "Input", "params": {"shape": [8]}}]
    nodes += [{"id": f"n{i}", "type": "ReLU", "params": {}} for i in range(1, MAX_NODES)]
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(nodes, nodes[1:])]
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"format": "netdesigner.project", "version": 1, "nodes": nodes, "edges": edges}))
    report, table = check_file(str(path))  # its speed is measured in benchmarks/bench_check.py
    assert report["valid"] and report["output_shape"] == [8]
    assert len(table) == MAX_NODES + 3


def test_named_pipe_exits_2_at_once_and_the_others_are_checked(tmp_path):
    pipe = tmp_path / "pipe.netproj.json"
    os.mkfifo(pipe)  # nobody writes to it: a plain open() would wait for ever (the timeout fails the test)
    result = check(str(pipe), LENET, "--json")
    assert result.returncode == 2
    piped, good = json.loads(result.stdout)
    assert piped["error"] == f"{pipe}: is a named pipe (FIFO), not a regular file; only regular files are read"
    assert good["valid"] is True
