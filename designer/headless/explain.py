"""``explain FILE --weights W.pt --layer NAME --image IMG --out OUT.gif``: the explainer as a GIF.

Renders the convolution (or pooling) explainer for one layer on one image,
preprocessed as the drawing pad does: the window sliding over the input, the
output cell it fills, its numbers and the output-size formula. Exit codes:
0 written; 1 the graph is invalid, the weights do not fit it, or the layer
cannot be explained; 2 the project, the weights or the image could not be read.
"""

from __future__ import annotations

import sys
import time

from designer.core import layers
from designer.core.i18n import _, ngettext


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr)




def _find_layer(graph, path: list[str], wanted: str) -> tuple[str, tuple[str, ...]] | None:
    """The node (and, inside a block, the inner node ids) a layer name means: ``conv1``, ``layer1_0.conv1``."""
    names = graph.generated_names()
    for node_id in path:
        if wanted in (node_id, names.get(node_id)):
            return node_id, ()
    from designer.core.codegen_blocks import layer_paths

    found = layer_paths(graph).get(wanted)
    return (found[0], found[1:]) if found and len(found) > 1 else None


def _explainable(graph, path: list[str]) -> list[str]:
    """The names of the layers that can be explained, inner layers of blocks by their module path."""
    from designer.core.codegen_blocks import layer_paths

    names = graph.generated_names()
    out = [names[n] for n in path[1:] if graph.nodes[n].type in layers.EXPLAINABLE]
    for name, ids in layer_paths(graph).items():
        level = graph
        for owner in ids[:-1]:
            level = level.blocks[level.nodes[owner].type].graph
        if len(ids) > 1 and level.nodes[ids[-1]].type in layers.EXPLAINABLE:
            out.append(name)
    return out


def run(args) -> int:
    from designer.ml import models

    try:
        project = models.load_project(args.file)
        shapes = models.valid_shapes(project, args.file)
    except models.ModelError as exc:
        _error(str(exc))
        return exc.exit_code
    graph, path = project.graph, shapes.path
    found = _find_layer(graph, path, args.layer)
    if found is None:
        known = ", ".join(_explainable(graph, path))
        if known:
            _error(_("{file}: no layer named {layer} in the model (layers to explain: {known})").format(
                file=args.file, layer=repr(args.layer), known=known))
        else:
            _error(_("{file}: no layer named {layer} in the model, and it has no layer to explain").format(
                file=args.file, layer=repr(args.layer)))
        return 1

    from designer.ml.explain.numbers import ExplainError, for_node
    from designer.ml.explain.frames import Renderer
    from designer.ml.data.preprocess import PreprocessError, load_image, preprocess

    try:
        model = models.build(project)
        models.attach(model, models.read_weights(args.weights), source=str(args.weights))
    except models.ModelError as exc:
        _error(str(exc) if str(exc).startswith(str(args.weights)) else f"{args.file}: {exc}")
        return exc.exit_code
    try:
        prepared = preprocess(load_image(args.image), shapes.nodes[path[0]].out_shape)
    except PreprocessError as exc:
        _error(str(exc))
        return 2
    if prepared.empty:
        _error(_("{file}: no ink found (a blank image): nothing to explain").format(file=args.image))
        return 2
    node_id, inner = found
    name = graph.generated_names()[node_id] if not inner else args.layer
    try:
        explainer = for_node(graph, path, model.eval(), prepared.tensor, node_id, inner=inner)
    except ExplainError as exc:
        where = _("{where}: {what}").format(where=args.file, what=name)
        _error(_("{where}: {what}").format(where=where, what=exc))
        return 1
    if not 0 <= args.channel < explainer.out_shape[0]:
        _error(_("--channel {channel}: {layer} has output channels 0 to {last}").format(
            channel=args.channel, layer=name, last=explainer.out_shape[0] - 1))
        return 1
    started = time.perf_counter()
    try:
        frames = Renderer(explainer, name).save_gif(args.out, out_channel=args.channel)
    except OSError as exc:
        _error(_("{file}: cannot write the GIF ({error})").format(file=args.out, error=exc.strerror or exc))
        return 2
    print(ngettext("wrote {file}: {count} frame of {layer} ({type}), output channel {channel}, in {seconds} s",
                   "wrote {file}: {count} frames of {layer} ({type}), output channel {channel}, in {seconds} s",
                   frames).format(file=args.out, count=frames, layer=name, type=explainer.type,
                                  channel=args.channel, seconds=f"{time.perf_counter() - started:.1f}"))
    return 0
