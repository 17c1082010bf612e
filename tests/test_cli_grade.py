"""``grade CHALLENGE FOLDER``: a teacher judges a class's hand-ins and projects, as from a terminal."""

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as safetensors_bytes

from designer.core import handin
from designer.core import project as project_io
from designer.ml import models
from designer.ml.data import datasets

ROOT = Path(__file__).resolve().parents[1]


def small_project(hidden: int = 16, name: str = "mine") -> project_io.Project:
    """Flatten → Linear(784, hidden) → ReLU → Linear(hidden, 10): small enough to train in a moment."""
    data = {"format": "netdesigner.project", "version": 1, "name": name,
            "nodes": [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}},
                      {"id": "f", "type": "Flatten"},
                      {"id": "l1", "type": "Linear", "name": "fc1", "params": {"in_features": 784, "out_features": hidden}},
                      {"id": "r", "type": "ReLU"},
                      {"id": "l2", "type": "Linear", "name": "fc2", "params": {"in_features": hidden, "out_features": 10}}],
            "edges": [{"from": "input", "to": "f"}, {"from": "f", "to": "l1"}, {"from": "l1", "to": "r"},
                      {"from": "r", "to": "l2"}]}
    return project_io.from_dict(data)


def trained_state(project, steps: int = 80) -> dict:
    """What a learner's run leaves: weights trained on the training split only (never on the held-out one)."""
    data = datasets.load("mnist-5k", (1, 28, 28))
    model = models.build(project, seed=1)
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(0, len(data.train_y), (64,), generator=gen)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(data.prepare(data.train_x[idx])), data.train_y[idx]).backward()
        opt.step()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def write_challenge(path: Path, max_parameters: int = 20000, accuracy: float = 0.8) -> Path:
    path.write_text(json.dumps({
        "format": "netdesigner.challenge", "version": 1,
        "title": {"en": "Small but good", "zh_CN": "小而精"},
        "text": {"en": "Reach the accuracy with few parameters."},
        "dataset": "mnist-5k",
        "goals": [{"kind": "max_parameters", "value": max_parameters},
                  {"kind": "min_accuracy", "value": accuracy},
                  {"kind": "uses_layer", "type": "Linear"},
                  {"kind": "output_shape", "value": [10]}]}), encoding="utf-8")
    return path


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "grade", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "LANG": "C"})


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A folder of submissions as a real class hands them in: good, too big, untrained, broken and hostile."""
    folder = tmp_path_factory.mktemp("class")
    good = small_project(16, "Ada")
    state = trained_state(good)
    handin.write(folder / "ada.handin.zip", good, safetensors_bytes(state), {"accuracy": 0.99, "epochs": 1},
                 "Ada", "Small but good", "test")
    big = small_project(64, "Ben")  # 51k parameters: over the budget
    handin.write(folder / "ben.handin.zip", big, safetensors_bytes(trained_state(big, 30)), {"accuracy": 0.5},
                 "Ben", "Small but good", "test")
    fresh = small_project(16, "Cy")  # handed in untrained: it runs, and scores near chance
    handin.write(folder / "cy.handin.zip", fresh, safetensors_bytes(models.build(fresh, seed=3).state_dict()),
                 {"accuracy": 1.0}, "Cy", "Small but good", "test")
    other = small_project(8, "Di")  # weights of another model
    handin.write(folder / "di.handin.zip", other, safetensors_bytes(state), {}, "=HYPERLINK(\"x\")<script>alert(1)</script>", "", "test")
    (folder / "eve.handin.zip").write_bytes(b"PK\x03\x04 not really a zip")
    # a hand-in edited after it was made: the manifest's digests no longer match
    blob = io.BytesIO()
    with zipfile.ZipFile(folder / "ada.handin.zip") as src, zipfile.ZipFile(blob, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.replace(b'"Ada"', b'"Fay"') if item.filename == handin.PROJECT else data)
    (folder / "fay.handin.zip").write_bytes(blob.getvalue())
    # a zip bomb: a member that claims to be small and inflates past every limit
    with zipfile.ZipFile(folder / "gus.handin.zip", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr(handin.MANIFEST, json.dumps({"format": handin.FORMAT, "sha256": {}}))
        bomb.writestr(handin.PROJECT, b" " * (20 << 20))
        bomb.writestr(handin.WEIGHTS, b"")
        bomb.writestr(handin.SUMMARY, b"{}")
    # a project whose weights file would run code if it were unpickled, and one pointing outside the folder
    hostile = small_project(16, "Hal <script>alert(1)</script>")
    hostile.weights = "hal.pt"
    project_io.save(hostile, folder / "hal.netproj.json")
    marker = folder / "pwned"
    torch.save(_Evil(str(marker)), folder / "hal.pt")
    escape = small_project(16, "Ivy")
    escape.weights = "../outside.pt"
    project_io.save(escape, folder / "ivy.netproj.json")
    torch.save(state, folder.parent / "outside.pt")
    # a project with its trained weights beside it, as the app saves them
    kept = small_project(16, "Joe")
    kept.weights = "joe.pt"
    project_io.save(kept, folder / "joe.netproj.json")
    torch.save(state, folder / "joe.pt")
    (folder / "notes.txt").write_text("not a submission")
    return folder, marker


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_a_class_is_judged_row_by_row_and_nothing_from_the_folder_runs(classroom, tmp_path):
    folder, marker = classroom
    challenge = write_challenge(tmp_path / "c.netchallenge.json")
    result = run(challenge, folder, "--csv", tmp_path / "out.csv", "--html", tmp_path / "out.html")
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "a weights file from the folder ran code"
    rows = {r["file"]: r for r in csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8"))}
    assert set(rows) == {"ada.handin.zip", "ben.handin.zip", "cy.handin.zip", "di.handin.zip", "eve.handin.zip",
                         "fay.handin.zip", "gus.handin.zip", "hal.netproj.json", "ivy.netproj.json",
                         "joe.netproj.json"}
    ada = rows["ada.handin.zip"]
    assert (ada["status"], ada["passed"], ada["learner"]) == ("graded", "yes", "Ada")
    assert float(ada["accuracy"]) >= 0.8 and ada["parameters"] == str(784 * 16 + 16 + 16 * 10 + 10)
    assert ada["reported_accuracy"] == "0.9900"  # shown beside the measured one, not used
    ben = rows["ben.handin.zip"]
    assert (ben["status"], ben["passed"], ben["goal1_max_parameters"]) == ("graded", "no", "no")
    cy = rows["cy.handin.zip"]  # claimed 100%, measured near chance
    assert cy["status"] == "graded" and float(cy["accuracy"]) < 0.3 and cy["goal2_min_accuracy"] == "no"
    assert rows["joe.netproj.json"]["passed"] == "yes"
    for name, words in (("di.handin.zip", "fc1.weight"), ("eve.handin.zip", "not a zip"),
                        ("fay.handin.zip", "SHA-256"), ("gus.handin.zip", "larger than"),
                        ("hal.netproj.json", "Python object"), ("ivy.netproj.json", "outside the folder")):
        assert (rows[name]["status"], rows[name]["passed"]) == ("invalid", "no"), name
        assert words in rows[name]["problem"], (name, rows[name]["problem"])
    assert rows["di.handin.zip"]["learner"].startswith("'="), "a formula in a cell must not run in a spreadsheet"
    assert len(result.stdout.strip().splitlines()) == len(rows) + 3  # a line each, the total, two "wrote"
    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "Small but good" in page and "Ada" in page and "<svg" in page


def test_a_challenge_that_cannot_be_read_exits_2_naming_the_field(tmp_path):
    bad = tmp_path / "bad.netchallenge.json"
    bad.write_text(json.dumps({"format": "netdesigner.challenge", "version": 1, "title": "x",
                               "goals": [{"kind": "min_accuracy", "value": 97}]}))
    result = run(bad, tmp_path)
    assert result.returncode == 2
    assert "goals[0].value" in result.stderr and "0.97" in result.stderr
    missing = run(write_challenge(tmp_path / "c.netchallenge.json"), tmp_path / "nowhere")
    assert missing.returncode == 2 and "nowhere" in missing.stderr
