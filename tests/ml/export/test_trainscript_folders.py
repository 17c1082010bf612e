"""The exported training script trains on an image folder as the app does: the same pictures, split and weights."""
import subprocess
import sys

import pytest
import torch

from designer.core import codegen
from designer.core import project as projects
from designer.ml.export import trainscript
from designer.ml.data import datasets as data
from tests.ml.picture_folders import folder_project, write_folder, write_grey_jpeg
from tests.ml.export.test_trainscript import _env, _torchrun, app_train, run_scripts


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))


def _pictures(root, layout):
    """RGB PNGs of three sizes, a grey JPEG and a file that is not a picture, in ``layout``."""
    if layout == "train+val":
        write_folder(root / "train", {"circle": 9, "square": 8, "star": 8})
        write_folder(root / "val", {"circle": 2, "square": 3, "star": 2}, seed=1)
        top = root / "train"
    else:
        write_folder(root, {"circle": 12, "square": 11, "star": 10})
        top = root
    write_grey_jpeg(top / "star" / "grey.jpg", "star")
    (top / "square" / "broken.png").write_bytes(b"\x89PNG not really a picture")
    return top


CASES = {
    # The seeded 10% held out; colour pictures, augmented (flips and colour too): the same random changes.
    "plain": ("plain", (3, 16, 16), {"augment": True, "augment_shift": 0.1, "augment_rotation": 10.0,
                                     "augment_scale": 0.1, "augment_flip": True, "augment_color": 0.2}),
    # train/ + val/; every picture turned grey; SGD with momentum and a one-cycle schedule.
    "train+val": ("train+val", (1, 12, 12), {"optimizer": "SGD", "lr": 0.05, "momentum": 0.9,
                                             "lr_schedule": "one-cycle"}),
}


def _export(tmp_path, layout, shape, extra, classes=3):
    """A project beside its pictures, exported into another folder: the script must still find them."""
    _pictures(tmp_path / "pictures", layout)
    path = folder_project(tmp_path / "shapes.netproj.json", "folder:pictures", shape=shape, classes=classes,
                          epochs=1, extra={"seed": 11, "batch_size": 8, **extra})
    project = projects.load(path)
    export = tmp_path / "export"
    export.mkdir()
    (export / "net.py").write_text(codegen.generate(project))
    (export / "train.py").write_text(trainscript.generate(project, "net.py", base=tmp_path))
    return path, export


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_epoch_on_a_folder_ends_with_the_weights_the_app_trains(tmp_path, case):
    layout, shape, extra = CASES[case]
    path, export = _export(tmp_path, layout, shape, extra)
    app = app_train(tmp_path, path, tmp_path / "app.pt")
    assert app.returncode == 0, app.stdout + app.stderr
    script = subprocess.run([sys.executable, "train.py", "--device", "cpu", "--out", "script.pt"],
                            cwd=export, env=_env(), capture_output=True, text=True, timeout=180)
    assert script.returncode == 0, script.stdout + script.stderr
    ours, theirs = (torch.load(f, weights_only=True) for f in (tmp_path / "app.pt", export / "script.pt"))
    assert list(ours) == list(theirs)
    different = [k for k in ours if not torch.equal(ours[k], theirs[k])]
    assert not different, different
    accuracy = app.stdout.split("held-out accuracy ")[1].split("%")[0]
    assert f"held-out accuracy {accuracy}%" in script.stdout, script.stdout
    # The same pictures: the corrupt file skipped with a warning naming it, the grey JPEG kept.
    dataset = data.load("folder:pictures", shape, base=tmp_path)
    assert len(dataset.train_x) + len(dataset.test_x) == (33 if layout == "train+val" else 34)  # all but broken.png
    assert f": {len(dataset.train_x)} samples, 1 process(es), cpu; {len(dataset.test_x)} held out" in script.stdout
    warnings = [line for line in script.stderr.splitlines() if line.startswith("warning: skipped ")]
    assert len(warnings) == 1 and "broken.png: not a readable picture" in warnings[0], script.stderr
    assert "3 classes: circle, square, star" in script.stdout
    assert (export / "script.classes.txt").read_text() == "circle\nsquare\nstar\n"


def test_a_folder_given_with_data_overrides_the_projects_and_a_relative_one_counts_from_here(tmp_path):
    path, export = _export(tmp_path, "plain", (3, 16, 16), {})
    other = tmp_path / "elsewhere" / "fruit"
    write_folder(other, {"circle": 4, "tree": 4, "star": 4})
    result = subprocess.run([sys.executable, str(export / "train.py"), "--data", "folder:fruit", "--device", "cpu",
                             "--out", str(tmp_path / "fruit.pt")], cwd=other.parent, env=_env(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 classes: circle, star, tree" in result.stdout and "elsewhere" in result.stdout
    assert (tmp_path / "fruit.classes.txt").read_text().split() == ["circle", "star", "tree"]


def _refused(*runs) -> list[str]:
    """The messages of ``python train.py --device cpu ARGS`` for each ``(cwd, ARGS)``: each run fails, with no
    traceback."""
    results = run_scripts(*((cwd, ["train.py", "--device", "cpu", *args]) for cwd, args in runs))
    for result in results:
        assert result.returncode != 0
        assert "Traceback" not in result.stderr, result.stderr
    return [result.stderr for result in results]


def test_a_bad_data_is_refused_with_a_message_naming_it(tmp_path):
    path, export = _export(tmp_path, "plain", (3, 16, 16), {})
    missing = tmp_path / "nowhere"
    write_folder(tmp_path / "one", {"circle": 4})
    # A model with two outputs for three classes: the fix, before any training.
    two = tmp_path / "export-two"
    two.mkdir()
    (two / "train.py").write_text(trainscript.generate(projects.load(
        folder_project(tmp_path / "two.netproj.json", "folder:pictures", classes=2)), "two.py", base=tmp_path))
    (two / "two.py").write_text(codegen.generate(projects.load(tmp_path / "two.netproj.json")))
    no_folder, empty, dataset, one, classes = _refused(
        (export, ["--data", f"folder:{missing}"]), (export, ["--data", "folder:"]),
        (export, ["--dataset", "mnist", "--data", str(missing)]), (export, ["--data", f"folder:{tmp_path / 'one'}"]),
        (two, []))
    assert f"{missing}: no such folder" in no_folder and "--data PATH" in no_folder, no_folder
    assert "--data: write the image folder" in empty
    # An image-folder project's script trains on image folders only: it has no --dataset.
    assert "unrecognized arguments: --dataset mnist" in dataset
    assert "only one class (circle)" in one
    assert "has 3 classes (circle, square, star)" in classes and "Linear(..., 3)" in classes, classes


def test_under_torchrun_each_process_trains_its_share_and_the_held_out_set_is_counted_once(tmp_path):
    path, export = _export(tmp_path, "plain", (3, 16, 16), {})
    result = _torchrun(export, "--device", "cpu", "--out", str(export / "ddp.pt"))
    assert result.returncode == 0, result.stdout + result.stderr
    dataset = data.load("folder:pictures", [3, 16, 16], base=tmp_path)
    held_out = len(dataset.test_x)
    assert f"{len(dataset.train_x)} samples, 2 process(es), cpu; {held_out} held out" in result.stdout, result.stdout
    assert sum(line.startswith("epoch 1/1") for line in result.stdout.splitlines()) == 1
    assert "all 2 processes hold identical weights" in result.stdout
    assert result.stderr.count("warning: skipped ") == 1, result.stderr  # rank 0 alone warns
    # The reported accuracy is that of the saved weights on the held-out pictures, each counted once.
    model = _load_model(export / "net.py")
    model.load_state_dict(torch.load(export / "ddp.pt", weights_only=True))
    with torch.no_grad():
        correct = int((model.eval()(dataset.prepare(dataset.test_x)).argmax(1) == dataset.test_y).sum())
    assert f"held-out accuracy {correct / held_out:.2%}" in result.stdout, (correct, result.stdout)


def _load_model(path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model()


def test_no_name_in_the_script_is_defined_twice():
    """The copied files share one namespace: a second SPLIT_SEED or normalise would silently replace the first."""
    import ast
    from collections import Counter

    source = trainscript.generate(projects.from_dict({
        "format": "netdesigner.project", "version": 1, "name": "n", "edges": [], "training": {},
        "nodes": [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}}]}), "net.py")
    tree = ast.parse(source)
    names = Counter()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] += 1
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names[name.id] += 1
    assert [name for name, count in names.items() if count > 1] == []



def test_export_makes_the_scripts_default_folder_the_projects_wherever_the_script_is_written(tmp_path, monkeypatch):
    import ast

    from designer.cli import main

    (tmp_path / "project").mkdir()
    folder_project(tmp_path / "project" / "shapes.netproj.json", "folder:pictures")
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "project")  # the project named relative to here
    assert main(["export", "shapes.netproj.json", "--py", str(tmp_path / "out" / "net.py"), "--train-script",
                 str(tmp_path / "out" / "train.py"), "--no-check"]) == 0
    tree = ast.parse((tmp_path / "out" / "train.py").read_text())
    assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(assigned["DATASET"]) == f"folder:{tmp_path / 'project' / 'pictures'}"
