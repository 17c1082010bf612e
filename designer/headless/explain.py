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


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _find_layer(graph, path: list[str], wanted: str) -> str | None:
    names = graph.generated_names()
    for node_id in path:
        if wanted in (node_id, names.get(node_id)):
            return node_id
    return None


def run(args) -> int:
    from designer.ml import models

    try:
        project = models.load_project(args.file)
        shapes = models.valid_shapes(project, args.file)
    except models.ModelError as exc:
        _error(str(exc))
        return exc.exit_code
    graph, path = project.graph, shapes.path
    node_id = _find_layer(graph, path, args.layer)
    if node_id is None:
        names = graph.generated_names()
        known = ", ".join(names[n] for n in path[1:] if graph.nodes[n].type in
                          ("Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d"))
        _error(f"{args.file}: no layer named {args.layer!r} in the model (layers to explain: {known or 'none'})")
        return 1

    from designer.ml.explain import ExplainError, for_node
    from designer.ml.explain_render import Renderer
    from designer.ml.preprocess import PreprocessError, load_image, preprocess

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
        _error(f"{args.image}: no ink found (a blank image): nothing to explain")
        return 2
    name = graph.generated_names()[node_id]
    try:
        explainer = for_node(graph, path, model.eval(), prepared.tensor, node_id)
    except ExplainError as exc:
        _error(f"{args.file}: {name}: {exc}")
        return 1
    if not 0 <= args.channel < explainer.out_shape[0]:
        _error(f"--channel {args.channel}: {name} has output channels 0 to {explainer.out_shape[0] - 1}")
        return 1
    started = time.perf_counter()
    try:
        frames = Renderer(explainer, name).save_gif(args.out, out_channel=args.channel)
    except OSError as exc:
        _error(f"{args.out}: cannot write the GIF ({exc.strerror or exc})")
        return 2
    print(f"wrote {args.out}: {frames} frames of {name} ({graph.nodes[node_id].type}), output channel "
          f"{args.channel}, in {time.perf_counter() - started:.1f} s")
    return 0
