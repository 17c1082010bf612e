"""`python main.py new` as a user runs it: a project from a bundled template, and the list of them."""
import subprocess
import sys
from pathlib import Path

from designer.cli import main
from designer.core import project as projects
from designer.core import templates

ROOT = Path(__file__).resolve().parents[1]


def test_new_writes_the_default_template_and_check_accepts_it(tmp_path):
    out = tmp_path / "mine.netproj.json"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "new", str(out)], capture_output=True, text=True,
                            encoding="utf-8", timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out} (template lenet-28: LeNet for MNIST (28×28))\n"
    assert projects.dumps(projects.load(out)) == projects.dumps(templates.new_project("lenet-28"))
    check = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", str(out)], capture_output=True,
                           text=True, encoding="utf-8", timeout=60, cwd=tmp_path)
    assert check.returncode == 0, check.stdout


def test_every_listed_template_can_be_written(tmp_path, capsys):
    assert main(["new", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [t.id for t in templates.TEMPLATES]
    assert lines[0].startswith("lenet-28") and "  LeNet for MNIST (28×28) (default): The classic digit" in lines[0]
    for template in templates.TEMPLATES:
        out = tmp_path / f"{template.id}.netproj.json"
        assert main(["new", str(out), "--template", template.id]) == 0
        assert projects.load(out).graph.input_node() is not None


def test_the_list_tells_each_classic_network_s_measured_accuracy(capsys):
    assert main(["new", "--list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    nin = templates.measurements()["nin"]
    assert lines["nin"].endswith(f"Measured: {nin.accuracy:.1%} held-out accuracy after 5 epochs on mnist-5k "
                                 "(one run).")
    assert all("held-out accuracy after 5 epochs" in lines[name] for name in templates.measurements())
    assert "Measured" not in lines["blank"]


def test_unknown_template_and_existing_file_exit_2_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "x.netproj.json"
    assert main(["new", str(out), "--template", "resnet-9000"]) == 2
    err = capsys.readouterr().err
    assert "new: --template: no template 'resnet-9000' (known: lenet-28, lenet-32" in err and "new --list" in err
    assert not out.exists()
    out.write_text("mine")
    assert main(["new", str(out)]) == 2
    assert f"new: {out}: already exists; choose another name, or pass --force to replace it" in capsys.readouterr().err
    assert out.read_text() == "mine"
    assert main(["new", str(out), "--force", "--template", "blank"]) == 0
    assert [n.type for n in projects.load(out).graph.nodes.values()] == ["Input"]
    assert main(["new"]) == 2
    assert "or --list to see the templates" in capsys.readouterr().err
