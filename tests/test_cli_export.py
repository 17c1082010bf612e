"""`python main.py export` as a user runs it: files written, messages, exit codes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from designer.cli import main
from designer.ml import weights

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "designer" / "resources" / "examples"
LENET = str(EXAMPLES / "lenet-28.netproj.json")
SMALL = str(EXAMPLES / "small-module.netproj.json")
BROKEN = str(EXAMPLES / "broken-lenet.netproj.json")


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``export lenet-28 --py lenet.py --weights lenet.pt``, run once for the tests that read what it did."""
    folder = tmp_path_factory.mktemp("export")
    py, w = folder / "lenet.py", folder / "lenet.pt"
    return py, w, cli("export", LENET, "--py", py, "--weights", w)


def test_export_writes_a_runnable_file_and_matching_weights(exported):
    py, w, result = exported
    assert result.returncode == 0, result.stderr
    assert f"wrote {py} (class style)" in result.stdout and f"wrote {w} (10 tensors, fresh, seed 0)" in result.stdout
    run = subprocess.run([sys.executable, str(py)], capture_output=True, text=True, timeout=120, cwd=py.parent)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Net(\n  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))")
    assert run.stdout.rstrip().endswith("Output shape for one sample: (1, 10)")
    state = torch.load(w, weights_only=True)
    assert list(state)[:2] == ["conv1.weight", "conv1.bias"]


def test_export_checks_what_it_wrote_in_a_fresh_process(exported):
    _, _, result = exported
    assert result.returncode == 0, result.stderr
    assert "lenet.py + lenet.pt in a fresh process: verified: identical outputs" in result.stdout.splitlines()


def test_no_check_skips_the_check(tmp_path, capsys):
    assert main(["export", SMALL, "--py", str(tmp_path / "m.py"), "--no-check"]) == 0
    out = capsys.readouterr().out
    assert "verified" not in out and "fresh process" not in out
    assert out.splitlines() == [f"wrote {tmp_path / 'm.py'} (class style)"]


def test_outputs_that_differ_exit_1_with_the_difference(tmp_path, capsys, monkeypatch):
    from designer.ml.export import verify

    real = verify.reference_output

    def off_by_a_bit(model, probe):  # as if the app's model computed something else
        return real(model, probe) + 0.5

    monkeypatch.setattr(verify, "reference_output", off_by_a_bit)
    assert main(["export", SMALL, "--py", str(tmp_path / "m.py")]) == 1
    captured = capsys.readouterr()
    assert "m.py in a fresh process (fresh, seed 0): outputs differ: max difference 0.5" in captured.out
    assert "export: the exported files do not compute what the model computes: outputs differ: max difference 0.5" \
        in captured.err


def test_invalid_graph_exits_1_and_writes_nothing(tmp_path):
    result = cli("export", BROKEN, "--py", tmp_path / "m.py", "--weights", tmp_path / "m.pt")
    assert result.returncode == 1
    assert "fc1 (Linear): in_features should be 400" in result.stderr
    assert BROKEN in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("content", [None, "{not json", json.dumps({"format": "netdesigner.project", "version": 9})])
def test_unreadable_project_exits_2(tmp_path, content):
    source = tmp_path / "p.json"
    if content is not None:
        source.write_text(content)
    result = cli("export", source, "--py", tmp_path / "m.py")
    assert result.returncode == 2
    assert str(source) in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "m.py").exists()


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["export", LENET]) == 2
    assert "nothing to write" in capsys.readouterr().err
    assert main(["export", LENET, "--train-script", str(tmp_path / "t.py")]) == 2
    assert "--train-script needs --py" in capsys.readouterr().err
    (tmp_path / "sub").mkdir()
    assert main(["export", LENET, "--py", str(tmp_path / "m.py"), "--train-script", str(tmp_path / "sub/t.py")]) == 2
    assert "write it in the same folder as --py" in capsys.readouterr().err
    (tmp_path / "sub").rmdir()
    assert not list(tmp_path.iterdir())


def test_fresh_weights_are_reproducible_in_both_formats(tmp_path, capsys):
    for name in ("a.pt", "b.safetensors"):
        assert main(["export", LENET, "--weights", str(tmp_path / name)]) == 0
    a, b = weights.load_state_dict(tmp_path / "a.pt"), weights.load_state_dict(tmp_path / "b.safetensors")
    assert list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)


def test_from_weights_are_exported_unchanged(tmp_path, capsys):
    trained = {k: torch.randn_like(v) for k, v in torch.load(_fresh(tmp_path), weights_only=True).items()}
    torch.save(trained, tmp_path / "trained.pt")
    out = tmp_path / "out.safetensors"
    assert main(["export", LENET, "--py", str(tmp_path / "m.py"), "--style", "sequential",
                 "--from-weights", str(tmp_path / "trained.pt"), "--weights", str(out)]) == 0
    written = weights.load_state_dict(out)
    assert all(torch.equal(written[k], trained[k]) for k in trained) and set(written) == set(trained)
    assert "nn.Sequential(OrderedDict([" in (tmp_path / "m.py").read_text()


def _fresh(tmp_path) -> Path:
    path = tmp_path / "fresh.pt"
    assert main(["export", LENET, "--weights", str(path)]) == 0
    return path


def test_mismatched_or_corrupt_weights_exit_1_and_write_nothing(tmp_path, capsys):
    small = tmp_path / "small.pt"
    assert main(["export", SMALL, "--weights", str(small)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", LENET, "--py", str(out / "m.py"), "--from-weights", str(small),
                 "--weights", str(out / "w.pt")]) == 1
    err = capsys.readouterr().err
    assert f"{small}: The weights do not fit the model (0 of 10 tensors match)" in err
    assert "conv1.weight: the file has shape (5, 1, 2, 2), the model expects (6, 1, 5, 5)" in err
    assert "Missing from the file: conv2.weight" in err
    (tmp_path / "junk.pt").write_bytes(b"\x00junk" * 20)
    assert main(["export", LENET, "--py", str(out / "m.py"), "--from-weights", str(tmp_path / "junk.pt")]) == 1
    assert f"{tmp_path / 'junk.pt'}: is not a PyTorch weights file" in capsys.readouterr().err
    assert not list(out.iterdir())


def test_training_script_is_written_beside_the_model(tmp_path, capsys):
    py, script = tmp_path / "my model.py", tmp_path / "train.py"
    assert main(["export", SMALL, "--py", str(py), "--train-script", str(script)]) == 0
    assert f"wrote {script}" in capsys.readouterr().out
    assert "MODEL_FILE = 'my model.py'" in script.read_text()
    compile(script.read_text(), str(script), "exec")


def test_missing_onnx_extra_is_reported_before_writing(tmp_path, capsys, monkeypatch):
    from designer.ml.export import onnx_export

    monkeypatch.setattr(onnx_export, "available", lambda: False)
    assert main(["export", SMALL, "--py", str(tmp_path / "m.py"), "--onnx", str(tmp_path / "m.onnx")]) == 1
    assert 'pip install "netdesigner[onnx]"' in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
