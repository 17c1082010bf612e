"""Write the classic CNN templates (designer/resources/examples/*.netproj.json), sized for 1×28×28 digits.

    python tools/make_templates.py

Each network keeps its original's idea at a size that trains on the bundled
digits in minutes on a laptop CPU, and uses blocks where the original repeats a
unit (VGG's blocks, NiN's mlpconv, Inception, the residual block, the dense
layer, the inverted residual). Positions come from the app's own layered layout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer.core import layout  # noqa: E402
from designer.core import project as project_io  # noqa: E402

EXAMPLES = ROOT / "designer" / "resources" / "examples"
TRAINING = {"dataset": "mnist-5k", "epochs": 5, "batch_size": 64, "optimizer": "Adam", "lr": 0.001}


class Net:
    """A graph under construction: ``add`` appends a node after ``after`` (default: the last one)."""

    def __init__(self, shape=None):
        self.nodes, self.edges, self.last, self.count = [], [], None, 0
        if shape is None:
            self.node("in", "Input")
        else:
            self.node("input", "Input", {"shape": shape})

    def node(self, node_id, type_, params=None, name=None, after=None, *inputs):
        entry = {"id": node_id, "type": type_}
        if params:
            entry["params"] = params
        if name:
            entry["name"] = name
        self.nodes.append(entry)
        for port, source in enumerate(inputs or ([after or self.last] if self.last else [])):
            edge = {"from": source, "to": node_id}
            if len(inputs) > 1:
                edge["port"] = port
            self.edges.append(edge)
        self.last = node_id
        return node_id

    def add(self, type_, params=None, name=None, after=None):
        self.count += 1
        return self.node(f"n{self.count}", type_, params, name, after)

    def merge(self, type_, inputs, params=None, name=None):
        self.count += 1
        return self.node(f"n{self.count}", type_, params, name, None, *inputs)

    def graph(self):
        return {"nodes": self.nodes, "edges": self.edges}


def conv(net, cin, cout, k, stride=1, padding=0, groups=1, bias=True, name=None, after=None):
    params = {"in_channels": cin, "out_channels": cout, "kernel_size": k}
    if stride != 1:
        params["stride"] = stride
    if padding:
        params["padding"] = padding
    if groups != 1:
        params["groups"] = groups
    if not bias:
        params["bias"] = False
    return net.add("Conv2d", params, name, after)


def project(name, description, net, blocks=None):
    data = {"format": "netdesigner.project", "version": 3 if blocks else 2, "name": name,
            **net.graph(), "training": dict(TRAINING)}
    if blocks:
        data["blocks"] = blocks
    loaded = project_io.from_dict(json.loads(json.dumps(data)))
    layout.lay_out_unplaced(loaded, every=True)  # as an import is: wrapped to a laptop's canvas
    for node in data["nodes"]:
        node["pos"] = [round(v) for v in loaded.graph.nodes[node["id"]].pos]
    for block_name, block in (blocks or {}).items():
        inner = loaded.blocks[block_name].graph
        for node in block["nodes"]:
            node["pos"] = [round(v) for v in inner.nodes[node["id"]].pos]
    return data


def alexnet():
    net = Net([1, 28, 28])
    conv(net, 1, 32, 5, padding=2, name="conv1"); net.add("ReLU"); net.add("MaxPool2d", {"kernel_size": 2})
    conv(net, 32, 64, 3, padding=1, name="conv2"); net.add("ReLU"); net.add("MaxPool2d", {"kernel_size": 2})
    conv(net, 64, 96, 3, padding=1, name="conv3"); net.add("ReLU")
    conv(net, 96, 96, 3, padding=1, name="conv4"); net.add("ReLU")
    conv(net, 96, 64, 3, padding=1, name="conv5"); net.add("ReLU"); net.add("MaxPool2d", {"kernel_size": 2})
    net.add("Flatten"); net.add("Dropout", {"p": 0.5})
    net.add("Linear", {"in_features": 576, "out_features": 256}, "fc1"); net.add("ReLU"); net.add("Dropout", {"p": 0.5})
    net.add("Linear", {"in_features": 256, "out_features": 256}, "fc2"); net.add("ReLU")
    net.add("Linear", {"in_features": 256, "out_features": 10}, "fc3")
    return project("AlexNet-small", "AlexNet's idea: a deeper stack of convolutions with ReLU, max pooling and "
                   "dropout, then large fully connected layers.", net)


def vgg():
    blocks = {}
    for convs in (1, 2):
        b = Net()
        cin = "$in_channels"
        for i in range(convs):
            conv(b, cin, "$out_channels", 3, padding=1, name=f"conv{i + 1}"); b.add("ReLU", name=f"relu{i + 1}")
            cin = "$out_channels"
        b.add("MaxPool2d", {"kernel_size": 2}, "pool")
        blocks[f"VGGBlock{convs}"] = {"args": {"in_channels": 16, "out_channels": 16}, **b.graph()}
    net = Net([1, 28, 28])
    for i, (kind, cin, cout) in enumerate(((1, 1, 16), (1, 16, 32), (2, 32, 64), (2, 64, 64))):
        net.add(f"VGGBlock{kind}", {"in_channels": cin, "out_channels": cout}, f"block{i + 1}")
    net.add("Flatten")
    net.add("Linear", {"in_features": 64, "out_features": 128}, "fc1"); net.add("ReLU"); net.add("Dropout", {"p": 0.5})
    net.add("Linear", {"in_features": 128, "out_features": 128}, "fc2"); net.add("ReLU"); net.add("Dropout", {"p": 0.5})
    net.add("Linear", {"in_features": 128, "out_features": 10}, "fc3")
    return project("VGG-11-small", "VGG's idea: one repeated block of 3×3 convolutions and a 2×2 max pool, "
                   "doubling the channels as the picture shrinks.", net, blocks)


def nin():
    b = Net()  # mlpconv: a convolution, then two 1×1 convolutions; BatchNorm after each (as course versions add)
    for conv_name, cin, k, padding, bn, relu in (("conv", "$in_channels", "$kernel_size", "$padding", "bn1", "relu1"),
                                                 ("mlp1", "$out_channels", 1, 0, "bn2", "relu2"),
                                                 ("mlp2", "$out_channels", 1, 0, "bn3", "relu3")):
        conv(b, cin, "$out_channels", k, padding=padding, bias=False, name=conv_name)
        b.add("BatchNorm2d", {"num_features": "$out_channels"}, bn); b.add("ReLU", name=relu)
    blocks = {"NiNBlock": {"args": {"in_channels": 1, "out_channels": 32, "kernel_size": 3, "padding": 1},
                           **b.graph()}}
    net = Net([1, 28, 28])
    net.add("NiNBlock", {"in_channels": 1, "out_channels": 32, "kernel_size": 5, "padding": 2}, "nin1")
    net.add("MaxPool2d", {"kernel_size": 3, "stride": 2})
    net.add("NiNBlock", {"in_channels": 32, "out_channels": 64, "kernel_size": 5, "padding": 2}, "nin2")
    net.add("MaxPool2d", {"kernel_size": 3, "stride": 2})
    net.add("NiNBlock", {"in_channels": 64, "out_channels": 96}, "nin3")
    net.add("Dropout", {"p": 0.5})
    net.add("NiNBlock", {"in_channels": 96, "out_channels": 10}, "nin4")
    net.add("AdaptiveAvgPool2d", {"output_size": 1}); net.add("Flatten")
    return project("NiN", "Network in Network: each convolution is followed by 1×1 convolutions (a small MLP at "
                   "every pixel), and global average pooling replaces the fully connected layers; BatchNorm after "
                   "each convolution, as many course versions add, lets it train in a few epochs.", net, blocks)


def googlenet():
    b = Net()
    p1 = conv(b, "$in_channels", "$c1", 1, name="b1"); r1 = b.add("ReLU")
    conv(b, "$in_channels", "$c2_reduce", 1, name="b2_reduce", after="in"); b.add("ReLU")
    conv(b, "$c2_reduce", "$c2", 3, padding=1, name="b2"); r2 = b.add("ReLU")
    conv(b, "$in_channels", "$c3_reduce", 1, name="b3_reduce", after="in"); b.add("ReLU")
    conv(b, "$c3_reduce", "$c3", 5, padding=2, name="b3"); r3 = b.add("ReLU")
    b.add("MaxPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, "b4_pool", after="in")
    conv(b, "$in_channels", "$c4", 1, name="b4"); r4 = b.add("ReLU")
    b.merge("Concat", [r1, r2, r3, r4], None, "cat")
    del p1
    args = {"in_channels": 32, "c1": 16, "c2_reduce": 16, "c2": 32, "c3_reduce": 8, "c3": 8, "c4": 8}
    blocks = {"Inception": {"args": args, **b.graph()}}
    net = Net([1, 28, 28])
    conv(net, 1, 32, 3, padding=1, name="stem"); net.add("ReLU"); net.add("MaxPool2d", {"kernel_size": 2})
    net.add("Inception", dict(args), "inception3a")
    net.add("Inception", {"in_channels": 64, "c1": 32, "c2_reduce": 32, "c2": 48, "c3_reduce": 8, "c3": 16,
                          "c4": 16}, "inception3b")
    net.add("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1})
    net.add("Inception", {"in_channels": 112, "c1": 48, "c2_reduce": 24, "c2": 52, "c3_reduce": 8, "c3": 16,
                          "c4": 16}, "inception4a")
    net.add("AdaptiveAvgPool2d", {"output_size": 1}); net.add("Flatten")
    net.add("Linear", {"in_features": 132, "out_features": 10}, "fc")
    return project("GoogLeNet-small", "GoogLeNet's idea: Inception blocks run 1×1, 3×3 and 5×5 convolutions and a "
                   "pool side by side and concatenate them; 1×1 convolutions keep it cheap.", net, blocks)


def resnet():
    basic = Net()
    conv(basic, "$channels", "$channels", 3, padding=1, bias=False, name="conv1")
    basic.add("BatchNorm2d", {"num_features": "$channels"}, "bn1"); basic.add("ReLU", name="relu1")
    conv(basic, "$channels", "$channels", 3, padding=1, bias=False, name="conv2")
    bn2 = basic.add("BatchNorm2d", {"num_features": "$channels"}, "bn2")
    basic.merge("Add", [bn2, "in"], None, "add"); basic.add("ReLU", name="relu2")
    down = Net()
    conv(down, "$in_channels", "$out_channels", 3, stride=2, padding=1, bias=False, name="conv1")
    down.add("BatchNorm2d", {"num_features": "$out_channels"}, "bn1"); down.add("ReLU", name="relu1")
    conv(down, "$out_channels", "$out_channels", 3, padding=1, bias=False, name="conv2")
    bn2 = down.add("BatchNorm2d", {"num_features": "$out_channels"}, "bn2")
    conv(down, "$in_channels", "$out_channels", 1, stride=2, bias=False, name="downsample_conv", after="in")
    skip = down.add("BatchNorm2d", {"num_features": "$out_channels"}, "downsample_bn")
    down.merge("Add", [bn2, skip], None, "add"); down.add("ReLU", name="relu2")
    blocks = {"BasicBlock": {"args": {"channels": 16}, **basic.graph()},
              "DownBlock": {"args": {"in_channels": 16, "out_channels": 32}, **down.graph()}}
    net = Net([1, 28, 28])
    conv(net, 1, 16, 3, padding=1, bias=False, name="conv1")
    net.add("BatchNorm2d", {"num_features": 16}, "bn1"); net.add("ReLU", name="relu")
    net.add("BasicBlock", {"channels": 16}, "layer1_0"); net.add("BasicBlock", {"channels": 16}, "layer1_1")
    for stage, (cin, cout) in enumerate(((16, 32), (32, 64), (64, 128)), start=2):
        net.add("DownBlock", {"in_channels": cin, "out_channels": cout}, f"layer{stage}_0")
        net.add("BasicBlock", {"channels": cout}, f"layer{stage}_1")
    net.add("AdaptiveAvgPool2d", {"output_size": 1}, "avgpool"); net.add("Flatten")
    net.add("Linear", {"in_features": 128, "out_features": 10}, "fc")
    return project("ResNet-18-small", "ResNet's idea: each block adds its input back to its output (x + F(x)), so "
                   "very deep networks still train; four stages of two blocks, as in ResNet-18.", net, blocks)


def densenet():
    layer = Net()
    layer.add("BatchNorm2d", {"num_features": "$in_channels"}, "bn"); layer.add("ReLU", name="relu")
    out = conv(layer, "$in_channels", "$growth", 3, padding=1, bias=False, name="conv")
    layer.merge("Concat", ["in", out], None, "cat")
    trans = Net()
    trans.add("BatchNorm2d", {"num_features": "$in_channels"}, "bn"); trans.add("ReLU", name="relu")
    conv(trans, "$in_channels", "$out_channels", 1, bias=False, name="conv")
    trans.add("AvgPool2d", {"kernel_size": 2}, "pool")
    blocks = {"DenseLayer": {"args": {"in_channels": 16, "growth": 12}, **layer.graph()},
              "Transition": {"args": {"in_channels": 52, "out_channels": 32}, **trans.graph()}}
    net = Net([1, 28, 28])
    conv(net, 1, 16, 3, padding=1, bias=False, name="conv0")
    channels = 16
    for stage, out_channels in ((1, 32), (2, 48)):
        for i in range(3):
            net.add("DenseLayer", {"in_channels": channels, "growth": 12}, f"dense{stage}_{i + 1}")
            channels += 12
        net.add("Transition", {"in_channels": channels, "out_channels": out_channels}, f"transition{stage}")
        channels = out_channels
    net.add("BatchNorm2d", {"num_features": channels}, "bn"); net.add("ReLU")
    net.add("AdaptiveAvgPool2d", {"output_size": 1}); net.add("Flatten")
    net.add("Linear", {"in_features": channels, "out_features": 10}, "fc")
    return project("DenseNet-small", "DenseNet's idea: every layer gets all earlier feature maps, concatenated, and "
                   "adds a few new ones (the growth rate); transitions shrink the picture.", net, blocks)


def mobilenet():
    res = Net()
    conv(res, "$channels", "$hidden", 1, bias=False, name="expand")
    res.add("BatchNorm2d", {"num_features": "$hidden"}, "bn1"); res.add("ReLU6", name="relu1")
    conv(res, "$hidden", "$hidden", 3, padding=1, groups="$hidden", bias=False, name="depthwise")
    res.add("BatchNorm2d", {"num_features": "$hidden"}, "bn2"); res.add("ReLU6", name="relu2")
    conv(res, "$hidden", "$channels", 1, bias=False, name="project")
    bn3 = res.add("BatchNorm2d", {"num_features": "$channels"}, "bn3")
    res.merge("Add", [bn3, "in"], None, "add")
    down = Net()
    conv(down, "$in_channels", "$hidden", 1, bias=False, name="expand")
    down.add("BatchNorm2d", {"num_features": "$hidden"}, "bn1"); down.add("ReLU6", name="relu1")
    conv(down, "$hidden", "$hidden", 3, stride=2, padding=1, groups="$hidden", bias=False, name="depthwise")
    down.add("BatchNorm2d", {"num_features": "$hidden"}, "bn2"); down.add("ReLU6", name="relu2")
    conv(down, "$hidden", "$out_channels", 1, bias=False, name="project")
    down.add("BatchNorm2d", {"num_features": "$out_channels"}, "bn3")
    blocks = {"InvertedResidual": {"args": {"channels": 24, "hidden": 96}, **res.graph()},
              "InvertedDown": {"args": {"in_channels": 16, "hidden": 64, "out_channels": 24}, **down.graph()}}
    net = Net([1, 28, 28])
    conv(net, 1, 16, 3, padding=1, bias=False, name="stem")
    net.add("BatchNorm2d", {"num_features": 16}, "stem_bn"); net.add("ReLU6")
    net.add("InvertedDown", {"in_channels": 16, "hidden": 64, "out_channels": 24}, "down1")
    net.add("InvertedResidual", {"channels": 24, "hidden": 96}, "block1")
    net.add("InvertedDown", {"in_channels": 24, "hidden": 96, "out_channels": 32}, "down2")
    net.add("InvertedResidual", {"channels": 32, "hidden": 128}, "block2")
    net.add("InvertedResidual", {"channels": 32, "hidden": 128}, "block3")
    net.add("InvertedDown", {"in_channels": 32, "hidden": 128, "out_channels": 64}, "down3")
    net.add("InvertedResidual", {"channels": 64, "hidden": 256}, "block4")
    conv(net, 64, 256, 1, bias=False, name="head"); net.add("BatchNorm2d", {"num_features": 256}, "head_bn")
    net.add("ReLU6"); net.add("AdaptiveAvgPool2d", {"output_size": 1}); net.add("Flatten")
    net.add("Dropout", {"p": 0.2}); net.add("Linear", {"in_features": 256, "out_features": 10}, "fc")
    return project("MobileNet-v2-small", "MobileNet v2's idea: inverted residuals — expand with a 1×1 convolution, "
                   "filter each channel alone (depthwise 3×3), project back down — cheap enough for a phone.",
                   net, blocks)


BUILDERS = {"alexnet-small": alexnet, "vgg11-small": vgg, "nin": nin, "googlenet-small": googlenet,
            "resnet18-small": resnet, "densenet-small": densenet, "mobilenetv2-small": mobilenet}


def text(name: str) -> str:
    """The template file's text, as written to designer/resources/examples (the project writer's own form,
    so that opening and saving a template changes nothing: version 1 for a chain, blocks before nodes)."""
    return project_io.dumps(project_io.from_dict(json.loads(json.dumps(BUILDERS[name]()))))


def main(names=None) -> None:
    for name in names or BUILDERS:
        path = EXAMPLES / f"{name}.netproj.json"
        path.write_text(text(name), encoding="utf-8")
        print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
