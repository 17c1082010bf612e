"""Run history: every training run recorded beside the project, so runs can be compared and continued.

A project ``lenet.netproj.json`` keeps its runs in ``lenet.runs/``, one folder
per run (``run-0001``, ``run-0002``, ...) holding ``run.json`` (the settings,
the curves per epoch, the best accuracy, how it ended), ``best.pt`` (its best
weights) and ``checkpoint.pt`` (what continuing it needs). ``run.json`` is
rewritten atomically after every epoch, so a run whose process died still
shows its curves, as ``running`` with a checkpoint to continue from.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from designer.core.i18n import N_, _
from designer.core.project import write_atomic

RUN_FILE, WEIGHTS_FILE, CHECKPOINT_FILE = "run.json", "best.pt", "checkpoint.pt"
PROJECT_SUFFIXES = (".netproj.json", ".json")
ENDED = ("finished", "stopped", "early-stopped", "failed")  # how a run can end; "running" until then
# How the Runs list words each ending (run.json keeps the English key).
STATUS_TEXT = {"finished": N_("finished"), "stopped": N_("stopped"), "early-stopped": N_("early-stopped"),
               "failed": N_("failed")}


class RunError(ValueError):
    """A run that cannot be read or written; the message names the file."""


@dataclass
class Run:
    """One training run as ``run.json`` records it.

    Attributes:
        folder: the run's folder (its name is the run's id).
        settings: the ``training`` settings it ran with (the project file's keys).
        status: ``running`` (or its process died), or one of ``ENDED``.
        epochs: one object per finished epoch: epoch, train_loss, val_loss, train_acc, val_acc, lr.
        best_val_acc, best_epoch: the best held-out accuracy and its epoch (None before the first epoch).
        classes: the dataset's class names.
        skipped: the pictures of an image folder that could not be read and were left out ("path: why").
    """

    folder: Path
    settings: dict
    started: str = ""
    status: str = "running"
    epochs: list[dict] = field(default_factory=list)
    best_val_acc: float | None = None
    best_epoch: int = 0
    classes: list[str] = field(default_factory=list)
    message: str = ""
    skipped: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def weights_path(self) -> Path:
        return self.folder / WEIGHTS_FILE

    @property
    def checkpoint_path(self) -> Path:
        return self.folder / CHECKPOINT_FILE

    @property
    def can_resume(self) -> bool:
        """Stopped, failed or interrupted before its last epoch, with a checkpoint to go on from."""
        planned = self.settings.get("epochs", 0)
        return (self.status in ("running", "stopped", "failed") and self.checkpoint_path.is_file()
                and len(self.epochs) < planned)

    def summary(self) -> str:
        """One line for a list: id, date, dataset, accuracy, how it ended."""
        when = self.started[:16].replace("T", " ")
        accuracy = f"{self.best_val_acc:.1%}" if self.best_val_acc is not None else _("no epoch")
        if self.status == "running":
            status = _("interrupted")
        else:
            status = _(STATUS_TEXT[self.status]) if self.status in STATUS_TEXT else self.status
        planned = self.settings.get("epochs", "?")
        return _("{id} · {when} · {dataset} · {accuracy} · {done}/{planned} epochs · {status}").format(
            id=self.id, when=when, dataset=self.settings.get("dataset", ""), accuracy=accuracy,
            done=len(self.epochs), planned=planned, status=status)

    def save(self) -> None:
        """Write ``run.json`` atomically."""
        values = asdict(self)
        values.pop("folder")
        try:
            write_atomic(self.folder / RUN_FILE, json.dumps(values, indent=1).encode("utf-8"))
        except OSError as exc:
            raise RunError(_("{file}: cannot be written ({reason})").format(
                file=self.folder / RUN_FILE, reason=exc.strerror or exc)) from None


def runs_folder(project_path: str | os.PathLike) -> Path:
    """``lenet.runs`` beside ``lenet.netproj.json``."""
    path = Path(project_path)
    name = path.name
    for suffix in PROJECT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[:-len(suffix)]
            break
    return path.with_name(name + ".runs")


def new_run(project_path: str | os.PathLike, settings: dict, classes: list[str] | None = None) -> Run:
    """Create the next run folder beside the project and record the run as started."""
    folder = runs_folder(project_path)
    try:
        folder.mkdir(exist_ok=True)
        taken = [int(p.name[4:]) for p in folder.glob("run-*") if p.name[4:].isdigit()]
        number = max(taken, default=0) + 1
        while True:  # another process may take the same number: mkdir decides
            try:
                (folder / f"run-{number:04d}").mkdir()
                break
            except FileExistsError:
                number += 1
    except OSError as exc:
        raise RunError(_("{folder}: the run history cannot be written ({reason})").format(
            folder=folder, reason=exc.strerror or exc)) from None
    run = Run(folder / f"run-{number:04d}", dict(settings), datetime.now(timezone.utc).isoformat(timespec="seconds"),
              classes=list(classes or []))
    run.save()
    return run


def load_run(folder: str | os.PathLike) -> Run:
    """Read one run's ``run.json``; raises RunError naming the file."""
    path = Path(folder) / RUN_FILE
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RunError(_("{file}: not a readable run record ({reason})").format(file=path, reason=exc)) from None
    if not isinstance(values, dict) or not isinstance(values.get("settings"), dict):
        raise RunError(_("{file}: not a run record (no settings)").format(file=path))
    known = {k: values[k] for k in ("started", "status", "epochs", "best_val_acc", "best_epoch", "classes", "message",
                                    "skipped") if k in values}
    run = Run(Path(folder), values["settings"], **known)
    if not isinstance(run.epochs, list) or not all(isinstance(e, dict) for e in run.epochs):
        raise RunError(_("{file}: epochs must be a list of objects").format(file=path))
    return run


def list_runs(project_path: str | os.PathLike) -> list[Run]:
    """The project's runs, oldest first; folders without a readable record are left out."""
    folder = runs_folder(project_path)
    if not folder.is_dir():
        return []
    found = []
    for child in sorted(folder.glob("run-*")):
        try:
            found.append(load_run(child))
        except RunError:
            continue
    return found


def latest_resumable(project_path: str | os.PathLike) -> Run | None:
    """The newest run that can be continued, if any."""
    return next((run for run in reversed(list_runs(project_path)) if run.can_resume), None)
