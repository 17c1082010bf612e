"""The exported training script trains alone and under torchrun (DDP over gloo)."""
import ast
import hashlib
import os
import shutil
import struct
import subprocess
import sys

import torch

from designer.core import project as projects
from designer.core import trainscript

MODEL = '''\
import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Conv2d(1, 2, 5), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(2 * 7 * 7, 10))
'''


def _project(name="Tiny", shape=(1, 32, 32), training=None):
    data = {"format": "netdesigner.project", "version": 1, "name": name,
            "nodes": [{"id": "input", "type": "Input", "params": {"shape": list(shape)}}],
            "edges": [], "training": training or {}}
    return projects.from_dict(data)


def write_idx(root, folder="MNIST", train=64, test=32, seed=0):
    """MNIST IDX files in the raw/ layout torchvision reads with download=False."""
    raw = root / folder / "raw"
    raw.mkdir(parents=True)
    gen = torch.Generator().manual_seed(seed)
    for split, count in (("train", train), ("t10k", test)):
        images = torch.randint(0, 256, (count, 28, 28), dtype=torch.uint8, generator=gen)
        labels = torch.randint(0, 10, (count,), dtype=torch.uint8, generator=gen)
        (raw / f"{split}-images-idx3-ubyte").write_bytes(struct.pack(">iiii", 2051, count, 28, 28)
                                                         + images.numpy().tobytes())
        (raw / f"{split}-labels-idx1-ubyte").write_bytes(struct.pack(">ii", 2049, count) + labels.numpy().tobytes())


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env.pop("WORLD_SIZE", None)
    return env


def test_script_trains_under_torchrun_with_identical_weights_on_both_ranks(tmp_path):
    write_idx(tmp_path / "data")
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(_project(), "tiny.py"))
    out = tmp_path / "trained.pt"
    torchrun = shutil.which("torchrun") or "torchrun"
    result = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node", "2", str(tmp_path / "train.py"), "--data",
         str(tmp_path / "data"), "--epochs", "1", "--batch-size", "16", "--device", "cpu", "--out", str(out)],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # Rank 0 alone logs: one header, one epoch line, the agreement line, the save line.
    assert sum(line.startswith("epoch 1/1") for line in lines) == 1, result.stdout
    assert "64 samples, 2 process(es), cpu" in result.stdout
    agree = [line for line in lines if line.startswith("all 2 processes hold identical weights")]
    assert len(agree) == 1, result.stdout
    state = torch.load(out, weights_only=True)
    digest = hashlib.sha256()
    for key, value in state.items():
        digest.update(key.encode())
        digest.update(value.contiguous().numpy().tobytes())
    assert digest.hexdigest()[:16] in agree[0]
    assert set(state) == {"0.weight", "0.bias", "4.weight", "4.bias"}


def test_single_process_run_adapts_28_to_the_input_shape_and_saves_beside_model(tmp_path):
    write_idx(tmp_path / "data", folder="FashionMNIST", train=32, test=16)
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(
        _project(training={"dataset": "fashion-mnist", "epochs": 1, "optimizer": "SGD", "lr": 0.01}), "tiny"))
    result = subprocess.run([sys.executable, "train.py", "--data", "data", "--device", "cpu"],
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "on fashion-mnist: 32 samples, 1 process(es)" in result.stdout
    assert (tmp_path / "tiny_trained.pt").exists()


def test_missing_dataset_says_how_to_get_it_without_downloading(tmp_path):
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(_project(), "tiny.py"))
    result = subprocess.run([sys.executable, "train.py", "--data", "nowhere", "--device", "cpu"],
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--download" in result.stderr
    assert not list(tmp_path.rglob("*.gz"))  # nothing was downloaded
    (tmp_path / "tiny.py").unlink()
    result = subprocess.run([sys.executable, "train.py", "--device", "cpu"], cwd=tmp_path, env=_env(),
                            capture_output=True, text=True, timeout=60)
    assert "tiny.py was not found beside train.py" in result.stderr


HOSTILE = ['"""; import os; os.system("echo PWNED") #', "x'\nimport os\nos.system('echo PWNED')\n'",
           "\\", "é中\u2028\x00", "{__INPUT_SHAPE__}", "__MODEL_FILE__"]


def _shape_of(tree):
    return [type(node).__name__ for node in ast.walk(tree)]


def test_hostile_names_stay_data():
    baseline = _shape_of(ast.parse(trainscript.generate(_project(), "tiny.py")))
    for name in HOSTILE:
        project = _project(name=name)
        # The loader refuses these; set them directly to test the generator's own defence.
        project.training = {"optimizer": "os.system('x')", "epochs": "1; import os", "lr": float("nan"),
                            "loss": "__import__('os')"}
        for module in ("tiny.py", "evil\"'); import os #.py"):
            source = trainscript.generate(project, module)
            tree = ast.parse(source)
            assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                        for t in node.targets if isinstance(t, ast.Name)}
            assert ast.literal_eval(assigned["PROJECT_NAME"]) == name
            assert ast.literal_eval(assigned["MODEL_FILE"]) == module
            assert ast.literal_eval(assigned["LOSS"]) == "CrossEntropyLoss"
            assert _shape_of(tree) == baseline  # the same program: nothing injected
            assert source.isascii()
