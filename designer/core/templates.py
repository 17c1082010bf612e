"""Starting points for File > New: each template is a bundled project file.

The files live in ``designer/resources/examples`` inside the package (read with
``importlib.resources``, so a wheel works as well as a source tree), and the same
files are examples for ``check``/``export`` and starting points in the app.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from designer.core import project as _project
from designer.core import signature
from designer.core.i18n import N_, _, ngettext
from designer.core.shapes import infer

# Installed packages are plain folders on disk (no zip imports), so a Path is safe here.
RESOURCES = Path(str(resources.files("designer") / "resources"))
EXAMPLES = RESOURCES / "examples"
MEASURED = EXAMPLES / "measured.json"  # written by tools/measure_templates.py


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
    Template("resnet-mnist", N_("Small ResNet for MNIST (branches)"), EXAMPLES / "resnet-mnist.netproj.json",
             N_("A residual block (x + conv(conv(x))) and a two-branch Concat block: a first network that branches.")),
    Template("alexnet-small", N_("AlexNet (small)"), EXAMPLES / "alexnet-small.netproj.json",
             N_("A deeper stack of convolutions with ReLU, max pooling and dropout, then large fully connected "
                "layers.")),
    Template("vgg11-small", N_("VGG-11 (small, blocks)"), EXAMPLES / "vgg11-small.netproj.json",
             N_("One block repeated: 3×3 convolutions and a 2×2 max pool, doubling the channels as the picture "
                "shrinks.")),
    Template("nin", N_("NiN: Network in Network (blocks)"), EXAMPLES / "nin.netproj.json",
             N_("Each convolution followed by 1×1 convolutions (a small MLP at every pixel); global average "
                "pooling instead of fully connected layers. BatchNorm after each convolution, as many courses add.")),
    Template("googlenet-small", N_("GoogLeNet (small, Inception blocks)"), EXAMPLES / "googlenet-small.netproj.json",
             N_("Inception blocks run 1×1, 3×3 and 5×5 convolutions and a pool side by side and concatenate "
                "them.")),
    Template("resnet18-small", N_("ResNet-18 (small, residual blocks)"), EXAMPLES / "resnet18-small.netproj.json",
             N_("Each block adds its input to its output (x + F(x)), so deep networks still train; four stages of "
                "two blocks.")),
    Template("densenet-small", N_("DenseNet (small, dense blocks)"), EXAMPLES / "densenet-small.netproj.json",
             N_("Every layer sees all earlier feature maps, concatenated, and adds a few new ones.")),
    Template("mobilenetv2-small", N_("MobileNet v2 (small, inverted residuals)"),
             EXAMPLES / "mobilenetv2-small.netproj.json",
             N_("Expand with a 1×1 convolution, filter each channel alone (depthwise 3×3), project back down: "
                "cheap enough for a phone.")),
    Template("blank", N_("Blank"), EXAMPLES / "blank.netproj.json",
             N_("Just an Input of shape [1, 28, 28]; add layers from the palette.")),
)

DEFAULT = "lenet-28"


@dataclass(frozen=True)
class Measurement:
    """A template's held-out accuracy as tools/measure_templates.py measured it, and what it was measured on."""

    accuracy: float  # 0..1: the held-out samples classified right after the last epoch
    epochs: int
    dataset: str
    seed: int
    signature: str  # ``model_signature`` of the model trained
    training: dict  # the template's training settings it was trained with (the seed apart)


def model_signature(project: _project.Project) -> str:
    """What a measurement belongs to: the model's layers, settings, wiring and blocks (not positions or name)."""
    return signature.digest(project.graph, infer(project.graph).path)


@functools.cache
def measurements() -> dict[str, Measurement]:
    """Each measured template's Measurement, by template id (none when the file is missing)."""
    try:
        found = json.loads(MEASURED.read_text(encoding="utf-8"))["templates"]
    except FileNotFoundError:
        return {}
    fields = Measurement.__dataclass_fields__
    return {name: Measurement(**{k: v for k, v in entry.items() if k in fields}) for name, entry in found.items()}


def menu_title(template: Template) -> str:
    """The title in the user's language, and the measured accuracy where there is one (to compare at a glance)."""
    measured = measurements().get(template.id)
    if measured is None:
        return _(template.title)
    return ngettext("{title} · {accuracy:.1%} after {epochs} epoch", "{title} · {accuracy:.1%} after {epochs} epochs",
                    measured.epochs).format(title=_(template.title), accuracy=measured.accuracy,
                                            epochs=measured.epochs)


def summary(template: Template) -> str:
    """The description in the user's language, and the measured accuracy where there is one."""
    measured = measurements().get(template.id)
    if measured is None:
        return _(template.description)
    accuracy = ngettext("Measured: {accuracy:.1%} held-out accuracy after {epochs} epoch on {dataset} (one run).",
                        "Measured: {accuracy:.1%} held-out accuracy after {epochs} epochs on {dataset} (one run).",
                        measured.epochs).format(accuracy=measured.accuracy, epochs=measured.epochs,
                                                dataset=measured.dataset)
    return _("{description} {accuracy}").format(description=_(template.description), accuracy=accuracy)


def get(template_id: str) -> Template:
    """The template with this id; raises KeyError naming the known ids."""
    for template in TEMPLATES:
        if template.id == template_id:
            return template
    known = ", ".join(t.id for t in TEMPLATES)
    raise KeyError(f"no template {template_id!r} (known: {known})")


def new_project(template_id: str | None = None) -> _project.Project:
    """A fresh, unsaved project loaded from a template (LeNet 28×28 by default).

    A project named as its template ("Blank") takes the title in the user's language (the window, the status bar
    and the first Save's file name show it); model names (AlexNet-small) stay as they are.
    """
    template = get(template_id or DEFAULT)
    project = _project.load(template.path)
    if project.name == template.title:
        project.name = _(template.title)
    return project


def by_file(file_name: str) -> _project.Project:
    """A fresh project from the template stored as ``file_name`` in ``designer/resources/examples``."""
    for template in TEMPLATES:
        if template.path.name == file_name:
            return _project.load(template.path)
    return _project.load(EXAMPLES / Path(file_name).name)
