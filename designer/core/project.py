"""Project files (formats v1 and v2): load, validate, save atomically.

Version 1 holds a chain; version 2 a graph that branches and joins. Both
load; a version-1 file keeps version 1's rules (``Graph.chain_only`` when it
has a fork or a join). A project is written as version 1 when its model is a
chain and it uses no merge, so that older versions still open it, and as
version 2 when it branches.

Every error is a ProjectError that names the file, the node and the field
(``lenet.json: nodes[3] (id "n3").params.kernel_size: must be at least 1, not 0``).
Keys this version does not know are kept and written back unchanged, so a
newer version's fields survive a round trip. Hostile files (deep nesting,
huge numbers, NaN, giant sizes) are refused with a ProjectError before they
can cost much time or memory.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from designer.core import layers, safe_json, topology
from designer.core import training as settings
from designer.core.graph import Graph, Node
from designer.core.i18n import N_, _
from designer.core.params import ParamError
from designer.core.safe_json import kind_of

FORMAT = "netdesigner.project"
VERSION = 2  # the newest version this reads and writes
VERSIONS = (1, 2)

MAX_FILE_BYTES = 20_000_000  # refused before parsing
MAX_VALUES = 1_000_000  # rough count of JSON values, checked before parsing
MAX_DEPTH = 64  # nesting levels anywhere in the file
MAX_NODES = 10_000
MAX_EDGES = 50_000
MAX_DIGITS = 30  # a whole number with more digits than this is absurd in a project
MAX_POS = 1e9  # canvas coordinates

_TOP_KEYS = ("format", "version", "name", "nodes", "edges", "training", "weights", "weights_signature")
_NODE_KEYS = ("id", "type", "params", "pos", "name")
_EDGE_KEYS = ("from", "to")


class ProjectError(ValueError):
    """A project file that cannot be read or written; ``str()`` names the file and the field.

    Attributes:
        source: the file (or ``<project>`` for text without a file).
        field: where in the file, e.g. ``nodes[3] (id "n3").params.kernel_size``; "" for the whole file.
        message: what is wrong, in words.
        node_id: the node at fault, when there is one (the window can select it).
    """

    def __init__(self, source: str, field_path: str, message: str, node_id: str | None = None):
        where = f"{source}: {field_path}: " if field_path else f"{source}: "
        super().__init__(where + message)
        self.source = source
        self.field = field_path
        self.message = message
        self.node_id = node_id


@dataclass
class Project:
    """A graph plus everything else the file holds."""

    graph: Graph = field(default_factory=Graph)
    name: str = "Untitled"
    training: dict = field(default_factory=dict)
    weights: str | None = None  # state_dict file, relative to the project file
    weights_signature: str | None = None  # what those weights belong to (designer.ml.models.signature)
    extra: dict = field(default_factory=dict)  # unknown top-level keys, in file order


# Reading ---------------------------------------------------------------------

def load(path: str | os.PathLike) -> Project:
    """Read and validate a project file; raises ProjectError (never OSError or JSON errors)."""
    source = str(path)
    return loads(read_regular_file(path, MAX_FILE_BYTES, source), source)


def read_regular_file(path: str | os.PathLike, limit: int, source: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raises ProjectError naming ``source``.

    A named pipe, a device or a socket is refused without reading from it: reading
    one could wait for ever (a FIFO nobody writes to) or never end (/dev/zero).
    """
    source = str(path) if source is None else source
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ProjectError(source, "", _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    mode, size = (info := os.fstat(fd)).st_mode, info.st_size
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ProjectError(source, "", _("is {kind}, not a regular file; only regular files are read").format(
            kind=_file_kind(mode)))
    if size > limit:
        os.close(fd)
        raise _too_big(source, limit)
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as handle:
        try:
            # at most one byte past the limit: a file that grows while it is read cannot exhaust memory
            payload = handle.read(limit + 1)
        except OSError as exc:
            raise ProjectError(source, "", _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    if len(payload) > limit:
        raise _too_big(source, limit)
    return payload


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, N_("a folder")), (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
             (stat.S_ISSOCK, N_("a socket")),
             (stat.S_ISCHR, N_("a device")), (stat.S_ISBLK, N_("a device")))
    name = next((name for test, name in kinds if test(mode)), None)
    return _(name) if name else _("a special file")


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
        else:
            parts.append(("." if parts else "") + _key_text(key))
    return ProjectError(source, "".join(parts), message, node_id)


def _node_id_at(data: object, index: int) -> str | None:
    try:
        node_id = data["nodes"][index]["id"]
    except (KeyError, IndexError, TypeError):
        return None
    return node_id if isinstance(node_id, str) and node_id else None


def _key_text(key: str) -> str:
    key = str(key)
    return key if key.isidentifier() and len(key) <= 40 else _quote(key)


def _quote(text: str, limit: int = 40) -> str:
    """``text`` in double quotes, escaped and shortened, safe to print anywhere."""
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    return json.dumps(text)




def _too_big(source: str, limit: int = MAX_FILE_BYTES) -> ProjectError:
    return ProjectError(source, "", _("is larger than {size:g} MB; too large for a project file").format(
        size=limit / 1_000_000))


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
        raise ProjectError(source, "version", _("must be the whole number 1 or 2, not {found}").format(found=found))
    if version not in VERSIONS:
        message = (_("is {version} (made by a newer NetDesigner); this NetDesigner reads versions 1 and 2")
                   if version > VERSION else _("is {version}; this NetDesigner reads versions 1 and 2"))
        raise ProjectError(source, "version", message.format(version=version))
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
    _read_nodes(project.graph, data.get("nodes"), source)
    _read_edges(project.graph, data.get("edges", []), source, version)
    if version == 1:
        project.graph.chain_only = topology.branches(project.graph)
    project.extra = {k: v for k, v in data.items() if k not in _TOP_KEYS}
    return project


def _check_training(training: dict, source: str) -> None:
    """The settings a run would use, checked by the one settings model; other keys are kept unchecked."""
    try:
        settings.check(training)
    except settings.ConfigError as exc:
        raise ProjectError(source, exc.field, exc.message) from None


def _read_nodes(graph: Graph, raw_nodes: object, source: str) -> None:
    if not isinstance(raw_nodes, list):
        message = (_("is missing; a project lists its nodes") if raw_nodes is None else
                   _("must be a list, not {kind}; a project lists its nodes").format(kind=kind_of(raw_nodes)))
        raise ProjectError(source, "nodes", message)
    if len(raw_nodes) > MAX_NODES:
        raise ProjectError(source, "nodes", _("has {count:,} nodes; the limit is {limit:,}").format(
            count=len(raw_nodes), limit=MAX_NODES))
    where_input = None
    for i, raw in enumerate(raw_nodes):
        where = f"nodes[{i}]"
        if not isinstance(raw, dict):
            raise ProjectError(source, where, _("must be an object, not {kind}").format(kind=kind_of(raw)))
        node_id = raw.get("id")
        if not isinstance(node_id, str) or not node_id:
            found = _("is missing") if node_id is None else _("must be non-empty text, not {kind}").format(
                kind=kind_of(node_id))
            raise ProjectError(source, f"{where}.id", found)
        where = f"nodes[{i}]" + _(" (id {id})").format(id=_quote(node_id))
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
        spec = layers.get(type_name)
        if spec is None:
            raise ProjectError(source, f"{where}.type", _suggest(type_name),
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
        raise ProjectError(source, "nodes",
                           _("has no Input node; a project needs exactly one (the shape of one sample)"))


def _suggest(type_name: str) -> str:
    folded = {t.lower(): t for t in layers.CATALOG}
    guess = folded.get(type_name.lower().removeprefix("nn.").removeprefix("torch.nn."))
    if guess:
        return _('unknown layer type {type} (did you mean "{guess}"?)').format(type=_quote(type_name), guess=guess)
    return _("unknown layer type {type}").format(type=_quote(type_name))


def _read_edges(graph: Graph, raw_edges: object, source: str, version: int = VERSION) -> None:
    if not isinstance(raw_edges, list):
        raise ProjectError(source, "edges", _("must be a list, not {kind}").format(kind=kind_of(raw_edges)))
    if len(raw_edges) > MAX_EDGES:
        raise ProjectError(source, "edges", _("has {count:,} edges; the limit is {limit:,}").format(
            count=len(raw_edges), limit=MAX_EDGES))
    nodes = graph.nodes
    seen: dict[tuple[str, str], int] = {}
    ports: dict[tuple[str, int], int] = {}  # (target, port) -> edge index
    for i, raw in enumerate(raw_edges):
        where = f"edges[{i}]"
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
        if (src, dst) in seen:
            raise ProjectError(source, where, _("repeats edges[{index}] ({src} → {dst})").format(
                index=seen[src, dst], src=src, dst=dst), dst)
        seen[src, dst] = i
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
        extra = {k: v for k, v in raw.items() if k not in _EDGE_KEYS}
        if extra:
            graph.edge_extra[(src, dst)] = extra
    cycle = _find_cycle(graph.edges)
    if cycle:
        loop = " → ".join(_quote(n) for n in cycle + [cycle[0]])
        raise ProjectError(source, "edges", _("form a cycle: {loop}; data must flow one way").format(loop=loop),
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


# Writing ---------------------------------------------------------------------

def to_dict(project: Project) -> dict:
    """The project as plain JSON data, keys in a fixed order (unknown keys last, as read)."""
    graph = project.graph
    nodes = []
    for node in graph.nodes.values():
        item = {"id": node.id, "type": node.type, "params": node.params, "pos": [_num(node.pos[0]), _num(node.pos[1])]}
        if node.name is not None:
            item["name"] = node.name
        item.update((k, v) for k, v in node.extra.items() if k not in item)
        nodes.append(item)
    edges = []
    for s, d in graph.edges:
        edge = {"from": s, "to": d}
        edge.update((k, v) for k, v in graph.edge_extra.get((s, d), {}).items() if k not in edge)
        edges.append(edge)
    version = 2 if not graph.chain_only and topology.branches(graph) else 1
    data = {"format": FORMAT, "version": version, "name": project.name, "nodes": nodes, "edges": edges}
    if project.training:
        data["training"] = project.training
    if project.weights:
        data["weights"] = project.weights
        if project.weights_signature:
            data["weights_signature"] = project.weights_signature
    data.update((k, v) for k, v in project.extra.items() if k not in data and k not in _TOP_KEYS)
    return data


def dumps(project: Project) -> str:
    """The file text: deterministic (same project, same text), UTF-8-ready, ending in a newline."""
    return json.dumps(to_dict(project), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def save(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, then rename over the target.

    Raises ProjectError when it cannot write; the old file is then left as it was.
    """
    try:
        payload = dumps(project).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:  # NaN, surrogates, a non-JSON value
        raise ProjectError(str(path), "", _("cannot be saved: the project holds a value JSON cannot store "
                                            "({reason})").format(
                               reason=exc)) \
            from None
    try:
        write_atomic(Path(path), payload)
    except OSError as exc:
        raise ProjectError(str(path), "", _("cannot be saved ({reason}); the old file is unchanged").format(
                               reason=exc.strerror or exc)) \
            from None


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that readers see the old or the new file, never half of one."""
    path = Path(os.path.realpath(path))  # replace a symlink's target, not the link
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        mode = None  # a new file: os.open below applies the umask to 0o666
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_project(template: str | None = None) -> Project:
    """A fresh project from a template id (see ``designer.core.templates``); the default is LeNet 28x28."""
    from designer.core import templates

    return templates.new_project(template)


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v
