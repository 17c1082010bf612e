"""Starting points for File > New: each template is a bundled project file.

The files live in ``designer/resources/examples`` inside the package (read with
``importlib.resources``, so a wheel works as well as a source tree), and the same
files are examples for ``check``/``export`` and starting points in the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from designer.core import project as _project
from designer.core.i18n import N_

# Installed packages are plain folders on disk (no zip imports), so a Path is safe here.
RESOURCES = Path(str(resources.files("designer") / "resources"))
EXAMPLES = RESOURCES / "examples"


@dataclass(frozen=True)
class Template:
    """One entry of the New-project menu."""

    id: str
    title: str
    path: Path
    description: str = ""


TEMPLATES: tuple[Template, ...] = (
    Template("lenet-28", N_("LeNet for MNIST (28×28)"), EXAMPLES / "lenet-28.netproj.json",
             N_("The classic digit classifier: two convolutions, three fully connected layers. Trains in a minute.")),
    Template("lenet-32", N_("LeNet from the tutorial (32×32)"), EXAMPLES / "lenet-32.netproj.json",
             N_("The PyTorch tutorial's LeNet on a 32×32 input (no padding in the first convolution).")),
    Template("small-module", N_("Small module (1×4×4)"), EXAMPLES / "small-module.netproj.json",
             N_("Conv2d(1, 5, 2) → ReLU → Flatten → Linear(45, 8): small enough to follow every number.")),
    Template("blank", N_("Blank"), EXAMPLES / "blank.netproj.json",
             N_("Just an Input of shape [1, 28, 28]; add layers from the palette.")),
)

DEFAULT = "lenet-28"


def get(template_id: str) -> Template:
    """The template with this id; raises KeyError naming the known ids."""
    for template in TEMPLATES:
        if template.id == template_id:
            return template
    known = ", ".join(t.id for t in TEMPLATES)
    raise KeyError(f"no template {template_id!r} (known: {known})")


def new_project(template_id: str | None = None) -> _project.Project:
    """A fresh, unsaved project loaded from a template (LeNet 28×28 by default)."""
    return _project.load(get(template_id or DEFAULT).path)


def by_file(file_name: str) -> _project.Project:
    """A fresh project from the template stored as ``file_name`` in ``designer/resources/examples``."""
    for template in TEMPLATES:
        if template.path.name == file_name:
            return _project.load(template.path)
    return _project.load(EXAMPLES / Path(file_name).name)
