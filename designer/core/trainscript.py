"""A standalone training script for an exported model, ready for torchrun.

``generate(project, model_module)`` returns the text of a ``train.py`` that
sits beside the exported model file and trains it on torchvision's MNIST or
FashionMNIST. The same file runs as one process or, unchanged, under
``torchrun --nproc_per_node N`` as DistributedDataParallel.

Every value taken from the project reaches the script as a literal made by
``ascii()`` or ``int``/``float`` conversion, never as pasted text.
"""

from __future__ import annotations

import re

from designer.core.project import Project

OPTIMIZERS = ("SGD", "Adam", "AdamW")
LOSSES = ("CrossEntropyLoss", "NLLLoss", "MSELoss")
DATASETS = ("mnist", "fashion-mnist")


def _number(value, kind, default, low, high):
    """``value`` as ``kind`` clamped to [low, high], or ``default`` when it is not a number."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        return default
    if number != number or not low <= number <= high:  # NaN or out of range
        return default
    return number


def _input_shape(project: Project) -> tuple[int, ...]:
    node = project.graph.input_node()
    shape = node.params.get("shape") if node is not None else None
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 4096 for d in shape):
        return tuple(int(d) for d in shape)
    return (1, 28, 28)


def _loss(project: Project) -> str:
    chosen = project.training.get("loss")
    if chosen in LOSSES:
        return chosen
    path = project.graph.model_path().nodes
    last = project.graph.nodes[path[-1]].type if path else None
    return "NLLLoss" if last == "LogSoftmax" else "CrossEntropyLoss"


def _dataset(project: Project) -> str:
    chosen = str(project.training.get("dataset", "")).lower()
    return "fashion-mnist" if chosen == "fashion-mnist" else "mnist"


def _title(name: str) -> str:
    """The project name reduced to harmless characters, for the docstring."""
    cleaned = re.sub(r"[^A-Za-z0-9 _.,()+-]", "", str(name))[:60].strip()
    return cleaned or "model"


def generate(project: Project, model_module: str) -> str:
    """The training script's source text.

    Args:
        project: the project whose model the script trains.
        model_module: file name of the exported model beside the script
            (``"lenet.py"``, or ``"lenet"`` which gets ``.py``).
    """
    model_file = str(model_module)
    if not model_file.endswith(".py"):
        model_file += ".py"
    training = project.training or {}
    optimizer = training.get("optimizer") if training.get("optimizer") in OPTIMIZERS else "Adam"
    values = {
        "__TITLE__": _title(project.name),
        "__MODEL_FILE__": ascii(model_file),
        "__PROJECT_NAME__": ascii(str(project.name)),
        "__INPUT_SHAPE__": repr(_input_shape(project)),
        "__EPOCHS__": str(_number(training.get("epochs"), int, 5, 1, 100000)),
        "__BATCH_SIZE__": str(_number(training.get("batch_size"), int, 64, 1, 1 << 20)),
        "__LR__": repr(_number(training.get("lr"), float, 1e-3, 1e-12, 1e6)),
        "__OPTIMIZER__": ascii(optimizer),
        "__LOSS__": ascii(_loss(project)),
        "__DATASET__": ascii(_dataset(project)),
    }
    # One pass, so a value that looks like a placeholder is never substituted again.
    return re.sub(r"__[A-Z_]+__", lambda m: values.get(m.group(0), m.group(0)), TEMPLATE)


TEMPLATE = '''\
"""Train __TITLE__ on MNIST or FashionMNIST: one process, or many with torchrun.

Written by NetDesigner beside the model file. Needs torch and torchvision.

    python train.py --data DATA_DIR --epochs 5
    torchrun --nproc_per_node 4 train.py --data DATA_DIR --epochs 5

Under torchrun each process trains on its own shard of the data
(DistributedSampler) and DistributedDataParallel averages the gradients, so
all processes hold the same weights; only rank 0 logs and saves.
Use --download once on a machine with internet to fetch the dataset.
"""

import argparse
import gc
import hashlib
import importlib.util
import os
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

MODEL_FILE = __MODEL_FILE__
PROJECT_NAME = __PROJECT_NAME__
INPUT_SHAPE = __INPUT_SHAPE__  # one sample, without the batch dimension
LOSS = __LOSS__
MEAN, STD = 0.1307, 0.3081  # MNIST's pixel statistics, as the app uses


def parse_args():
    parser = argparse.ArgumentParser(description="Train " + PROJECT_NAME + " (" + MODEL_FILE + ").")
    parser.add_argument("--data", default="data", help="folder holding MNIST/ or FashionMNIST/ (torchvision layout)")
    parser.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default=__DATASET__)
    parser.add_argument("--download", action="store_true", help="download the dataset if it is missing")
    parser.add_argument("--epochs", type=int, default=__EPOCHS__)
    parser.add_argument("--batch-size", type=int, default=__BATCH_SIZE__, help="per process")
    parser.add_argument("--lr", type=float, default=__LR__)
    parser.add_argument("--optimizer", choices=["SGD", "Adam", "AdamW"], default=__OPTIMIZER__)
    parser.add_argument("--device", default=None, help="cpu, cuda (default when present) or cuda:N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="weights file (default: <model>_trained.pt beside this script)")
    return parser.parse_args()


def load_model_module():
    path = Path(__file__).resolve().parent / MODEL_FILE
    if not path.is_file():
        raise SystemExit(f"{MODEL_FILE} was not found beside {Path(__file__).name}: keep the exported model file "
                         "next to this script")
    spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def adapt(images):
    """uint8 (N, 28, 28) -> normalised float (N, *INPUT_SHAPE): pad or crop, repeat channels."""
    x = (images.float() / 255.0 - MEAN) / STD
    if len(INPUT_SHAPE) == 1:
        x = x.flatten(1)
        if x.shape[1] != INPUT_SHAPE[0]:
            raise SystemExit(f"the model takes {INPUT_SHAPE[0]} features; MNIST images have {x.shape[1]}")
        return x
    channels, height, width = (1,) * (3 - len(INPUT_SHAPE)) + tuple(INPUT_SHAPE)
    background = -MEAN / STD  # the value of a black pixel after normalising
    for dim, size in ((1, height), (2, width)):
        extra = size - x.shape[dim]
        if extra > 0:
            pad = [0, 0, 0, 0]
            pad[(2 - dim) * 2:(2 - dim) * 2 + 2] = [extra // 2, extra - extra // 2]
            x = F.pad(x, pad, value=background)
        elif extra < 0:
            start = -extra // 2
            x = x.narrow(dim, start, size)
    x = x.unsqueeze(1).repeat(1, channels, 1, 1)
    return x.reshape(x.shape[0], *INPUT_SHAPE)


def load_split(args, train):
    import torchvision

    kind = torchvision.datasets.MNIST if args.dataset == "mnist" else torchvision.datasets.FashionMNIST
    try:
        data = kind(args.data, train=train, download=args.download)
    except RuntimeError as exc:
        raise SystemExit(f"{exc}\\nPut the dataset under {args.data} or run once with --download.") from None
    return TensorDataset(adapt(data.data), data.targets.long())


def loss_of(output, target):
    if LOSS == "NLLLoss":
        return F.nll_loss(output, target)
    if LOSS == "MSELoss":
        return F.mse_loss(output, F.one_hot(target, output.shape[1]).float())
    return F.cross_entropy(output, target)


def weights_digest(model):
    digest = hashlib.sha256()
    for key, value in model.state_dict().items():
        digest.update(key.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main():
    args = parse_args()
    distributed = "WORLD_SIZE" in os.environ  # launched by torchrun (even with one process)
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", local_rank if distributed else 0)
    if device.type == "cuda":
        if device.index >= torch.cuda.device_count():
            raise SystemExit(f"process {rank} wants GPU {device.index} but this machine has "
                             f"{torch.cuda.device_count()}: run one process per GPU (--nproc_per_node), "
                             "or add --device cpu")
        torch.cuda.set_device(device)
    if distributed:
        if device.type == "cuda":
            dist.init_process_group("nccl", device_id=device)
        else:
            dist.init_process_group("gloo")

    def log(*parts):
        if rank == 0:
            print(*parts, flush=True)

    torch.manual_seed(args.seed)  # the same initial weights on every rank
    model = load_model_module().build_model().to(device)
    train_set, test_set = load_split(args, True), load_split(args, False)
    train_sampler = DistributedSampler(train_set, seed=args.seed) if distributed else None
    test_sampler = DistributedSampler(test_set, shuffle=False) if distributed else None
    train_loader = DataLoader(train_set, args.batch_size, shuffle=train_sampler is None, sampler=train_sampler)
    test_loader = DataLoader(test_set, 1000, sampler=test_sampler)
    net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) \\
        if distributed else model
    optimizers = {"SGD": lambda p: torch.optim.SGD(p, args.lr, momentum=0.9),
                  "Adam": lambda p: torch.optim.Adam(p, args.lr),
                  "AdamW": lambda p: torch.optim.AdamW(p, args.lr)}
    optimizer = optimizers[args.optimizer](net.parameters())
    log(f"training {PROJECT_NAME} on {args.dataset}: {len(train_set)} samples, {world} process(es), {device}")

    for epoch in range(1, args.epochs + 1):
        if train_sampler is not None:
            train_sampler.set_epoch(epoch)
        net.train()
        start, total_loss, seen = time.perf_counter(), torch.zeros((), device=device), 0
        for images, labels in train_loader:
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = loss_of(net(images), labels)
            loss.backward()
            optimizer.step()
            total_loss += loss.detach() * len(labels)
            seen += len(labels)
        net.eval()
        counts = torch.zeros(3, device=device)  # summed loss, seen, correct on held-out data
        with torch.no_grad():
            for images, labels in test_loader:
                images, labels = images.to(device), labels.to(device)
                output = net(images)
                counts += torch.stack([loss_of(output, labels) * len(labels), torch.tensor(float(len(labels)),
                                       device=device), (output.argmax(1) == labels).sum().float()])
        train_counts = torch.stack([total_loss, torch.tensor(float(seen), device=device)])
        if distributed:
            dist.all_reduce(counts)
            dist.all_reduce(train_counts)
        rate = train_counts[1].item() / (time.perf_counter() - start)
        log(f"epoch {epoch}/{args.epochs}  train loss {train_counts[0].item() / train_counts[1].item():.4f}  "
            f"held-out loss {counts[0].item() / counts[1].item():.4f}  "
            f"accuracy {counts[2].item() / counts[1].item():.4f}  {rate:.0f} samples/s")

    digest = weights_digest(model)
    if distributed:
        digests = [None] * world
        dist.all_gather_object(digests, digest)
        if len(set(digests)) != 1:
            raise SystemExit(f"ranks disagree on the weights: {digests}")
        log(f"all {world} processes hold identical weights (sha256 {digest[:16]})")
    if rank == 0:
        out = Path(args.out) if args.out else Path(__file__).resolve().with_name(Path(MODEL_FILE).stem + "_trained.pt")
        # CPU tensors, so the file loads on any machine (and in the app) without map_location.
        torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out)
        log(f"saved {out} (sha256 {digest[:16]})")
    if distributed:
        # DDP holds the process group: free it first, so the group is not torn down at
        # interpreter exit (gloo's threads then abort with "terminate called ...").
        del net, optimizer
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
