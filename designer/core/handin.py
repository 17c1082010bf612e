"""Hand-in files (``NAME.handin.zip``): a learner's project, its weights and its run, in one file.

Members: ``manifest.json`` (app version, challenge title, learner, time and a
SHA-256 per member), ``project.netproj.json``, ``weights.safetensors`` and
``summary.json`` (the run's own record; self-reported, never trusted).

Reading never unpacks to disk: members are read into memory, each bounded in
size before and while it is read (a zip bomb stops at the limit), and checked
against the manifest's digests.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from designer.core import project as project_io
from designer.core import safe_json
from designer.core.i18n import _
from designer.core.project import Project, ProjectError

FORMAT = "netdesigner.handin"
VERSION = 1
SUFFIX = ".handin.zip"
MANIFEST, PROJECT, WEIGHTS, SUMMARY = "manifest.json", "project.netproj.json", "weights.safetensors", "summary.json"
MEMBERS = (PROJECT, WEIGHTS, SUMMARY)
MAX_FILE = 256 << 20  # the whole hand-in
MAX_MEMBER = {MANIFEST: 1 << 20, PROJECT: project_io.MAX_FILE_BYTES, WEIGHTS: 200 << 20, SUMMARY: 4 << 20}


class HandInError(ValueError):
    """A hand-in that cannot be read; the message names the file and the member."""


@dataclass
class HandIn:
    """A hand-in as read: the project, the raw weights (safetensors bytes) and what the learner's app recorded."""

    source: str
    learner: str
    challenge: str
    time: str
    project: Project
    weights: bytes
    summary: dict


def write(path: str | os.PathLike, project: Project, weights: bytes, summary: dict, learner: str,
          challenge: str, app_version: str) -> None:
    """Write the hand-in atomically (a half-written file never replaces a good one)."""
    members = {PROJECT: project_io.dumps(project).encode("utf-8"), WEIGHTS: bytes(weights),
               SUMMARY: json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")}
    manifest = {"format": FORMAT, "version": VERSION, "app_version": app_version, "challenge": challenge,
                "learner": learner, "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in members.items():
            archive.writestr(name, data)
    project_io.write_atomic(Path(path), buffer.getvalue())


def read(path: str | os.PathLike) -> HandIn:
    """Read and check a hand-in; raises HandInError (never OSError, zip or JSON errors)."""
    source = str(path)
    try:
        payload = project_io.read_regular_file(path, MAX_FILE, source)
    except ProjectError as exc:
        raise HandInError(str(exc)) from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise HandInError(_("{file}: is not a hand-in (not a zip file)").format(file=source)) from None
    with archive:
        data = {name: _member(archive, name, source) for name in (MANIFEST, *MEMBERS)}
    manifest = _json(data[MANIFEST], source, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise HandInError(_("{file}: {member}: not a NetDesigner hand-in manifest").format(
            file=source, member=MANIFEST))
    digests = manifest.get("sha256")
    if not isinstance(digests, dict):
        raise HandInError(_("{file}: {member}: sha256 is missing").format(file=source, member=MANIFEST))
    for name in MEMBERS:
        if digests.get(name) != hashlib.sha256(data[name]).hexdigest():
            raise HandInError(_("{file}: {member}: does not match the manifest's SHA-256 (changed after it was "
                                "handed in, or damaged)").format(file=source, member=name))
    try:
        project = project_io.loads(data[PROJECT], f"{source}: {PROJECT}")
    except ProjectError as exc:
        raise HandInError(str(exc)) from None
    summary = _json(data[SUMMARY], source, SUMMARY)
    return HandIn(source, _text(manifest.get("learner")), _text(manifest.get("challenge")),
                  _text(manifest.get("time")), project, data[WEIGHTS], summary if isinstance(summary, dict) else {})


def _text(value: object, limit: int = 120) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _member(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    limit = MAX_MEMBER[name]
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise HandInError(_("{file}: {member} is missing").format(file=source, member=name)) from None
    if info.file_size > limit:
        raise HandInError(_("{file}: {member}: larger than {limit} MB").format(
            file=source, member=name, limit=limit >> 20))
    try:
        with archive.open(info) as handle:
            content = handle.read(limit + 1)  # the header's size may lie: never read past the limit
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise HandInError(_("{file}: {member}: cannot be read ({reason})").format(
            file=source, member=name, reason=exc)) from None
    if len(content) > limit:
        raise HandInError(_("{file}: {member}: larger than {limit} MB").format(
            file=source, member=name, limit=limit >> 20))
    return content


def _json(content: bytes, source: str, member: str) -> object:
    try:
        return safe_json.parse(content.decode("utf-8"), max_values=200_000)
    except (UnicodeDecodeError, safe_json.UnsafeJSON) as exc:
        reason = exc.message if isinstance(exc, safe_json.UnsafeJSON) else _("not UTF-8")
        raise HandInError(_("{file}: {member}: {reason}").format(file=source, member=member, reason=reason)) from None
