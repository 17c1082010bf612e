"""Project files as the window uses them: templates, saving with weights, lazy weight loading.

torch is imported only inside the functions that need it (saving or loading
trained weights), never on the way to the first paint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from designer.core import datasets
from designer.core import project as projects
from designer.core import templates as templates_core
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


def templates() -> list[tuple[str, str, Callable[[], Project], str]]:
    """(id, title, factory, description) for File ▸ New from Template; the first one is the default.

    The title and the description tell the template's measured accuracy, where there is one."""
    found = sorted(templates_core.TEMPLATES, key=lambda t: t.id != templates_core.DEFAULT)
    return [(t.id, templates_core.menu_title(t), (lambda t=t: templates_core.new_project(t.id)),
             templates_core.summary(t)) for t in found if t.path.exists()]


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


@dataclass
class SavePlan:
    """What one Save writes, copied in the UI thread: the worker touches nothing the window goes on editing.

    Attributes:
        project: a copy of the project as it is written (the worker records the weights in it).
        weights: the document's state_dict (new weights replace the dict; its tensors are never changed in place).
        source: the document's project when Save was asked for: the outcome is applied only to it.
        dataset: (before, after) the training dataset's reference, rewritten for a file in another folder.
    """

    path: Path
    project: Project
    weights: dict | None
    record: object
    source: Project
    dataset: tuple


@dataclass
class Saved:
    """What a Save wrote: the project file's text and the weights it names (the name and their signature)."""

    text: str
    weights: str | None
    signature: str | None


def plan_save(document, path: Path) -> SavePlan:
    """In the UI thread: the copy that ``write_save`` writes to ``path``.

    Without trained weights the file names none: weights cleared by an edit
    must not be reopened as if they were this model's (unless they are still
    being read from this very file). A relative ``folder:PATH`` dataset is
    rewritten to count from the new file's folder.
    """
    path = Path(path)
    project = document.snapshot()
    if document.weights is None and not (document.weights_pending and document.path is not None
                                         and path == document.path):
        project.weights = project.weights_signature = None
    dataset = (project.training or {}).get("dataset")
    moved = datasets.rebase(dataset, document.folder, datasets.project_folder(path))
    if moved != dataset:  # Save As elsewhere: a relative folder:PATH must still name the same folder
        project.training = {**project.training, "dataset": moved}
    return SavePlan(path, project, document.weights, document.weights_record, document.project, (dataset, moved))


def write_save(plan: SavePlan) -> Saved:
    """On a worker thread: the weights to NAME.pt beside the file, then the file that names them.

    Each file is replaced atomically, and at no moment does the project file on
    disk name weights other than those beside it: the new weights are written
    to a side file first; a file there that names the old ones stops naming
    them before they are replaced; the new file comes last. A crash on the way
    leaves the old project (naming no weights, or weights that fit it) or the new.
    """
    project, path = plan.project, plan.path
    if plan.weights is not None:
        from designer.ml import models, weights  # torch is loaded: there are weights

        target = weights_path_for(path)
        record = models.record_to_save(project, plan.weights, plan.record, datasets.project_folder(path))
        signature = models.signature(project, plan.weights)
        side = target.with_name(target.name + ".part")
        weights.save_state_dict(plan.weights, side, record)
        try:
            _unclaim(path, target, signature)
            os.replace(side, target)
        except BaseException:
            side.unlink(missing_ok=True)
            raise
        project.weights, project.weights_signature = target.name, signature
    projects.save(project, path)
    return Saved(projects.dumps(project), project.weights, project.weights_signature)


def _unclaim(path: Path, target: Path, signature: str) -> None:
    """The project file at ``path`` stops naming the weights in ``target`` unless they are the ones coming."""
    try:
        old = projects.load(path)
    except projects.ProjectError:  # no file yet, or not a project: it names nothing
        return
    if old.weights and (path.parent / old.weights).resolve() == target.resolve() \
            and old.weights_signature != signature:
        old.weights = old.weights_signature = None
        projects.save(old, path)


def load_weights_later(document, path: Path, report: Callable[[str, bool], None] | None = None) -> None:
    """Load project.weights on a worker thread and set them only if they belong to the model.

    They are read as Model ▸ Load Weights reads them (``weights_only=True``)
    and checked against the model and the signature the file recorded;
    ``report(message, loaded)`` says which, in the UI thread.
    """
    if not document.project.weights:
        return
    project = document.project
    snapshot = projects.from_dict(projects.to_dict(project))  # the worker never touches the live graph
    folder = Path(path).parent
    document.weights_pending = True

    def work():
        from designer.ml import models

        found = models.project_weights(snapshot, folder)
        return found, (models.signature(snapshot, found.state) if found.state is not None else None)

    def arrived(result) -> None:
        found, signature = result
        if document.project is not project:  # another project was opened meanwhile
            return
        document.weights_pending = False
        message, loaded = found.message, found.state is not None
        if loaded:
            from designer.ml import models

            if models.signature(project, found.state) == signature:
                document.set_weights(found.state, found.record)
            else:
                message, loaded = "The trained weights were not loaded: the model was edited while they loaded.", False
        if report is not None:
            report(message, loaded)

    def failed(exc: Exception) -> None:  # a bug in loading must not stop the project opening
        if document.project is project:
            document.weights_pending = False
            if report is not None:
                report(f"The trained weights were not loaded: {exc}", False)

    run_in_background(work, arrived, failed, context=document)
