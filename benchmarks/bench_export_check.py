"""What the export check costs per export: File ▸ Export (and `export`) with and without it.

Usage: python benchmarks/bench_export_check.py [--runs N] [--onnx]

Exports the LeNet template (.py + .pt, optionally ONNX) through the model
service N times with the fresh-process check and N times without it
(alternated, so machine load hits both alike), and prints the medians, the
check's own cost per export and the ratio. The check starts a Python process
that imports torch; in the app it runs off the UI thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer.ml import models  # noqa: E402

LENET = ROOT / "designer" / "resources" / "examples" / "lenet-28.netproj.json"


def export_once(project, folder: Path, check: bool, onnx: bool) -> float:
    request = models.Request(py=folder / "lenet.py", weights=folder / "lenet.pt",
                             onnx=folder / "lenet.onnx" if onnx else None, verify=check)
    started = time.perf_counter()
    outcome = models.export(project, None, request)
    elapsed = time.perf_counter() - started
    if outcome.error or (check and not outcome.verified):
        raise SystemExit(f"export failed: {outcome.text()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--onnx", action="store_true", help="also write ONNX and check it with onnxruntime")
    args = parser.parse_args()
    project = models.load_project(LENET)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        export_once(project, folder, True, args.onnx)  # warm-up: imports, file cache
        checked, plain = [], []
        for _ in range(args.runs):
            checked.append(export_once(project, folder, True, args.onnx))
            plain.append(export_once(project, folder, False, args.onnx))
    with_check, without = statistics.median(checked), statistics.median(plain)
    what = ".py + .pt + ONNX" if args.onnx else ".py + .pt"
    print(f"export {LENET.name} ({what}), median of {args.runs} runs:")
    print(f"  with the check:    {with_check * 1000:.0f} ms (min {min(checked) * 1000:.0f} ms)")
    print(f"  without the check: {without * 1000:.0f} ms (min {min(plain) * 1000:.0f} ms)")
    print(f"  the check costs {max(with_check - without, 0) * 1000:.0f} ms per export; "
          f"with / without = {with_check / without:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
