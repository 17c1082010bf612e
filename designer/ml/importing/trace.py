"""Record what a model's ``forward`` really does, by running it on a real tensor.

Part of the import child (it runs inside the sandbox and needs only torch).
Symbolic tracing cannot follow Python control flow over sizes (a
``num_flat_features`` loop, ``x.view(x.size(0), -1)``), so the forward runs
for real: forward hooks record every call of a built-in ``torch.nn`` layer and
a ``TorchFunctionMode`` records every functional operation in between. Each
record says which recorded tensors it read, the shapes it saw and the line of
the user's file it came from; ``describe`` turns the records into plain JSON
layer entries for the parent.
"""

import linecache
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from designer.core.i18n import N_, _
from designer.ml.importing import calls, idioms, scopes

T = torch.Tensor
TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
# Functional calls that are catalog layers: callable -> (type, parameter names in positional order).
FUNCTIONS = {
    F.relu: ("ReLU", ()), torch.relu: ("ReLU", ()), T.relu: ("ReLU", ()), F.relu_: ("ReLU", ()),
    torch.relu_: ("ReLU", ()), T.relu_: ("ReLU", ()),
    torch.sigmoid: ("Sigmoid", ()), F.sigmoid: ("Sigmoid", ()), T.sigmoid: ("Sigmoid", ()),
    torch.tanh: ("Tanh", ()), F.tanh: ("Tanh", ()), T.tanh: ("Tanh", ()),
    F.gelu: ("GELU", ("approximate",)),
    F.leaky_relu: ("LeakyReLU", ("negative_slope",)),
    F.softmax: ("Softmax", ("dim",)), torch.softmax: ("Softmax", ("dim",)), T.softmax: ("Softmax", ("dim",)),
    F.log_softmax: ("LogSoftmax", ("dim",)), torch.log_softmax: ("LogSoftmax", ("dim",)),
    T.log_softmax: ("LogSoftmax", ("dim",)),
    F.max_pool2d: ("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")),
    torch.max_pool2d: ("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode")),
    F.avg_pool2d: ("AvgPool2d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                                 "divisor_override")),
    F.adaptive_avg_pool2d: ("AdaptiveAvgPool2d", ("output_size",)),
    F.dropout: ("Dropout", ("p", "training", "inplace")),
    F.dropout2d: ("Dropout2d", ("p", "training", "inplace")),
    F.dropout1d: ("Dropout1d", ("p", "training", "inplace")),
    F.alpha_dropout: ("AlphaDropout", ("p", "training", "inplace")),
    F.relu6: ("ReLU6", ("inplace",)),
    F.hardswish: ("Hardswish", ("inplace",)), F.hardsigmoid: ("Hardsigmoid", ("inplace",)),
    F.silu: ("SiLU", ("inplace",)), F.elu: ("ELU", ("alpha", "inplace")),
    F.adaptive_max_pool2d: ("AdaptiveMaxPool2d", ("output_size", "return_indices")),
    F.pad: ("pad", ("pad", "mode", "value")),
    F.interpolate: ("Upsample", ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor",
                                 "antialias")),
    F.channel_shuffle: ("ChannelShuffle", ("groups",)), torch.channel_shuffle: ("ChannelShuffle", ("groups",)),
    T.mean: ("mean", ("dim", "keepdim")), torch.mean: ("mean", ("dim", "keepdim")),
}
# Names the report uses for the functional calls above (the learner wrote one of these).
RESHAPES = {T.view, T.reshape, torch.reshape, T.flatten, torch.flatten, T.unflatten, torch.unflatten}
PASS_THROUGH = {T.contiguous, T.clone, T.detach, T.float, T.cpu, T.to}  # same values, same shape
MERGES = {T.add: "Add", torch.add: "Add", T.__add__: "Add", T.__radd__: "Add", T.add_: "Add",
          T.__iadd__: "Add", torch.cat: "Concat", torch.concat: "Concat", torch.concatenate: "Concat",
          T.mul: "Mul", torch.mul: "Mul", T.__mul__: "Mul", T.__rmul__: "Mul", T.mul_: "Mul", T.__imul__: "Mul"}
IGNORED = {"inplace", "training", "return_indices", "_stacklevel", "dtype", "recompute_scale_factor", "antialias"}
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
# Words for operations a learner may write that have no block.
WORDS = {"mul": N_("multiplying"), "__mul__": N_("multiplying"), "__rmul__": N_("multiplying"),
         "div": N_("dividing"), "__truediv__": N_("dividing"), "sub": N_("subtracting"),
         "__sub__": N_("subtracting"), "__rsub__": N_("subtracting"), "matmul": N_("a matrix product"),
         "__matmul__": N_("a matrix product"), "permute": N_("reordering dimensions"),
         "transpose": N_("swapping dimensions"), "unsqueeze": N_("adding a dimension"),
         "squeeze": N_("removing a dimension"), "__getitem__": N_("indexing or slicing"), "mean": N_("an average"),
         "sum": N_("a sum"), "conv2d": N_("F.conv2d with its own weights"),
         "linear": N_("F.linear with its own weights"), "interpolate": N_("resizing (interpolate)"),
         "add": N_("adding"), "__add__": N_("adding"), "cat": N_("joining tensors (torch.cat)"),
         "pad": N_("padding (F.pad)")}


class Stop(Exception):
    """Raised by a hook to end a forward early (the shape search needs only its start)."""


def _tensors(value):
    if isinstance(value, T):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


def _plain(value):
    """A JSON-friendly copy of a value, or raise TypeError."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list, torch.Size)):
        return [_plain(v) for v in value]
    raise TypeError(type(value).__name__)


def _name(func) -> str:
    return getattr(func, "__name__", None) or type(func).__name__


class Recorder(TorchFunctionMode):
    """Records leaf-layer calls and functional operations on tensors that flow from the input.

    Records are dicts: ``kind`` ("module" or "function"), ``target`` (the
    module path or the callable), ``args``/``kwargs``, ``inputs`` (indices of
    the records whose outputs were read; -1 is the model's input), ``in_shape``,
    ``out_shape``, ``line`` and ``source`` (in the user's file).
    """

    def __init__(self, model: nn.Module, user_file: str, fold_batch: bool = True):
        super().__init__()
        self.user_file = user_file
        self.fold_batch = fold_batch  # replace a reshape that joins the batch by a flatten per sample
        self.keep_outputs = False
        self.records: list[dict] = []
        self.owner: dict[int, int] = {}  # id(tensor) -> index of the record that made it
        self.keep: list = []  # tensors stay alive so that their ids are not reused
        self.depth = 0  # inside a leaf layer: its own functional calls are not recorded
        self.folds: list[int] = []
        self.handles = []
        self.modules = dict(model.named_modules())
        self.first_linear = None  # the shape search stops at the first Linear
        self.stop_at_linear = False
        self.scope: list[list] = []  # the user's modules the forward is inside: [path, class, call, container]
        self._entered: list[bool] = []
        self._calls = 0
        for path, module in model.named_modules():
            if _leaf(module):
                self.handles.append(module.register_forward_pre_hook(self._pre(path, module), with_kwargs=True))
                self.handles.append(module.register_forward_hook(self._post(path, module), with_kwargs=True))
            elif path:
                self.handles.append(module.register_forward_pre_hook(self._enter(path, module)))
                self.handles.append(module.register_forward_hook(self._leave()))

    def close(self):
        for handle in self.handles:
            handle.remove()

    def start(self, tensor):
        self.owner = {id(tensor): -1}
        self.outputs = {}  # record index -> its output for the first sample (with keep_outputs)
        self.keep = [tensor]
        self.records = []
        self.folds = []

    def _where(self):
        """(line, source, file) of the call: in the user's file (file None), else in a library's (torchvision's)."""
        frame = sys._getframe(2)
        library = None
        while frame is not None and frame.f_code.co_filename != self.user_file:
            name = frame.f_code.co_filename
            if library is None and not name.startswith(TORCH_DIR) and name != __file__:
                library = frame
            frame = frame.f_back
        if frame is None:
            if library is None:
                return None, "", None
            name = library.f_code.co_filename
            return library.f_lineno, linecache.getline(name, library.f_lineno).strip(), os.path.basename(name)
        return frame.f_lineno, linecache.getline(self.user_file, frame.f_lineno).strip(), None

    def _inputs(self, args, kwargs):
        found = []
        for tensor in _tensors((args, kwargs)):
            index = self.owner.get(id(tensor))
            if index is not None and index not in found:
                found.append(index)
        return found

    def _add(self, record, out):
        self.records.append(record)
        index = len(self.records) - 1
        if self.keep_outputs and isinstance(out, T) and out.dim():
            self.depth += 1  # the copy is the recorder's, not the model's: not recorded
            try:
                self.outputs[index] = out[0].detach().clone()  # before an in-place operation changes it
            finally:
                self.depth -= 1
        for tensor in _tensors(out):
            self.owner[id(tensor)] = index
            self.keep.append(tensor)

    def _enter(self, path, module):
        def hook(mod, args):
            entered = self.depth == 0
            if entered:
                self._calls += 1
                self.scope.append([path, type(mod).__name__, str(self._calls), type(mod) in CONTAINERS])
            self._entered.append(entered)
        return hook

    def _leave(self):
        def hook(mod, args, out):
            if self._entered.pop():
                self.scope.pop()
        return hook

    def _pre(self, path, module):
        def hook(mod, args, kwargs):
            if self.depth == 0:
                if self.stop_at_linear and isinstance(mod, nn.Linear):
                    shapes = [tuple(t.shape) for t in _tensors(args)]
                    self.first_linear = (mod.in_features, mod.out_features, shapes[0] if shapes else None)
                    raise Stop()
                line, source, file = self._where()
                self._pending = (line, source, file, self._inputs(args, kwargs),
                                 [tuple(t.shape) for t in _tensors(args)])
            self.depth += 1
        return hook

    def _post(self, path, module):
        def hook(mod, args, kwargs, out):
            self.depth -= 1
            if self.depth == 0:
                line, source, file, inputs, in_shapes = self._pending
                if inputs:
                    self._add({"kind": "module", "target": path, "module": mod, "inputs": inputs,
                               "scope": scopes.of(self.scope, path, self.modules),
                               "in_shapes": in_shapes, "out_shape": _shape_of(out), "line": line,
                               "source": source, "file": file}, out)
        return hook

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if self.depth or not any(True for _t in _tensors(out)):
            return out  # inside a layer, or a size, a dimension count, a number
        inputs = self._inputs(args, kwargs)
        if not inputs:
            return out  # a tensor built from constants
        first = next(_tensors(args), None)
        in_shape = tuple(first.shape) if first is not None else None
        if func in RESHAPES and self.fold_batch and isinstance(out, T) and in_shape and _folds(in_shape, out.shape):
            out = first.flatten(1)  # the forward goes on as the project will compute it
            self.folds.append(len(self.records))
        line, source, file = self._where()
        # A copy of the lists: DenseNet's torch.cat(features, 1) reads a list that later layers append to.
        args, kwargs = _snapshot(args), _snapshot(kwargs)
        record = {"kind": "function", "target": func, "args": args[1:] if func not in MERGES else args,
                  "scope": scopes.of(self.scope, None, self.modules),
                  "kwargs": kwargs, "inputs": inputs, "in_shapes": [tuple(t.shape) for t in _tensors(args)],
                  "out_shape": _shape_of(out), "line": line, "source": source, "file": file}
        if func in idioms.SPLITS and isinstance(out, (tuple, list)) and first is not None:
            # Each piece of x.chunk(2, dim=1) is a record of its own: the part of x it holds.
            for piece, part in zip(idioms.pieces(record, first.dim(), out), out):
                self._add({**record, "piece": piece, "out_shape": _shape_of(part)}, part)
            return out
        self._add(record, out)
        return out


def _snapshot(value):
    """``value`` with its lists, tuples and dicts copied (their tensors, numbers and slices are shared)."""
    if isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        return type(value)(_snapshot(v) for v in value) if type(value) in (list, tuple) else value
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return value


def _leaf(module) -> bool:
    """A built-in torch.nn layer (not a container): recorded as one call."""
    cls = type(module)
    return cls.__module__.startswith("torch.nn.") and not isinstance(module, CONTAINERS)


def _shape_of(out):
    return tuple(out.shape) if isinstance(out, T) else None


def _folds(in_shape, out_shape) -> bool:
    """A reshape that joins the samples of a batch: (B, ...) -> (1, B*n) or (B*n,)."""
    return (len(in_shape) >= 1 and in_shape[0] > 1 and math.prod(in_shape) == math.prod(out_shape)
            and (len(out_shape) == 1 or (len(out_shape) == 2 and out_shape[0] == 1)))


def run(model, tensor, user_file, stop_at_linear=False, fold_batch=True, keep_outputs=False):
    """Run ``model(tensor)`` under a Recorder; returns (recorder, output)."""
    recorder = Recorder(model, user_file, fold_batch)
    recorder.keep_outputs = keep_outputs
    recorder.stop_at_linear = stop_at_linear
    recorder.start(tensor)
    out = None
    try:
        with torch.no_grad(), recorder:
            out = model(tensor)
    except Stop:
        pass
    finally:
        recorder.close()
    return recorder, out


def layer_name(path, modules):
    """A layer's name from its attribute path: conv.0 -> conv_0, blocks.0.conv -> blocks_0_conv.

    A named step of an nn.Sequential keeps its own name (stem.conv1 -> conv1); a bare index stays a number
    (a top-level nn.Sequential's 0, 1, ...), so the export writes the file's own state_dict keys.
    """
    segments, parts = path.split("."), []
    for i, segment in enumerate(segments):
        parent = modules.get(".".join(segments[:i]))
        parts = [segment] if isinstance(parent, nn.Sequential) and not segment.isdigit() else parts + [segment]
    return "_".join(parts)


def describe_module(module, catalog):
    """Type and constructor arguments read back from a layer's attributes."""
    name = type(module).__name__
    if name not in catalog or getattr(nn, name, None) is not type(module):
        return {"type": None, "what": _("{layer} has no block in NetDesigner").format(layer=f"nn.{name}")}
    if name == "Upsample":
        return _checked(calls.upsample({k: getattr(module, k) for k in ("size", "scale_factor", "mode",
                                                                        "align_corners")}))
    params = {}
    for key in catalog[name]:
        if key == "bias":  # LayerNorm without elementwise_affine has no bias whatever it was given
            params[key] = module.bias is not None or not getattr(module, "elementwise_affine", True)
        elif hasattr(module, key):
            params[key] = _plain(getattr(module, key))
    if getattr(module, "return_indices", False):
        return {"type": None, "what": _("{layer} with return_indices=True returns two tensors").format(
            layer=f"nn.{name}")}
    return {"type": name, "params": params}


def describe_function(record, catalog):
    """A catalog entry for one functional call, or the reason there is none."""
    func = record["target"]
    if func in RESHAPES:
        return idioms.reshape(record)
    if func in idioms.SLICES or record.get("piece"):
        return idioms.part(record)
    if func in PASS_THROUGH:
        if record["in_shapes"][:1] == [record["out_shape"]]:
            return {"type": "pass"}
        return {"type": None, "what": _("{call} changes the tensor's shape").format(call=f"`.{_name(func)}(...)`")}
    if func in MERGES:
        return _merge(record)
    if func not in FUNCTIONS:
        words = _(WORDS[_name(func)]) if _name(func) in WORDS else f"`{_name(func)}`"
        return {"type": None, "what": _("{layer} has no block in NetDesigner").format(layer=words)}
    type_name, names = FUNCTIONS[func]
    params = dict(zip(names, record["args"]))
    params.update(record["kwargs"])
    rank = len(record["in_shapes"][0]) if record["in_shapes"] else 0
    try:
        if type_name == "pad":
            return _checked(calls.pad(params, rank))
        if type_name == "mean":
            return _checked(calls.mean(params, rank))
        if type_name == "Upsample":
            return _checked(calls.upsample(params))
    except TypeError as exc:
        return {"type": None, "what": _("{layer} with an argument of type {type} computed in forward").format(
            layer=_name(func), type=exc)}
    if params.get("return_indices"):
        return {"type": None, "what": _("{layer} with return_indices=True returns two tensors").format(
            layer=type_name)}
    if type_name == "AvgPool2d" and params.get("divisor_override") is not None:
        return {"type": None, "what": _("avg_pool2d with divisor_override has no block")}
    entry = {"type": type_name}
    if type_name in ("Dropout", "Dropout2d", "Dropout1d", "AlphaDropout") and params.get("training", True) \
            and params.get("p", 0.5) > 0:
        entry["note"] = _("{call} without training=self.training drops values in eval() too; the project's "
                          "{layer} is off in eval()").format(call=f"F.{_name(func)}(...)", layer=type_name)
    if type_name in ("Softmax", "LogSoftmax") and params.get("dim") is None:
        rank = len(record["in_shapes"][0])
        params["dim"] = 0 if rank in (0, 1, 3) else 1  # torch's implicit choice (_get_softmax_dim)
        entry["note"] = _("{layer} without dim: torch picks dim={dim}; the project says so").format(
            layer=type_name, dim=params["dim"])
    try:
        entry["params"] = {k: _plain(v) for k, v in params.items() if k not in IGNORED}
    except TypeError as exc:
        return {"type": None, "what": _("{layer} with an argument of type {type} computed in forward").format(
            layer=type_name, type=exc)}
    if type_name in ("MaxPool2d", "AvgPool2d") and entry["params"].get("stride") in ([], None):
        entry["params"].pop("stride", None)  # torch: stride defaults to kernel_size
    return entry


def _checked(entry):
    """An entry with JSON-plain parameters; raises TypeError for a value that is not."""
    if entry.get("params") is not None:
        entry["params"] = {k: _plain(v) for k, v in entry["params"].items()}
    return entry


def _merge(record):
    type_name = MERGES[record["target"]]
    tensors = list(_tensors(record["args"]))
    if type_name == "Concat" and len(tensors) == 1 and record["inputs"]:
        return {"type": "pass"}  # torch.cat([x], 1) is x: DenseNet's first layer joins a list of one
    if len(tensors) < 2 or len(tensors) != len(record["inputs"]):
        what = {"Add": _("adding a tensor that does not come from another layer (a number, a weight or the same "
                         "tensor twice) has no block"),
                "Mul": _("multiplying by a number, a weight or a tensor that does not come from another layer has "
                         "no block")}.get(type_name) or _(
            "joining (torch.cat) a tensor that does not come from another layer (a number, a weight or the same "
            "tensor twice) has no block")
        return {"type": None, "what": what}
    if type_name == "Mul":
        return {"type": "Mul", "params": {}}
    if type_name == "Add":
        if record["kwargs"].get("alpha", 1) != 1:
            return {"type": None, "what": _("adding with alpha has no block")}
        return {"type": "Add", "params": {}}
    dim = record["args"][1] if len(record["args"]) > 1 else record["kwargs"].get("dim", 0)
    return {"type": "Concat", "params": {"dim": int(dim)}}


def describe(recorder, output, catalog):
    """The recorded forward as JSON layer entries; raises ValueError with a learner's message."""
    records = recorder.records
    for index in recorder.folds:
        records[index]["folded"] = True
    tensors = list(_tensors(output))
    if not isinstance(output, T):
        if len(tensors) > 1:
            raise ValueError(_("forward returns {count} tensors; a model here returns one tensor").format(
                count=len(tensors)))
        raise ValueError(_("forward returns {type}; a model here returns one tensor").format(
            type=type(output).__name__))
    end = recorder.owner.get(id(output))
    if end is None:
        raise ValueError(_("forward returns a tensor that does not come from its input"))
    used, todo = set(), [end]
    while todo:  # only what the output depends on: a print(x.mean()) in forward is not a layer
        index = todo.pop()
        if index >= 0 and index not in used:
            used.add(index)
            todo.extend(records[index]["inputs"])
    entries, calls = [], {}
    shuffles = idioms.shuffles(records, used, RESHAPES, PASS_THROUGH)
    for index in sorted(used):
        record = records[index]
        if index in shuffles:
            entry = {"path": None, "call": _name(record["target"]), **shuffles[index]}
        elif record["kind"] == "module":
            entry = {"path": record["target"], "name": layer_name(record["target"], recorder.modules),
                     **describe_module(record["module"], catalog)}
            if any(True for _t in record["module"].parameters(recurse=True)):
                calls.setdefault(record["target"], []).append(index)
        else:
            entry = {"path": None, "call": _name(record["target"]), **describe_function(record, catalog)}
        entry.update(index=index, inputs=record["inputs"], line=record["line"], source=record["source"],
                     scope=record.get("scope", []),
                     file=record.get("file"),
                     out_shape=list(record["out_shape"]) if record["out_shape"] else None)
        entries.append(entry)
    shared = {path: [records[i]["line"] for i in uses] for path, uses in calls.items() if len(uses) > 1}
    return {"layers": entries, "output": end, "shared": shared}
