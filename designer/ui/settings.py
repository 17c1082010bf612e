"""Where the app keeps its settings and recovery files.

Everything goes through ``settings()`` (an INI file in the user scope), so a
test can point ``QSettings.setPath`` at a temporary folder and never touch the
user's real settings or recovery files.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "NetDesigner"
APPLICATION = "NetDesigner"
MAX_RECENT = 8


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def data_dir() -> Path:
    """A folder beside the settings file (recovery files live here)."""
    folder = Path(settings().fileName()).parent / "data"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value or []]


def add_recent_file(path: str | Path) -> list[str]:
    path = str(Path(path).resolve())
    files = [path] + [f for f in recent_files() if f != path]
    settings().setValue("recent_files", files[:MAX_RECENT])
    return files[:MAX_RECENT]


def clear_recent_files() -> None:
    settings().setValue("recent_files", [])
