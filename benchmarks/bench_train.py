"""Our training loop against a bare PyTorch loop and a tutorial-style DataLoader loop.

Same model (LeNet, 28x28), data (mnist-5k: 4,500 training, 500 held-out),
batch size, optimizer and thread count; runs alternate in one process and the
median epoch time of each is compared. Every loop evaluates the held-out set
once per epoch, as ours does (it reports held-out accuracy).

    python benchmarks/bench_train.py [--rounds 3] [--threads 1] [--batch-size 64] [--device cpu]
    python benchmarks/bench_train.py --template resnet18-small --no-tutorial   # a bundled template instead

With ``--template`` every loop trains the template's model as the app builds it
(``designer.ml.models.build``), so the comparison is of the loops alone.

Goals: ours / bare >= 1.0 (must be >= 0.95); ours / tutorial >= 1.8.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from designer.ml.data import datasets as data  # noqa: E402
from designer.ml.training.loop import Finished, TrainConfig, train  # noqa: E402


def lenet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


MAKE_MODEL = lenet  # replaced by --template


def ours(dataset, batch: int, device: str) -> float:
    model = MAKE_MODEL()
    start = time.perf_counter()
    for event in train(model, dataset, TrainConfig(epochs=1, batch_size=batch, device=device, lr=1e-3)):
        if isinstance(event, Finished):
            assert event.epochs_done == 1
    return time.perf_counter() - start


def evaluate(model, x, y) -> float:
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    model.train()
    return correct / len(x)


def bare(dataset, batch: int, device: str) -> float:
    """The loop a PyTorch user writes by hand with tensors already in memory."""
    model = MAKE_MODEL().to(device)
    x, y = dataset.train_x.to(device), dataset.train_y.to(device)
    tx, ty = dataset.test_x.to(device), dataset.test_y.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    order = torch.randperm(len(x), device=device)
    for i in range(0, len(x), batch):
        idx = order[i:i + batch]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    evaluate(model, tx, ty)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


class TutorialMNIST(torch.utils.data.Dataset):
    """What torchvision.datasets.MNIST does per sample: a PIL image, then ToTensor and Normalize."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        from torchvision import transforms

        self.images, self.labels = images, labels
        self.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i], mode="L")), int(self.labels[i])


def tutorial(raw, batch: int, device: str) -> float:
    model = MAKE_MODEL().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_loader = torch.utils.data.DataLoader(TutorialMNIST(raw.train_x, raw.train_y), batch_size=batch, shuffle=True)
    test_loader = torch.utils.data.DataLoader(TutorialMNIST(raw.test_x, raw.test_y), batch_size=1000)
    start = time.perf_counter()
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        sum((model(xb.to(device)).argmax(1) == yb.to(device)).sum().item() for xb, yb in test_loader)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-tutorial", action="store_true")
    parser.add_argument("--template", help="train this bundled template's model instead of LeNet")
    args = parser.parse_args()
    if args.template:
        global MAKE_MODEL
        from designer.core import templates
        from designer.ml import models

        project = templates.new_project(args.template)
        MAKE_MODEL = lambda: models.build(project, seed=0)  # noqa: E731
    torch.set_num_threads(args.threads)
    dataset = data.load("mnist-5k", (1, 28, 28))
    raw = data.load_raw("mnist-5k")
    loops = {"ours": lambda: ours(dataset, args.batch_size, args.device),
             "bare": lambda: bare(dataset, args.batch_size, args.device)}
    if not args.no_tutorial:
        loops["tutorial"] = lambda: tutorial(raw, args.batch_size, args.device)
    for fn in loops.values():  # warm up kernels and allocators
        fn()
    times: dict[str, list[float]] = {name: [] for name in loops}
    for r in range(args.rounds):
        names = list(loops) if r % 2 == 0 else list(reversed(loops))  # alternate the order
        for name in names:
            times[name].append(loops[name]())
    n = len(dataset.train_x)
    print(f"device {args.device}, threads {args.threads}, batch {args.batch_size}, {args.rounds} rounds, "
          f"one epoch of {n:,} samples + held-out evaluation per run")
    median = {name: statistics.median(t) for name, t in times.items()}
    for name, value in median.items():
        print(f"  {name:9s} median {value:6.3f} s  ({n / value:8,.0f} samples/s)  runs: "
              + ", ".join(f"{t:.3f}" for t in times[name]))
    print(f"ours / bare      = {median['bare'] / median['ours']:.2f}  (goal >= 1.0, must be >= 0.95)")
    if "tutorial" in median:
        print(f"ours / tutorial  = {median['tutorial'] / median['ours']:.2f}  (goal >= 1.8)")


if __name__ == "__main__":
    main()
