"""Time `python main.py grade` on a class of 40 LeNet hand-ins against the one-minute goal.

Usage: python benchmarks/bench_grade.py [--count 40]

Writes COUNT hand-ins of the lenet-28 template (each with its own seeded
weights), then runs the whole `grade` command as a teacher would (a fresh
process: interpreter, torch import, the bundled data, every submission) and
prints its wall time, the time per submission, and the ratio to the goal. A
bare `python -c "import torch"` in the same run shows what start-up alone costs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOAL_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    from safetensors.torch import save

    from designer.core import handin, templates
    from designer.ml import models

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        project = templates.new_project("lenet-28")
        for i in range(args.count):
            state = models.build(project, seed=i).state_dict()
            handin.write(folder / f"learner{i:02d}.handin.zip", project, save(dict(state)), {"accuracy": 0.9},
                         f"Learner {i}", "LeNet", "bench")
        challenge = Path(tmp) / "c.netchallenge.json"
        challenge.write_text(json.dumps({"format": "netdesigner.challenge", "version": 1, "title": "LeNet",
                                         "goals": [{"kind": "max_parameters", "value": 100000},
                                                   {"kind": "min_accuracy", "value": 0.9}]}))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        bare = time.perf_counter() - started
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "main.py"), "grade", str(challenge), str(folder),
                                 "--csv", str(Path(tmp) / "out.csv"), "--html", str(Path(tmp) / "out.html")],
                                capture_output=True, text=True)
        took = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
        graded = sum(1 for line in result.stdout.splitlines() if line.startswith("learner"))
    print(f"grade: {graded} submissions in {took:.2f} s ({took / max(1, graded) * 1000:.0f} ms each); "
          f"bare `import torch` {bare:.2f} s; goal {GOAL_S:.0f} s: {took / GOAL_S:.2f} of the goal")


if __name__ == "__main__":
    main()
