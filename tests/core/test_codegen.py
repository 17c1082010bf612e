"""Code generation: readable tutorial-style source, safe identifiers, nothing hostile pasted in."""
import ast
import io
import keyword
import tokenize
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from designer.core import codegen, project as project_io
from designer.core.graph import Graph
from designer.core.project import Project

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"

HOSTILE = ["__import__('os').system('touch PWNED')", "class", "forward", "", "ümlaut", "a\nimport os",
           "fc", "fc", "training", "state_dict", "to", "_modules", "__class__", "1st", "卷积", "None",
           "x" * 200, "self", "a.b", "\u2028print(1)"]


def chain(shape, *layers) -> Graph:
    """Input(shape) followed by (type, params[, name]) layers, wired in order."""
    graph = Graph()
    prev = graph.add_node("Input", {"shape": list(shape)}, node_id="input")
    for item in layers:
        node = graph.add_node(item[0], item[1], item[2] if len(item) > 2 else None)
        graph.connect(prev.id, node.id)
        prev = node
    return graph


def hostile_graph() -> Graph:
    return chain((4,), *[("Linear", {"in_features": 4, "out_features": 4}, name) for name in HOSTILE])


def test_lenet_reads_like_the_tutorial():
    source = codegen.generate(project_io.load(EXAMPLES / "lenet-28.netproj.json"))
    lines = [line.strip() for line in source.splitlines()]
    assert "class Net(nn.Module):" in lines
    assert "self.conv1 = nn.Conv2d(1, 6, 5, padding=2)" in lines
    assert "x = self.conv1(x)  # (N, 6, 28, 28)" in lines
    assert "x = self.pool2(x)  # (N, 16, 5, 5)" in lines
    assert "x = self.fc3(x)  # (N, 10)" in lines
    assert "INPUT_SHAPE = (1, 28, 28)  # one sample, without the batch dimension" in lines
    assert "def build_model():" in lines and 'if __name__ == "__main__":' in lines
    assert "import torch" in lines and "from torch import nn" in lines
    assert ast.get_docstring(ast.parse(source)).startswith("LeNet for MNIST (28x28)")


def test_sequential_style_uses_the_same_names():
    project = project_io.load(EXAMPLES / "lenet-32.netproj.json")
    source = codegen.generate(project, "sequential")
    assert "return nn.Sequential(OrderedDict([" in source
    assert "('conv1', nn.Conv2d(1, 6, 5)),  # (N, 6, 28, 28)" in source
    assert "class Net" not in source
    ast.parse(source)


def test_constructor_writes_required_positionally_and_only_non_defaults():
    spec_graph = chain((3, 16, 16), ("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": [3, 5],
                                                "stride": [2, 1], "padding": "same", "bias": False,
                                                "dilation": 1}))
    # padding="same" with stride 2 is invalid in torch, so use stride 1 for the "same" case
    spec_graph.set_param("n1", "stride", 1)
    source = codegen.generate(spec_graph)
    assert "self.conv1 = nn.Conv2d(3, 8, (3, 5), padding='same', bias=False)" in source
    graph = chain((4,), ("Dropout", {"p": 0.25}), ("LeakyReLU", {"negative_slope": 0.2}), ("Softmax", {"dim": 1}))
    source = codegen.generate(graph)
    for line in ("self.drop1 = nn.Dropout(p=0.25)", "self.lrelu1 = nn.LeakyReLU(negative_slope=0.2)",
                 "self.softmax1 = nn.Softmax(dim=1)"):
        assert line in source


def test_only_the_model_path_is_generated():
    graph = chain((4,), ("Linear", {"in_features": 4, "out_features": 2}, "head"))
    graph.add_node("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "scratch")
    source = codegen.generate(graph)
    assert "self.head = nn.Linear(4, 2)" in source
    assert "scratch" not in source and "Conv2d" not in source
    assert list(codegen.identifiers(graph).values()) == ["head"]


def test_identifiers_are_safe_unique_and_predictable():
    graph = hostile_graph()
    idents = list(codegen.identifiers(graph).values())
    assert len(idents) == len(HOSTILE) and len(set(idents)) == len(idents)
    for ident in idents:
        assert ident.isidentifier() and ident.isascii(), ident
        assert not keyword.iskeyword(ident) and ident not in codegen.RESERVED, ident
        assert not ident.startswith("_") and len(ident) <= codegen.MAX_IDENTIFIER + 4
    by_name = dict(zip(HOSTILE, idents))
    assert by_name["__import__('os').system('touch PWNED')"] == "import_os_system_touch_PWNED"
    assert by_name["class"] == "class_" and by_name["forward"] == "forward_" and by_name["None"] == "None_"
    assert by_name["training"] == "training_" and by_name["state_dict"] == "state_dict_" and by_name["to"] == "to_"
    assert by_name["ümlaut"] == "umlaut" and by_name["a\nimport os"] == "a_import_os"
    assert by_name["_modules"] == "modules_" and by_name["__class__"] == "class__2"
    assert by_name["1st"] == "fc_1st" and by_name["a.b"] == "a_b"
    assert idents[HOSTILE.index("fc")] == "fc" and idents[HOSTILE.index("fc") + 1] == "fc_2"
    assert by_name[""] .startswith("fc")  # unnamed: a generated name


def _code_tokens(source: str):
    """Every token except comments and the module docstring."""
    tree = ast.parse(source)
    doc_line = tree.body[0].end_lineno
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT or tok.start[0] <= doc_line:
            continue
        yield tok


@pytest.mark.parametrize("style", codegen.STYLES)
def test_hostile_names_reach_code_only_as_identifiers(style):
    graph = hostile_graph()
    name = 'evil"""\nimport os; os.system("touch PWNED")\n"""\\N{bad} \\x \x00\u2029end'
    source = codegen.generate(Project(graph=graph, name=name), style)
    tree = ast.parse(source)  # would raise on any escaping slip
    doc = ast.get_docstring(tree)
    assert doc.splitlines()[0] == 'evil""" import os; os.system("touch PWNED") """\\N{bad} \\x   end'
    code = "".join(tok.string for tok in _code_tokens(source))
    assert "PWNED')" not in code and "system(" not in code and "import os" not in code
    for line in source.splitlines():  # a name in a comment is one printable line
        assert line.isprintable()
    # Only these calls exist: layer constructors and the fixed scaffolding.
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            calls.add(ast.unparse(node.func))
    assert calls <= {"nn.Linear", "super", "super().__init__", "Net", "build_model", "print", "torch.zeros",
                     "tuple", "model.eval", "model", "torch.no_grad", "nn.Sequential", "OrderedDict",
                     *(f"self.{i}" for i in codegen.identifiers(graph).values())}, calls
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    allowed = {tree.body[0].value.value, "__main__", "Output shape for one sample:", *codegen.identifiers(graph).values()}
    fixed_docstrings = ("The network", "A freshly initialised network")
    assert {s for s in strings if not s.startswith(fixed_docstrings)} <= allowed


def test_invalid_graph_lists_node_errors():
    graph = chain((1, 28, 28), ("Conv2d", {"in_channels": 3, "out_channels": 6, "kernel_size": 5}, "first"),
                  ("Flatten", {}))
    with pytest.raises(codegen.CodegenError) as info:
        codegen.generate(graph)
    message = str(info.value)
    assert "first (Conv2d)" in message and "in_channels" in message
    assert info.value.errors[0][0] == graph.model_path().nodes[1]
    with pytest.raises(codegen.CodegenError, match="no Input"):
        codegen.generate(Graph())


def test_unknown_style_is_refused():
    with pytest.raises(codegen.CodegenError, match="unknown style"):
        codegen.generate(chain((4,)), "functional")


def test_input_only_graph_is_an_identity_model():
    source = codegen.generate(chain((3,)))
    assert "        return x" in source
    ast.parse(source)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.one_of(st.none(), st.text(max_size=30), st.sampled_from(sorted(codegen.RESERVED)),
                                st.sampled_from(["0", "1", "12", "007", "0_1"])), min_size=1, max_size=8),
       title=st.text(max_size=40), style=st.sampled_from(codegen.STYLES))
def test_any_names_give_valid_unique_identifiers_and_parseable_code(names, title, style):
    graph = chain((3,), *[("Identity", {}, name) for name in names])
    idents = list(codegen.identifiers(graph).values())
    assert len(set(idents)) == len(idents) == len(names)
    # an identifier, or nn.Sequential's kind of name ("0", "12"), which the code passes to add_module as a string
    assert all((i.isidentifier() and i.isascii() and not keyword.iskeyword(i) and i not in codegen.RESERVED
                and not i.startswith("_")) or (i.isdigit() and str(int(i)) == i) for i in idents)
    source = codegen.generate(Project(graph=graph, name=title), style)
    tree = ast.parse(source)
    if style == "class":  # the module's own names are the file's: 0.weight, not conv_0.weight
        names_in_model = dict(build_model_names(source))
        assert sorted(names_in_model) == sorted(idents)
    assert all(line.isprintable() for line in source.splitlines())
    shown = "".join(c if c.isprintable() else " " for c in title)
    first = ast.get_docstring(tree).splitlines()[0]
    if len(shown) <= 80:
        assert first == (shown.strip() or "Untitled")
    else:
        assert first == (shown[:77] + "...").strip()


def build_model_names(source: str):
    """(name, module) of the children of the model that ``source`` builds."""
    namespace: dict = {}
    exec(compile(source, "net.py", "exec"), namespace)
    return namespace["build_model"]().named_children()
