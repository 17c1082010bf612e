"""The exported training script trains as the app does: alone, and under torchrun (DDP over gloo)."""
import ast
import hashlib
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from designer.core import codegen
from designer.core import project as projects
from designer.ml.export import trainscript
from designer.core.training import SETTINGS, ConfigError


MODEL = '''\
import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Conv2d(1, 2, 5), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(2 * 7 * 7, 10))
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


def _env(**extra):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1", **extra)
    env.pop("WORLD_SIZE", None)
    return env


# Runs several `python train.py ARGS` one after another in ONE fresh process (importing torch is the slow part), each
# as the interpreter runs a script: from its folder, as __main__, its own stdout and stderr, its exit status.
SCRIPTS = r"""
import contextlib, io, json, os, runpy, sys, traceback
results = []
for cwd, argv in json.loads(sys.argv[1]):
    os.chdir(cwd)
    sys.argv, sys.path[0] = argv, os.path.dirname(os.path.abspath(argv[0]))
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(argv[0], run_name="__main__")
        except SystemExit as stop:  # as the interpreter turns it into an exit status
            if isinstance(stop.code, int) or stop.code is None:
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
    results.append({"returncode": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
print(json.dumps(results))
"""


def run_scripts(*runs, timeout=120) -> list[subprocess.CompletedProcess]:
    """``python SCRIPT ARGS`` in ``cwd`` for each ``(cwd, [SCRIPT, *ARGS])`` of ``runs``, in one fresh process."""
    import json

    batch = [[str(cwd), [str(arg) for arg in argv]] for cwd, argv in runs]
    child = subprocess.run([sys.executable, "-c", SCRIPTS, json.dumps(batch)], env=_env(), capture_output=True,
                           text=True, timeout=timeout)
    assert child.returncode == 0, child.stdout + child.stderr
    return [subprocess.CompletedProcess(argv, r["returncode"], r["stdout"], r["stderr"])
            for (_, argv), r in zip(batch, json.loads(child.stdout.splitlines()[-1]))]


def app_train(cwd, project, out) -> subprocess.CompletedProcess:
    """``netdesigner train PROJECT --out OUT`` run from ``cwd`` in this process (torch is imported here already), on
    one thread as the script's process runs (OMP_NUM_THREADS=1): its exit status, stdout and stderr."""
    import contextlib
    import io

    from designer.cli import main

    out_text, err_text = io.StringIO(), io.StringIO()
    here, threads = os.getcwd(), torch.get_num_threads()
    os.chdir(cwd)
    torch.set_num_threads(1)
    try:
        with contextlib.redirect_stdout(out_text), contextlib.redirect_stderr(err_text):
            code = main(["train", str(project), "--out", str(out)])
    finally:
        torch.set_num_threads(threads)
        os.chdir(here)
    return subprocess.CompletedProcess(["train"], code, out_text.getvalue(), err_text.getvalue())


def _torchrun(tmp_path, *args, env=None):
    torchrun = shutil.which("torchrun") or "torchrun"
    return subprocess.run([torchrun, "--standalone", "--nproc_per_node", "2", str(tmp_path / "train.py"), *args],
                          cwd=tmp_path, env=env or _env(), capture_output=True, text=True, timeout=180)


# The proof: one epoch of the script equals one epoch of `netdesigner train` ------------------------

def _chain(shape, layers):
    nodes = [{"id": "input", "type": "Input", "params": {"shape": list(shape)}}]
    edges = []
    for i, (kind, params) in enumerate(layers, 1):
        nodes.append({"id": f"n{i}", "type": kind, "params": params})
        edges.append({"from": nodes[-2]["id"], "to": f"n{i}"})
    return nodes, edges


CASES = {
    # Resized 28 -> 20 (the app's area resize, not a centre crop); BatchNorm meets a final one-sample batch
    # (4,500 = 11 x 409 + 1); Dropout draws from the seeded RNG; SGD with every option; Kaiming.
    "conv-sgd": (_chain([1, 20, 20], [("Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}),
                                      ("BatchNorm2d", {"num_features": 4}), ("ReLU", {}),
                                      ("MaxPool2d", {"kernel_size": 2}), ("Dropout", {"p": 0.25}),
                                      ("Flatten", {}), ("Linear", {"in_features": 324, "out_features": 10})]),
                 {"epochs": 1, "batch_size": 11, "optimizer": "SGD", "lr": 0.05, "momentum": 0.9, "nesterov": True,
                  "weight_decay": 0.0005, "init": "kaiming", "seed": 7, "loss": "CrossEntropyLoss",
                  "lr_schedule": "one-cycle"}),
    # A vector Input of 100 features (10 x 10), AdamW, Xavier, the tutorial's MSE loss, a cosine schedule and
    # augmented pictures.
    "vector-adamw": (_chain([100], [("Linear", {"in_features": 100, "out_features": 32}), ("ReLU", {}),
                                    ("Linear", {"in_features": 32, "out_features": 10})]),
                     {"epochs": 1, "batch_size": 64, "optimizer": "AdamW", "lr": 0.01, "weight_decay": 0.01,
                      "init": "xavier", "seed": 3, "loss": "MSELoss", "lr_schedule": "cosine", "augment": True,
                      "augment_shift": 0.1, "augment_rotation": 15.0, "augment_scale": 0.2, "augment_color": 0.3}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_epoch_of_the_script_ends_with_the_weights_the_app_trains(tmp_path, case):
    """Bitwise equal: both paths run the same operations in the same order on one thread."""
    (nodes, edges), training = CASES[case]
    data = {"format": "netdesigner.project", "version": 1, "name": case, "nodes": nodes, "edges": edges,
            "training": training}
    path = tmp_path / "net.netproj.json"
    projects.save(projects.from_dict(data), path)
    project = projects.load(path)
    (tmp_path / "net.py").write_text(codegen.generate(project))
    (tmp_path / "train.py").write_text(trainscript.generate(project, "net.py"))
    app = app_train(tmp_path, path, tmp_path / "app.pt")
    assert app.returncode == 0, app.stdout + app.stderr
    script = subprocess.run([sys.executable, "train.py", "--device", "cpu", "--out", "script.pt"],
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=180)
    assert script.returncode == 0, script.stdout + script.stderr
    ours, theirs = (torch.load(tmp_path / f, weights_only=True) for f in ("app.pt", "script.pt"))
    assert list(ours) == list(theirs)
    different = [k for k in ours if not torch.equal(ours[k], theirs[k])]
    assert not different, different
    # And both say the same held-out accuracy.
    accuracy = app.stdout.split("held-out accuracy ")[1].split("%")[0]
    assert f"held-out accuracy {accuracy}%" in script.stdout, script.stdout


def test_the_script_takes_every_setting_of_the_project(tmp_path):
    """A setting added to the settings model fails here until the script takes it too."""
    training = {"dataset": "fashion-mnist", "epochs": 7, "batch_size": 33, "optimizer": "SGD", "lr": 0.2,
                "momentum": 0.5, "nesterov": True, "weight_decay": 0.001, "loss": "NLLLoss", "init": "xavier",
                "seed": 99, "lr_schedule": "step", "lr_step_epochs": 3, "lr_step_factor": 0.5, "patience": 4,
                "augment": True, "augment_shift": 0.2, "augment_rotation": 30.0, "augment_scale": 0.25,
                "augment_flip": True, "augment_color": 0.4}
    assert set(training) == {name for name, setting in SETTINGS.items() if setting.saved}
    assert all(training[name] != setting.default for name, setting in SETTINGS.items() if setting.saved)
    args = _default_args(trainscript.generate(_project(training=training), "tiny.py"), tmp_path)
    assert {k: getattr(args, k) for k in training} == training
    # An image folder: the project's folder, made absolute against the project file's.
    args = _default_args(trainscript.generate(_project(training={"dataset": "folder:pictures"}), "tiny.py",
                                              base=tmp_path / "project"), tmp_path)
    assert (args.dataset, args.folder) == ("folder", tmp_path / "project" / "pictures")


def _default_args(script: str, folder: Path):
    """The arguments the generated script parses when run with none."""
    (folder / "train.py").write_text(script)
    spec = importlib.util.spec_from_file_location("generated_train", folder / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv, sys.argv = sys.argv, ["train.py"]
    try:
        return module.parse_args()
    finally:
        sys.argv = argv


def test_the_script_is_standalone():
    source = trainscript.generate(_project(), "tiny.py")
    tree = ast.parse(source)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"argparse", "collections", "concurrent", "dataclasses", "gc", "hashlib", "importlib", "json",
                        "math", "os", "sys", "time", "pathlib", "numpy", "torch", "torchvision", "PIL"}, imported
    assert not re.search(r"\bdesigner\.", source)  # no NetDesigner module is needed


def test_a_digits_script_carries_no_image_folder_code_and_the_tutorial_steps_come_first():
    from designer.core import templates

    source = trainscript.generate(templates.new_project(), "lenet.py")  # LeNet on mnist-5k
    assert not re.search(r"decode_picture|scan_folder|PIL|ImageFolder|load_folder|classes\.txt", source)
    tree = ast.parse(source)
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "learning_rates" not in defined and defined - {"ScriptError", "LossNotFinite", "Data"} <= called | {
        "main"}, defined - called
    steps = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "train_one_epoch")
    assert steps.lineno < 100 and steps.end_lineno - steps.lineno < 20
    body = ast.get_source_segment(source, steps)
    order = [body.index(step) for step in ("optimizer.zero_grad(", "net(xb)", "loss_fn(out, yb)", "loss.backward()",
                                           "optimizer.step()")]
    assert order == sorted(order)
    assert len(source.splitlines()) < 760


def test_a_diverging_run_stops_at_the_same_step_as_the_app(tmp_path):
    (nodes, edges), training = CASES["vector-adamw"]
    data = {"format": "netdesigner.project", "version": 1, "name": "nan", "nodes": nodes, "edges": edges,
            "training": {**training, "lr": 1e6, "augment": False, "loss": "CrossEntropyLoss", "epochs": 2}}
    path = tmp_path / "net.netproj.json"
    projects.save(projects.from_dict(data), path)
    project = projects.load(path)
    (tmp_path / "net.py").write_text(codegen.generate(project))
    (tmp_path / "train.py").write_text(trainscript.generate(project, "net.py"))
    app = app_train(tmp_path, path, tmp_path / "a.pt")
    script = subprocess.run([sys.executable, "train.py", "--device", "cpu", "--out", "s.pt"],
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=180)
    assert app.returncode == 1 and script.returncode == 1, script.stderr
    where = re.search(r"The loss became (NaN|infinite) at step \d+ \(epoch 1, batch \d+\)", app.stderr)
    assert where, app.stderr
    assert where.group(0) in script.stderr, script.stderr
    assert "epoch 1/" not in script.stdout  # stopped inside the first epoch, not after training it on NaN


# torchrun ------------------------------------------------------------------------------------------

SPY = '''\
import os
import torchvision.datasets.mnist as mnist

real = mnist.MNIST.download


def download(self):
    with open(os.environ["DOWNLOADS_LOG"], "a") as log:
        log.write(os.environ.get("RANK", "-") + "\\n")
    return real(self)


mnist.MNIST.download = download
'''


def test_script_trains_under_torchrun_with_identical_weights_and_only_rank_0_downloads(tmp_path):
    write_idx(tmp_path / "data", test=33)  # odd: a padding sampler would count one held-out sample twice
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(_project(training={"dataset": "mnist"}), "tiny.py"))
    (tmp_path / "spy").mkdir()
    (tmp_path / "spy" / "sitecustomize.py").write_text(SPY)
    out = tmp_path / "trained.pt"
    env = _env(DOWNLOADS_LOG=str(tmp_path / "downloads.log"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path / "spy"), os.environ.get("PYTHONPATH")])))
    result = _torchrun(tmp_path, "--data", str(tmp_path / "data"), "--download", "--epochs", "1",
                       "--batch-size", "16", "--device", "cpu", "--out", str(out), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "downloads.log").read_text().split() == ["0", "0"]  # the training and the held-out split
    lines = result.stdout.splitlines()
    # Rank 0 alone logs: one header, one epoch line, the agreement line, the save line.
    assert sum(line.startswith("epoch 1/1") for line in lines) == 1, result.stdout
    assert "64 samples, 2 process(es), cpu; 33 held out" in result.stdout
    agree = [line for line in lines if line.startswith("all 2 processes hold identical weights")]
    assert len(agree) == 1, result.stdout
    state = torch.load(out, weights_only=True)
    digest = hashlib.sha256()
    for key, value in state.items():
        digest.update(key.encode())
        digest.update(value.contiguous().numpy().tobytes())
    assert digest.hexdigest()[:16] in agree[0]  # BatchNorm's statistics included
    assert {"1.running_mean", "1.num_batches_tracked", "5.weight"} <= set(state)
    # The held-out accuracy the two processes report together is that of the saved weights on the 33 samples.
    from torchvision.datasets import MNIST

    from designer.ml.standalone.prepare import NORMALISATION, adapt

    held_out = MNIST(str(tmp_path / "data"), train=False)
    model = importlib.util.module_from_spec(importlib.util.spec_from_file_location("tiny", tmp_path / "tiny.py"))
    model.__spec__.loader.exec_module(model)
    net = model.build_model()
    net.load_state_dict(state)
    with torch.no_grad():
        out = net.eval()(adapt(held_out.data.numpy(), (1, 32, 32), *NORMALISATION["mnist"]))
    correct = int((out.argmax(1) == held_out.targets).sum())
    assert f"held-out accuracy {correct / 33:.2%}" in result.stdout, (correct, result.stdout)


def test_when_rank_0_cannot_save_every_process_stops_with_its_message(tmp_path):
    write_idx(tmp_path / "data")
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(_project(training={"dataset": "mnist"}), "tiny.py"))
    out = tmp_path / "missing-folder" / "trained.pt"
    result = _torchrun(tmp_path, "--data", str(tmp_path / "data"), "--epochs", "1", "--batch-size", "16",
                       "--device", "cpu", "--out", str(out))
    assert result.returncode != 0
    assert f"cannot write {out}" in result.stderr and "nothing was written" in result.stderr, result.stderr
    assert 'train.py", line' not in result.stderr, result.stderr  # a message, not a traceback of the script
    assert "process 1:" not in result.stderr and not out.parent.exists() and not list(tmp_path.glob("*.tmp"))


# one process --------------------------------------------------------------------------------------

def test_single_process_run_adapts_28_to_the_input_shape_and_saves_beside_model(tmp_path):
    write_idx(tmp_path / "data", folder="FashionMNIST", train=32, test=16)
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(
        _project(training={"dataset": "fashion-mnist", "epochs": 1, "optimizer": "SGD", "lr": 0.01}), "tiny"))
    result = subprocess.run([sys.executable, "train.py", "--data", "data", "--device", "cpu"],
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "on fashion-mnist: 32 samples, 1 process(es)" in result.stdout
    assert (tmp_path / "tiny_trained.pt").exists() and not list(tmp_path.glob(".*.tmp"))


def test_missing_dataset_says_how_to_get_it_without_downloading(tmp_path):
    (tmp_path / "tiny.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(trainscript.generate(_project(training={"dataset": "mnist"}), "tiny.py"))
    alone = tmp_path / "without-model"  # the same script without its model file beside it
    alone.mkdir()
    shutil.copy(tmp_path / "train.py", alone / "train.py")
    result, unread = run_scripts((tmp_path, ["train.py", "--data", "nowhere", "--device", "cpu"]),
                                 (alone, ["train.py", "--device", "cpu", "--data", "nowhere.csv.gz",
                                          "--dataset", "mnist-5k"]))
    assert result.returncode != 0
    assert "--download" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.rglob("*.gz"))  # nothing was downloaded
    assert "mnist-5k: nowhere.csv.gz cannot be read" in unread.stderr, unread.stderr


HOSTILE = ['"""; import os; os.system("echo PWNED") #', "x'\nimport os\nos.system('echo PWNED')\n'",
           "\\", "é中\u2028\x00", "{__INPUT_SHAPE__}", "__MODEL_FILE__"]


def _shape_of(tree):
    return [type(node).__name__ for node in ast.walk(tree)]


def test_hostile_names_stay_data():
    baseline = _shape_of(ast.parse(trainscript.generate(_project(), "tiny.py")))
    for name in HOSTILE:
        project = _project(name=name)
        for module in ("tiny.py", "evil\"'); import os #.py"):
            source = trainscript.generate(project, module)
            tree = ast.parse(source)
            assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                        for t in node.targets if isinstance(t, ast.Name)}
            assert ast.literal_eval(assigned["PROJECT_NAME"]) == name
            assert ast.literal_eval(assigned["MODEL_FILE"]) == module
            assert _shape_of(tree) == baseline  # the same program: nothing injected
            assert source.isascii()


def test_settings_a_run_would_refuse_are_refused_here_too():
    """Before, the script clamped or replaced them silently (an unknown optimizer became Adam)."""
    project = _project()
    project.training = {"optimizer": "os.system('x')", "epochs": "1; import os", "lr": float("nan")}
    with pytest.raises(ConfigError, match=r"training\.epochs|training\.optimizer|training\.lr"):
        trainscript.generate(project, "tiny.py")
