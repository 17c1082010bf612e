"""``train --resume``: a run killed after epoch 2 continues to the weights of one never interrupted."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import torch

from designer.core import runs

ROOT = Path(__file__).resolve().parents[1]


def project(folder: Path) -> Path:
    folder.mkdir()
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}},
             {"id": "n1", "type": "Flatten", "params": {}},
             {"id": "n2", "type": "Linear", "name": "fc", "params": {"in_features": 784, "out_features": 10}}]
    path = folder / "tiny.netproj.json"
    path.write_text(json.dumps({
        "format": "netdesigner.project", "version": 1, "name": "tiny", "nodes": nodes,
        "edges": [{"from": "input", "to": "n1"}, {"from": "n1", "to": "n2"}],
        "training": {"epochs": 4, "batch_size": 16, "optimizer": "SGD", "lr": 0.01, "momentum": 0.9, "seed": 4,
                     "lr_schedule": "cosine"}}))
    return path


def command(*args):
    return [sys.executable, str(ROOT / "main.py"), "train", *map(str, args)]


ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}


def here(*args) -> int:
    """``train ARGS`` in this process, on one thread as ENV runs it: for the run the resumed one is compared with."""
    from designer.cli import main

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return main(["train", *map(str, args)])
    finally:
        torch.set_num_threads(threads)


def test_a_killed_run_resumes_to_the_same_weights_and_its_history_survives(tmp_path, capsys):
    assert here(project(tmp_path / "a"), "--out", tmp_path / "whole.pt") == 0

    killed = project(tmp_path / "b")
    child = subprocess.Popen(command(killed, "--out", tmp_path / "never.pt"), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=ENV)
    try:
        for line in child.stdout:
            if line.startswith("epoch 2/4"):
                child.send_signal(signal.SIGKILL)  # a crash: no chance to tidy up
                break
    finally:
        child.wait(timeout=60)
    assert not (tmp_path / "never.pt").exists()
    [crashed] = runs.list_runs(killed)
    assert crashed.status == "running" and len(crashed.epochs) in (2, 3) and crashed.can_resume

    resumed = subprocess.run(command(killed, "--resume", "--out", tmp_path / "resumed.pt"), capture_output=True,
                             text=True, env=ENV, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"continuing run-0001 of tiny after epoch {len(crashed.epochs)}/4" in resumed.stdout
    a = torch.load(tmp_path / "whole.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed.pt", weights_only=True)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)

    [record] = runs.list_runs(killed)  # read back from disk, as a reopened project does
    assert record.status == "finished" and [e["epoch"] for e in record.epochs] == [1, 2, 3, 4]
    assert record.settings["lr_schedule"] == "cosine" and record.best_val_acc > 0.8
    assert torch.equal(torch.load(record.weights_path, weights_only=True)["fc.weight"], b["fc.weight"]) or \
        record.best_epoch < 4
    capsys.readouterr()
    assert here(killed, "--resume", "--out", tmp_path / "x.pt") == 1
    assert "no run to continue" in capsys.readouterr().err


def test_resume_refuses_new_settings(tmp_path):
    path = project(tmp_path / "c")
    result = subprocess.run(command(path, "--resume", "--epochs", "9", "--out", tmp_path / "w.pt"),
                            capture_output=True, text=True, env=ENV, timeout=120)
    assert result.returncode == 2 and "--epochs" in result.stderr and "own settings" in result.stderr
