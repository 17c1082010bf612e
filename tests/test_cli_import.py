"""``python main.py import``: as a user runs it."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LENET = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = self.up(self.fc2(x))
        return F.log_softmax(x, dim=1)
"""


def _run(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "import", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_import_writes_the_project_and_says_what_it_found(tmp_path):
    (tmp_path / "lenet.py").write_text(LENET.replace("self.fc2 = nn.Linear(120, 10)",
                                                     "self.fc2 = nn.Linear(120, 10)\n        self.up = nn.Identity()"))
    done = _run("lenet.py", "--out", "lenet.netproj.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lenet.py: found Net (class, line 7) chosen" in done.stdout
    assert "input 1×32×32 inferred from Linear(400 → 120)" in done.stdout
    assert "rebuilt model verified: identical outputs" in done.stdout
    data = json.loads((tmp_path / "lenet.netproj.json").read_text())
    assert [n["type"] for n in data["nodes"]] == ["Input", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU",
                                                  "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "Identity",
                                                  "LogSoftmax"]
    check = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "lenet.netproj.json"], cwd=tmp_path,
                           capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert check.returncode == 0, check.stdout


def test_exit_1_for_a_model_without_forward_and_2_for_a_file_that_cannot_be_read(tmp_path):
    (tmp_path / "noforward.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
        """))
    done = _run("noforward.py", "--out", "p.json", "--input-shape", "4", cwd=tmp_path)
    assert done.returncode == 1
    assert ("import: noforward.py: Net has no forward method: define forward(self, x) to say how the input flows "
            "through its layers") in done.stderr
    assert not (tmp_path / "p.json").exists()
    missing = _run("nothere.py", "--out", "p.json", cwd=tmp_path)
    assert missing.returncode == 2 and "import: nothere.py: no such file" in missing.stderr
    bad_shape = _run("noforward.py", "--out", "p.json", "--input-shape", "1,a", cwd=tmp_path)
    assert bad_shape.returncode == 2 and "--input-shape: write 1 to 3 sizes" in bad_shape.stderr
