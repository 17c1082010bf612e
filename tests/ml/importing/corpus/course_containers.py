# Nested containers: a ModuleList walked in a loop, a ModuleDict, an OrderedDict head, the layers of a chapter.
from collections import OrderedDict

import torch
from torch import nn


class Stage(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.ops = nn.ModuleDict({"conv": nn.Conv2d(channels, channels, 3, padding=1),
                                  "norm": nn.BatchNorm2d(channels), "act": nn.SiLU()})

    def forward(self, x):
        return self.ops["act"](self.ops["norm"](self.ops["conv"](x)))


class Net(nn.Module):
    def __init__(self, widths=(8, 16, 32), classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, widths[0], 3, padding=1)
        self.stages = nn.ModuleList()
        for w_in, w_out in zip(widths, widths[1:] + (widths[-1],)):
            self.stages.append(nn.Sequential(Stage(w_in), nn.Conv2d(w_in, w_out, 3, stride=2, padding=1),
                                             nn.ELU()))
        self.head = nn.Sequential(OrderedDict([
            ("pool", nn.AdaptiveMaxPool2d(1)), ("flatten", nn.Flatten()), ("drop", nn.AlphaDropout(0.1)),
            ("fc", nn.Linear(widths[-1], classes))]))

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return self.head(x)


INPUT_SHAPE = (1, 28, 28)
net = Net()
