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


def read_list(key: str) -> list[str]:
    """A list of texts kept with ``write_list``, always as a list.

    After a restart an INI file gives a one-item list back as a plain string
    and an empty one as None (the running app still has the list it wrote).
    """
    value = settings().value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def write_list(key: str, values) -> None:
    """Keep ``values`` (texts) under ``key``; ``read_list`` reads them back."""
    settings().setValue(key, [str(v) for v in values])


def recent_files() -> list[str]:
    return read_list("recent_files")


def add_recent_file(path: str | Path) -> list[str]:
    path = str(Path(path).resolve())
    files = [path] + [f for f in recent_files() if f != path]
    write_list("recent_files", files[:MAX_RECENT])
    return files[:MAX_RECENT]


def clear_recent_files() -> None:
    write_list("recent_files", [])
