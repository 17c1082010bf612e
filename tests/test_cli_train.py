"""``train FILE ... --out W.pt`` as a user runs it."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from designer.cli import main
from designer.core.project import load
from designer.ml.build import build_model

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "designer" / "resources" / "examples"


def small_project(path: Path, training: dict | None = None, in_features: int = 784) -> Path:
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}},
             {"id": "n1", "type": "Flatten", "params": {}},
             {"id": "n2", "type": "Linear", "name": "fc", "params": {"in_features": in_features, "out_features": 10}}]
    data = {"format": "netdesigner.project", "version": 1, "name": "tiny", "nodes": nodes,
            "edges": [{"from": "input", "to": "n1"}, {"from": "n1", "to": "n2"}],
            "training": training or {"epochs": 2, "batch_size": 128, "optimizer": "Adam", "lr": 0.01}}
    path.write_text(json.dumps(data))
    return path


def test_train_prints_epochs_and_writes_weights_that_load(tmp_path):
    project = small_project(tmp_path / "tiny.netproj.json")
    out = tmp_path / "w.pt"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "main.py", "train", str(project), "--epochs", "2", "--seed", "3",
                             "--out", str(out)], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert [line.split()[1] for line in epochs] == ["1/2", "2/2"]
    assert all("loss" in line and "held-out accuracy" in line and "samples/s" in line for line in epochs)
    assert "seed 3" in lines[0] and "Adam" in lines[0] and "mnist-5k" in lines[0]
    assert f"wrote {out}" in lines[-1]
    assert "[###" in result.stderr and "step 72/72" in result.stderr and "ETA" in result.stderr
    model = build_model(load(project).graph)
    model.load_state_dict(torch.load(out, weights_only=True), strict=True)
    accuracy = float(lines[-1].split("accuracy ")[1].split("%")[0]) / 100
    assert accuracy > 0.8  # a linear model learns digits in two epochs


def test_flags_override_the_project_settings(tmp_path, capsys):
    project = small_project(tmp_path / "tiny.json")
    out = tmp_path / "w.pt"
    assert main(["train", str(project), "--epochs", "1", "--batch-size", "500", "--optimizer", "sgd",
                 "--lr", "0.5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "SGD lr 0.5, batch 500" in printed and "epoch 1/1" in printed and "epoch 2/" not in printed
    assert out.exists()


def test_a_nan_loss_fails_with_advice_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "w.pt"
    lenet = tmp_path / "lenet-28.netproj.json"  # a copy: the run history goes beside the project
    lenet.write_bytes((EXAMPLES / "lenet-28.netproj.json").read_bytes())
    assert main(["train", str(lenet), "--optimizer", "SGD", "--lr", "1e6", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "NaN" in err or "infinite" in err
    assert "learning rate" in err and "smaller" in err and not out.exists()


def test_an_invalid_graph_is_exit_1_and_names_the_node(tmp_path, capsys):
    project = small_project(tmp_path / "bad.json", in_features=100)
    assert main(["train", str(project), "--out", str(tmp_path / "w.pt")]) == 1
    err = capsys.readouterr().err
    assert "node n2" in err and "in_features" in err and "784" in err
    assert not (tmp_path / "w.pt").exists()


def test_an_unreadable_file_is_exit_2(tmp_path, capsys):
    missing = tmp_path / "missing.json"
    assert main(["train", str(missing), "--out", str(tmp_path / "w.pt")]) == 2
    assert str(missing) in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["train", str(broken), "--out", str(tmp_path / "w.pt")]) == 2
    assert "not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize("flags, message", [
    (["--device", "cuda:99"], "--device: device 'cuda:99' is not available on this machine (available here: cpu"),
    (["--device", "tpu0"], "not a device name"),
    (["--epochs", "0"], "--epochs: must be a whole number"),
    (["--optimizer", "RMSprop"], "--optimizer: 'RMSprop' is not one of SGD, Adam, AdamW"),
    (["--dataset", "cifar10"], "--dataset: 'cifar10' is not one of mnist-5k"),
])
def test_bad_settings_are_exit_2_and_name_the_flag(tmp_path, capsys, flags, message):
    project = small_project(tmp_path / "tiny.json")
    assert main(["train", str(project), *flags, "--out", str(tmp_path / "w.pt")]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_setting_in_the_file_names_the_file_and_field(tmp_path, capsys):
    for training, message in [({"lr": "fast"}, "training.lr: must be a number"),
                              ({"optimizer": "Adagrad"}, "training.optimizer: 'Adagrad' is not one of SGD"),
                              ({"momentum": -1}, "training.momentum: must be a number from 0 to 0.999, not -1")]:
        project = small_project(tmp_path / "tiny.json", training=training)
        assert main(["train", str(project), "--out", str(tmp_path / "w.pt")]) == 2
        assert f"{project}: {message}" in capsys.readouterr().err


def _loss_that_fails_after(monkeypatch, steps: int, how: str):
    """Patch the loop's loss so that it becomes NaN (or raises) after ``steps`` training batches."""
    import designer.ml.training.loop as loop

    real, calls = loop.loss_function, [0]

    def patched(name, num_classes):
        loss = real(name, num_classes)

        def failing(out, y):
            if torch.is_grad_enabled():  # a training batch, not the held-out evaluation
                calls[0] += 1
                if calls[0] > steps:
                    if how == "raise":
                        raise RuntimeError("the loss gave up")
                    return loss(out, y) * float("nan")
            return loss(out, y)
        return failing

    monkeypatch.setattr(loop, "loss_function", patched)


@pytest.mark.parametrize("how", ["nan", "raise"])
def test_a_run_that_fails_in_epoch_2_writes_the_best_weights_it_had_and_says_so(tmp_path, capsys, monkeypatch, how):
    project = small_project(tmp_path / "tiny.json", {"epochs": 3, "batch_size": 500, "optimizer": "Adam", "lr": 0.01})
    _loss_that_fails_after(monkeypatch, steps=9, how=how)  # 4,500 samples: 9 batches an epoch
    out = tmp_path / "w.pt"
    assert main(["train", str(project), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "epoch 1/3" in captured.out and "epoch 2/3" not in captured.out
    accuracy = captured.out.split("held-out accuracy ")[1].split("%")[0]
    assert ("NaN" if how == "nan" else "the loss gave up") in captured.err
    assert (f"kept the best weights before the failure (epoch 1, held-out accuracy {accuracy}%): wrote {out}"
            in captured.err)
    model = build_model(load(project).graph)
    model.load_state_dict(torch.load(out, weights_only=True), strict=True)
    assert all(torch.isfinite(v).all() for v in model.state_dict().values())


def test_train_says_where_the_run_is_recorded_and_no_record_leaves_none(tmp_path, capsys):
    project = small_project(tmp_path / "tiny.netproj.json")
    assert main(["train", str(project), "--epochs", "1", "--out", str(tmp_path / "w.pt")]) == 0
    said = capsys.readouterr().out
    assert f"recording this run in {tmp_path / 'tiny.runs' / 'run-0001'}" in said and "--no-record" in said
    other = small_project(tmp_path / "other.netproj.json")
    assert main(["train", str(other), "--epochs", "1", "--no-record", "--out", str(tmp_path / "w2.pt")]) == 0
    assert "recording" not in capsys.readouterr().out
    assert not (tmp_path / "other.runs").exists() and (tmp_path / "w2.pt").is_file()


def test_a_checkpoint_that_cannot_be_written_never_fails_the_run(tmp_path, capsys, monkeypatch):
    from designer.ml.training import checkpoint, loop

    def full_disk(path, state):
        raise checkpoint.CheckpointError(f"{path}: the checkpoint could not be written (No space left on device)")

    monkeypatch.setattr(loop, "save_checkpoint", full_disk)
    project = small_project(tmp_path / "tiny.netproj.json")
    assert main(["train", str(project), "--epochs", "2", "--out", str(tmp_path / "w.pt")]) == 0
    out, err = capsys.readouterr()
    assert "epoch 2/2" in out and (tmp_path / "w.pt").is_file()
    assert "(No space left on device); training goes on without checkpoints" in err
