"""Run Python in a child process with a time limit and an output limit.

Code we did not write (an imported ``.py``, an exported file under check)
runs here, so that a crash, a hang or endless printing ends the child and
never the app: the child is killed with its whole process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass

MAX_OUTPUT = 1 << 20  # bytes of stdout+stderr before the child is stopped
KEEP = 4000  # characters of output kept for the report


@dataclass
class ChildResult:
    returncode: int | None
    output: str  # the last KEEP characters of stdout and stderr together
    timed_out: bool = False
    flooded: bool = False  # printed more than the output limit

    def problem(self, what: str, timeout: float) -> str | None:
        """A one-line reason why the child failed, or None if it exited 0."""
        if self.timed_out:
            return f"{what} did not finish within {timeout:g} s and was stopped"
        if self.flooded:
            return f"{what} printed more than {MAX_OUTPUT // (1 << 20)} MB of output and was stopped"
        if self.returncode != 0:
            tail = self.output.strip().splitlines()[-1:] or [f"exit status {self.returncode}"]
            return f"{what} failed: {tail[0][:300]}"
        return None


def run_python(args: list[str], timeout: float, cwd: str | None = None,
               max_output: int = MAX_OUTPUT) -> ChildResult:
    """Run ``python args...``; kill it (and its children) on timeout or when it prints too much."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True)
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
                _kill(proc)
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = not flooded.is_set()
        _kill(proc)
        proc.wait()
    reader.join(5)
    proc.stdout.close()
    text = bytes(kept).decode("utf-8", "replace")[-KEEP:]
    return ChildResult(proc.returncode, text, timed_out, flooded.is_set())


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: no killpg on Windows
        try:
            proc.kill()
        except ProcessLookupError:
            pass
