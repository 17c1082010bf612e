"""Readable names for an imported block's arguments (the inner parameters that differ between its calls).

A width (channels of a map, features of a vector) that is the block's input and output in every call is
``channels``; its input only, ``in_channels``; its output only, ``out_channels``; another width,
``mid_channels`` (an expansion, a squeeze: where there are several, the one most layers take). Any other
parameter keeps its own name (``stride``, ``groups``) when no other argument wants it; names wanted twice
are qualified by the layer: its name, or its type and position where the name is a number
(``conv1_stride``, ``conv2_stride``, ``squeeze_excitation_2_mid_channels``). Every name is an identifier,
unique in its definition and none of the export's reserved names (``x``, ``nn``, ``self``...), so the
exported ``__init__`` reads as written.
"""

from __future__ import annotations

import re

from designer.core.codegen_blocks import argument_name
from designer.core.graph import Graph

WIDTHS = frozenset({"in_channels", "out_channels", "num_features", "num_channels", "channels", "in_features",
                    "out_features", "features"})
SHARING = frozenset({"groups"})  # a depthwise convolution's groups are its width: they go with it
ROLES = frozenset(f"{end}{word}" for end in ("", "in_", "out_", "mid_") for word in ("channels", "features"))


def _is_width(key: str) -> bool:
    return key in WIDTHS or key.endswith(("_channels", "_features"))


def arguments(graph: Graph, nodes: list, uses: list[list[tuple[int, str]]], widths, values: list[tuple],
              prefixes: dict[str, str]) -> list[str]:
    """One name per argument, in the order given.

    Args:
        graph: the definition's graph (the first call's); ``nodes`` its nodes in order.
        uses: per argument, the (node position, parameter) places that take it.
        widths: (the block's input width per call, its output width per call, rank of its input) as the
            argument values are written (``repr``), or None where a call's shapes are unknown.
        values: per argument, its value in each call, written the same way.
        prefixes: the prefix of each block type inside, as its final name gives it (``basic_block``).
    """
    wanted, places_named, roles = [], [], []
    for places, vector in zip(uses, values):
        role = _role([key for _i, key in places], vector, widths)
        place = _owner(places) if role else places[0]
        wanted.append(role or place[1])
        places_named.append(place)
        roles.append(role)
    counts = {name: wanted.count(name) for name in wanted}
    keys = [key for _i, key in places_named]
    keeps = _main_widths(wanted, uses, keys, counts)
    fallbacks = []
    for (i, key), role in zip(places_named, roles):
        # an inner block's own qualified argument (se_2_mid_channels) is precise already; a plain key is not
        plain = key in ROLES or key in SHARING or key in counts or not role or keys.count(key) > 1
        fallbacks.append(f"{_attribute(graph, nodes[i], prefixes)}_{key}" if plain else key)
    taken: set[str] = set()
    out = []
    for index, (name, longer) in enumerate(zip(wanted, fallbacks)):
        chosen = _unique(argument_name(name if counts[name] == 1 or index in keeps else longer), taken)
        taken.add(chosen)
        out.append(chosen)
    return out


def _main_widths(wanted: list[str], uses: list, keys: list[str], counts: dict) -> set[int]:
    """The arguments that keep ``mid_channels`` though other widths want it too: the one used in the most places
    (an inverted residual's expansion runs through four layers, its squeeze-excitation's width through two),
    else the one an inner block calls so (a block that only wraps another)."""
    keeps = set()
    for name in (n for n in counts if counts[n] > 1 and n.startswith("mid_")):
        scores = sorted(((len(uses[i]), keys[i] == name, i) for i, w in enumerate(wanted) if w == name),
                        reverse=True)
        if scores[0][:2] > scores[1][:2]:
            keeps.add(scores[0][2])
    return keeps


def _attribute(graph: Graph, node, prefixes: dict[str, str]) -> str:
    """The layer's name (conv1), or its type and position where the name is a number (conv_0)."""
    spec = graph.spec(node.type)
    prefix = prefixes.get(node.type) or (spec.prefix if spec is not None else "block")
    name = re.sub(r"[^0-9A-Za-z]+", "_", node.name or "").strip("_")
    return f"{prefix}_{name}" if name[:1].isdigit() else name or prefix


def _role(keys: list[str], vector: tuple, widths) -> str | None:
    """``channels``, ``in_channels``, ``out_channels`` or ``mid_channels`` for a width, else None."""
    if widths is None or not any(_is_width(k) for k in keys) or not all(_is_width(k) or k in SHARING for k in keys):
        return None
    given, made, rank = widths
    word = "channels" if rank == 3 else "features"
    if vector == given and vector == made:
        return word
    if vector == given:
        return "in_" + word
    if vector == made:
        return "out_" + word
    return "mid_" + word


def _owner(places: list[tuple[int, str]]) -> tuple[int, str]:
    """The place that makes a width (a layer's out_channels), else the first that reads it."""
    return next((p for p in places if p[1].startswith("out_")), places[0])


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{n}"
    return candidate


def rank(name: str) -> int:
    """The order of arguments in a definition: the input's width, the output's, other widths, the rest."""
    if name in ("channels", "features") or name.startswith(("in_channels", "in_features")):
        return 0
    if name.startswith(("out_channels", "out_features")):
        return 1
    return 2 if name.endswith(("_channels", "_features")) else 3
