"""File ▸ Export ▸ Notebook: a valid notebook that runs top to bottom offline, in the tutorial's order."""

import json
from pathlib import Path

import nbformat
import torch
import pytest
from nbclient import NotebookClient

from designer.core import codegen
from designer.ml.export import notebook
from designer.core.project import load

EXAMPLES = Path(__file__).resolve().parents[3] / "designer" / "resources" / "examples"


def outputs(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_the_notebook_is_valid_and_runs_top_to_bottom(tmp_path):
    project = load(EXAMPLES / "lenet-28.netproj.json")
    path = tmp_path / "lenet.ipynb"
    notebook.write(project, path, samples=300, epochs=1)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert headings[1:] == ["## 1. The model", "## 2. The data", "## 3. The settings", "## 4. Training: the loop",
                            "## 5. Evaluation", "## 6. A prediction"]
    assert nb.cells[2].source == codegen.generate(project).strip("\n")  # the export's class, as it is

    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code)
    assert "Output shape for one sample: (1, 10)" in outputs(code[0])
    assert "270 training and 30 held-out samples of shape (1, 28, 28)" in outputs(code[1])
    assert "epoch 1: training loss" in outputs(code[3]) and "held-out accuracy" in outputs(code[3])
    assert "held-out accuracy:" in outputs(code[4])
    assert "the model says" in outputs(code[5]) and "#" in outputs(code[5])


def test_a_32_pixel_model_gets_padded_digits_and_invalid_models_are_refused(tmp_path):
    data = notebook.notebook(load(EXAMPLES / "lenet-32.netproj.json"), samples=100)
    assert json.loads(json.dumps(data))["nbformat"] == 4
    nbformat.validate(nbformat.from_dict(data))
    space = run_cells(data, 4)  # the model and the data cells
    assert tuple(space["train_x"].shape) == (90, 1, 32, 32) and tuple(space["test_x"].shape) == (10, 1, 32, 32)
    background = -0.1307 / 0.3081
    x = space["train_x"]
    assert torch.allclose(x[:, :, :2], torch.tensor(background)) and torch.allclose(x[:, :, :, -2:],
                                                                                     torch.tensor(background))
    with pytest.raises(codegen.CodegenError, match="not valid"):
        notebook.notebook(load(EXAMPLES / "broken-lenet.netproj.json"))


def run_cells(data: dict, upto: int) -> dict:
    """Run the notebook's code cells before cell ``upto`` in one namespace, as Jupyter would."""
    space: dict = {}
    for cell in data["cells"][:upto + 1]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]).replace('if __name__ == "__main__":', "if False:")
            exec(source, space)  # noqa: S102 - the notebook we wrote
    return space


def test_the_data_is_the_apps_split_of_the_bundled_digits():
    from designer.ml.data import datasets

    space = run_cells(notebook.notebook(load(EXAMPLES / "lenet-28.netproj.json")), 4)
    app = datasets.load("mnist-5k", (1, 28, 28))
    assert torch.equal(space["train_x"], app.train_x) and torch.equal(space["test_y"], app.test_y)


def test_every_training_setting_reaches_the_optimizer_schedule_and_loop():
    """Before, the optimizer got lr alone: lenet-32 (SGD, momentum 0.9) stayed far below the app's accuracy."""
    project = load(EXAMPLES / "lenet-32.netproj.json")
    project.training.update(momentum=0.8, nesterov=True, weight_decay=0.0005, lr_schedule="step", lr_step_epochs=2,
                            lr_step_factor=0.5, init="kaiming", patience=3, augment=True, augment_rotation=5.0,
                            seed=7, loss="MSELoss")
    data = notebook.notebook(project, samples=100)
    space = run_cells(data, 6)  # model, data, settings
    optimizer = space["make_optimizer"](space["build_model"]().parameters(), space["settings"])
    group = optimizer.param_groups[0]
    assert (type(optimizer).__name__, group["lr"], group["momentum"], group["nesterov"], group["weight_decay"]) == \
        ("SGD", 0.01, 0.8, True, 0.0005)
    scheduler = space["make_scheduler"](optimizer, space["settings"].lr_schedule, 10, space["EPOCHS"],
                                        space["settings"].lr_step_epochs, space["settings"].lr_step_factor)
    assert type(scheduler).__name__ == "StepLR" and scheduler.step_size == 20 and scheduler.gamma == 0.5
    settings = space["settings"]
    assert (settings.init, settings.patience, settings.augment, settings.augment_rotation, settings.seed,
            settings.loss) == ("kaiming", 3, True, 5.0, 7, "MSELoss")


def test_the_loop_follows_the_tutorials_order():
    train = "".join(notebook.notebook(load(EXAMPLES / "lenet-28.netproj.json"))["cells"][8]["source"])
    order = [train.index(step) for step in ("optimizer.zero_grad()", "scores = model(xb)", "loss = loss_fn(",
                                            "loss.backward()", "optimizer.step()")]
    assert order == sorted(order)


def test_a_model_whose_outputs_are_not_the_digits_classes_is_refused_with_the_fix():
    small = load(EXAMPLES / "small-module.netproj.json")
    with pytest.raises(notebook.NotebookError, match=r"gives 8 outputs per sample.*Linear\(…, 10\)"):
        notebook.notebook(small)


def test_the_notebook_is_written_in_the_interface_language(chinese):
    data = notebook.notebook(load(EXAMPLES / "lenet-28.netproj.json"))
    headings = [c["source"][0].strip() for c in data["cells"] if c["cell_type"] == "markdown"]
    assert headings[1:] == ["## 1. 模型", "## 2. 数据", "## 3. 训练设置", "## 4. 训练：循环", "## 5. 评估", "## 6. 一次预测"]
    train = "".join(data["cells"][8]["source"])
    assert "optimizer.zero_grad()          # 1. 清零梯度" in train and "第 {epoch} 轮" in train


def test_export_notebook_from_the_command_line(tmp_path):
    import subprocess
    import sys

    root = EXAMPLES.parents[2]
    out = tmp_path / "lenet.ipynb"
    done = subprocess.run([sys.executable, str(root / "main.py"), "export", str(EXAMPLES / "lenet-32.netproj.json"),
                           "--notebook", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and f"wrote {out}" in done.stdout
    nbformat.validate(nbformat.read(out, as_version=4))
    refused = subprocess.run([sys.executable, str(root / "main.py"), "export",
                              str(EXAMPLES / "small-module.netproj.json"), "--notebook", str(tmp_path / "s.ipynb")],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and "gives 8 outputs per sample" in refused.stderr
    assert not (tmp_path / "s.ipynb").exists()
