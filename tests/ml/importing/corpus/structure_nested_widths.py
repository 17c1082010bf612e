# One block class used at several widths, kernel sizes and strides, its layers in a nested nn.Sequential and
# its calls stacked in nn.Sequential stages (as torchvision's MNASNet and EfficientNet write them).
from torch import nn


class ConvNormAct(nn.Sequential):
    def __init__(self, c_in, c_out, kernel=3, stride=1, groups=1):
        super().__init__(nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU())


class Inverted(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, expand):
        super().__init__()
        mid = c_in * expand
        self.layers = nn.Sequential(
            nn.Conv2d(c_in, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(),
            nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False), nn.BatchNorm2d(mid),
            nn.ReLU(), nn.Conv2d(mid, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x):
        out = self.layers(x)
        return x + out if self.residual else out


def stage(c_in, c_out, kernel, stride, expand, repeats):
    return nn.Sequential(Inverted(c_in, c_out, kernel, stride, expand),
                         *[Inverted(c_out, c_out, kernel, 1, expand) for _ in range(repeats - 1)])


class Net(nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.features = nn.Sequential(
            ConvNormAct(3, 4, stride=2),
            stage(4, 6, 3, 2, 3, 2), stage(6, 8, 5, 2, 3, 2), stage(8, 10, 5, 2, 2, 2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(10, classes))

    def forward(self, x):
        return self.head(self.features(x))


net = Net()
