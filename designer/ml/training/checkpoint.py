"""A run's checkpoint: everything needed to continue it exactly where an epoch ended.

Written after every epoch (atomically: a crash while writing leaves the
previous one), read back with ``weights_only=True``: only tensors and plain
containers, nothing that runs code. The model, the optimizer, the schedule,
the epoch, the best weights so far, the early-stopping count and every random
generator's state (shuffling, augmentation, torch's global one for dropout),
so that a resumed run ends with the same weights as one never interrupted.
"""

from __future__ import annotations

import os
import pickle
import struct
import zipfile
from pathlib import Path

import torch

from designer.core.i18n import _

FORMAT = "netdesigner.checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file."""


def save(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` (plain containers of tensors and numbers) to ``path`` atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save({"format": FORMAT, "version": VERSION, **state}, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CheckpointError(_("{path}: the checkpoint could not be written ({reason})").format(
            path=path, reason=exc.strerror or exc)) from None


def load(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by ``save``; raises CheckpointError naming the file."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(_("{path}: no checkpoint there (the run saved none, or it was deleted)").format(
            path=path)) from None
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, zipfile.BadZipFile, OSError, struct.error,
            KeyError, AttributeError, TypeError, IndexError, UnicodeDecodeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise CheckpointError(_("{path}: not a readable checkpoint, or it is damaged ({reason})").format(
            path=path, reason=first)) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(_("{path}: not a NetDesigner checkpoint").format(path=path))
    if state.get("version") != VERSION:
        raise CheckpointError(_("{path}: a checkpoint of another version ({version}); start the run again")
                              .format(path=path, version=state.get("version")))
    return state
