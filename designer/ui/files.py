"""Project files as the window uses them: templates, saving with weights, lazy weight loading.

torch is imported only inside the functions that need it (saving or loading
trained weights), never on the way to the first paint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication

from designer.core import project as projects
from designer.core import templates as templates_core
from designer.core.i18n import _ as core_text
from designer.core.project import Project
from designer.ui.background import run_in_background



def blank_project() -> Project:
    """File ▸ New: the blank template (just an Input)."""
    try:
        return templates_core.new_project("blank")
    except (KeyError, projects.ProjectError):  # the file is missing from this install: build it
        project = Project(name="Untitled")
        project.graph.add_node("Input", {"shape": [1, 28, 28]}, None, (0, 0), "input")
        return project


def templates() -> list[tuple[str, Callable[[], Project], str]]:
    """(title, factory, description) for File ▸ New from Template; the first one is the default."""
    found = sorted(templates_core.TEMPLATES, key=lambda t: t.id != templates_core.DEFAULT)
    return [(core_text(t.title), (lambda t=t: templates_core.new_project(t.id)), core_text(t.description))
            for t in found if t.path.exists()]


def default_project() -> Project:
    return templates_core.new_project()


def weights_path_for(path: Path) -> Path:
    """NAME.netproj.json → NAME.pt beside it."""
    name = path.name
    for suffix in (".netproj.json", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return path.with_name(name + ".pt")


def save_project(document, path: Path) -> None:
    """Save atomically; trained weights, when there are any, go to NAME.pt beside the file."""
    path = Path(path)
    project = document.project
    if document.weights is not None:
        import io

        import torch

        target = weights_path_for(path)
        buffer = io.BytesIO()
        torch.save(document.weights, buffer)
        projects.write_atomic(target, buffer.getvalue())
        project.weights = target.name
    projects.save(project, path)
    document.set_path(path)
    document.mark_saved()


def load_weights_later(document, path: Path, status_bar=None) -> None:
    """Load project.weights on a worker thread (torch.load weights_only=True), then set them."""
    name = document.project.weights
    if not name:
        return
    target = (Path(path).parent / name).resolve()
    project = document.project
    context = (document, project, status_bar)

    def work():
        import torch

        return torch.load(target, map_location="cpu", weights_only=True)

    def failed(exc: Exception) -> None:  # a missing or corrupt weights file must not stop the project opening
        _weights_arrived(context, None, QCoreApplication.translate("Files", "Could not load weights {file}: {error}")
                         .format(file=target, error=exc))

    loaded = QCoreApplication.translate("Files", "Loaded trained weights from {file}").format(file=target.name)
    run_in_background(work, lambda state: _weights_arrived(context, state, loaded), failed, context=document)


def _weights_arrived(context, state, message: str) -> None:
    document, project, status_bar = context
    if document.project is project and state is not None:  # still the same project
        document.set_weights(state)
    if status_bar is not None:
        status_bar.showMessage(message, 6000)
