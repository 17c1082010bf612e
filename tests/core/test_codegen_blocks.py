"""The generated code of a project with blocks: one class per block, arguments in a sensible order."""

import ast

from designer.core import codegen, project
from tests.core.block_projects import small_resnet, spec_example


def test_a_block_is_a_class_whose_init_takes_its_arguments_with_defaults_last():
    proj = project.from_dict(spec_example())
    proj.graph.set_param("b2", "stride", 1)  # set on one instance only: stride keeps its default
    source = codegen.generate(proj)
    assert "class BasicBlock(nn.Module):" in source
    assert "    def __init__(self, channels, stride=1):" in source
    assert "        self.conv1 = nn.Conv2d(channels, channels, 3, stride=stride, padding=1)" in source
    assert "        self.layer1_0 = BasicBlock(16)" in source
    assert "        self.layer1_1 = BasicBlock(16)" in source  # stride=1 is the default: not repeated
    proj.graph.set_param("b1", "stride", 1)
    source = codegen.generate(proj)
    assert "    def __init__(self, channels, stride):" in source  # every instance sets both
    assert "        self.layer1_0 = BasicBlock(16, 1)" in source
    ast.parse(source)


def test_an_argument_passes_on_to_an_inner_block_and_odd_names_become_safe_identifiers():
    data = small_resnet()
    data["blocks"]["残差"] = data["blocks"].pop("BasicBlock")
    for nodes in (data["nodes"], data["blocks"]["Stage"]["nodes"]):
        for node in nodes:
            if node["type"] == "BasicBlock":
                node["type"] = "残差"
    data["blocks"]["Stage"]["args"] = {"nn": 16}  # would shadow torch's nn inside __init__
    data["blocks"]["Stage"]["nodes"][1]["params"]["cout"] = "$nn"
    data["blocks"]["Stage"]["nodes"][2]["params"]["channels"] = "$nn"
    data["nodes"][4]["params"] = {"nn": 16}
    source = codegen.generate(project.from_dict(data))
    tree = ast.parse(source)
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    assert sorted(classes) == ["Block", "DownBlock", "Net", "Stage"]
    assert classes.index("Block") < classes.index("Stage") and classes[-1] == "Net"  # used before its users
    assert "    def __init__(self, nn_):" in source
    assert "        self.down = DownBlock(8, nn_)" in source
    assert "        self.block = Block(nn_)" in source
