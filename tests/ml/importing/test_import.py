"""Import: exported projects come back as the same graph; tutorial scripts become projects."""
import importlib.util
import random
import re
import textwrap

import pytest
import torch

from designer.core import codegen
from designer.core import project as project_io
from designer.ml import build, weights
from designer.ml.importing import child as _import_child
from designer.ml.importing import importer
from designer.ml.importing import sandbox
from tests.ml.chains import random_chain
from tests.ml.importing.flat import flat

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def _normal(node):
    resolved = node.spec.resolve(node.params)
    if node.type in importer.POOLS and resolved.get("stride") is None:
        resolved["stride"] = resolved["kernel_size"]  # torch's default stride is the kernel size
    return node.type, resolved


def _chain(graph):
    """Each node in model order: type, resolved parameters, the positions of its inputs; and the names."""
    model = graph.model_path()
    path, inputs = model.nodes, getattr(model, "inputs", {})  # inputs: graphs that branch (version 2)
    idents = codegen.identifiers(graph)
    wired = [[path.index(i) for i in (inputs.get(n) or graph.predecessors(n))] for n in path]
    # codegen's de-duplication can write "class__2", which it reads back as "class_2"
    return ([(*_normal(graph.nodes[n]), w) for n, w in zip(path, wired)],
            [re.sub("_+", "_", idents.get(n, "")) for n in path])


def _types(result):
    """The imported layers in model order, blocks unpacked."""
    graph = flat(result.project.graph)
    return [graph.nodes[n].type for n in graph.model_path().nodes][1:]


def _in_process(tmp_path, text, name="model.py", **request):
    """The child's work without the sandbox (for files the tests write), then the parent's."""
    source = tmp_path / name
    source.write_text(text)
    request = {"catalog": importer.catalog_params(), "class": request.pop("class_name", None), **request}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the sandboxed child (OMP_NUM_THREADS=1), so sums add up in its order
    try:
        data, tensors = _import_child.describe(str(source), request)
    finally:
        torch.set_num_threads(threads)
    result = importer.ImportResult(str(source))
    if not data["ok"]:
        importer._found(result, data)
        result.error, result.failure = data["error"], data["failure"]
        return result
    return importer.finish(result, data, tensors)


def test_random_chains_round_trip_through_both_styles(tmp_path):
    rng = random.Random(6)
    for i in range(48):
        style = codegen.STYLES[i % 2]
        graph = random_chain(rng, in_forward=style == "class")
        text = codegen.generate(graph, style)
        result = _in_process(tmp_path, text, f"chain{i}.py")
        assert result.ok and not result.unsupported and not result.problems, (result.report(), text)
        assert _chain(result.project.graph) == _chain(graph), text
        assert result.check.ok, result.report()
        assert result.shape_source == "from the file's INPUT_SHAPE"


FUNCTIONAL = [
    ("F.relu(x)", "ReLU", {}),
    ("F.max_pool2d(x, (2, 2))", "MaxPool2d", {"kernel_size": 2}),
    ("F.max_pool2d(x, 2)", "MaxPool2d", {"kernel_size": 2}),
    ("F.max_pool2d(x, 3, stride=1, padding=1)", "MaxPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}),
    ("F.avg_pool2d(x, 2)", "AvgPool2d", {"kernel_size": 2}),
    ("torch.sigmoid(x)", "Sigmoid", {}),
    ("torch.tanh(x)", "Tanh", {}),
    ("F.leaky_relu(x, 0.2)", "LeakyReLU", {"negative_slope": 0.2}),
    ("F.dropout(x, p=0.25, training=self.training)", "Dropout", {"p": 0.25}),
    ("x.relu()", "ReLU", {}),
    ("torch.relu(x)", "ReLU", {}),
    ("F.relu(x, inplace=True)", "ReLU", {}),
    ("F.gelu(x)", "GELU", {}),
    ("F.adaptive_avg_pool2d(x, 1)", "AdaptiveAvgPool2d", {"output_size": 1}),
    ("F.softmax(x, dim=1)", "Softmax", {"dim": 1}),
    ("F.log_softmax(x, 1)", "LogSoftmax", {"dim": 1}),
    ("x.contiguous().float()", "Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}),
]


@pytest.mark.parametrize("call, kind, params", FUNCTIONAL)
def test_a_functional_call_becomes_its_layer(tmp_path, call, kind, params):
    text = HEADER + textwrap.dedent(f"""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)

            def forward(self, x):
                x = self.conv(x)
                return {call}
        """)
    result = _in_process(tmp_path, text, input_shape=[1, 8, 8])
    assert result.ok, result.report()
    graph = result.project.graph
    node = graph.nodes[graph.model_path().nodes[-1]]
    assert (node.type, node.params) == (kind, params)
    assert result.check.ok, result.report()


def test_dropout_without_training_and_softmax_without_dim_are_said_so(tmp_path):
    result = _in_process(tmp_path, HEADER + textwrap.dedent("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(6, 3)

            def forward(self, x):
                x = F.dropout(self.fc(x))
                return F.softmax(x)
        """), input_shape=[6])
    assert result.ok, result.report()
    graph = result.project.graph
    assert [(graph.nodes[n].type, graph.nodes[n].params) for n in graph.model_path().nodes[2:]] == [
        ("Dropout", {}), ("Softmax", {"dim": 1})]
    assert result.problems == [
        "line 12 `x = F.dropout(self.fc(x))`: F.dropout(...) without training=self.training drops values in eval() "
        "too; the project's Dropout is off in eval()",
        "line 13 `return F.softmax(x)`: Softmax without dim: torch picks dim=1; the project says so"]


FLATTENS = ["torch.flatten(x, 1)", "x.view(-1, 4 * 6 * 6)", "x.view(x.size(0), -1)", "x.reshape(x.shape[0], -1)",
            "x.flatten(1)", "x.reshape(-1, 144)"]


@pytest.mark.parametrize("flatten", FLATTENS)
def test_every_way_of_flattening_becomes_flatten(tmp_path, flatten):
    text = HEADER + textwrap.dedent(f"""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)
                self.fc = nn.Linear(144, 10)

            def forward(self, x):
                x = self.conv(x)
                x = {flatten}
                return F.log_softmax(self.fc(x), dim=1)
        """)
    result = _in_process(tmp_path, text)
    assert result.ok, result.report()
    assert _types(result) == ["Conv2d", "Flatten", "Linear", "LogSoftmax"]
    assert result.input_shape == (1, 8, 8)
    assert result.shape_source == "inferred from Linear(144 → 10)"
    assert result.check.ok and not result.problems, result.report()


SEQUENTIALS = HEADER + textwrap.dedent("""
    class Model(nn.Module):
        def __init__(self):
            super(Model, self).__init__()
            self.conv = nn.Sequential(
                nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
                nn.Sequential(nn.Conv2d(6, 16, 5), nn.ReLU()), nn.MaxPool2d(2, 2))
            self.dense = nn.Sequential(nn.Linear(16 * 4 * 4, 120), nn.ReLU(), nn.Linear(120, 10))

        def forward(self, x):
            x = self.conv(x)
            x = x.view(1, -1)
            return self.dense(x)
    """)


def test_two_sequentials_and_view_1_minus_1_import_with_a_note(tmp_path):
    result = _in_process(tmp_path, SEQUENTIALS)
    assert result.ok, result.report()
    assert _types(result) == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear",
                              "ReLU", "Linear"]
    assert result.input_shape == (1, 28, 28) and result.shape_source == "inferred from Linear(256 → 120)"
    graph = result.project.graph  # each nn.Sequential is a block named after its attribute, the nested one too
    assert [(graph.nodes[n].name, graph.nodes[n].type) for n in graph.model_path().nodes] == [
        (None, "Input"), ("conv", "Conv"), (None, "Flatten"), ("dense", "Dense")]
    inner = graph.blocks["Conv"].graph
    assert [(inner.nodes[n].name, inner.nodes[n].type) for n in inner.model_path().nodes][1:] == [
        ("0", "Conv2d"), ("1", "ReLU"), ("2", "MaxPool2d"), ("3", "ConvItem"), ("4", "MaxPool2d")]
    assert any("line 16 `x = x.view(1, -1)`" in p and "only worked for one sample" in p for p in result.problems)
    assert result.check.ok, result.report()


def _load_exported(tmp_path, project):
    path = tmp_path / "exported.py"
    path.write_text(codegen.generate(project, "class"))
    spec = importlib.util.spec_from_file_location("exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model()


BLOCKS = HEADER + textwrap.dedent("""
    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, padding=1)
            self.bn = nn.BatchNorm2d(cout)

        def forward(self, x):
            return F.relu(self.bn(self.conv(x)))


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.Sequential(Block(3, 8), nn.MaxPool2d(2), Block(8, 8))
            self.register_buffer("mean", torch.zeros(3, 1, 1))
            self.register_forward_hook(lambda module, args, out: None)
            self.head = nn.Linear(8 * 4 * 4, 5)
            self.unused = nn.Linear(3, 3)

        def forward(self, x):
            x = self.blocks(x)
            x = F.max_pool2d(x, 2)
            return self.head(torch.flatten(x, 1))
    """)


def test_blocks_keep_their_names_and_the_original_state_dict_loads_strictly(tmp_path):
    result = _in_process(tmp_path, BLOCKS, input_shape=[3, 16, 16])
    assert result.ok, result.report()
    assert [f["name"] for f in result.found if f["chosen"]] == ["Net"]
    assert _types(result) == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Conv2d", "BatchNorm2d", "ReLU",
                              "MaxPool2d", "Flatten", "Linear"]
    assert result.key_map["blocks.0.conv"] == "blocks.0.conv" and result.key_map["mean"] is None
    assert any("unused.weight" in p for p in result.problems)
    # a learner's trained weights come along: the original class's state_dict, into the exported import
    namespace = {}
    exec(compile(BLOCKS, "original", "exec"), namespace)
    torch.manual_seed(3)
    original = namespace["Net"]().eval()
    exported = _load_exported(tmp_path, result.project).eval()
    exported.load_state_dict(importer.remap(original.state_dict(), result.key_map), strict=True)
    probe = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        assert torch.equal(exported(probe), original(probe))


def test_the_outermost_model_is_chosen_and_class_picks_another(tmp_path):
    result = _in_process(tmp_path, BLOCKS, input_shape=[3, 16, 16])
    found = {f["name"]: f for f in result.found}
    assert found["Net"]["chosen"] and found["Block"]["note"].startswith("Block() failed: TypeError")
    picked = _in_process(tmp_path, HEADER + textwrap.dedent("""
        class Small(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)


        class Big(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = Small()
                self.b = nn.Linear(2, 2)

            def forward(self, x):
                return self.b(self.a(x))
        """))
    assert picked.chosen == "Big" and _types(picked) == ["Linear", "Linear"]
    assert {f["name"]: f.get("inside") for f in picked.found} == {"Small": "Big", "Big": None}
    assert picked.input_shape == (4,) and picked.shape_source == "inferred from Linear(4 → 2)"
    other = _in_process(tmp_path, (tmp_path / "model.py").read_text(), class_name="Small")
    assert other.chosen == "Small" and _types(other) == ["Linear"]


LENET = HEADER + textwrap.dedent("""
    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

        def num_flat_features(self, x):
            size = x.size()[1:]
            num_features = 1
            for s in size:
                num_features *= s
            return num_features


    net = Net()
    """)


def test_classic_lenet_with_num_flat_features(tmp_path):
    result = _in_process(tmp_path, LENET)
    assert result.ok, result.report()
    assert _types(result) == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear",
                              "ReLU", "Linear", "ReLU", "Linear"]
    assert "input 1×32×32 inferred from Linear(400 → 120)" in result.report()
    assert result.key_map == {n: n for n in ("conv1", "conv2", "fc1", "fc2", "fc3")}
    assert result.check.ok


TWICE = HEADER + textwrap.dedent("""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 8)
            self.up = nn.Upsample(scale_factor=1)

        def forward(self, x):
            x = self.fc(x)
            x = x * 2
            print(x.mean())
            x = self.fc(x)
            return x
    """)


def test_a_layer_called_twice_gets_a_layer_per_use(tmp_path):
    result = _in_process(tmp_path, TWICE.replace("x = x * 2", "x = torch.relu(x)"), input_shape=[8])
    assert result.ok, result.report()
    assert _types(result) == ["Linear", "ReLU", "Linear"]
    assert any(p.startswith("fc is used 2 times in forward (lines 13, 16)") for p in result.problems)
    graph = result.project.graph
    assert [graph.nodes[n].name for n in graph.model_path().nodes[1:]] == ["fc", None, "fc_2"]


def test_an_operation_that_cannot_be_drawn_is_refused_with_its_line_never_left_out(tmp_path):
    result = _in_process(tmp_path, TWICE, input_shape=[8])
    assert not result.ok and result.failure == importer.FAILED_MODEL
    assert result.error == ("forward does an operation that NetDesigner cannot draw: line 14 `x = x * 2`: "
                            "multiplying by a number, a weight or a tensor that does not come from another layer "
                            "has no block")


RESIDUAL = HEADER + textwrap.dedent("""
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.left = nn.Conv2d(4, 2, 1)
            self.right = nn.Conv2d(4, 2, 1)

        def forward(self, x):
            out = F.relu(self.conv(x))
            out = out + x
            return torch.cat([self.left(out), self.right(out)], dim=1)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 4, 3, padding=1)
            self.block = Block()
            self.fc = nn.Linear(4 * 8 * 8, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.block(self.stem(x)), 1))
    """)


def test_a_skip_connection_and_a_cat_become_add_and_concat_where_graphs_are_read(tmp_path):
    result = _in_process(tmp_path, RESIDUAL)
    if 2 not in getattr(project_io, "VERSIONS", (1,)):  # a NetDesigner that draws chains only
        assert not result.ok and result.failure == importer.FAILED_MODEL
        assert result.error == ("line 15 `out = out + x` joins two branches (a skip connection); "
                                "this NetDesigner draws chains only")
        return
    assert result.ok, result.report()
    assert result.input_shape == (1, 8, 8) and result.shape_source == "inferred from Linear(256 → 10)"
    nodes, names = _chain(flat(result.project.graph))
    assert [(kind, inputs) for kind, _, inputs in nodes] == [
        ("Input", []), ("Conv2d", [0]), ("Conv2d", [1]), ("ReLU", [2]), ("Add", [3, 1]), ("Conv2d", [4]),
        ("Conv2d", [4]), ("Concat", [5, 6]), ("Flatten", [7]), ("Linear", [8])]
    assert names[1:3] + names[5:7] == ["stem", "conv", "left", "right"]  # inside the block Block
    assert result.key_map["block.conv"] == "block.conv" and result.project.graph.blocks.count("Block") == 1
    assert nodes[7][1]["dim"] == 1
    assert project_io.loads(project_io.dumps(result.project)).graph.nodes.keys() == result.project.graph.nodes.keys()
    assert result.check.ok, result.report()


def test_a_model_without_forward_and_a_file_without_models(tmp_path):
    result = _in_process(tmp_path, HEADER + "class Net(nn.Module):\n    pass\n")
    assert result.error == ("Net has no forward method: define forward(self, x) to say how the input flows "
                            "through its layers") and result.failure == importer.FAILED_MODEL
    empty = _in_process(tmp_path, "x = 1\n")
    assert empty.error.startswith("no model found") and empty.failure == importer.FAILED_MODEL
    broken = _in_process(tmp_path, "def f(:\n")
    assert broken.error.startswith("line 1: this is not valid Python") and broken.failure == importer.FAILED_FILE


def test_exported_lenet_imports_in_the_sandbox_with_its_weights(tmp_path):
    project = project_io.load("designer/resources/examples/lenet-32.netproj.json")
    py, pt = tmp_path / "lenet.py", tmp_path / "lenet.pt"
    py.write_text(codegen.generate(project, "class"))
    model = build.seeded_model(project.graph, 5)
    weights.save_state_dict(model.state_dict(), pt)
    result = importer.import_py(py)
    assert result.ok, result.report()
    assert result.protections == sandbox.available()
    assert _chain(result.project.graph) == _chain(project.graph)
    assert result.input_shape == (1, 32, 32)
    assert "verified: identical outputs" in result.report()
    assert project_io.loads(project_io.dumps(result.project)).graph.nodes.keys() == result.project.graph.nodes.keys()
    state, report = importer.attach_weights(result.project, pt, result.key_map)
    assert report.ok, report.summary()
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_every_bundled_example_round_trips_in_both_styles(tmp_path):
    from designer.core import shapes, templates

    tried = 0
    for path in sorted(templates.EXAMPLES.glob("*.netproj.json")):
        project, name = project_io.load(path), path.name.split(".")[0]
        if not project.graph.model_path().nodes[1:] or not shapes.infer(project.graph).valid:
            continue  # the blank template has no layer; the broken example cannot be exported
        tried += 1
        for style in codegen.STYLES:
            result = _in_process(tmp_path, codegen.generate(project, style), f"{name}_{style}.py".replace("-", "_"))
            assert result.ok and not result.unsupported, result.report()
            # the same layers and wires (names follow the blocks the exported classes come back as)
            assert _chain(flat(result.project.graph))[0] == _chain(flat(project.graph))[0], (name, style)
            assert result.check.ok
    assert tried >= 3


def test_a_training_loop_at_module_level_is_stopped_and_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(_import_child, "STATEMENT_LIMIT", 0.5)
    result = _in_process(tmp_path, HEADER + textwrap.dedent("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)


        net = Net()
        for epoch in range(10 ** 9):
            try:
                net(torch.randn(8, 4)).sum().backward()
            except Exception:
                pass

        if "__main__" == __name__:
            raise SystemExit("the main block ran")
        """))
    assert result.ok, result.report()
    assert result.skipped == [{"line": 16, "source": "for epoch in range(10 ** 9):",
                               "error": "stopped after 0.5 s (importing does not need it)"}]
    assert result.main_line == 22 and result.chosen == "net"


def test_a_tutorial_sequential_keeps_its_numbered_keys_so_trained_weights_load_strictly(tmp_path):
    text = textwrap.dedent("""
        import torch
        from torch import nn

        model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    """)
    result = _in_process(tmp_path, text, input_shape=[1, 28, 28])
    assert result.ok, result.report()
    graph = result.project.graph
    assert [graph.nodes[n].name for n in graph.model_path().nodes[1:]] == ["0", "1", "2", "3"]
    namespace = {}
    exec(compile(text, "original", "exec"), namespace)
    trained = namespace["model"].state_dict()  # 0.weight, 0.bias, 3.weight, 3.bias
    exported = build.build_model(graph)
    exported.load_state_dict(trained, strict=True)  # no key map: the export writes self.add_module("0", ...)
    x = torch.randn(2, 1, 28, 28)
    assert torch.equal(exported(x), namespace["model"](x))
