"""Reading and writing project files safely: regular files only, bounded, replaced atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from designer.core.i18n import N_, _
from designer.core.project_base import MAX_FILE_BYTES, ProjectError


def read_regular_file(path: str | os.PathLike, limit: int, source: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raises ProjectError naming ``source``.

    A named pipe, a device or a socket is refused without reading from it: reading
    one could wait for ever (a FIFO nobody writes to) or never end (/dev/zero).
    """
    source = str(path) if source is None else source
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ProjectError(source, "", _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    mode, size = (info := os.fstat(fd)).st_mode, info.st_size
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ProjectError(source, "", _("is {kind}, not a regular file; only regular files are read").format(
            kind=_file_kind(mode)))
    if size > limit:
        os.close(fd)
        raise _too_big(source, limit)
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as handle:
        try:
            # at most one byte past the limit: a file that grows while it is read cannot exhaust memory
            payload = handle.read(limit + 1)
        except OSError as exc:
            raise ProjectError(source, "", _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    if len(payload) > limit:
        raise _too_big(source, limit)
    return payload


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, N_("a folder")), (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
             (stat.S_ISSOCK, N_("a socket")),
             (stat.S_ISCHR, N_("a device")), (stat.S_ISBLK, N_("a device")))
    name = next((name for test, name in kinds if test(mode)), None)
    return _(name) if name else _("a special file")



def _too_big(source: str, limit: int = MAX_FILE_BYTES) -> ProjectError:
    return ProjectError(source, "", _("is larger than {size:g} MB; too large for a project file").format(
        size=limit / 1_000_000))


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that readers see the old or the new file, never half of one."""
    path = Path(os.path.realpath(path))  # replace a symlink's target, not the link
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        mode = None  # a new file: os.open below applies the umask to 0o666
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

