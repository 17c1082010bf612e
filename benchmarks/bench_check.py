"""Time `python main.py check <lenet>` as a whole process against the 0.5 s goal.

Usage: python benchmarks/bench_check.py [--runs N]

Prints the median wall time of N runs of the check, of a bare `python -c pass`
(the interpreter's own start-up, which check cannot beat), their ratio and
the ratio to the goal. Runs are alternated so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LENET = "designer/resources/examples/lenet-28.netproj.json"
GOAL_S = 0.5


def wall(cmd: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    check_cmd = [sys.executable, "main.py", "check", LENET]
    bare_cmd = [sys.executable, "-c", "pass"]
    if subprocess.run(check_cmd, cwd=ROOT, capture_output=True).returncode != 0:
        print("check failed on the LeNet example; fix that first", file=sys.stderr)
        return 1
    # An installed app has cached bytecode; this environment may forbid writing it
    # (PYTHONDONTWRITEBYTECODE), which makes every run compile the sources. Time both.
    cache = tempfile.mkdtemp(prefix="bench-pycache-")
    warm_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    warm_env["PYTHONPYCACHEPREFIX"] = cache
    cold_env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    cold_env["PYTHONDONTWRITEBYTECODE"] = "1"
    wall(check_cmd, warm_env)  # fills the cache
    check_times, cold_times, bare_times = [], [], []
    for _ in range(runs):
        check_times.append(wall(check_cmd, warm_env))
        cold_times.append(wall(check_cmd, cold_env))
        bare_times.append(wall(bare_cmd, warm_env))
    check_s, bare_s = statistics.median(check_times), statistics.median(bare_times)
    print(f"check {LENET}: median {check_s * 1000:.0f} ms over {runs} runs "
          f"(min {min(check_times) * 1000:.0f} ms; bytecode cached, as installed)")
    print(f"  same without a bytecode cache (every run compiles the sources): "
          f"median {statistics.median(cold_times) * 1000:.0f} ms")
    shutil.rmtree(cache, ignore_errors=True)
    print(f"bare `python -c pass`: median {bare_s * 1000:.0f} ms")
    print(f"check / bare python = {check_s / bare_s:.2f}x; check costs {max(check_s - bare_s, 0) * 1000:.0f} ms "
          "beyond interpreter start-up")
    verdict = "meets" if check_s <= GOAL_S else "MISSES"
    print(f"check / goal ({GOAL_S} s) = {check_s / GOAL_S:.2f} -> {verdict} the goal")
    return 0 if check_s <= GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
