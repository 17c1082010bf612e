"""Which lines of the generated code belong to which block (the code view's two-way link).

A block instance is ``self.<identifier>`` in the network's class, like a layer; the layers inside a
block's definition are found in that block's class (``block_lines``).
"""

from __future__ import annotations

import re

from designer.core import codegen
from designer.core.codegen_names import attribute_pattern
from designer.core.graph import Graph


def node_lines(source: str, graph: Graph) -> dict[str, list[int]]:
    """For each model node, the 0-based numbers of the lines that create or apply its layer.

    A layer is ``self.<identifier>`` in the class style: its line in ``__init__``
    and each line of ``forward`` that calls it (in the network's class ``Net``).
    """
    return _lines(source, graph, "Net")


def block_lines(source: str, graph: Graph, block: str) -> dict[str, list[int]]:
    """For each node of block ``block``'s definition, its lines in the block's class (``graph``: the top level)."""
    ident = class_name(graph, block)
    if ident is None:
        return {}
    return _lines(source, graph.blocks[block].graph, ident)


def class_name(graph: Graph, block: str) -> str | None:
    """The class block ``block`` is written as (``graph``: the top level); None when the model does not use it."""
    from designer.core import codegen_blocks

    return codegen_blocks.class_names(graph).get(block)


def _lines(source: str, graph: Graph, class_name: str) -> dict[str, list[int]]:
    lines = source.splitlines()
    first, last = _class_range(lines, class_name)
    found: dict[str, list[int]] = {}
    for node_id, ident in codegen.identifiers(graph).items():
        pattern = re.compile(attribute_pattern(ident))
        numbers = [n for n in range(first, last) if pattern.search(lines[n])]
        if numbers:
            found[node_id] = numbers
    return found


def _class_range(lines: list[str], class_name: str) -> tuple[int, int]:
    """The lines of ``class <class_name>``: from its header to the next top-level statement (all when absent)."""
    header = f"class {class_name}("
    start = next((i for i, line in enumerate(lines) if line.startswith(header)), None)
    if start is None:
        return 0, len(lines)
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()
                and not lines[i].startswith(")")), len(lines))
    return start, end


def line_owner(mapping: dict[str, list[int]], line: int) -> str | None:
    """The node a line belongs to, or None."""
    return next((node_id for node_id, numbers in mapping.items() if line in numbers), None)
