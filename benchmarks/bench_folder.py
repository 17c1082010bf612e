"""Training on an image folder: ours (decode once, batches from tensors) against ImageFolder + DataLoader.

1. A small CNN on a 600-picture folder (3 classes, PNGs of mixed sizes) for 8
   epochs, timed as whole processes: ``python main.py train`` (first with an
   empty decode cache, then with the cache filled) against a hand-written
   torchvision ``ImageFolder`` + ``DataLoader`` script doing the same (same
   model, batch size, optimizer, held-out share, thread count, one held-out
   evaluation per epoch). Prints the ratio baseline / ours.
2. Decode throughput (pictures per second) of ``designer.ml.data.folders.decode``.
3. Peak memory (max RSS of a child process) loading a 50,000-picture folder,
   in RAM and past a lowered memory budget (memory-mapped), against the RSS
   of a child that only imports the same modules.

    python benchmarks/bench_folder.py [--threads 1] [--big 50000] [--work /tmp/bench_folder]

Goals: ratio >= 1.0 (goal >= 2.0).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("circle", "square", "star")
EPOCHS, BATCH, SIZE = 8, 32, 32

BASELINE = textwrap.dedent('''
    import sys, torch
    from torch import nn
    from torchvision import datasets, transforms
    torch.set_num_threads(int(sys.argv[2]))
    torch.manual_seed(0)
    tf = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor(), transforms.Normalize(0.5, 0.5)])
    full = datasets.ImageFolder(sys.argv[1], transform=tf)
    held = len(full) // 10
    train, test = torch.utils.data.random_split(full, [len(full) - held, held], torch.Generator().manual_seed(0))
    train_loader = torch.utils.data.DataLoader(train, batch_size=32, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test, batch_size=1000)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 8 * 8, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(8):
        model.train()
        for x, y in train_loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(f"epoch {epoch + 1} held-out accuracy {correct / held:.2%}", flush=True)
    torch.save(model.state_dict(), sys.argv[3])
''')

PEAK = textwrap.dedent('''
    import json, resource, sys
    import torch, torchvision.datasets.folder
    from designer.ml.data import datasets as data
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.argv[1] != "-":
        dataset = data.load("folder:" + sys.argv[1], [3, 32, 32])
        count = len(dataset.train_x) + len(dataset.test_x)
    else:
        count = 0
    print(json.dumps({"pictures": count, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "after_imports_kib": base}))
''')


def write_pictures(root: Path, per_class: int, sizes, seed: int = 0) -> Path:
    if root.exists() and sum(1 for _ in root.rglob("*.png")) == per_class * len(CLASSES):
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(seed)
    for c, kind in enumerate(CLASSES):
        (root / kind).mkdir(parents=True)
        for i in range(per_class):
            h, w = sizes[i % len(sizes)]
            arr = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
            arr[(c % 2) * h // 2:(c % 2 + 1) * h // 2, (c // 2) * w // 2:(c // 2 + 1) * w // 2] = 220
            Image.fromarray(arr).save(root / kind / f"{i:05d}.png", compress_level=1)
    return root


def project(path: Path, folder: Path) -> Path:
    layers = [("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1}), ("ReLU", {}),
              ("MaxPool2d", {"kernel_size": 2}),
              ("Conv2d", {"in_channels": 8, "out_channels": 16, "kernel_size": 3, "padding": 1}), ("ReLU", {}),
              ("MaxPool2d", {"kernel_size": 2}), ("Flatten", {}),
              ("Linear", {"in_features": 16 * 8 * 8, "out_features": 3})]
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [3, SIZE, SIZE]}}]
    nodes += [{"id": f"n{i}", "type": t, "params": p} for i, (t, p) in enumerate(layers, 1)]
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(nodes, nodes[1:])]
    path.write_text(json.dumps({"format": "netdesigner.project", "version": 1, "name": "bench", "nodes": nodes,
                                "edges": edges, "training": {"dataset": f"folder:{folder}", "epochs": EPOCHS,
                                                             "batch_size": BATCH, "optimizer": "Adam", "lr": 1e-3}}))
    return path


def timed(cmd, env) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a child process: CPU time is what a busy shared machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{result.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def peak(folder, env) -> dict:
    out = subprocess.run([sys.executable, "-c", PEAK, str(folder)], capture_output=True, text=True, env=env,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternating; medians are compared")
    parser.add_argument("--big", type=int, default=50_000, help="pictures for the peak-memory part (0: skip it)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_folder"))
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    cache = work / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": str(args.threads),
           "NETDESIGNER_CACHE_DIR": str(cache)}

    small = write_pictures(work / "pics600", 200, [(64, 64), (48, 80), (120, 90), (33, 33)])
    proj = project(work / "bench.netproj.json", small)
    script = work / "baseline.py"
    script.write_text(BASELINE)
    ours = [sys.executable, "main.py", "train", proj, "--out", work / "ours.pt"]
    times = {"base": [], "cold": [], "warm": []}
    for _ in range(args.rounds):
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(work / "bench.runs", ignore_errors=True)
        times["cold"].append(timed(ours, env))
        times["warm"].append(timed(ours, env))
        times["base"].append(timed([sys.executable, script, small, str(args.threads), work / "base.pt"], env))
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    print(f"600 pictures, {EPOCHS} epochs, small CNN at {SIZE}x{SIZE}, {args.threads} thread(s), whole processes, "
          f"median of {args.rounds}:")
    print(f"  ImageFolder + DataLoader script   wall {wall['base']:6.2f} s   CPU {cpu['base']:6.2f} s")
    for key, label in (("cold", "main.py train, empty cache "), ("warm", "main.py train, cache filled")):
        print(f"  {label}       wall {wall[key]:6.2f} s   CPU {cpu[key]:6.2f} s   "
              f"ratio wall {wall['base'] / wall[key]:.2f}, CPU {cpu['base'] / cpu[key]:.2f}")

    sys.path.insert(0, str(ROOT))
    os.environ["NETDESIGNER_CACHE_DIR"] = str(work / "cache-decode")
    from designer.ml.data import folders

    for name, root in (("600 mixed-size PNGs", small),):
        shutil.rmtree(work / "cache-decode", ignore_errors=True)
        layout = folders.scan(root)
        start = time.perf_counter()
        folders.decode(layout, [3, SIZE, SIZE])
        seconds = time.perf_counter() - start
        print(f"decode {name} to 3x{SIZE}x{SIZE}: {len(layout.train) + len(layout.held_out)} in {seconds:.2f} s = "
              f"{(len(layout.train) + len(layout.held_out)) / seconds:,.0f} pictures/s")

    if args.big <= 0:
        return  # --big 0: no peak-memory part
    big = write_pictures(work / f"pics{args.big}", args.big // 3, [(24, 24), (32, 20)], seed=1)
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    ram = peak(big, env)
    seconds = time.perf_counter() - start
    mapped = peak(big, {**env, "NETDESIGNER_MEMORY_BUDGET": str(16 << 20)})
    bare = peak("-", env)
    mib = 1 / 1024
    size = ram["pictures"] * 3 * SIZE * SIZE / 2**20
    print(f"{ram['pictures']:,} tiny PNGs -> 3x{SIZE}x{SIZE} uint8 ({size:.0f} MiB decoded); first load (decode) "
          f"{seconds:.1f} s = {ram['pictures'] / seconds:,.0f} pictures/s, including the process start")
    print(f"  peak RSS: imports only {bare['peak_kib'] * mib:.0f} MiB; loaded in RAM {ram['peak_kib'] * mib:.0f} MiB "
          f"(first load, decoding); memory-mapped (budget 16 MiB, cache filled) {mapped['peak_kib'] * mib:.0f} MiB")


if __name__ == "__main__":
    main()
