"""Auto-layout for graphs that branch: layers left to right, the main path straight, branches side by side.

A node's column is its longest distance from Input, so every wire runs left
to right. The main path (the longest path from Input to the output) is row 0;
each other node takes its input's row when that place is free, or the
nearest free row (below first, then above), so a branch stays straight
beside the main path. Blocks not wired to the model go in rows underneath.

A model longer than ``per_row`` columns wraps: columns ``per_row`` and on
form a band under the first (and so on), as a chain wraps into rows, so that a
long block stays readable on a laptop's screen; ``best_per_row`` picks the
wrap that shows the model largest in a given view.
"""

from __future__ import annotations

from designer.core import topology

STEP_X = 180.0  # distance between neighbouring blocks, matching the templates
STEP_Y = 140.0


def layered(graph, per_row: int | None = None) -> dict[str, tuple[float, float]]:
    """A position for every node of ``graph`` (the model's columns wrapped after ``per_row``)."""
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
    _concat_order(graph, mp, column, row)
    positions = _bands(column, row, per_row)
    lowest = round(max((p[1] for p in positions.values()), default=-STEP_Y) / STEP_Y) + 1
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


def _concat_order(graph, mp, column: dict[str, int], row: dict[str, int]) -> None:
    """Branches joined by a Concat take rows in its input order, top to bottom (Inception: 1×1, 3×3, 5×5, pool).

    The order of a Concat's inputs is the order of the channels it makes, so the canvas shows it. A branch
    is the chain of single-input, single-use layers before the Concat; nothing moves where a branch is
    not one row or a new place is taken.
    """
    inputs = mp.inputs
    uses: dict[str, int] = {}
    for node_id in mp.nodes:
        for source in inputs.get(node_id, ()):
            uses[source] = uses.get(source, 0) + 1
    for merge in mp.nodes:
        sources = inputs.get(merge, ())
        if graph.nodes[merge].type != "Concat" or len(sources) < 2:
            continue
        branches = []
        for source in sources:
            chain, current = [], source
            while len(inputs.get(current, ())) == 1 and uses.get(current) == 1:
                chain.append(current)
                current = inputs[current][0]
            branches.append(chain)
        rows = [{row[n] for n in chain} for chain in branches]
        if any(len(r) != 1 for r in rows) or len({min(r) for r in rows}) != len(rows):
            continue
        now = [min(r) for r in rows]
        moved = {n: wanted for chain, wanted in zip(branches, sorted(now)) for n in chain}
        others = {(column[n], row[n]) for n in row if n not in moved}
        if all((column[n], r) not in others for n, r in moved.items()):
            row.update(moved)


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


def _bands(column: dict[str, int], row: dict[str, int], per_row: int | None) -> dict[str, tuple[float, float]]:
    """Positions from columns and rows, columns wrapped into bands of ``per_row``, each band under the last."""
    columns = max(column.values(), default=0) + 1
    if not per_row or columns <= per_row:
        return {n: (column[n] * STEP_X, row[n] * STEP_Y) for n in column}
    band = {n: column[n] // per_row for n in column}
    shift: dict[int, int] = {}
    bottom = None
    for b in range(max(band.values()) + 1):
        rows = [row[n] for n in column if band[n] == b]
        if not rows:
            continue
        shift[b] = 0 if bottom is None else bottom + 1 - min(rows)
        bottom = max(rows) + shift[b]
    return {n: ((column[n] % per_row) * STEP_X, (row[n] + shift[band[n]]) * STEP_Y) for n in column}


def best_per_row(layout, width: float, height: float, count: int, node_size=(110.0, 84.0),
                 margin: float = 60.0) -> int:
    """The wrap (blocks per row) at which ``layout(per_row)`` shows largest in a ``width`` × ``height`` view.

    ``count`` bounds the rows tried (the number of nodes); ties go to the longer rows.
    """
    best, best_zoom = max(2, count), -1.0
    for per_row in range(max(2, min(count, 80)), 1, -1):
        positions = layout(per_row).values()
        if not positions:
            return best
        xs, ys = [p[0] for p in positions], [p[1] for p in positions]
        zoom = min(1.0, width / (max(xs) - min(xs) + node_size[0] + margin),
                   height / (max(ys) - min(ys) + node_size[1] + margin))
        if zoom > best_zoom + 1e-9:
            best, best_zoom = per_row, zoom
    return best


def chain_layout(graph, per_row: int | None = None) -> dict[str, tuple[float, float]]:
    """Positions for auto-layout: the model path in rows of ``per_row``, scratch blocks below.

    A graph that branches is laid out in layers instead (``core.layout.layered``): a wrapped
    chain would tangle its branches.
    """
    if topology.branches(graph):
        return layered(graph, per_row)
    path = graph.model_path().nodes
    per_row = max(2, per_row or len(path) or 1)
    positions: dict[str, tuple[float, float]] = {
        n: ((i % per_row) * STEP_X, (i // per_row) * STEP_Y) for i, n in enumerate(path)}
    row = (len(path) - 1) // per_row + 2 if path else 0
    for node_id in graph.nodes:
        if node_id in positions:
            continue
        preds = graph.predecessors(node_id)
        if preds and preds[0] in positions and preds[0] not in path:
            px, py = positions[preds[0]]
            positions[node_id] = (px + STEP_X, py)
            continue
        positions[node_id] = (0.0, row * STEP_Y)
        row += 1
    return positions


# The canvas of a 1366×768 window with the side panels open, in scene units at 100 %.
LAPTOP_CANVAS = (780.0, 500.0)


def lay_out_unplaced(project, view: tuple[float, float] = LAPTOP_CANVAS, every: bool = False) -> None:
    """Lay out each graph (the model's, each block's) whose nodes all sit on one spot (``every``: all of them).

    Wrapped to show largest in a canvas of ``view`` (a laptop's); no undo step, nothing to undo yet.
    An import lays out every graph it writes; opening a file lays out those that have no positions.
    """
    for graph in [project.graph] + [block.graph for block in project.graph.blocks.values()]:
        if len(graph.nodes) < 2 or (not every and len({tuple(n.pos) for n in graph.nodes.values()}) > 1):
            continue
        per_row = best_per_row(lambda k, g=graph: chain_layout(g, k), *view, len(graph.nodes))
        for node_id, pos in chain_layout(graph, per_row).items():
            graph.move(node_id, pos)
