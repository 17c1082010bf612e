"""``train FILE [--dataset] [--epochs] [--batch-size] [--lr] [--optimizer] [--device] [--seed] [--resume [RUN]] --out W.pt``.

Drives the same loop as the GUI (``designer.ml.training.loop``): a progress bar on
stderr, one line per epoch on stdout, the best weights (by held-out
accuracy) written to ``--out``, also when a later epoch fails. Each run is
recorded beside the project (``designer.core.runs``) with a checkpoint after
every epoch; ``--resume`` continues a stopped or crashed one. Exit codes:
0 trained, 1 invalid graph or a failed run (NaN loss, dataset unavailable),
2 unreadable file, bad setting or unavailable device, 130 interrupted.
"""

from __future__ import annotations

import sys
import time

from designer.core.datasets import is_folder, project_folder
from designer.core.i18n import _
from designer.core.training import ConfigError, TrainConfig

BAR_WIDTH = 30
BAR_INTERVAL = 0.2  # seconds between redraws: a bar, not a log
MAX_WARNINGS = 10  # skipped files named one by one; the rest counted


def _err(message: str) -> None:
    print(_("train: {message}").format(message=message), file=sys.stderr)


def run(args) -> int:
    from designer.ml import models

    try:
        proj = models.load_project(args.file)
        models.valid_shapes(proj, args.file)
    except models.ModelError as exc:
        _err(str(exc))
        return exc.exit_code

    from designer.core import runs
    from designer.ml.training import service
    from designer.ml.training.events import BatchEnd, EpochEnd, Failed, Finished, Started
    from designer.ml.training.loop import DeviceError, resolve_device
    from designer.ml.weights import WeightsError, save_state_dict

    resumed = None
    if args.resume:
        flags = [f"--{k.replace('_', '-')}" for k in ("dataset", "epochs", "batch_size", "lr", "optimizer", "seed")
                 if getattr(args, k) is not None]
        if flags:
            _err(_("--resume continues with the run's own settings: leave out {flags}").format(flags=", ".join(flags)))
            return 2
        try:
            resumed = (runs.latest_resumable(args.file) if args.resume == "latest"
                       else runs.load_run(runs.runs_folder(args.file) / args.resume))
            if resumed is None:
                _err(f"{args.file}: no run to continue in {runs.runs_folder(args.file)} (each run there finished, "
                     "or none saved a checkpoint)")
                return 1
        except runs.RunError as exc:
            _err(str(exc))
            return 1
    try:
        config = TrainConfig.from_project(resumed.settings if resumed else proj.training, args.file)
    except ConfigError as exc:
        _err(str(exc))
        return 2
    try:
        config = config.updated(dataset=args.dataset, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                optimizer=args.optimizer, device=args.device, seed=args.seed)
        resolve_device(config.device)
    except ConfigError as exc:
        _err(f"--{exc.field.removeprefix('training.').replace('_', '-')}: {exc.message}")
        return 2
    except DeviceError as exc:
        _err(f"--device: {exc}")
        return 2
    history = None if resumed is not None or getattr(args, "no_record", False) else args.file
    try:
        prepared = service.prepare(proj, config, base=project_folder(args.file), history=history, resume=resumed,
                                   progress=_load_progress)
    except service.SetupError as exc:
        _err(f"{args.file}: {exc}" if exc.stage == "model" else str(exc))
        return 1
    dataset, recorder = prepared.dataset, prepared.recorder
    for warning in dataset.warnings[:MAX_WARNINGS]:
        _err(_("warning: {message}").format(message=warning))
    if len(dataset.warnings) > MAX_WARNINGS:
        _err(_("warning: and {count} more files skipped").format(count=len(dataset.warnings) - MAX_WARNINGS))
    if prepared.record_problem:
        _err(_("warning: {problem}; training without a run history (and without checkpoints)").format(
            problem=prepared.record_problem))
    bar = _Bar()
    events = service.events(prepared)
    try:
        for event in events:
            if isinstance(event, Started) and event.resumed_after:
                print(_("continuing {run} of {name} after epoch {done}/{epochs} on {dataset} on {device}").format(
                    run=resumed.id, name=proj.name, done=event.resumed_after, epochs=event.epochs,
                    dataset=config.dataset, device=event.device), flush=True)
            elif isinstance(event, Started):
                classes = _(", {count} classes").format(count=dataset.num_classes) \
                    if is_folder(config.dataset) else ""
                print(_("training {name} on {dataset} ({count:,} samples, {held:,} held out{classes}) on {device}, "
                        "{optimizer} lr {lr:g}, batch {batch}, seed {seed}").format(
                    name=proj.name, dataset=config.dataset, count=event.train_samples, held=event.held_out_samples,
                    classes=classes, device=event.device, optimizer=config.optimizer, lr=config.lr,
                    batch=config.batch_size, seed=event.seed), flush=True)
                for warning in event.warnings:
                    _err(_("warning: {message}").format(message=warning))
                if recorder is not None:
                    print(_("recording this run in {folder} (its settings, curves, best weights and a checkpoint per "
                            "epoch; --no-record leaves it out)").format(folder=recorder.run.folder), flush=True)
            elif isinstance(event, BatchEnd):
                bar.update(event)
            elif isinstance(event, EpochEnd):
                bar.clear()
                print(_("epoch {epoch}/{epochs}  loss {loss:.4f}  held-out loss {held_loss:.4f}  "
                        "held-out accuracy {accuracy:.2%}  {speed:,.0f} samples/s").format(
                    epoch=event.epoch, epochs=event.epochs, loss=event.train_loss, held_loss=event.val_loss,
                    accuracy=event.val_acc, speed=event.samples_per_s), flush=True)
            elif isinstance(event, Failed):
                bar.clear()
                _err(event.message)
                if event.best_state is not None:
                    try:
                        save_state_dict(event.best_state, args.out, _record(proj, event.best_state, dataset, config))
                    except WeightsError as exc:
                        _err(_("the best weights before the failure could not be kept either: {error}").format(
                            error=exc))
                        return 1
                    _err(_("kept the best weights before the failure (epoch {epoch}, held-out accuracy "
                           "{accuracy:.2%}): wrote {file}").format(epoch=event.best_epoch, accuracy=event.best_val_acc,
                                                                   file=args.out))
                else:
                    _err(_("no epoch had ended: nothing written"))
                return 1
            elif isinstance(event, Finished):
                try:
                    save_state_dict(event.best_state, args.out, _record(proj, event.best_state, dataset, config))
                except WeightsError as exc:
                    _err(str(exc))
                    return 1
                if event.early_stopped:
                    print(_("stopped early: the held-out loss did not improve for {count} epochs").format(
                        count=config.patience),
                          flush=True)
                for problem in event.warnings + (recorder.problems if recorder is not None else []):
                    _err(_("warning: {message}").format(message=problem))
                if recorder is not None:
                    print(_("run recorded in {folder}").format(folder=recorder.run.folder), flush=True)
                print(_("best held-out accuracy {accuracy:.2%} (epoch {epoch}); wrote {file}").format(
                    accuracy=event.best_val_acc, epoch=event.best_epoch, file=args.out), flush=True)
    except KeyboardInterrupt:
        bar.clear()
        events.close()
        resumable = recorder is not None and recorder.checkpoint.is_file()
        _err("interrupted: nothing written" + (f"; continue with: train {args.file} --resume --out {args.out}"
                                                if resumable else ""))
        return 130
    return 0


def _record(project, state: dict, dataset, config) -> dict:
    """What the weights were trained for, written into the weights file."""
    from designer.ml import models

    return models.record_for(project, state, config.dataset, dataset.classes).to_dict()


class _Bar:
    """A one-line progress bar on stderr, redrawn at most every BAR_INTERVAL seconds."""

    def __init__(self) -> None:
        self.drawn = 0.0
        self.visible = False

    def update(self, event) -> None:
        now = time.monotonic()
        if now - self.drawn < BAR_INTERVAL and event.step < event.steps:
            return
        self.drawn = now
        done = int(BAR_WIDTH * event.step / event.steps)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] epoch {event.epoch} "
                         f"step {event.step}/{event.steps}  loss {event.loss:.4f}  "
                         f"{event.samples_per_s:,.0f} samples/s  ETA {_duration(event.eta_s)} ")
        sys.stderr.flush()
        self.visible = True

    def clear(self) -> None:
        if self.visible:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()
            self.visible = False


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _load_progress(what: str, done: int, total: int) -> None:
    """Downloads (bytes) and decoding (pictures) of a dataset, on one line that ends when done."""
    share = f"{done / total:.0%}" if total else f"{done / 2**20:.1f} MiB"
    label = what if what.startswith("decoding") else f"downloading {what}"
    end = "\n" if total and done >= total else ""
    sys.stderr.write(f"\r{label}: {share}{end}")
    sys.stderr.flush()
