"""What every part of the project file code shares: the format's limits, ``Project`` and ``ProjectError``.

``designer.core.project`` is the entry point (load, save); ``project_read``
validates, ``project_write`` writes, ``project_files`` reads and writes files
safely.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from designer.core.graph import Graph

FORMAT = "netdesigner.project"
VERSION = 3  # the newest version this reads and writes
VERSIONS = (1, 2, 3)

MAX_FILE_BYTES = 20_000_000  # refused before parsing
MAX_VALUES = 1_000_000  # rough count of JSON values, checked before parsing
MAX_DEPTH = 64  # nesting levels anywhere in the file
MAX_NODES = 10_000
MAX_EDGES = 50_000
MAX_DIGITS = 30  # a whole number with more digits than this is absurd in a project
MAX_POS = 1e9  # canvas coordinates

_TOP_KEYS = ("format", "version", "name", "nodes", "edges", "training", "weights", "weights_signature",
             "blocks")
_NODE_KEYS = ("id", "type", "params", "pos", "name")
_EDGE_KEYS = ("from", "to")
_BLOCK_KEYS = ("args", "nodes", "edges")


class ProjectError(ValueError):
    """A project file that cannot be read or written; ``str()`` names the file and the field.

    Attributes:
        source: the file (or ``<project>`` for text without a file).
        field: where in the file, e.g. ``nodes[3] (id "n3").params.kernel_size``; "" for the whole file.
        message: what is wrong, in words.
        node_id: the node at fault, when there is one (the window can select it).
        block: the block definition at fault, when the error lies inside one.
    """

    def __init__(self, source: str, field_path: str, message: str, node_id: str | None = None,
                 block: str | None = None):
        where = f"{source}: {field_path}: " if field_path else f"{source}: "
        super().__init__(where + message)
        self.source = source
        self.field = field_path
        self.message = message
        self.node_id = node_id
        self.block = block


@dataclass
class Project:
    """A graph plus everything else the file holds."""

    graph: Graph = field(default_factory=Graph)
    name: str = "Untitled"
    training: dict = field(default_factory=dict)
    weights: str | None = None  # state_dict file, relative to the project file
    weights_signature: str | None = None  # what those weights belong to (designer.ml.models.signature)
    extra: dict = field(default_factory=dict)  # unknown top-level keys, in file order


    @property
    def blocks(self):
        """The block definitions (``designer.core.blocks.Library``), shared with the graph."""
        return self.graph.blocks


def _key_text(key: str) -> str:
    key = str(key)
    return key if key.isidentifier() and len(key) <= 40 else _quote(key)


def _quote(text: str, limit: int = 40) -> str:
    """``text`` in double quotes, escaped and shortened, safe to print anywhere."""
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    return json.dumps(text)



