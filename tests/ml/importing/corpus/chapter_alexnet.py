# Deep convolutional networks (AlexNet), as a course chapter writes it: one nn.Sequential, checked layer by layer.
import torch
from torch import nn

net = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=11, stride=4, padding=1), nn.ReLU(),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(8, 16, kernel_size=5, padding=2), nn.ReLU(),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(16, 24, kernel_size=3, padding=1), nn.ReLU(),
    nn.Conv2d(24, 24, kernel_size=3, padding=1), nn.ReLU(),
    nn.Conv2d(24, 16, kernel_size=3, padding=1), nn.ReLU(),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 64), nn.ReLU(), nn.Dropout(p=0.5),
    nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p=0.5),
    nn.Linear(64, 10))

X = torch.randn(1, 1, 224, 224)
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__, 'output shape:\t', X.shape)
