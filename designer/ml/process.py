"""Run Python in a child process with a time limit and an output limit: the one runner.

Code we did not write runs in a child, so that a crash, a hang or endless
printing ends the child and never the app. The import sandbox
(``designer.ml.importing.sandbox``) adds its protections around it; the
export check (``designer.ml.export.verify``) runs the exported file with it
as it is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

from designer.core.i18n import _

MAX_OUTPUT = 1 << 20  # bytes of stdout+stderr before the child is stopped
KEEP = 4000  # characters of output kept for the report


@dataclass
class ChildResult:
    returncode: int | None
    output: str  # the last KEEP characters of stdout and stderr together
    timed_out: bool = False
    flooded: bool = False  # printed more than the output limit
    protections: dict = field(default_factory=dict)  # what the sandbox's launcher applied: name -> bool

    def problem(self, what: str, timeout: float) -> str | None:
        """A one-line reason why the child failed, or None if it exited 0."""
        if self.timed_out:
            return _("{what} did not finish within {timeout} s and was stopped").format(
                what=what, timeout=f"{timeout:g}")
        if self.flooded:
            return _("{what} printed more than {size} MB of output and was stopped").format(
                what=what, size=MAX_OUTPUT // (1 << 20))
        if self.returncode != 0:
            if self.returncode in (-signal.SIGKILL, -signal.SIGXCPU, 128 + signal.SIGXCPU):
                return _("{what} was stopped: it used more memory or CPU time than allowed").format(what=what)
            tail = self.output.strip().splitlines()[-1:] or [_("exit status {code}").format(code=self.returncode)]
            return _("{what} failed: {output}").format(what=what, output=tail[0][:300])
        return None


@dataclass
class Ran:
    """How a child ended: its exit status, its output's tail, and which limit (if any) stopped it."""

    returncode: int | None
    output: str
    flooded: bool  # printed more than the output limit
    overran: bool  # still running at the time limit


def run_limited(command: list[str], timeout: float, cwd: str | None, env: dict,
                max_output: int = MAX_OUTPUT, stop: Callable[[subprocess.Popen], None] | None = None) -> Ran:
    """Run ``command`` in a session of its own; ``stop`` it (default: kill its process group) on either limit."""
    stop = stop or kill_group
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=cwd, env=env, start_new_session=True)
    kept = bytearray()
    total = 0
    flooded = threading.Event()

    def drain() -> None:
        nonlocal total
        while True:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                return
            total += len(chunk)
            kept.extend(chunk)
            del kept[:-KEEP * 4]
            if total > max_output:
                flooded.set()
                stop(proc)
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    overran = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        overran = True
        stop(proc)
        proc.wait()
    reader.join(5)
    proc.stdout.close()
    return Ran(proc.returncode, bytes(kept).decode("utf-8", "replace")[-KEEP:], flooded.is_set(), overran)


def run_python(args: list[str], timeout: float, cwd: str | None = None,
               max_output: int = MAX_OUTPUT) -> ChildResult:
    """Run ``python args...`` with this process's environment; killed (with its children) at either limit."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    ran = run_limited([sys.executable, *args], timeout, cwd, env, max_output)
    return ChildResult(ran.returncode, ran.output, ran.overran and not ran.flooded, ran.flooded)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (the child alone where there are no groups)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: no killpg on Windows
        try:
            proc.kill()
        except ProcessLookupError:
            pass
