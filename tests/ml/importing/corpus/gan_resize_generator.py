# An image-to-image generator in the style-transfer way: reflection padding, instance norm, resize then convolve.
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels, affine=True),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels, affine=True))

    def forward(self, x):
        return x + self.block(x)


class UpsampleConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        return self.conv(x)


class Generator(nn.Module):
    def __init__(self, channels=3, width=8, blocks=2):
        super().__init__()
        self.head = nn.Sequential(nn.ReflectionPad2d(3), nn.Conv2d(channels, width, 7),
                                  nn.InstanceNorm2d(width, affine=True), nn.ReLU(inplace=True),
                                  nn.Conv2d(width, width * 2, 3, stride=2, padding=1),
                                  nn.InstanceNorm2d(width * 2, affine=True), nn.ReLU(inplace=True))
        self.res = nn.Sequential(*[ResidualBlock(width * 2) for _ in range(blocks)])
        self.up = UpsampleConv(width * 2, width)
        self.norm = nn.GroupNorm(2, width)
        self.tail = nn.Sequential(nn.ZeroPad2d(3), nn.Conv2d(width, channels, 7), nn.Tanh())

    def forward(self, x):
        x = self.res(self.head(x))
        x = F.elu(self.norm(self.up(x)))
        return self.tail(x)


generator = Generator()
image = torch.rand(1, 3, 64, 64)
styled = generator(image)
