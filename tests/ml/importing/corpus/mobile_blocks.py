# A small mobile network in the MobileNetV3 / ShuffleNet way: hard activations, squeeze-and-excitation,
# grouped convolutions with a channel shuffle, and the normalisations that do not need a batch.
import torch
from torch import nn
import torch.nn.functional as F


class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeeze=4):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // squeeze, 1)
        self.fc2 = nn.Conv2d(channels // squeeze, channels, 1)

    def forward(self, x):
        scale = x.mean((2, 3), keepdim=True)
        scale = F.relu(self.fc1(scale))
        scale = F.hardsigmoid(self.fc2(scale))
        return x * scale


class ShuffleUnit(nn.Module):
    def __init__(self, channels, groups=2):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 1, groups=groups, bias=False)
        self.norm1 = nn.GroupNorm(groups, channels)
        self.shuffle = nn.ChannelShuffle(groups)
        self.depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False)
        self.norm2 = nn.GroupNorm(groups, channels)
        self.act = nn.PReLU(channels)

    def forward(self, x):
        out = self.shuffle(F.relu6(self.norm1(self.conv1(x))))
        return self.act(self.norm2(self.depthwise(out)) + x)


class MobileNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.Hardswish())
        self.unit = ShuffleUnit(16)
        self.se = SqueezeExcite(16)
        self.expand = nn.Conv2d(16, 32, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.LayerNorm(32), nn.Linear(32, 32), nn.Hardswish(),
                                        nn.Dropout(0.2), nn.Linear(32, classes))

    def forward(self, x):
        x = self.se(self.unit(self.stem(x)))
        x = F.silu(self.expand(x))
        return self.classifier(self.pool(x))


model = MobileNet()
sample = torch.randn(2, 3, 64, 64)
print(model(sample).shape)
