"""Small image folders written by the tests: classes told apart by where a bright square sits."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

CORNERS = {"circle": (0, 0), "square": (0, 1), "star": (1, 0), "tree": (1, 1)}


def picture(kind: str, rng: np.random.Generator, size: tuple[int, int] = (40, 48)) -> np.ndarray:
    """An RGB picture (H, W, 3): noise, and a bright block in the class's quarter."""
    h, w = size
    arr = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
    row, col = CORNERS[kind]
    arr[row * h // 2:(row + 1) * h // 2, col * w // 2:(col + 1) * w // 2] = rng.integers(180, 255, 3, dtype=np.uint8)
    return arr


def write_folder(root: Path, counts: dict[str, int], seed: int = 0, sizes=((40, 48), (33, 33), (64, 20))) -> Path:
    """``root/<class>/<i>.png``: RGB PNGs of a few sizes."""
    rng = np.random.default_rng(seed)
    for kind, count in counts.items():
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            Image.fromarray(picture(kind, rng, sizes[i % len(sizes)])).save(root / kind / f"{i:03d}.png")
    return root


def write_grey_jpeg(path: Path, kind: str, seed: int = 1) -> Path:
    grey = picture(kind, np.random.default_rng(seed)).mean(axis=2).astype(np.uint8)
    Image.fromarray(grey, "L").save(path, quality=95)
    return path


def folder_project(path: Path, dataset: str, shape=(3, 16, 16), classes: int = 3, epochs: int = 2,
                   extra: dict | None = None) -> Path:
    """A tiny CNN project trained on ``dataset``."""
    import json

    c, h, w = shape
    nodes = [{"id": "input", "type": "Input", "params": {"shape": list(shape)}},
             {"id": "n1", "type": "Conv2d", "name": "conv", "params": {"in_channels": c, "out_channels": 4,
                                                                        "kernel_size": 3, "padding": 1}},
             {"id": "n2", "type": "ReLU", "params": {}},
             {"id": "n3", "type": "MaxPool2d", "params": {"kernel_size": 4}},
             {"id": "n4", "type": "Flatten", "params": {}},
             {"id": "n5", "type": "Linear", "name": "fc", "params": {"in_features": 4 * (h // 4) * (w // 4),
                                                                      "out_features": classes}}]
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(nodes, nodes[1:])]
    training = {"dataset": dataset, "epochs": epochs, "batch_size": 16, "optimizer": "Adam", "lr": 0.01,
                **(extra or {})}
    path.write_text(json.dumps({"format": "netdesigner.project", "version": 1, "name": "pictures",
                                "nodes": nodes, "edges": edges, "training": training}))
    return path
