"""state_dict files (.pt and .safetensors), the record they carry, and the key/shape compatibility report.

A file the app writes carries a record (a JSON object, ``designer.ml.record``)
beside the tensors: in a safetensors file's metadata, in a ``.pt`` file as the
state_dict's ``_metadata`` entry, which ``load_state_dict`` ignores, so that
``model.load_state_dict(torch.load(W, weights_only=True))`` still works.

Loading never unpickles arbitrary objects: ``torch.load`` runs with
``weights_only=True``. The format is recognised from the file's bytes, not its
name, so a misnamed file still loads or fails with a message naming the file.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import stat
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import torch

from designer.core.i18n import _, ngettext
from designer.core.project import write_atomic

SAFETENSORS_SUFFIX = ".safetensors"
ORDER_KEY = "netdesigner.key_order"
RECORD_KEY = "netdesigner.record"  # a dot: no module prefix of a state_dict can collide with it
_NESTED_KEYS = ("state_dict", "model_state_dict", "model")  # common checkpoint layouts


class WeightsError(ValueError):
    """A weights file that cannot be written or read; the message names the file."""

    def __init__(self, path, message: str):
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


def save_state_dict(state: dict, path: str | os.PathLike, record: dict | None = None) -> None:
    """Write ``state`` atomically: safetensors for a ``.safetensors`` name, torch.save otherwise.

    ``record`` (JSON-safe) is what the weights were trained for; it travels in the file.
    """
    path = Path(path)
    tensors = OrderedDict((k, v.detach().cpu().contiguous()) for k, v in state.items())
    text = json.dumps(record, ensure_ascii=False, sort_keys=True) if record is not None else None
    try:
        if path.suffix.lower() == SAFETENSORS_SUFFIX:
            from safetensors.torch import save

            # safetensors sorts keys; the metadata keeps the model's order for the loader.
            metadata = {ORDER_KEY: json.dumps(list(tensors))}
            if text is not None:
                metadata[RECORD_KEY] = text
            payload = save(dict(tensors), metadata=metadata)
        else:
            if text is not None:
                tensors._metadata = OrderedDict({RECORD_KEY: {"json": text}})
            buffer = io.BytesIO()
            torch.save(tensors, buffer)
            payload = buffer.getbuffer()  # written as it is: no second copy of a large model's 100 MB
        write_atomic(path, payload)
    except OSError as exc:
        raise WeightsError(path, _("cannot be written ({reason})").format(reason=exc.strerror or exc)) from None


def _is_safetensors(head: bytes) -> bool:
    # 8-byte little-endian header length, then a JSON object.
    return len(head) >= 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] > 0


def load_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a state_dict (.pt/.pth or .safetensors) onto the CPU; raises WeightsError."""
    return load_weights(path)[0]


def load_weights(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict | None]:
    """The state_dict and the record it carries (None for a file made elsewhere); raises WeightsError."""
    path = Path(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a named pipe would block the reader for ever
            raise WeightsError(path, _("is not a regular file (a folder, a named pipe or a device); "
                                       "only regular files are read"))
        with open(path, "rb") as handle:
            head = handle.read(9)
    except OSError as exc:
        raise WeightsError(path, _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    if not head:
        raise WeightsError(path, _("is empty, not a weights file"))
    if _is_safetensors(head):
        data, record = _load_safetensors(path)
    else:
        data = _load_torch(path)
        found = (getattr(data, "_metadata", None) or {}).get(RECORD_KEY)
        record = found.get("json") if isinstance(found, dict) else None
    return _as_state_dict(path, data), _parse_record(record)


def _parse_record(text) -> dict | None:
    """The record as a dict; a damaged one counts as none (the tensors are still good)."""
    if not isinstance(text, str):
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _load_safetensors(path: Path) -> tuple[dict, str | None]:
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_file

    try:
        state = load_file(str(path), device="cpu")
        with safe_open(str(path), "pt") as handle:
            metadata = handle.metadata() or {}
        order = json.loads(metadata.get(ORDER_KEY, "[]"))
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(path, _("is not a readable safetensors file ({reason})").format(reason=exc)) from None
    if isinstance(order, list) and sorted(map(str, order)) == sorted(state):
        state = {key: state[key] for key in order}
    return state, metadata.get(RECORD_KEY)


def _load_torch(path: Path) -> object:
    try:
        return torch.load(path, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as exc:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(exc))
        if found:
            raise WeightsError(path, _("holds a Python object ({name}), not only tensors; it was not "
                                       "loaded because unpickling it could run code").format(name=found.group(1))) from None
        raise WeightsError(path, _("is not a PyTorch weights file, or it is damaged")) from None
    except (RuntimeError, EOFError, ValueError, zipfile.BadZipFile, OSError, struct.error, KeyError,
            AttributeError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise WeightsError(path, _("is not a PyTorch weights file, or it is damaged ({reason})").format(
            reason=_first_line(exc))) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _as_state_dict(path: Path, data: object) -> dict[str, torch.Tensor]:
    if isinstance(data, dict) and not _all_tensors(data):
        for key in _NESTED_KEYS:
            if isinstance(data.get(key), dict) and _all_tensors(data[key]):
                return dict(data[key])
    if not isinstance(data, dict):
        raise WeightsError(path, _("holds a value of type {type}, not a state_dict (a dict of tensors)").format(
            type=type(data).__name__))
    for key, value in data.items():
        if not isinstance(key, str):
            raise WeightsError(path, _("has a key {key} that is not text; a state_dict maps names to tensors").format(
                key=repr(key)))
        if not isinstance(value, torch.Tensor):
            raise WeightsError(path, _("{key} holds a value of type {type}, not a tensor: not a state_dict").format(
                key=repr(key), type=type(value).__name__))
    return dict(data)


def _all_tensors(data: dict) -> bool:
    return bool(data) and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in data.items())


@dataclass
class CompatReport:
    """How a state_dict fits a model: which keys match, which are missing, extra or misshapen."""

    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the model needs them, the file lacks them
    unexpected: list[str] = field(default_factory=list)  # in the file, not in the model
    shape_mismatch: list[tuple[str, tuple, tuple]] = field(default_factory=list)  # (key, expected, got)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.shape_mismatch)

    def summary(self) -> str:
        """A few lines a learner can act on."""
        if self.ok:
            return ngettext("All {n} tensor matches the model.", "All {n} tensors match the model.",
                            len(self.matched)).format(n=len(self.matched))
        total = len(self.matched) + len(self.missing) + len(self.shape_mismatch)
        lines = [_("The weights do not fit the model ({matched} of {total} tensors match).").format(
            matched=len(self.matched), total=total)]
        for key, expected, got in self.shape_mismatch[:5]:
            lines.append("  " + _("{key}: the file has shape {got}, the model expects {expected}").format(
                key=key, got=_dims(got), expected=_dims(expected)))
        if len(self.shape_mismatch) > 5:
            lines.append("  " + _("... and {n} more with the wrong shape").format(n=len(self.shape_mismatch) - 5))
        if self.missing:
            lines.append("  " + _("Missing from the file: {keys}").format(keys=_some(self.missing)))
        if self.unexpected:
            lines.append("  " + _("In the file but not in the model: {keys}").format(keys=_some(self.unexpected)))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _dims(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _some(keys: list[str], limit: int = 5) -> str:
    text = ", ".join(keys[:limit])
    if len(keys) <= limit:
        return text
    return _("{keys} and {n} more").format(keys=text, n=len(keys) - limit)


def _shape_of(value) -> tuple:
    return tuple(value.shape) if hasattr(value, "shape") else tuple(value)


def compare(expected_state: dict, loaded_state: dict) -> CompatReport:
    """Compare a model's state_dict (tensors or shapes) with a loaded one, key by key."""
    report = CompatReport()
    for key, value in expected_state.items():
        if key not in loaded_state:
            report.missing.append(key)
            continue
        want, got = _shape_of(value), _shape_of(loaded_state[key])
        if want == got:
            report.matched.append(key)
        else:
            report.shape_mismatch.append((key, want, got))
    report.unexpected = [k for k in loaded_state if k not in expected_state]
    return report
