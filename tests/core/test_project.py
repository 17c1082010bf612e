"""Project files v1: validation messages, round trips, atomic saves, templates."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from designer.core import project, templates
from designer.core.project import ProjectError
from designer.core.shapes import infer

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"
SPEC_EXAMPLES = Path("/work/shared/spec/examples")
ALL_EXAMPLES = sorted(EXAMPLES.glob("*.netproj.json"))


def lenet() -> dict:
    return json.loads((EXAMPLES / "lenet-28.netproj.json").read_text())


def with_node(index: int, **changes) -> dict:
    data = lenet()
    data["nodes"][index].update(changes)
    return data


def with_param(index: int, key: str, value) -> dict:
    data = lenet()
    data["nodes"][index]["params"][key] = value
    return data


def edited(fn) -> dict:
    data = lenet()
    fn(data)
    return data


def nested(depth: int):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def text(data) -> str:
    return data if isinstance(data, str) else json.dumps(data)


# Each row: file content -> fragments the message must contain (file name first).
MALFORMED = [
    ("", ["is empty"]),
    ("   \n", ["is empty"]),
    ("[1, 2]", ["must hold a JSON object, not a list"]),
    ('"just text"', ["must hold a JSON object, not text"]),
    (text(lenet())[:300], ["not valid JSON", "cut short"]),
    ('{"format": "netdesigner.project", "version": 1,,}', ["not valid JSON", "line 1"]),
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, ["nested too deeply"]),
    ("[" * 100_000 + "]" * 100_000, ["nested too deeply"]),
    (edited(lambda d: d.__setitem__("deep", nested(70))), ["deep", "nested more than"]),
    (edited(lambda d: d.pop("format")), ["format: is missing"]),
    (edited(lambda d: d.__setitem__("format", "other.tool")), ['format: is "other.tool"']),
    (edited(lambda d: d.__setitem__("version", 4)), ["version: is 4 (made by a newer NetDesigner)", "versions 1 to 3"]),
    (edited(lambda d: d.__setitem__("version", True)), ["version: must be a whole number from 1 to 3"]),
    (edited(lambda d: d.__setitem__("version", "1")), ["version: must be a whole number from 1 to 3, not text"]),
    (edited(lambda d: d.__setitem__("name", 7)), ["name: must be text, not a number"]),
    (edited(lambda d: d.pop("nodes")), ["nodes: is missing"]),
    (edited(lambda d: d.__setitem__("nodes", {})), ["nodes: must be a list, not an object"]),
    (edited(lambda d: d.__setitem__("edges", "n1->n2")), ["edges: must be a list, not text"]),
    (edited(lambda d: d.__setitem__("training", [1])), ["training: must be an object, not a list"]),
    (edited(lambda d: d["training"].__setitem__("epochs", 0)), ["training.epochs: must be a whole number from 1 to 100,000, not 0"]),
    (edited(lambda d: d["training"].__setitem__("epochs", 2.5)), ["training.epochs: must be a whole number"]),
    (edited(lambda d: d["training"].__setitem__("lr", -0.1)), ["training.lr: must be a number more than 0"]),
    (edited(lambda d: d["training"].__setitem__("lr", "fast")), ["training.lr: must be a number, not text"]),
    (edited(lambda d: d["training"].__setitem__("dataset", 5)), ["training.dataset: must be one of mnist-5k, mnist, fashion-mnist, not a number"]),
    (edited(lambda d: d["nodes"].__setitem__(2, "ReLU")), ["nodes[2]: must be an object, not text"]),
    (with_node(2, id=""), ["nodes[2].id: must be non-empty text"]),
    (with_node(2, id=3), ["nodes[2].id: must be non-empty text, not a number"]),
    (edited(lambda d: d["nodes"][2].pop("id")), ["nodes[2].id: is missing"]),
    (with_node(3, id="n1"), ['nodes[3] (id "n1").id: repeats the id of nodes[1]']),
    (with_node(3, type="os.system"), ['nodes[3] (id "n3").type: unknown layer type "os.system"']),
    (with_node(3, type="maxpool2d"), ['unknown layer type "maxpool2d" (did you mean "MaxPool2d"?)']),
    (with_node(3, type=None), ['nodes[3] (id "n3").type: is missing']),
    (with_node(3, type="Input"), ['nodes[3] (id "n3").type: is a second Input', "exactly one"]),
    (edited(lambda d: d["nodes"].pop(0)), ["nodes: has no Input node"]),
    (with_node(3, params=[2]), ['nodes[3] (id "n3").params: must be an object, not a list']),
    (with_param(3, "kernel_size", 0), ['nodes[3] (id "n3").params.kernel_size: must be at least 1, not 0']),
    (with_param(3, "kernel_size", [2, 2, 2]), ["params.kernel_size: must be a number or a pair"]),
    (with_param(3, "kernel_size", 2.5), ["params.kernel_size: must be a whole number, not 2.5"]),
    (with_param(3, "kernel_size", True), ["params.kernel_size: must be a whole number, not True"]),
    (with_param(1, "padding", "half"), ['nodes[1] (id "n1").params.padding: must be a number, a pair, "same"']),
    (with_param(1, "bias", "yes"), ['nodes[1] (id "n1").params.bias: must be true or false']),
    (with_param(1, "padding_mode", "mirror"), ['params.padding_mode: must be one of "zeros"']),
    (with_param(1, "kernel", 3), ['nodes[1] (id "n1").params.kernel: Conv2d has no parameter "kernel"',
                                  "kernel_size"]),
    (with_param(1, "__import__('os')", 3), ['params."__import__(\'os\')": Conv2d has no parameter']),
    (with_param(0, "shape", [2, 4096, 4096]), ['nodes[0] (id "input").params.shape: has', "the limit"]),
    (with_param(0, "shape", []), ["params.shape: must be a list of 1 to 3 sizes"]),
    (with_param(8, "in_features", 10 ** 25), ['nodes[8] (id "n8").params.in_features: must be at most']),
    ('{"format": "netdesigner.project", "version": 1, "name": "x", "nodes": [{"id": "input", "type": "Input", '
     '"params": {"shape": [1, 28, ' + "9" * 100_000 + ']}}], "edges": []}',
     ['nodes[0] (id "input").params.shape[2]: a whole number with 100,000 digits']),
    (text(with_param(10, "in_features", 777)).replace("777", "1e400"),
     ['nodes[10] (id "n10").params.in_features: the number 1e400 is too large']),
    (text(with_param(1, "padding", 1)).replace('"padding": 1', '"padding": NaN'),
     ['nodes[1] (id "n1").params.padding: NaN is not a number']),
    (text(with_param(1, "padding", 1)).replace('"padding": 1', '"padding": -Infinity'),
     ["params.padding: -Infinity is not a number"]),
    (with_node(4, pos=[1, "2"]), ['nodes[4] (id "n4").pos: must be two numbers']),
    (with_node(4, pos=[1]), ['nodes[4] (id "n4").pos: must be two numbers']),
    (with_node(4, pos=[1e300, 0]), ['nodes[4] (id "n4").pos: must be two numbers between']),
    (with_node(4, name=["conv"]), ['nodes[4] (id "n4").name: must be text, not a list']),
    (text(lenet()).replace('"id": "n5", "type": "ReLU"', '"id": "n5", "type": "ReLU", "type": "Tanh"'),
     ['nodes[5] (id "n5"): the key "type" appears more than once']),
    ('{"format": "netdesigner.project", "version": 1, "nodes": [], "name": "\\ud800"}',
     ["name: holds text that is not valid Unicode"]),
    (edited(lambda d: d["edges"].__setitem__(0, ["input", "n1"])), ["edges[0]: must be an object"]),
    (edited(lambda d: d["edges"][3].pop("to")), ["edges[3].to: is missing"]),
    (edited(lambda d: d["edges"][3].__setitem__("to", 4)), ["edges[3].to: must be a node id (text), not a number"]),
    (edited(lambda d: d["edges"][3].__setitem__("to", "n99")), ['edges[3].to: no node has the id "n99"']),
    (edited(lambda d: d["edges"].append({"from": "n2", "to": "n2"})), ['edges[12]: node "n2" feeds itself']),
    (edited(lambda d: d["edges"].append({"from": "n2", "to": "input"})), ['edges[12].to: "input" is the Input']),
    (edited(lambda d: d["edges"].append({"from": "n2", "to": "n3"})), ["edges[12]: repeats edges[2] (n2 → n3)"]),
    (edited(lambda d: d["edges"].append({"from": "n6", "to": "n4"})),
     ['edges: form a cycle: "n4" → "n5" → "n6" → "n4"']),
]


@pytest.mark.parametrize("content, fragments", MALFORMED, ids=[f"row{i}" for i in range(len(MALFORMED))])
def test_malformed_file_gives_a_message_naming_file_and_field(tmp_path, content, fragments):
    path = tmp_path / "lenet.json"
    path.write_text(text(content), encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        project.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_error_carries_the_node_id_for_the_window(tmp_path):
    with pytest.raises(ProjectError) as info:
        project.loads(json.dumps(with_param(3, "kernel_size", 0)), "lenet.json")
    assert str(info.value) == 'lenet.json: nodes[3] (id "n3").params.kernel_size: must be at least 1, not 0'
    assert info.value.node_id == "n3"
    assert info.value.field == 'nodes[3] (id "n3").params.kernel_size'


def test_hostile_id_is_quoted_and_escaped_in_messages():
    data = with_node(3, id="\x1b[31mred\nline", type="os.system")
    with pytest.raises(ProjectError) as info:
        project.loads(json.dumps(data), "x.json")
    message = str(info.value)
    assert "\x1b" not in message and "\n" not in message
    assert '(id "\\u001b[31mred\\nline")' in message


def test_not_utf8_and_unreadable_files(tmp_path):
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(ProjectError, match="is not UTF-8 text"):
        project.load(bad)
    with pytest.raises(ProjectError, match="cannot be read"):
        project.load(tmp_path / "missing.json")


def test_giant_file_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "giant.json"
    with open(path, "wb") as handle:
        handle.truncate(project.MAX_FILE_BYTES + 10)  # sparse: costs no disk
    monkeypatch.setattr(project.json, "loads", lambda *a, **k: pytest.fail("parsed a giant file"))
    with pytest.raises(ProjectError, match="larger than 20 MB"):
        project.load(path)


def test_endless_device_is_refused_without_reading():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this platform")
    with pytest.raises(ProjectError, match="is a device, not a regular file"):
        project.load("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_is_refused_at_once(tmp_path):
    pipe = tmp_path / "pipe.netproj.json"
    os.mkfifo(pipe)  # nobody writes to it: reading it would wait for ever
    with pytest.raises(ProjectError, match=r"pipe\.netproj\.json: is a named pipe \(FIFO\), not a regular file"):
        project.load(pipe)


def test_folder_is_refused_by_name(tmp_path):
    with pytest.raises(ProjectError, match="is a folder, not a regular file"):
        project.load(tmp_path)


def test_too_many_values_refused_before_parsing():
    payload = "[" + ",".join(["[]"] * (project.MAX_VALUES // 2 + 10)) + "]"
    with pytest.raises(ProjectError, match="more than 1,000,000 values"):
        project.loads(payload, "many.json")


def test_bom_is_accepted():
    raw = (EXAMPLES / "small-module.netproj.json").read_bytes()
    assert project.loads(b"\xef\xbb\xbf" + raw).name == project.loads(raw).name


# Round trips -------------------------------------------------------------------

@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda p: p.name)
def test_examples_round_trip_byte_for_byte(path):
    original = path.read_text(encoding="utf-8")
    assert project.dumps(project.loads(original)) == original


@pytest.mark.parametrize("name", ["lenet-28", "lenet-32", "small-module", "broken-lenet"])
def test_bundled_examples_match_the_spec_examples(name):
    spec = SPEC_EXAMPLES / f"{name}.json"
    if not spec.exists():
        pytest.skip("spec folder not mounted")
    assert json.loads((EXAMPLES / f"{name}.netproj.json").read_text()) == json.loads(spec.read_text())


def test_unknown_keys_everywhere_survive_load_save_load(tmp_path):
    data = lenet()
    data["future"] = {"nested": [1, 2.5, None, "ü"]}
    data["nodes"][1]["color"] = "#ff0000"
    data["nodes"][1]["notes"] = {"text": "my first conv"}
    data["edges"][0]["style"] = "dashed"
    data["training"]["scheduler"] = {"type": "cosine"}
    source = tmp_path / "extra.json"
    source.write_text(json.dumps(data))
    first = project.load(source)
    target = tmp_path / "again.json"
    project.save(first, target)
    saved = json.loads(target.read_text())
    assert saved == data
    assert project.dumps(project.load(target)) == target.read_text()


def test_dumps_is_deterministic_and_loses_nothing_of_the_graph():
    proj = project.loads((EXAMPLES / "lenet-28.netproj.json").read_text())
    assert project.dumps(proj) == project.dumps(proj)
    again = project.loads(project.dumps(proj))
    assert [(n.id, n.type, n.params, n.name, n.pos) for n in again.graph.nodes.values()] == \
        [(n.id, n.type, n.params, n.name, n.pos) for n in proj.graph.nodes.values()]
    assert again.graph.edges == proj.graph.edges
    assert again.training == {"dataset": "mnist-5k", "epochs": 5, "batch_size": 64, "optimizer": "Adam", "lr": 0.001}


def test_graph_edits_are_saved(tmp_path):
    proj = project.load(EXAMPLES / "small-module.netproj.json")
    proj.graph.set_param("n4", "out_features", 3)
    proj.graph.rename("n1", "features")
    proj.graph.move("n2", (10.5, -3))
    path = tmp_path / "edited.netproj.json"
    project.save(proj, path)
    again = project.load(path)
    assert again.graph.nodes["n4"].params["out_features"] == 3
    assert again.graph.nodes["n1"].name == "features"
    assert again.graph.nodes["n2"].pos == (10.5, -3.0)


# Atomic saves ------------------------------------------------------------------

def test_failed_replace_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "keep.netproj.json"
    old = (EXAMPLES / "lenet-28.netproj.json").read_text()
    path.write_text(old)
    proj = project.load(EXAMPLES / "small-module.netproj.json")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(project.os, "replace", broken_replace)
    with pytest.raises(ProjectError, match="cannot be saved .*No space left on device.*old file is unchanged"):
        project.save(proj, path)
    assert path.read_text() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.netproj.json"]


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.netproj.json"
    path.write_text("old contents")
    real_fsync = os.fsync

    def failing_fsync(fd):
        real_fsync(fd)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(project.os, "fsync", failing_fsync)
    with pytest.raises(ProjectError, match="Input/output error"):
        project.save(project.load(EXAMPLES / "blank.netproj.json"), path)
    assert path.read_text() == "old contents"
    assert len(list(tmp_path.iterdir())) == 1


def test_unwritable_folder_gives_a_project_error(tmp_path, monkeypatch):
    path = tmp_path / "a.netproj.json"
    path.write_text("old")
    blank = project.load(EXAMPLES / "blank.netproj.json")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(project.os, "open", refuse)  # as a read-only folder does (tests may run as root)
    with pytest.raises(ProjectError, match="a.netproj.json: cannot be saved .Permission denied"):
        project.save(blank, path)
    assert path.read_text() == "old"


def test_missing_folder_gives_a_project_error(tmp_path):
    with pytest.raises(ProjectError, match="cannot be saved"):
        project.save(project.load(EXAMPLES / "blank.netproj.json"), tmp_path / "no" / "such" / "x.json")


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes and symlinks")
def test_save_keeps_mode_and_follows_symlinks(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    project.save(project.load(EXAMPLES / "blank.netproj.json"), link)
    assert link.is_symlink()
    assert project.load(real).name == "Blank"
    assert real.stat().st_mode & 0o777 == 0o640


def test_unsaveable_value_is_a_project_error(tmp_path):
    proj = project.load(EXAMPLES / "blank.netproj.json")
    proj.extra["bad"] = float("nan")
    with pytest.raises(ProjectError, match="cannot be saved"):
        project.save(proj, tmp_path / "x.json")
    assert not list(tmp_path.iterdir())


# Templates ---------------------------------------------------------------------

def test_every_template_loads_and_default_is_lenet_28_with_training():
    ids = [t.id for t in templates.TEMPLATES]
    assert ids[:4] == ["lenet-28", "lenet-32", "small-module", "resnet-mnist"] and ids[-1] == "blank"
    for template in templates.TEMPLATES:
        assert template.path.is_file(), template.path
        assert templates.new_project(template.id).graph.input_node() is not None
    default = templates.new_project()
    assert templates.DEFAULT == "lenet-28"
    assert default.training["dataset"] == "mnist-5k"
    assert len(default.graph.nodes) == 13


def test_small_module_and_blank_templates_have_the_promised_layers():
    small = templates.new_project("small-module").graph
    assert [n.type for n in small.nodes.values()] == ["Input", "Conv2d", "ReLU", "Flatten", "Linear", "ReLU"][:len(
        small.nodes)]
    assert small.input_node().params["shape"] == [1, 4, 4]
    blank = templates.new_project("blank").graph
    assert [(n.type, n.params) for n in blank.nodes.values()] == [("Input", {"shape": [1, 28, 28]})]


def test_unknown_template_names_the_known_ones():
    with pytest.raises(KeyError, match="lenet-28"):
        templates.get("resnet")


def test_big_chain_loads():
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [64]}}]
    nodes += [{"id": f"n{i}", "type": "Linear", "params": {"in_features": 64, "out_features": 64}}
              for i in range(1, 1001)]
    edges = [{"from": nodes[i]["id"], "to": nodes[i + 1]["id"]} for i in range(1000)]
    payload = json.dumps({"format": project.FORMAT, "version": 1, "name": "deep", "nodes": nodes, "edges": edges})
    proj = project.loads(payload)  # its speed is measured in benchmarks/bench_shapes.py
    assert len(proj.graph.edges) == 1000


# Fuzzing: whatever the file holds, the result is a project or a ProjectError --------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**40, 10**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


LENET_PATHS = [p for p in _paths(lenet()) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(LENET_PATHS), JSON_VALUES), min_size=1, max_size=3))
def test_any_value_anywhere_gives_a_project_or_a_project_error(replacements):
    data = lenet()
    for path, value in replacements:
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        proj = project.loads(json.dumps(data), "fuzz.json")
    except ProjectError as exc:
        assert str(exc).startswith("fuzz.json: ")
        return
    infer(proj.graph)  # a loaded project never crashes inference
    assert project.loads(project.dumps(proj)).graph.edges == proj.graph.edges


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 4000), st.binary(max_size=4))
def test_truncated_or_corrupted_bytes_give_a_project_error(cut, junk):
    raw = (EXAMPLES / "lenet-28.netproj.json").read_bytes()
    payload = raw[:cut] + junk + raw[cut + len(junk):] if junk else raw[:cut]
    try:
        project.loads(payload, "cut.json")
    except ProjectError as exc:
        assert str(exc).startswith("cut.json: ")


def test_template_by_file_name_for_the_window():
    assert templates.by_file("small-module.netproj.json").graph.input_node().params["shape"] == [1, 4, 4]
    with pytest.raises(ProjectError, match="cannot be read"):
        templates.by_file("../../etc/passwd")


def test_weights_signature_round_trips_and_is_checked():
    data = project.to_dict(project.load(EXAMPLES / "blank.netproj.json"))
    data.update(weights="blank.pt", weights_signature="sha256:abc")
    loaded = project.from_dict(data, "b.json")
    assert (loaded.weights, loaded.weights_signature) == ("blank.pt", "sha256:abc")
    assert project.to_dict(loaded)["weights_signature"] == "sha256:abc"
    loaded.weights = None  # no weights: no signature either
    assert "weights_signature" not in project.to_dict(loaded)
    with pytest.raises(ProjectError, match="b.json: weights_signature: must be text, not a number"):
        project.from_dict({**data, "weights_signature": 3}, "b.json")
