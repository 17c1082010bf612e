"""The import sandbox: a script that misbehaves is contained, and tutorial scripts still import."""
import os
import socket
import textwrap
from pathlib import Path

import pytest

from designer.ml.importing import importer
from designer.ml.importing import sandbox

MODEL = """
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
"""


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.parametrize("namespaces", [True, False], ids=["namespaces", "subreaper"])
def test_a_hostile_script_cannot_write_outside_connect_or_leave_a_process(tmp_path, namespaces, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_TEST_SECRET", "token")
    offered = sandbox.available()  # this machine's kernel offers all four; each is checked where offered
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    outside = tmp_path / "escaped.txt"
    marker = f"{os.getpid() % 1000 + 7000}.{len(str(tmp_path))}{int(namespaces)}"
    source = tmp_path / "hostile.py"
    source.write_text(textwrap.dedent(f"""
        import os, socket, subprocess
        open({str(outside)!r}, "w").write("escaped")
        socket.create_connection(("127.0.0.1", {listener.getsockname()[1]}), timeout=3)
        subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
        if os.fork() == 0:
            os.setsid()
            os.execvp("sleep", ["sleep", "{marker}"])
        hog = bytearray(64 << 30)
        if "NETDESIGNER_TEST_SECRET" in os.environ or os.getcwd() != os.path.expanduser("~"):
            raise RuntimeError("the environment leaked")
        if {str(Path.home())!r} == os.path.expanduser("~") or __import__("sys").stdin.read():
            raise RuntimeError("the real home or an input leaked")
        """) + MODEL)
    result = importer.import_py(source, namespaces=namespaces)
    assert result.ok, result.report()
    applied = result.protections
    assert applied == {"network": namespaces and offered["network"], "processes": offered["processes"],
                       "files": offered["files"], "limits": offered["limits"]}
    no_tcp = applied["network"] or sandbox.landlock_abi() >= 4  # Landlock 4 refuses TCP connects too
    expected = [line for line, on in ((3, applied["files"]), (4, no_tcp), (9, applied["limits"])) if on]
    assert [s["line"] for s in result.skipped] == expected, result.report()
    if applied["files"]:
        assert result.skipped[0]["error"].startswith("PermissionError")
        assert not outside.exists()
    if no_tcp:
        with pytest.raises(BlockingIOError):
            listener.accept()
    listener.close()
    if applied["processes"]:
        assert _sleepers(marker) == []
    if applied["limits"]:
        assert result.skipped[-1]["error"] == "MemoryError"


def test_a_tutorial_script_that_moves_its_model_to_the_gpu_imports_without_one(tmp_path):
    source = tmp_path / "tutorial.py"
    source.write_text(MODEL + textwrap.dedent("""
        model = Net()
        model.to(torch.device("cuda:0"))
        print(model)

        if __name__ == "__main__":
            raise SystemExit("the main block ran")
        """))
    result = importer.import_py(source)
    assert result.ok, result.report()
    assert [(s["line"], s["source"]) for s in result.skipped] == [(15, 'model.to(torch.device("cuda:0"))')]
    assert result.main_line == 18 and result.chosen == "model"
    assert "tutorial.py: found model (instance, a Net, line 14) chosen" in result.report()
    assert 'not run: the if __name__ == "__main__": block (line 18)' in result.report()


def test_a_crashing_definition_is_reported_with_its_line(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text("import os\n\n@undefined_decorator\ndef f():\n    pass\n")
    result = importer.import_py(source)
    assert result.failure == importer.FAILED_FILE
    assert result.error == "line 3: defining f failed: NameError: name 'undefined_decorator' is not defined"


def test_a_hanging_file_is_stopped_at_the_time_limit(tmp_path):
    source = tmp_path / "hang.py"
    source.write_text("while True:\n    pass\n")
    result = importer.import_py(source, timeout=4)
    assert result.error == "running the file did not finish within 4 s and was stopped"


def test_a_file_that_prints_endlessly_is_stopped(tmp_path):
    source = tmp_path / "spam.py"
    source.write_text("while True:\n    print('spam' * 100)\n")
    result = importer.import_py(source)
    assert result.error == "running the file printed more than 1 MB of output and was stopped"


def test_a_link_left_where_the_launcher_writes_its_report_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    source = tmp_path / "linker.py"
    source.write_text(textwrap.dedent(f"""
        import os
        os.symlink({str(victim)!r}, os.path.join(os.getcwd(), "sandbox.json"))
        """) + MODEL)
    result = importer.import_py(source)
    assert result.ok and not result.skipped, result.report()
    assert victim.read_text() == "keep me"
    assert result.protections["files"] == sandbox.available()["files"]


def test_the_probe_reports_what_the_kernel_offers():
    import shutil
    import subprocess
    import sys

    offered = sandbox.available()
    assert offered["files"] == (sandbox.landlock_abi() >= 1)
    assert offered["limits"] and offered["processes"] == sys.platform.startswith("linux")
    if shutil.which("unshare"):
        alone = subprocess.run(["unshare", "--user", "--net", "--pid", "--fork", "true"], capture_output=True)
        assert offered["network"] == (alone.returncode == 0)
    assert sandbox.missing() == [sandbox.PROTECTIONS[k] for k, ok in offered.items() if not ok]
