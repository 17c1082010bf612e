# Modules inside modules, the ways course code writes them: one block class used with different channels,
# a ModuleList walked in a loop, nested nn.Sequential, and a module that takes two tensors.
import torch
import torch.nn.functional as F
from torch import nn


class ConvBNReLU(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Fuse(nn.Module):
    """Two inputs: it cannot be one block, so its layers stay as they are."""

    def __init__(self, channels):
        super().__init__()
        self.mix = nn.Conv2d(channels, channels, 1)

    def forward(self, a, b):
        return self.mix(a) + b


class Net(nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.stem = ConvBNReLU(3, 8)
        self.stages = nn.ModuleList([ConvBNReLU(8, 16, stride=2), ConvBNReLU(16, 16), ConvBNReLU(16, 32, 2)])
        self.fuse = Fuse(32)
        self.head = nn.Sequential(nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), nn.Linear(32, classes))

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        x = self.fuse(x, x.relu())
        return self.head(x)


net = Net()
