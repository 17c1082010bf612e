"""Train each classic CNN template and record its held-out accuracy in designer/resources/examples/measured.json.

    python tools/measure_templates.py [--threads 2] [--seed 0] [NAME ...]

Each template trains with its own training settings (dataset, epochs,
optimizer, learning rate, batch size) and a fixed seed, through the same
set-up and loop as ``main.py train`` (``designer.ml.training.service``),
recording nothing beside the template. The file keeps, per template, the
accuracy after the last epoch, every epoch's, what it was measured on and the
model's signature: tests/ml/test_templates.py fails when a template's model
or settings change without a new measurement. Names given re-measure those
templates only; the others' entries are kept.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer.core import templates  # noqa: E402
from designer.core.training import TrainConfig  # noqa: E402

CLASSIC = ("alexnet-small", "vgg11-small", "nin", "googlenet-small", "resnet18-small", "densenet-small",
           "mobilenetv2-small")


def measure(template_id: str, seed: int) -> dict:
    """Train one template once; its entry for measured.json."""
    import torch

    from designer.ml.training import service
    from designer.ml.training.events import EpochEnd, Failed, Finished, Started

    project = templates.new_project(template_id)
    config = TrainConfig.from_project(project.training).updated(seed=seed, device="cpu")
    prepared = service.prepare(project, config)
    entry, per_epoch, start = {}, [], time.perf_counter()
    for event in service.events(prepared):
        if isinstance(event, Started):
            entry.update(train_samples=event.train_samples, held_out_samples=event.held_out_samples)
        elif isinstance(event, EpochEnd):
            per_epoch.append(round(event.val_acc, 4))
            print(f"  {template_id} epoch {event.epoch}/{event.epochs}: held-out accuracy {event.val_acc:.2%}",
                  flush=True)
        elif isinstance(event, Failed):
            raise SystemExit(f"{template_id}: {event.message}")
        elif isinstance(event, Finished):
            best = round(event.best_val_acc, 4)
    training = project.training
    return {"accuracy": per_epoch[-1], "epochs": len(per_epoch), "dataset": config.dataset, "seed": seed,
            "signature": templates.model_signature(project), "training": training,
            "per_epoch": per_epoch, "best": best, **entry,
            "seconds": round(time.perf_counter() - start, 1), "threads": torch.get_num_threads(),
            "torch": torch.__version__, "machine": platform.machine()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="templates to measure (default: the classic CNNs)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    try:
        found = json.loads(templates.MEASURED.read_text(encoding="utf-8"))["templates"]
    except FileNotFoundError:
        found = {}
    for name in args.names or CLASSIC:
        templates.get(name)  # an unknown name fails here, before any training
        print(f"measuring {name}", flush=True)
        found[name] = measure(name, args.seed)
        print(f"{name}: {found[name]['accuracy']:.2%} after {found[name]['epochs']} epochs "
              f"({found[name]['seconds']} s)", flush=True)
        document = {"about": "Held-out accuracy of each template, written by tools/measure_templates.py.",
                    "templates": dict(sorted(found.items()))}
        templates.MEASURED.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
