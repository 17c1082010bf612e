"""The exported training script against `netdesigner train`: samples per second for the same epochs.

Both train the lenet-28 template on mnist-5k with the project's settings, and
then a small CNN on a 600-picture image folder (the one bench_folder.py
uses), one thread each, alternating, in fresh processes; the script's epoch
lines and the app's are read for their samples/s and the medians compared.
It also says whether the two ended with identical weights.

    python benchmarks/bench_trainscript.py [--rounds 3] [--epochs 2] [--folder 600]

Goal: script / app >= 0.9 (the script shuffles and slices tensors as the app
does, with no per-sample DataLoader).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import torch  # noqa: E402

from designer.core import codegen, project as projects  # noqa: E402
from designer.ml.export import trainscript  # noqa: E402

RATE = re.compile(r"^epoch \d+/\d+ .* ([\d,]+) samples/s$", re.M)


def rates(output: str) -> list[float]:
    return [float(r.replace(",", "")) for r in RATE.findall(output)]


def compare(tmp: Path, project, rounds: int, epochs: int, env: dict) -> tuple[float, float, bool]:
    """Median samples/s of `netdesigner train` and of the script on ``project``, and whether the weights agree."""
    path = tmp / "net.netproj.json"
    projects.save(project, path)
    (tmp / "net.py").write_text(codegen.generate(project))
    (tmp / "train.py").write_text(trainscript.generate(project, "net.py", base=tmp))
    app, script = [], []
    for _ in range(rounds):
        run = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", str(path), "--epochs", str(epochs),
                              "--out", str(tmp / "app.pt")], env=env, capture_output=True, text=True, check=True)
        app += rates(run.stdout)
        run = subprocess.run([sys.executable, "train.py", "--device", "cpu", "--epochs", str(epochs),
                              "--out", "script.pt"], cwd=tmp, env=env, capture_output=True, text=True, check=True)
        script += rates(run.stdout)
    ours, theirs = (torch.load(tmp / f, weights_only=True) for f in ("app.pt", "script.pt"))
    return statistics.median(app), statistics.median(script), all(torch.equal(ours[k], theirs[k]) for k in ours)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--folder", type=int, default=600, help="pictures in the image-folder run (0: skip it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT), NETDESIGNER_CACHE_DIR=str(tmp / "cache"))
        runs = [("mnist-5k, lenet-28", projects.load(ROOT / "designer" / "resources" / "examples" /
                                                      "lenet-28.netproj.json"), tmp / "mnist")]
        if args.folder:
            import bench_folder  # beside this file: the same 600-picture folder and small CNN as its benchmark

            folder = bench_folder.write_pictures(tmp / "pictures", args.folder // len(bench_folder.CLASSES),
                                                 [(64, 64), (48, 80), (120, 90), (33, 33)])
            runs.append((f"image folder of {args.folder} pictures, small CNN",
                         projects.load(bench_folder.project(tmp / "folder.netproj.json", folder)), tmp / "folder"))
        for what, project, work in runs:
            work.mkdir()
            a, s, same = compare(work, project, args.rounds, args.epochs, env)
            print(f"{what}: app (netdesigner train): {a:,.0f} samples/s   script: {s:,.0f} samples/s   "
                  f"script / app = {s / a:.2f}   identical weights after {args.epochs} epochs: {same}")


if __name__ == "__main__":
    main()
