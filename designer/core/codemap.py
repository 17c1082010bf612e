"""Which lines of the generated code belong to which block (the code view's two-way link)."""

from __future__ import annotations

import re

from designer.core import codegen
from designer.core.graph import Graph


def node_lines(source: str, graph: Graph) -> dict[str, list[int]]:
    """For each model node, the 0-based numbers of the lines that create or apply its layer.

    A layer is ``self.<identifier>`` in the class style: its line in ``__init__``
    and each line of ``forward`` that calls it.
    """
    lines = source.splitlines()
    found: dict[str, list[int]] = {}
    for node_id, ident in codegen.identifiers(graph).items():
        pattern = re.compile(rf"\bself\.{re.escape(ident)}\b")
        numbers = [n for n, line in enumerate(lines) if pattern.search(line)]
        if numbers:
            found[node_id] = numbers
    return found


def line_owner(mapping: dict[str, list[int]], line: int) -> str | None:
    """The node a line belongs to, or None."""
    return next((node_id for node_id, numbers in mapping.items() if line in numbers), None)
