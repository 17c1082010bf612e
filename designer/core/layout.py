"""Auto-layout for graphs that branch: layers left to right, the main path straight, branches side by side.

A node's column is its longest distance from Input, so every wire runs left
to right. The main path (the longest path from Input to the output) is row 0;
each other node takes its input's row when that place is free, or the
nearest free row (below first, then above), so a branch stays straight
beside the main path. Blocks not wired to the model go in rows underneath.
"""

from __future__ import annotations

STEP_X = 180.0  # distance between neighbouring blocks, matching the templates
STEP_Y = 140.0


def layered(graph) -> dict[str, tuple[float, float]]:
    """A position for every node of ``graph``."""
    mp = graph.model_path()
    inputs = mp.inputs
    column: dict[str, int] = {}
    best: dict[str, str] = {}  # node -> the input on its longest path from Input
    for node_id in mp.nodes:
        sources = [s for s in inputs.get(node_id, ()) if s in column]
        if sources:
            parent = max(sources, key=lambda s: column[s])
            best[node_id] = parent
            column[node_id] = column[parent] + 1
        else:
            column[node_id] = 0
    main: set[str] = set()
    current = mp.output
    while current is not None:
        main.add(current)
        current = best.get(current)
    taken: set[tuple[int, int]] = {(column[n], 0) for n in main}
    row: dict[str, int] = {n: 0 for n in main}
    for node_id in mp.nodes:
        if node_id in row:
            continue
        sources = [s for s in inputs.get(node_id, ()) if s in row]
        wanted = row[sources[0]] if sources else 1
        candidate = _free_row(column[node_id], wanted, taken)
        row[node_id] = candidate
        taken.add((column[node_id], candidate))
    positions = {n: (column[n] * STEP_X, row[n] * STEP_Y) for n in mp.nodes}
    lowest = max(row.values(), default=-1) + 1
    for node_id in graph.nodes:
        if node_id in positions:
            continue
        preds = [p for p in graph.predecessors(node_id) if p in positions and p not in row]
        if preds:
            px, py = positions[preds[0]]
            positions[node_id] = (px + STEP_X, py)
        else:
            positions[node_id] = (0.0, (lowest + 1) * STEP_Y)
            lowest += 1
    return positions


def _free_row(col: int, wanted: int, taken: set[tuple[int, int]]) -> int:
    """``wanted`` if that place is free, else the nearest free row, below before above."""
    if (col, wanted) not in taken:
        return wanted
    step = 1
    while True:
        for candidate in (wanted + step, wanted - step):
            if (col, candidate) not in taken:
                return candidate
        step += 1
