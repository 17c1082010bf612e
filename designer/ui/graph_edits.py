"""Edits on graphs that branch, as Recorder calls: wiring a merge's ports, rejoining after a delete, skips.

Each function records graph-model calls only (seam 2); ``Document`` wraps
each in one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from designer.core.graph import GraphError
from designer.core.layout import STEP_X, STEP_Y
from designer.core.merge_fixes import projection
from designer.ui.canvas.commands import Recorder



def _tr(text: str) -> str:
    return QCoreApplication.translate("GraphEdits", text)


def connect(rec: Recorder, src: str, dst: str, port: int | None = None) -> None:
    """Wire ``src`` into ``dst``: a layer's one input is replaced, a merge's ``port`` (or a free one) is used.

    An output feeds any number of wires, so ``src``'s other wires stay.
    """
    graph = rec.graph
    graph.node(src), graph.node(dst)
    if (src, dst) in graph.edges:
        raise GraphError(_tr("{src} is already connected to {dst}").format(src=src, dst=dst))
    if graph.spec(graph.nodes[dst].type).merge:
        place = graph.free_port(dst) if port is None else port
        for old, used in graph.places(dst).items():
            if used == place:
                rec.disconnect(old, dst)
        _keep_places(rec, dst)
        rec.connect(src, dst, {"port": place})
        return
    for old in graph.predecessors(dst):
        rec.disconnect(old, dst)
    rec.connect(src, dst)


def _keep_places(rec: Recorder, dst: str) -> None:
    """Give the wires into ``dst`` that have no port their place as a port, so a new wire cannot move them."""
    graph = rec.graph
    for src, place in graph.places(dst).items():
        if graph.port(src, dst) is None:
            extra = dict(graph.edge_extra.get((src, dst), {}), port=place)
            rec.disconnect(src, dst)
            rec.connect(src, dst, extra)


def rejoin(rec: Recorder, preds: list[str], succs: list[tuple[str, dict]]) -> None:
    """After a block is deleted: feed its one input to every block it fed (each keeping its port)."""
    graph = rec.graph
    if len(preds) != 1:
        return  # a merge's inputs cannot all feed one place: leave the ends open
    for succ, extra in succs:
        if succ not in graph.nodes or (preds[0], succ) in graph.edges:
            continue
        if not graph.spec(graph.nodes[succ].type).merge and graph.predecessors(succ):
            continue
        try:
            rec.connect(preds[0], succ, extra or None)
        except GraphError:
            pass  # e.g. the port is taken now, or the Input cannot be fed


def run_of(graph, node_ids: list[str]) -> list[str]:
    """The selected blocks as one chain in order, or GraphError saying why they are not one."""
    chosen = set(node_ids)
    if not chosen:
        raise GraphError(_tr("Select the blocks to wrap in a skip connection first."))
    if any(graph.nodes[n].type == "Input" or graph.spec(graph.nodes[n].type).merge for n in chosen):
        raise GraphError(_tr("A skip connection wraps layers: leave the Input and merge blocks out of the selection."))
    starts = [n for n in chosen if not (set(graph.predecessors(n)) & chosen)]
    if len(starts) != 1:
        raise GraphError(_tr("Select one unbroken run of blocks, each feeding the next."))
    run = [starts[0]]
    while len(run) < len(chosen):
        nexts = [s for s in graph.successors(run[-1]) if s in chosen]
        if len(nexts) != 1 or len(graph.predecessors(nexts[0])) != 1:
            raise GraphError(_tr("Select one unbroken run of blocks, each feeding the next."))
        run.append(nexts[0])
    if len(graph.predecessors(run[0])) != 1:
        raise GraphError(_tr("The first selected block needs exactly one input to skip from."))
    return run


def skip_connection(rec: Recorder, run: list[str], shapes) -> str:
    """Wrap ``run`` in a residual: its input is added to its output (through a 1×1 Conv2d when shapes differ).

    Returns the Add block's id.
    """
    graph = rec.graph
    source, last = graph.predecessors(run[0])[0], run[-1]
    before = shapes.nodes.get(source)
    after = shapes.nodes.get(last)
    if before is None or after is None or not before.ok or not after.ok:
        raise GraphError(_tr("The shapes around the selection are not known yet: fix the errors before it first."))
    outs = [(s, dict(graph.edge_extra.get((last, s), {}))) for s in graph.successors(last)]
    lx, ly = graph.node(last).pos
    add = rec.add_node("Add", {}, None, (lx + STEP_X, ly))
    for succ, extra in outs:
        rec.disconnect(last, succ)
    _make_room(rec, [s for s, _ in outs], run + [add])
    rec.connect(last, add, {"port": 0})
    skip = source
    if before.out_shape != after.out_shape:
        params = projection(before.out_shape, after.out_shape)
        if params is None:
            raise GraphError(_tr("The run changes {before} into {after}; a 1×1 Conv2d on the skip cannot match "
                                 "that. Select a run that keeps the image layout.").format(
                before=before.out_shape, after=after.out_shape))
        xs = [graph.node(n).pos[0] for n in run]
        skip = rec.add_node("Conv2d", params, None, ((min(xs) + max(xs)) / 2, ly + STEP_Y))
        rec.connect(source, skip)
    rec.connect(skip, add, {"port": 1})
    for succ, extra in outs:
        rec.connect(add, succ, extra or None)
    return add


def _make_room(rec: Recorder, starts: list[str], keep: list[str]) -> None:
    """Push everything downstream of ``starts`` one step right, so the new Add has a place."""
    graph = rec.graph
    seen, stack = set(keep), list(starts)
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        x, y = graph.node(node_id).pos
        rec.move(node_id, (x + STEP_X, y))
        stack.extend(graph.successors(node_id))
