"""Projects with blocks for the tests: the format's own example, and a small ResNet built from blocks."""

from __future__ import annotations

import copy

SPEC_EXAMPLE = {
    "format": "netdesigner.project", "version": 3, "name": "Small ResNet",
    "blocks": {
        "BasicBlock": {
            "args": {"channels": 16, "stride": 1},
            "nodes": [
                {"id": "in", "type": "Input"},
                {"id": "c1", "type": "Conv2d", "name": "conv1",
                 "params": {"in_channels": "$channels", "out_channels": "$channels",
                            "kernel_size": 3, "stride": "$stride", "padding": 1}},
                {"id": "r1", "type": "ReLU"},
                {"id": "c2", "type": "Conv2d", "name": "conv2",
                 "params": {"in_channels": "$channels", "out_channels": "$channels", "kernel_size": 3,
                            "padding": 1}},
                {"id": "add", "type": "Add"},
            ],
            "edges": [{"from": "in", "to": "c1"}, {"from": "c1", "to": "r1"}, {"from": "r1", "to": "c2"},
                      {"from": "c2", "to": "add"}, {"from": "in", "to": "add"}],
        }
    },
    "nodes": [
        {"id": "input", "type": "Input", "params": {"shape": [16, 28, 28]}},
        {"id": "b1", "type": "BasicBlock", "name": "layer1_0", "params": {"channels": 16}},
        {"id": "b2", "type": "BasicBlock", "name": "layer1_1", "params": {"channels": 16}},
    ],
    "edges": [{"from": "input", "to": "b1"}, {"from": "b1", "to": "b2"}],
}


def spec_example() -> dict:
    return copy.deepcopy(SPEC_EXAMPLE)


def small_resnet() -> dict:
    """Stem → two BasicBlocks → a Stage (a block of blocks, with a strided DownBlock) → pool → fc."""
    return {
        "format": "netdesigner.project", "version": 3, "name": "ResNet from blocks",
        "blocks": {
            "BasicBlock": SPEC_EXAMPLE["blocks"]["BasicBlock"],
            "DownBlock": {
                "args": {"cin": 8, "cout": 16},
                "nodes": [
                    {"id": "in", "type": "Input"},
                    {"id": "c1", "type": "Conv2d", "name": "conv1",
                     "params": {"in_channels": "$cin", "out_channels": "$cout", "kernel_size": 3, "stride": 2,
                                "padding": 1, "bias": False}},
                    {"id": "bn", "type": "BatchNorm2d", "name": "bn1", "params": {"num_features": "$cout"}},
                    {"id": "skip", "type": "Conv2d", "name": "downsample",
                     "params": {"in_channels": "$cin", "out_channels": "$cout", "kernel_size": 1, "stride": 2}},
                    {"id": "add", "type": "Add"},
                    {"id": "r", "type": "ReLU"},
                ],
                "edges": [{"from": "in", "to": "c1"}, {"from": "c1", "to": "bn"}, {"from": "bn", "to": "add"},
                          {"from": "in", "to": "skip"}, {"from": "skip", "to": "add"}, {"from": "add", "to": "r"}],
            },
            "Stage": {
                "args": {"width": 16},
                "nodes": [
                    {"id": "in", "type": "Input"},
                    {"id": "d", "type": "DownBlock", "name": "down", "params": {"cin": 8, "cout": "$width"}},
                    {"id": "b", "type": "BasicBlock", "name": "block", "params": {"channels": "$width"}},
                ],
                "edges": [{"from": "in", "to": "d"}, {"from": "d", "to": "b"}],
            },
        },
        "nodes": [
            {"id": "input", "type": "Input", "params": {"shape": [1, 16, 16]}},
            {"id": "stem", "type": "Conv2d", "name": "stem", "params": {"in_channels": 1, "out_channels": 8,
                                                                        "kernel_size": 3, "padding": 1}},
            {"id": "b1", "type": "BasicBlock", "name": "layer1_0", "params": {"channels": 8}},
            {"id": "b2", "type": "BasicBlock", "name": "layer1_1", "params": {"channels": 8}},
            {"id": "s", "type": "Stage", "name": "layer2", "params": {"width": 16}},
            {"id": "pool", "type": "AdaptiveAvgPool2d", "params": {"output_size": 1}},
            {"id": "flat", "type": "Flatten"},
            {"id": "fc", "type": "Linear", "name": "fc", "params": {"in_features": 16, "out_features": 10}},
        ],
        "edges": [{"from": a, "to": b} for a, b in [("input", "stem"), ("stem", "b1"), ("b1", "b2"), ("b2", "s"),
                                                    ("s", "pool"), ("pool", "flat"), ("flat", "fc")]],
    }
