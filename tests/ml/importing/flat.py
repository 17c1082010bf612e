"""The layers of an imported project with its blocks unpacked: for tests about what the layers are."""

from designer.core import project as project_io
from designer.core.block_edits import unpack


def flat(graph):
    """A copy of ``graph``'s project graph with every block instance unpacked, nested ones included."""
    project = project_io.from_dict(project_io.to_dict(project_io.Project(graph=graph)))
    copy = project.graph
    while True:
        instance = next((n for n in copy.model_path().nodes if copy.is_block(n)), None)
        if instance is None:
            return copy
        unpack(copy, instance)
