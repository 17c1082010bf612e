"""The exported training script against `netdesigner train`: samples per second for the same epochs.

Both train the lenet-28 template on mnist-5k with the project's settings, one
thread each, alternating, in fresh processes; the script's epoch lines and the
app's are read for their samples/s and the medians compared. It also says
whether the two ended with identical weights.

    python benchmarks/bench_trainscript.py [--rounds 3] [--epochs 2]

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

import torch  # noqa: E402

from designer.core import codegen, project as projects, trainscript  # noqa: E402

RATE = re.compile(r"^epoch \d+/\d+ .* ([\d,]+) samples/s$", re.M)


def rates(output: str) -> list[float]:
    return [float(r.replace(",", "")) for r in RATE.findall(output)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = projects.load(ROOT / "designer" / "resources" / "examples" / "lenet-28.netproj.json")
        path = tmp / "lenet.netproj.json"
        projects.save(project, path)
        (tmp / "lenet.py").write_text(codegen.generate(project))
        (tmp / "train.py").write_text(trainscript.generate(project, "lenet.py"))
        app, script = [], []
        for _ in range(args.rounds):
            run = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", str(path), "--epochs",
                                  str(args.epochs), "--out", str(tmp / "app.pt")], env=env, capture_output=True,
                                 text=True, check=True)
            app += rates(run.stdout)
            run = subprocess.run([sys.executable, "train.py", "--device", "cpu", "--epochs", str(args.epochs),
                                  "--out", "script.pt"], cwd=tmp, env=env, capture_output=True, text=True, check=True)
            script += rates(run.stdout)
        ours, theirs = (torch.load(tmp / f, weights_only=True) for f in ("app.pt", "script.pt"))
        same = all(torch.equal(ours[k], theirs[k]) for k in ours)
    a, s = statistics.median(app), statistics.median(script)
    print(f"app (netdesigner train): {a:,.0f} samples/s   script: {s:,.0f} samples/s   "
          f"script / app = {s / a:.2f}   identical weights after {args.epochs} epochs: {same}")


if __name__ == "__main__":
    main()
