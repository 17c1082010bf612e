"""Time `python main.py import <tutorial LeNet>` as a whole process against the 3 s goal.

Usage: python benchmarks/bench_import.py [--runs N]

Prints the median wall time of N imports of the tutorial's classic LeNet (the
`num_flat_features` one, no input shape given, so it is inferred), of a bare
`python -c "import torch"` (starting torch, which the import pays twice: in
the command and in the sandboxed child), their ratio and the ratio to the
goal. Runs are alternated so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 3.0
LENET = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

    def num_flat_features(self, x):
        size = x.size()[1:]
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


net = Net()
print(net)
'''


def wall(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started


def _child_work(source: Path) -> float:
    """The import child's work without starting torch or the sandbox: what the import adds to torch's start."""
    import torch

    sys.path.insert(0, str(ROOT))
    from designer.ml.importing import child as _import_child
    from designer.ml.importing import importer

    torch.set_num_threads(1)  # as in the child
    started = time.perf_counter()
    data, _ = _import_child.describe(str(source), {"catalog": importer.catalog_params()})
    took = time.perf_counter() - started
    if not data["ok"]:
        raise SystemExit(data["error"])
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "lenet.py")
        source.write_text(LENET)
        import_cmd = [sys.executable, "main.py", "import", str(source), "--out", str(Path(tmp, "lenet.json"))]
        torch_cmd = [sys.executable, "-c", "import torch"]
        wall(import_cmd, env)  # warm the file cache
        imports, torches = [], []
        for _ in range(runs):
            imports.append(wall(import_cmd, env))
            torches.append(wall(torch_cmd, env))
        work = _child_work(source)
    imp, tor = statistics.median(imports), statistics.median(torches)
    print(f"import LeNet (whole command): median {imp:.2f} s over {runs} runs")
    print(f"python -c 'import torch':     median {tor:.2f} s")
    print(f"ratio import / torch start:   {imp / tor:.2f}")
    print(f"the child's own work (run the script, infer the shape, record forward), one thread: {work:.3f} s")
    print(f"ratio import / goal {GOAL_S:g} s:    {imp / GOAL_S:.2f} ({'met' if imp <= GOAL_S else 'missed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
