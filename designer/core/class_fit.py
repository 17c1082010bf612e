"""One score per class: the data set's classes checked against the model's output, as a fixable problem.

Inference knows the model, not what it will be trained on. Where the data set
is known (an image folder's classes), ``checked`` adds to the inferred shapes a
warning on the output node, with the fix (``out_features → N`` on a final
Linear), so that the Problems list, the canvas and the Inspector's Fix button
show it as they show the model's own problems. The model stays valid: torch
runs it; only training on that data set would fail.
"""

from __future__ import annotations

import dataclasses

from designer.core.graph import Graph
from designer.core.i18n import _
from designer.core.rules import Fix
from designer.core.shapes import ModelShapes, Problem


def checked(graph: Graph, shapes: ModelShapes, classes: list[str] | None) -> ModelShapes:
    """``shapes``, plus the class-count warning on the output node when it gives other than one score per class."""
    if not classes or not shapes.valid or not shapes.path:
        return shapes
    out = shapes.output_shape
    count = len(classes)
    if out is None or tuple(out) == (count,):
        return shapes
    node_id = shapes.path[-1]
    node = graph.nodes.get(node_id)
    names = ", ".join(classes[:5]) + (", …" if count > 5 else "")
    if len(out) == 1:
        message = _("The model gives {scores} scores per picture, but the data set has {count} classes ({names}): "
                    "it needs one score per class. Fix: out_features → {count}.").format(
            scores=out[0], count=count, names=names)
    else:
        message = _("The model gives an output of shape {shape} per picture, but the data set has {count} classes "
                    "({names}): end it with Linear(…, {count}), one score per class.").format(
            shape=list(out), count=count, names=names)
    fix = None
    if node is not None and node.type == "Linear" and len(out) == 1:
        fix = Fix("set_param", _("set {param} to {value}").format(param="out_features", value=count),
                  param="out_features", value=count)
    result = dataclasses.replace(shapes.nodes[node_id], warning=message, fix=fix, param="out_features")
    return dataclasses.replace(shapes, nodes={**shapes.nodes, node_id: result},
                               problems=[*shapes.problems, Problem(node_id, "warning", message, fix)])
