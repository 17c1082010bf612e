"""``train`` and ``predict`` on an image folder, as a user runs them."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from tests.ml.picture_folders import folder_project, picture, write_folder

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=ROOT):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=180)


def here(*args) -> int:
    """The command run in this process, for a step that only makes what a test then runs as a user does (training
    and predicting as a user runs them are the first test's)."""
    import torch

    from designer.cli import main

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as cli() runs it, with OMP_NUM_THREADS=1
    try:
        return main([str(arg) for arg in args])
    finally:
        torch.set_num_threads(threads)


def test_train_on_a_folder_then_predict_names_the_classes(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "work"
    write_folder(work / "pictures", {"circle": 20, "square": 20, "star": 20})
    (work / "pictures" / "star" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    project = folder_project(work / "shapes.netproj.json", "folder:pictures", epochs=6)
    out = tmp_path / "w.pt"
    trained = cli("train", project, "--out", out, "--seed", "1", "--lr", "0.02", "--batch-size", "8", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "decoding 61 pictures: 100%" in trained.stderr
    assert "warning: skipped" in trained.stderr and "broken.jpg" in trained.stderr
    assert "54 samples, 6 held out, 3 classes" in trained.stdout
    assert "best held-out accuracy 100.00%" in trained.stdout
    from designer.core import runs

    recorded = runs.list_runs(project)[-1]  # the skip is kept with the run, not only printed
    assert len(recorded.skipped) == 1 and "broken.jpg" in recorded.skipped[0]

    rng = np.random.default_rng(7)
    star = tmp_path / "a star.png"
    Image.fromarray(picture("star", rng, (90, 70))).save(star)
    square = tmp_path / "square.bmp"
    Image.fromarray(picture("square", rng, (20, 30))).save(square)
    predicted = cli("predict", project, "--weights", out, star, square)
    assert predicted.returncode == 0, predicted.stderr
    lines = [line.split("\t") for line in predicted.stdout.splitlines()]
    assert [(name, cls) for name, cls, _ in lines] == [(str(star), "star"), (str(square), "square")]
    assert all(0.34 < float(p) <= 1.0 for *_, p in lines)


def test_predict_refuses_a_model_without_one_score_per_class(tmp_path):
    write_folder(tmp_path / "pictures", {"circle": 2, "star": 2})
    project = folder_project(tmp_path / "p.netproj.json", "folder:pictures", classes=3)
    import torch

    from designer.core.project import load
    from designer.ml.build import build_model

    torch.save(build_model(load(project).graph).state_dict(), tmp_path / "w.pt")
    result = cli("predict", project, "--weights", tmp_path / "w.pt", tmp_path / "pictures" / "star" / "000.png")
    assert result.returncode == 1
    assert "2 classes (circle, star)" in result.stderr and "out_features → 2" in result.stderr


def test_weights_trained_on_a_folder_name_its_classes_whatever_the_project_says(tmp_path, monkeypatch):
    """The project keeps its default data set; the weights record how their pictures were converted."""
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    write_folder(tmp_path / "pictures", {"circle": 16, "square": 16, "star": 16})
    project = folder_project(tmp_path / "p.netproj.json", "mnist-5k", epochs=6)
    out = tmp_path / "w.pt"
    assert here("train", project, "--dataset", f"folder:{tmp_path / 'pictures'}", "--out", out, "--seed", "1",
                "--lr", "0.02", "--batch-size", "8") == 0

    rng = np.random.default_rng(99)  # pictures the run never saw, of other sizes, some grey
    new, truth = [], {}
    for i in range(24):
        kind = ("circle", "square", "star")[i % 3]
        path = tmp_path / "new" / f"{i:02d}.{'jpg' if i % 4 == 0 else 'png'}"
        path.parent.mkdir(exist_ok=True)
        pixels = picture(kind, rng, (30 + i, 70 - i))
        Image.fromarray(pixels.mean(axis=2).astype(np.uint8) if i % 5 == 0 else pixels).save(path)
        new.append(path)
        truth[str(path)] = kind
    predicted = cli("predict", project, "--weights", out, *new)
    assert predicted.returncode == 0, predicted.stderr
    assert "ink" not in predicted.stderr
    lines = [line.split("\t") for line in predicted.stdout.splitlines()]
    assert len(lines) == len(new) and {cls for _, cls, _ in lines} <= set(truth.values())
    right = sum(truth[name] == cls for name, cls, _ in lines)
    assert right / len(lines) >= 0.9, predicted.stdout


def test_weights_of_another_model_are_refused_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    write_folder(tmp_path / "pictures", {"circle": 6, "square": 6, "star": 6})
    trained_on = folder_project(tmp_path / "a.netproj.json", "folder:pictures", epochs=1)
    out = tmp_path / "w.safetensors"
    assert here("train", trained_on, "--out", out, "--seed", "1") == 0
    other = folder_project(tmp_path / "b.netproj.json", "folder:pictures", shape=(1, 16, 16))
    refused = cli("predict", other, "--weights", out, tmp_path / "pictures" / "star" / "000.png")
    assert refused.returncode == 1
    assert "not this model's" in refused.stderr and "Input of [3, 16, 16]" in refused.stderr


def test_a_plain_state_dict_made_elsewhere_still_loads(tmp_path):
    import torch

    from designer.core.project import load
    from designer.ml.build import build_model

    write_folder(tmp_path / "pictures", {"circle": 2, "square": 2, "star": 2})
    project = folder_project(tmp_path / "p.netproj.json", "folder:pictures")
    torch.save(dict(build_model(load(project).graph).state_dict()), tmp_path / "w.pt")
    result = cli("predict", project, "--weights", tmp_path / "w.pt", tmp_path / "pictures" / "star" / "000.png")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\t")[1] in ("circle", "square", "star")


def test_exported_weights_keep_the_record_so_predict_still_names_the_classes(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    write_folder(tmp_path / "pictures", {"circle": 6, "square": 6, "star": 6})
    project = folder_project(tmp_path / "p.netproj.json", "mnist-5k", epochs=1)
    trained = tmp_path / "w.pt"
    assert here("train", project, "--dataset", "folder:pictures", "--out", trained, "--no-record") == 0
    exported = tmp_path / "out.safetensors"
    assert here("export", project, "--py", tmp_path / "net.py", "--weights", exported, "--from-weights", trained,
                "--no-check") == 0
    predicted = cli("predict", project, "--weights", exported, tmp_path / "pictures" / "star" / "000.png")
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.split("\t")[1] in ("circle", "square", "star")
