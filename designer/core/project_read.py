"""Reading a project: parse with limits, then validate every field into a Project.

Every error is a ProjectError that names the file, the node and the field
(``lenet.json: nodes[3] (id "n3").params.kernel_size: must be at least 1, not 0``);
inside a block's definition the field starts with the block
(``blocks.BasicBlock.nodes[1] (id "c1").params.stride: ...``).
"""

from __future__ import annotations

import math

from designer.core import blocks as blocks_, layers, safe_json, topology
from designer.core import training as settings
from designer.core.graph import Graph, Node
from designer.core.i18n import _
from designer.core.params import VALUE, Param, ParamError
from designer.core.project_base import (_BLOCK_KEYS, _EDGE_KEYS, _NODE_KEYS, _TOP_KEYS, FORMAT, MAX_DEPTH,
                                        MAX_DIGITS, MAX_EDGES, MAX_FILE_BYTES, MAX_NODES, MAX_POS, MAX_VALUES,
                                        VERSION, VERSIONS, Project, ProjectError, _key_text, _quote)
from designer.core.project_files import _too_big
from designer.core.safe_json import kind_of
from designer.core.topology import PORTS


def loads(text: str | bytes, source: str = "<project>") -> Project:
    """Parse and validate project JSON (text or UTF-8 bytes)."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_FILE_BYTES:
            raise _too_big(source)
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ProjectError(source, "", _("is not UTF-8 text (byte 0x{byte:02x} at offset {offset}); "
                                             "a project file is UTF-8 JSON").format(
                byte=text[exc.start], offset=exc.start)) from None
    elif len(text) > MAX_FILE_BYTES:
        raise _too_big(source)
    text = text.removeprefix("\ufeff")
    try:
        data = safe_json.parse(text, max_values=MAX_VALUES, max_depth=MAX_DEPTH, max_digits=MAX_DIGITS)
    except safe_json.UnsafeJSON as exc:
        raise _at(source, exc.root, exc.keys, exc.message) from None
    return from_dict(data, source)


def _at(source: str, data: object, keys: list, message: str) -> ProjectError:
    """A ProjectError for the value at ``keys`` (e.g. ["nodes", 3, "params"]), naming the node's id."""
    node_id = None
    parts = []
    for i, key in enumerate(keys):
        if isinstance(key, int):
            parts.append(f"[{key}]")
            if i == 1 and keys[0] == "nodes":
                node_id = _node_id_at(data, key)
                if node_id is not None:
                    parts.append(_(" (id {id})").format(id=_quote(node_id)))
            elif i == 3 and keys[0] == "blocks" and keys[2] == "nodes":
                inner = _node_id_at(data.get("blocks", {}).get(keys[1]) if isinstance(data, dict) else None, key)
                if inner is not None:
                    parts.append(_(" (id {id})").format(id=_quote(inner)))
        else:
            parts.append(("." if parts else "") + _key_text(key))
    return ProjectError(source, "".join(parts), message, node_id)


def _node_id_at(data: object, index: int) -> str | None:
    try:
        node_id = data["nodes"][index]["id"]
    except (KeyError, IndexError, TypeError):
        return None
    return node_id if isinstance(node_id, str) and node_id else None



# Validation ------------------------------------------------------------------

def from_dict(data: object, source: str = "<project>") -> Project:
    """Validate an already-parsed project and build it; raises ProjectError."""
    if not isinstance(data, dict):
        raise ProjectError(source, "", _("must hold a JSON object, not {kind}").format(kind=kind_of(data)))
    fmt = data.get("format")
    if fmt != FORMAT:
        if fmt is None:
            message = _('is missing; a NetDesigner project has "format": "{format}"').format(format=FORMAT)
        else:
            message = _('is {found}; a NetDesigner project has "format": "{format}"').format(
                found=_quote(fmt) if isinstance(fmt, str) else kind_of(fmt), format=FORMAT)
        raise ProjectError(source, "format", message)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        found = repr(version) if isinstance(version, float) else kind_of(version)
        raise ProjectError(source, "version", _("must be a whole number from 1 to {newest}, not {found}").format(
            newest=VERSION, found=found))
    if version not in VERSIONS:
        message = (_("is {version} (made by a newer NetDesigner); this NetDesigner reads versions 1 to {newest}")
                   if version > VERSION else _("is {version}; this NetDesigner reads versions 1 to {newest}"))
        raise ProjectError(source, "version", message.format(version=version, newest=VERSION))
    project = Project()
    if "name" in data:
        if not isinstance(data["name"], str):
            raise ProjectError(source, "name", _("must be text, not {kind}").format(kind=kind_of(data["name"])))
        project.name = data["name"]
    training = data.get("training")
    if training is not None:
        if not isinstance(training, dict):
            raise ProjectError(source, "training", _("must be an object, not {kind}").format(kind=kind_of(training)))
        _check_training(training, source)
        project.training = training
    weights = data.get("weights")
    if weights is not None:
        if not isinstance(weights, str):
            raise ProjectError(source, "weights", _("must be a file name, not {kind}").format(kind=kind_of(weights)))
        project.weights = weights
    signature = data.get("weights_signature")
    if signature is not None:
        if not isinstance(signature, str):
            raise ProjectError(source, "weights_signature",
                               _("must be text, not {kind}").format(kind=kind_of(signature)))
        project.weights_signature = signature
    if version >= 3 and data.get("blocks") is not None:
        _read_blocks(project.graph, data["blocks"], source)
    _read_nodes(project.graph, data.get("nodes"), source)
    _read_edges(project.graph, data.get("edges", []), source, version)
    if version == 1:
        project.graph.chain_only = topology.branches(project.graph)
    # Before version 3 "blocks" is nobody's key: kept as it is, like any unknown key.
    project.extra = {k: v for k, v in data.items() if k not in _TOP_KEYS or (k == "blocks" and version < 3)}
    return project


def _read_blocks(graph: Graph, raw: object, source: str) -> None:
    """Block definitions into ``graph.blocks``: every name and its arguments first (blocks may use
    blocks defined after them), then each graph, then no block may contain itself."""
    if not isinstance(raw, dict):
        raise ProjectError(source, "blocks", _("must be an object of block definitions by name, not {kind}").format(
            kind=kind_of(raw)))
    library = graph.blocks
    for name, body in raw.items():
        where = f"blocks.{_key_text(name)}"
        if not blocks_.valid_name(name):
            raise ProjectError(source, where, _("{name} cannot name a block: use letters, digits and _, starting "
                                                "with a letter, and no layer's name").format(name=_quote(name)))
        if not isinstance(body, dict):
            raise ProjectError(source, where, _("must be an object, not {kind}").format(kind=kind_of(body)))
        args = body.get("args", {})
        if not isinstance(args, dict):
            raise ProjectError(source, f"{where}.args", _("must be an object of arguments and their defaults, "
                                                          "not {kind}").format(kind=kind_of(args)))
        for arg, default in args.items():
            if not blocks_.valid_arg(arg):
                raise ProjectError(source, f"{where}.args.{_key_text(arg)}",
                                   _("{arg} cannot name an argument: use letters, digits and _").format(
                                       arg=_quote(arg)))
            try:
                Param(arg, VALUE).check(default)
            except ParamError as exc:
                raise ProjectError(source, f"{where}.args.{_key_text(arg)}", exc.message) from None
        library.add(name, args, Graph(library), {k: v for k, v in body.items() if k not in _BLOCK_KEYS})
    for name, body in raw.items():
        prefix = f"blocks.{_key_text(name)}."
        inner = library[name].graph
        try:
            _read_nodes(inner, body.get("nodes"), source, prefix)
            _read_edges(inner, body.get("edges", []), source, VERSION, prefix)
        except ProjectError as exc:
            raise ProjectError(source, exc.field, exc.message, None, name) from None
    for name in library:
        loop = library.loop(name)
        if loop:
            raise ProjectError(source, f"blocks.{_key_text(name)}", _(
                "contains itself ({loop}); a block cannot contain itself, directly or through others").format(
                loop=" › ".join(loop + [loop[0]])), None, name)


def _check_training(training: dict, source: str) -> None:
    """The settings a run would use, checked by the one settings model; other keys are kept unchecked."""
    try:
        settings.check(training)
    except settings.ConfigError as exc:
        raise ProjectError(source, exc.field, exc.message) from None


def _read_nodes(graph: Graph, raw_nodes: object, source: str, prefix: str = "") -> None:
    """The nodes into ``graph``; ``prefix`` is a block's field path (``blocks.BasicBlock.``)."""
    if not isinstance(raw_nodes, list):
        message = (_("is missing; a project lists its nodes") if raw_nodes is None else
                   _("must be a list, not {kind}; a project lists its nodes").format(kind=kind_of(raw_nodes)))
        raise ProjectError(source, f"{prefix}nodes", message)
    if len(raw_nodes) > MAX_NODES:
        raise ProjectError(source, f"{prefix}nodes", _("has {count:,} nodes; the limit is {limit:,}").format(
            count=len(raw_nodes), limit=MAX_NODES))
    where_input = None
    for i, raw in enumerate(raw_nodes):
        where = f"{prefix}nodes[{i}]"
        if not isinstance(raw, dict):
            raise ProjectError(source, where, _("must be an object, not {kind}").format(kind=kind_of(raw)))
        node_id = raw.get("id")
        if not isinstance(node_id, str) or not node_id:
            found = _("is missing") if node_id is None else _("must be non-empty text, not {kind}").format(
                kind=kind_of(node_id))
            raise ProjectError(source, f"{where}.id", found)
        where = f"{prefix}nodes[{i}]" + _(" (id {id})").format(id=_quote(node_id))
        if node_id in graph.nodes:
            first = list(graph.nodes).index(node_id)
            raise ProjectError(source, f"{where}.id", _("repeats the id of nodes[{first}]; ids must be unique").format(
                first=first),
                               node_id)
        type_name = raw.get("type")
        if not isinstance(type_name, str):
            found = (_("is missing") if type_name is None else
                     _("must be text, not {kind}").format(kind=kind_of(type_name)))
            raise ProjectError(source, f"{where}.type", found, node_id)
        spec = graph.spec(type_name)
        if spec is None:
            raise ProjectError(source, f"{where}.type", _suggest(type_name),
                               node_id)
        if graph.block is not None and type_name == graph.block.name:
            raise ProjectError(source, f"{where}.type", _("is the block itself; a block cannot contain itself"),
                               node_id)
        if type_name == "Input":
            if where_input is not None:
                raise ProjectError(source, f"{where}.type", _("is a second Input ({first} is the first); "
                                                              "a project has exactly one").format(first=where_input),
                                   node_id)
            where_input = where
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise ProjectError(source, f"{where}.params",
                               _("must be an object, not {kind}").format(kind=kind_of(params)),
                               node_id)
        for key, value in params.items():
            param = spec.param(key)
            if param is None:
                known = ", ".join(p.name for p in spec.params) or _("none")
                raise ProjectError(source, f"{where}.params.{_key_text(key)}",
                                   _("{type} has no parameter {key} (it takes: {known})").format(
                                       type=type_name, key=_quote(key), known=known), node_id)
            if graph.block is not None and blocks_.is_ref(value):
                if value[1:] not in graph.block.args:
                    known = ", ".join(graph.block.args) or _("none")
                    raise ProjectError(source, f"{where}.params.{_key_text(key)}",
                                       _("{ref} is not an argument of {block} (it takes: {known})").format(
                                           ref=_quote(value), block=graph.block.name, known=known), node_id)
                continue
            if graph.block is not None and type_name == "Input":
                raise ProjectError(source, f"{where}.params.{_key_text(key)}",
                                   _("a block's Input takes its shape from the wire into the block; remove it"),
                                   node_id)
            try:
                param.check(value)
            except ParamError as exc:
                raise ProjectError(source, f"{where}.params.{_key_text(key)}", exc.message, node_id) from None
        name = raw.get("name")
        if name is not None and not isinstance(name, str):
            raise ProjectError(source, f"{where}.name", _("must be text, not {kind}").format(kind=kind_of(name)),
                               node_id)
        pos = raw.get("pos", [0, 0])
        if not (isinstance(pos, (list, tuple)) and len(pos) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)):
            raise ProjectError(source, f"{where}.pos", _("must be two numbers [x, y]"), node_id)
        if not all(math.isfinite(v) and abs(v) <= MAX_POS for v in pos):
            raise ProjectError(source, f"{where}.pos", _("must be two numbers between -{limit:g} and {limit:g}").format(
                limit=MAX_POS),
                               node_id)
        extra = {k: v for k, v in raw.items() if k not in _NODE_KEYS}
        # Built directly, not via Graph.add_node: everything above is already checked, and
        # a load must not emit an event per node.
        graph.nodes[node_id] = Node(node_id, type_name, dict(params), name, (float(pos[0]), float(pos[1])), extra)
    if where_input is None:
        message = (_("has no Input node; a block needs exactly one (the tensor that comes in)") if prefix else
                   _("has no Input node; a project needs exactly one (the shape of one sample)"))
        raise ProjectError(source, f"{prefix}nodes", message)


def _suggest(type_name: str) -> str:
    folded = {t.lower(): t for t in layers.CATALOG}
    guess = folded.get(type_name.lower().removeprefix("nn.").removeprefix("torch.nn."))
    if guess:
        return _('unknown layer type {type} (did you mean "{guess}"?)').format(type=_quote(type_name), guess=guess)
    return _("unknown layer type {type}").format(type=_quote(type_name))


def _read_edges(graph: Graph, raw_edges: object, source: str, version: int = VERSION, prefix: str = "") -> None:
    if not isinstance(raw_edges, list):
        raise ProjectError(source, f"{prefix}edges", _("must be a list, not {kind}").format(kind=kind_of(raw_edges)))
    if len(raw_edges) > MAX_EDGES:
        raise ProjectError(source, f"{prefix}edges", _("has {count:,} edges; the limit is {limit:,}").format(
            count=len(raw_edges), limit=MAX_EDGES))
    nodes = graph.nodes
    seen: dict[tuple[str, str], int] = {}
    ports: dict[tuple[str, int], int] = {}  # (target, port) -> edge index
    for i, raw in enumerate(raw_edges):
        where = f"{prefix}edges[{i}]"
        if not isinstance(raw, dict):
            raise ProjectError(source, where, _('must be an object {{"from": id, "to": id}}, not {kind}').format(
                kind=kind_of(raw)))
        ends = []
        for key in _EDGE_KEYS:
            value = raw.get(key)
            if not isinstance(value, str):
                found = _("is missing") if value is None else _("must be a node id (text), not {kind}").format(
                    kind=kind_of(value))
                raise ProjectError(source, f"{where}.{key}", found)
            if value not in nodes:
                raise ProjectError(source, f"{where}.{key}", _("no node has the id {id}").format(id=_quote(value)))
            ends.append(value)
        src, dst = ends
        if src == dst:
            raise ProjectError(source, where, _("node {id} feeds itself").format(id=_quote(src)), src)
        if nodes[dst].type == "Input":
            raise ProjectError(source, f"{where}.to",
                               _("{id} is the Input; nothing can feed it").format(id=_quote(dst)), dst)
        again = (src, dst) in seen
        if again and not (version >= 2 and getattr(graph.spec(nodes[dst].type), "merge", False)):
            raise ProjectError(source, where, _("repeats edges[{index}] ({src} → {dst})").format(
                index=seen[src, dst], src=src, dst=dst), dst)
        seen.setdefault((src, dst), i)  # a merge may take one output twice (x + x): torch does
        if version >= 2 and "port" in raw:
            port = raw["port"]
            if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port < MAX_EDGES:
                raise ProjectError(source, f"{where}.port", _("must be a whole number from 0, not {kind}").format(
                                   kind=kind_of(port))
                                   if not isinstance(port, int) or isinstance(port, bool) else
                                   _("must be a whole number from 0 to {last}, not {port}").format(
                                       last=MAX_EDGES - 1, port=port), dst)
            if (dst, port) in ports:
                raise ProjectError(source, f"{where}.port", _("repeats port {port} of {id} (edges[{index}] uses it); "
                                                              "each port is used once").format(
                                   port=port, id=_quote(dst), index=ports[dst, port]), dst)
            ports[dst, port] = i
        graph.edges.append((src, dst))
        extra = {k: v for k, v in raw.items() if k not in _EDGE_KEYS and k != PORTS}
        if again:  # each feed of a merge keeps its own port: "ports" lists them in edge order
            kept = graph.edge_extra.setdefault((src, dst), {})
            kept[PORTS] = kept.get(PORTS, [kept.get("port")]) + [extra.pop("port", None)]
            extra = {**extra, **kept}
        if extra:
            graph.edge_extra[(src, dst)] = extra
    cycle = _find_cycle(graph.edges)
    if cycle:
        loop = " → ".join(_quote(n) for n in cycle + [cycle[0]])
        raise ProjectError(source, f"{prefix}edges", _("form a cycle: {loop}; data must flow one way").format(loop=loop),
                           cycle[0])


def _find_cycle(edges: list[tuple[str, str]]) -> list[str]:
    """One cycle as a list of node ids, or [] (iterative DFS, linear time)."""
    out: dict[str, list[str]] = {}
    for s, d in edges:
        out.setdefault(s, []).append(d)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in out:
        if root in state:
            continue
        path, iters = [root], [iter(out.get(root, ()))]
        state[root] = 1
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(out.get(nxt, ())))
    return []


