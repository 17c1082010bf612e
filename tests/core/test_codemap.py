"""The code view's link between blocks and the lines of the generated code."""

from designer.core import codegen, codemap, templates
from designer.core.project import load


def test_each_layer_owns_its_init_and_forward_lines_and_names_are_safe():
    project = load(templates.EXAMPLES / "lenet-28.netproj.json")
    project.graph.rename("n3", "pool 1 (max)")  # not an identifier: the code says pool_1_max
    source = codegen.generate(project)
    lines = source.splitlines()
    mapping = codemap.node_lines(source, project.graph)
    assert set(mapping) == set(project.graph.model_path().nodes[1:])  # every layer, not the Input
    assert [lines[n].strip() for n in mapping["n1"]] == ["self.conv1 = nn.Conv2d(1, 6, 5, padding=2)",
                                                        "x = self.conv1(x)  # (N, 6, 28, 28)"]
    assert "self.pool_1_max" in lines[mapping["n3"][0]]
    assert codemap.line_owner(mapping, mapping["n3"][1]) == "n3"
    assert codemap.line_owner(mapping, 0) is None  # the docstring belongs to no block


def test_a_numbered_layer_is_added_with_add_module_and_its_lines_are_found():
    project = load(templates.EXAMPLES / "lenet-28.netproj.json")
    project.graph.rename("n1", "0")  # nn.Sequential's name for its first child, as an import keeps it
    source = codegen.generate(project)
    lines = source.splitlines()
    mapping = codemap.node_lines(source, project.graph)
    assert [lines[n].strip() for n in mapping["n1"]] == ['self.add_module("0", nn.Conv2d(1, 6, 5, padding=2))',
                                                        'x = getattr(self, "0")(x)  # (N, 6, 28, 28)']


def test_two_layers_named_0_get_two_attribute_names():
    project = load(templates.EXAMPLES / "lenet-28.netproj.json")
    project.graph.rename("n1", "0")
    project.graph.rename("n2", "0")
    names = codegen.identifiers(project.graph)
    assert (names["n1"], names["n2"]) == ("0", "relu_0")
    compile(codegen.generate(project), "net.py", "exec")
