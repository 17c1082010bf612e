"""File ▸ Export ▸ Notebook: a valid notebook that runs top to bottom offline, in the tutorial's order."""

import json
from pathlib import Path

import nbformat
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
    assert headings[1:] == ["## 1. The model", "## 2. The data", "## 3. Training: the six steps",
                            "## 4. Evaluation", "## 5. A prediction"]
    assert nb.cells[2].source == codegen.generate(project).strip("\n")  # the export's class, as it is

    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code)
    assert "Output shape for one sample: (1, 10)" in outputs(code[0])
    assert "270 training and 30 held-out samples of shape (1, 28, 28)" in outputs(code[1])
    assert "epoch 1: training loss" in outputs(code[2])
    assert "held-out accuracy:" in outputs(code[3])
    assert "the model says" in outputs(code[4]) and "#" in outputs(code[4])


def test_a_32_pixel_model_gets_padded_digits_and_invalid_models_are_refused(tmp_path):
    data = notebook.notebook(load(EXAMPLES / "lenet-32.netproj.json"), samples=100)
    assert json.loads(json.dumps(data))["nbformat"] == 4
    nbformat.validate(nbformat.from_dict(data))
    # The data cell alone (it holds no text from the project), on the 32×32 Input.
    import torch

    space = {"torch": torch, "INPUT_SHAPE": (1, 32, 32)}
    exec("".join(data["cells"][4]["source"]), space)  # noqa: S102 - our own template
    assert tuple(space["x"].shape) == (100, 1, 32, 32)
    background = -0.1307 / 0.3081
    assert torch.allclose(space["x"][:, :, :2], torch.tensor(background)) and \
        torch.allclose(space["x"][:, :, :, -2:], torch.tensor(background))
    with pytest.raises(codegen.CodegenError, match="not valid"):
        notebook.notebook(load(EXAMPLES / "broken-lenet.netproj.json"))
