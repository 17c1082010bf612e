"""Run code we did not write (an imported ``.py``) in a contained child process.

The child gets, where this OS offers them (checked at run time, Linux):

- its own user and network namespaces: no network at all;
- its own PID namespace, so every process it starts, including ones that
  detach with ``setsid``, ends when it ends; without one, the launcher is a
  subreaper (``PR_SET_CHILD_SUBREAPER``) that kills the whole tree;
- Landlock rules that allow writing only inside its temporary folder (and,
  from Landlock ABI 4, no TCP connect or bind; from ABI 6, no signals to
  processes outside);

and everywhere: memory and CPU-time limits (``RLIMIT_AS``, ``RLIMIT_CPU``),
a scrubbed environment, a temporary HOME and working directory, no standard
input, and a wall-clock limit and an output limit enforced by the parent.

The launcher part (``child_main``) runs in the child before any user code:
it uses only the standard library and calls the kernel through ctypes.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from designer.core.i18n import N_, _
from designer.ml.process import MAX_OUTPUT, ChildResult, kill_group, run_limited

MEMORY = 8 << 30  # RLIMIT_AS: torch alone maps about 3 GiB of address space
GRACE = 3.0  # seconds the launcher gets to end its tree after the parent's SIGTERM

PROTECTIONS = {
    "network": N_("no network (its own network namespace)"),
    "processes": N_("every process it starts is ended with it"),
    "files": N_("it can write only inside its temporary folder (Landlock)"),
    "limits": N_("memory and CPU-time limits"),
}  # English; protections() gives them in the current language

# Linux constants (include/uapi/linux/sched.h, prctl.h, landlock.h; syscall numbers are the same on all
# architectures since 5.13's unified table).
CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID = 0x10000000, 0x40000000, 0x20000000
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_WRITE_FILE = 1 << 1
FS_WRITES_V1 = sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))  # write, remove, make anything
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2


# ---------------------------------------------------------------- the parent side

_AVAILABLE: dict | None = None


def available() -> dict:
    """Which protections this OS offers (name -> bool); probed once per process in a tiny child."""
    global _AVAILABLE
    if _AVAILABLE is None:
        try:
            probe = subprocess.run(_command({"probe": True}), capture_output=True, text=True, timeout=20,
                                   stdin=subprocess.DEVNULL, env=_scrubbed(tempfile.gettempdir()))
            _AVAILABLE = json.loads(probe.stdout.strip().splitlines()[-1])
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
            _AVAILABLE = {name: False for name in PROTECTIONS}
    return dict(_AVAILABLE)


def protections() -> dict[str, str]:
    """Every protection in words, in the current language: name -> text."""
    return {name: _(text) for name, text in PROTECTIONS.items()}


def missing() -> list[str]:
    """The protections this OS does not offer, in words (in the current language)."""
    return [_(PROTECTIONS[name]) for name, ok in available().items() if not ok]


def run(module: str, args: list[str], tmp: str, timeout: float, max_output: int = MAX_OUTPUT,
        memory: int = MEMORY, namespaces: bool = True) -> ChildResult:
    """Run ``python -m module args...`` contained, with ``tmp`` as its HOME, cwd and only writable folder.

    ``namespaces=False`` does without the namespaces, as on a kernel that has none.
    """
    config = {"module": module, "args": args, "tmp": tmp, "memory": memory, "cpu": int(timeout) + 1,
              "namespaces": namespaces,
              "timeout": timeout, "report": os.path.join(tmp, "sandbox.json")}
    # The launcher enforces the timeout itself; the parent's limit is the backstop.
    ran = run_limited(_command(config), timeout + GRACE, tmp, _scrubbed(tmp), max_output, _stop)
    report = {}
    try:
        with open(config["report"], encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError):
        pass
    timed_out = bool(report.get("timed_out")) or (ran.returncode == -signal.SIGKILL and not ran.flooded and not report)
    return ChildResult(ran.returncode, ran.output, timed_out, ran.flooded, report.get("protections", {}))


def _command(config: dict) -> list[str]:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    paths = [root] + [p for p in sys.path if p and os.path.isdir(p) and os.path.abspath(p) != root]
    boot = f"import sys; sys.path[:0] = {paths!r}; from designer.ml.importing import sandbox; sandbox.child_main()"
    return [sys.executable, "-I", "-c", boot, json.dumps(config)]


def _scrubbed(tmp: str) -> dict:
    """Only what Python and torch need: nothing of the user's environment leaks in."""
    return {"PATH": os.defpath, "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg", "CUDA_VISIBLE_DEVICES": "",
            **({"SYSTEMROOT": os.environ["SYSTEMROOT"]} if "SYSTEMROOT" in os.environ else {})}


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM lets the launcher end its tree; SIGKILL to the group if it does not within GRACE."""
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(GRACE)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    kill_group(proc)
    proc.wait()


# ---------------------------------------------------------------- the child side (before any user code)

def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _unshare() -> bool:
    """New user, network and PID namespaces, with our own uid and gid mapped inside."""
    if not sys.platform.startswith("linux"):
        return False
    uid, gid = os.getuid(), os.getgid()
    if _libc().unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) != 0:
        return False
    try:
        with open("/proc/self/setgroups", "w") as handle:
            handle.write("deny")
        with open("/proc/self/uid_map", "w") as handle:
            handle.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as handle:
            handle.write(f"{gid} {gid} 1")
    except OSError:
        pass  # unmapped ids still work for reading and writing files we own
    return True


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock(writable: str) -> bool:
    """Forbid writing anywhere but ``writable`` (and /dev/null) for this process and its children."""
    abi = landlock_abi()
    if abi < 1:
        return False
    writes = FS_WRITES_V1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) \
        | (FS_IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(writes, (NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
                        (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    ruleset = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        for path, access in ((writable, writes), ("/dev/null", FS_WRITE_FILE | (FS_TRUNCATE if abi >= 3 else 0))):
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = _PathBeneath(access, fd)
                if libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                                ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                    return False
            finally:
                os.close(fd)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


def _limits(memory: int, cpu: int) -> bool:
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        return True
    except (ValueError, OSError):
        return False


def _kill_descendants() -> None:
    """As a subreaper: kill every process left below us until none is left."""
    me = str(os.getpid())
    while True:
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if fields[1] == me:
                    children.append(int(entry))
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            if not children:
                return
        if not children:
            time.sleep(0.01)  # a child that was reparented to us a moment ago


def child_main() -> None:
    """The launcher: contain this process, then run the module in a child that cannot outlive it."""
    config = json.loads(sys.argv[1])
    if not hasattr(os, "fork"):  # Windows: no launcher; only the parent's time and output limits apply
        if config.get("probe"):
            print(json.dumps({name: False for name in PROTECTIONS}))
            return
        import runpy
        os.chdir(config["tmp"])
        sys.argv = [config["module"], *config["args"]]
        runpy.run_module(config["module"], run_name="__main__", alter_sys=True)
        return
    if config.get("probe"):
        namespaces = _probe_namespaces()
        linux = sys.platform.startswith("linux")  # without a PID namespace, a subreaper ends the tree
        print(json.dumps({"network": namespaces, "processes": namespaces or linux, "files": landlock_abi() >= 1,
                          "limits": _probe_limits()}))
        return
    isolated = config["namespaces"] and _unshare()
    subreaper = not isolated and sys.platform.startswith("linux") and \
        _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # PID 1 of the new namespace, where there is one
        os.close(read_end)
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) if sys.platform.startswith("linux") else None
        applied = {"network": isolated, "processes": isolated or subreaper,
                   "limits": _limits(config["memory"], config["cpu"]), "files": _landlock(config["tmp"])}
        os.write(write_end, json.dumps(applied).encode())
        os.close(write_end)
        os.chdir(config["tmp"])
        sys.argv = [config["module"], *config["args"]]
        import runpy
        code = 0
        try:
            runpy.run_module(config["module"], run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        os._exit(code)
    os.close(write_end)
    timed_out = []

    def stop(signum=None, frame=None):
        timed_out.append(signum == signal.SIGALRM)
        try:
            os.kill(pid, signal.SIGKILL)  # PID 1: the kernel ends every process in its namespace
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, config["timeout"])
    applied = os.read(read_end, 4096)
    os.close(read_end)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    signal.setitimer(signal.ITIMER_REAL, 0)
    if subreaper:
        _kill_descendants()
    try:
        protections = json.loads(applied.decode() or "{}")
    except ValueError:
        protections = {}
    # The folder was the child's: whatever it left under this name (a link to a file elsewhere) goes first.
    try:
        os.unlink(config["report"])
    except FileNotFoundError:
        pass
    fd = os.open(config["report"], os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"protections": protections, "timed_out": any(timed_out)}, handle)
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.flush()
    os._exit(code if code >= 0 else 128 - code)


def _probe_namespaces() -> bool:
    pid = os.fork()
    if pid == 0:
        os._exit(0 if _unshare() else 1)
    return os.waitpid(pid, 0)[1] == 0


def _probe_limits() -> bool:
    try:
        import resource  # noqa: F401
        return True
    except ImportError:
        return False
