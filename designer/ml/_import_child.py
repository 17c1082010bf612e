"""Child process of the importer: runs a user's .py and describes its model as a chain.

Run as ``python _import_child.py MODEL.py REQUEST.json RESULT.json``. It needs
only torch (it does not import designer), runs in its own process with a time
and output limit set by the parent (``designer.ml.importer``), and writes its
findings to RESULT.json: the user's file may print anything to stdout.
"""

import importlib.util
import json
import operator
import sys
import traceback

import torch
import torch.nn.functional as F
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp

SHAPE_GUESSES = ((28, 28), (32, 32))

# Functional calls that are catalog layers: name -> (type, parameter names in positional order).
FUNCTIONS = {
    F.relu: ("ReLU", ()), torch.relu: ("ReLU", ()),
    torch.sigmoid: ("Sigmoid", ()), F.sigmoid: ("Sigmoid", ()),
    torch.tanh: ("Tanh", ()), F.tanh: ("Tanh", ()),
    F.gelu: ("GELU", ("approximate",)),
    F.leaky_relu: ("LeakyReLU", ("negative_slope",)),
    F.softmax: ("Softmax", ("dim",)), torch.softmax: ("Softmax", ("dim",)),
    F.log_softmax: ("LogSoftmax", ("dim",)), torch.log_softmax: ("LogSoftmax", ("dim",)),
    F.max_pool2d: ("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")),
    torch.max_pool2d: ("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode")),
    F.avg_pool2d: ("AvgPool2d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                                 "divisor_override")),
    F.adaptive_avg_pool2d: ("AdaptiveAvgPool2d", ("output_size",)),
    torch.flatten: ("Flatten", ("start_dim", "end_dim")),
    F.dropout: ("Dropout", ("p",)),
}
METHODS = {"relu": ("ReLU", ()), "sigmoid": ("Sigmoid", ()), "tanh": ("Tanh", ()),
           "softmax": ("Softmax", ("dim",)), "log_softmax": ("LogSoftmax", ("dim",)),
           "flatten": ("Flatten", ("start_dim", "end_dim"))}
RESHAPES = {"view", "reshape"}
META_METHODS = {"size", "dim"}  # x.size(0) feeds a view's arguments, not the chain
DEFAULTS = {"Flatten": {"start_dim": 0}}  # torch.flatten's defaults differ from nn.Flatten's
IGNORED = {"inplace", "training", "return_indices"}  # functional flags with no catalog effect


class ImportProblem(Exception):
    """A reason the file cannot become a chain; the message is shown to the user."""


def load(path):
    spec = importlib.util.spec_from_file_location("imported_model", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["imported_model"] = module
    sys.path.insert(0, str(__import__("pathlib").Path(path).resolve().parent))  # sibling imports work
    spec.loader.exec_module(module)
    return module


def find_model(module):
    """The model: build_model(), else the one nn.Module instance, else the one nn.Module class."""
    factory = getattr(module, "build_model", None)
    if callable(factory):
        model = factory()
        if not isinstance(model, nn.Module):
            raise ImportProblem(f"build_model() returned {type(model).__name__}, not an nn.Module")
        return model, "build_model()"
    instances = [(k, v) for k, v in vars(module).items() if isinstance(v, nn.Module) and not k.startswith("_")]
    if len(instances) == 1:
        return instances[0][1], instances[0][0]
    classes = [(k, v) for k, v in vars(module).items() if isinstance(v, type) and issubclass(v, nn.Module)
               and v.__module__ == module.__name__]
    if len(classes) > 1:
        # A class used as a block inside another is not the model: keep the outermost ones.
        names = {k for k, _ in classes}
        used = set()
        for _, cls in classes:
            source_names = getattr(cls.__init__, "__code__", None)
            used.update(n for n in (source_names.co_names if source_names else ()) if n in names)
        classes = [(k, v) for k, v in classes if k not in used] or classes
    if len(classes) == 1:
        name, cls = classes[0]
        try:
            return cls(), f"{name}()"
        except TypeError as exc:
            raise ImportProblem(f"{name}() needs arguments ({exc}); add a build_model() function that "
                                "returns the model") from None
    found = [k for k, _ in instances] + [k for k, _ in classes]
    if not found:
        raise ImportProblem("no model found: define build_model(), an nn.Sequential, or one nn.Module class")
    raise ImportProblem(f"several models found ({', '.join(found[:8])}); add a build_model() function that "
                        "returns the one to import")


def plain(value):
    """A JSON-friendly copy of an attribute value, or raise TypeError."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list, torch.Size)):
        return [plain(v) for v in value]
    raise TypeError(type(value).__name__)


def describe_module(module, catalog):
    """Type and constructor arguments read back from a module's attributes."""
    name = type(module).__name__
    if name not in catalog or getattr(nn, name, None) is not type(module):
        return {"type": None, "class": f"{type(module).__module__}.{type(module).__qualname__}"}
    params = {}
    for key in catalog[name]:
        if key == "bias":
            params[key] = module.bias is not None
        elif hasattr(module, key):
            params[key] = plain(getattr(module, key))
    if name == "AvgPool2d" and module.divisor_override is not None:
        return {"type": None, "class": "torch.nn.AvgPool2d with divisor_override"}
    if getattr(module, "return_indices", False):
        return {"type": None, "class": f"torch.nn.{name} with return_indices=True"}
    return {"type": name, "params": params}


def describe_call(type_name, names, node):
    args = node.args[1:]
    if any(isinstance(a, fx.Node) for a in list(args) + list(node.kwargs.values())):
        raise ImportProblem(f"{node.name}: {type_name} arguments computed in forward are not supported")
    params = dict(DEFAULTS.get(type_name, {}))
    params.update(dict(zip(names, args)))
    params.update(node.kwargs)
    if type_name == "AvgPool2d" and params.get("divisor_override") is not None:
        return {"type": None, "class": "F.avg_pool2d with divisor_override"}
    if params.pop("return_indices", False):
        return {"type": None, "class": f"{type_name} with return_indices=True"}
    if type_name == "Dropout" and not params.pop("training", True):
        return {"type": "Identity", "params": {}}
    params = {k: plain(v) for k, v in params.items() if k not in IGNORED}
    if type_name in ("MaxPool2d", "AvgPool2d") and params.get("stride") in ([], None):
        params.pop("stride", None)  # torch: stride defaults to kernel_size
    return {"type": type_name, "params": params}


def sequential_chain(root, catalog):
    """Modules of an nn.Sequential in order, nested Sequentials flattened."""
    chain = []

    def walk(seq, prefix):
        for key, sub in seq.named_children():
            path = f"{prefix}{key}"
            if type(sub) is nn.Sequential:
                walk(sub, path + ".")
            else:
                chain.append({"path": path, **describe_module(sub, catalog)})

    walk(root, "")
    return chain


def is_plain_sequential(model):
    return isinstance(model, nn.Sequential) and type(model).forward is nn.Sequential.forward


def traced_chain(root, catalog, example):
    """The forward of any module, recovered as a chain by torch.fx."""
    try:
        graph_module = fx.symbolic_trace(root)
    except Exception as exc:
        raise ImportProblem(f"forward could not be traced by torch.fx ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None
    if example is not None:
        ShapeProp(graph_module).propagate(example)
    nodes = list(graph_module.graph.nodes)
    inputs = [n for n in nodes if n.op == "placeholder"]
    if len(inputs) != 1:
        raise ImportProblem(f"forward takes {len(inputs)} inputs; a chain takes exactly one")
    meta = {n for n in nodes if (n.op == "call_method" and n.target in META_METHODS)
            or (n.op == "call_function" and n.target is getattr and n.args[1:] == ("shape",))}
    chain, previous = [], inputs[0]
    modules = dict(graph_module.named_modules())
    for node in nodes:
        if node.op == "placeholder" or node in meta:
            continue
        if node.op == "output":
            if node.args[0] is not previous:
                raise ImportProblem("forward does not return the end of a single chain")
            break
        if node.op == "call_function" and node.target is operator.getitem and all(
                isinstance(a, fx.Node) and a in meta for a in node.args[:1]):
            meta.add(node)
            continue
        tensor_inputs = [a for a in node.all_input_nodes if a not in meta]
        if tensor_inputs != [previous]:
            used = ", ".join(a.name for a in tensor_inputs) or "nothing"
            raise ImportProblem(f"forward is not a single chain: {node.name} uses {used}, "
                                f"not only {previous.name} (branches and skips are not supported in v1)")
        users = [u for u in previous.users if u not in meta]
        if len(users) > 1:
            raise ImportProblem(f"forward is not a single chain: {previous.name} feeds "
                                f"{', '.join(u.name for u in users)}")
        chain.append(describe_node(node, modules, catalog))
        previous = node
    return chain


def describe_node(node, modules, catalog):
    if node.op == "call_module":
        return {"path": node.target, **describe_module(modules[node.target], catalog)}
    if node.op == "call_function" and node.target in FUNCTIONS:
        return {"path": None, "call": node.name, **describe_call(*FUNCTIONS[node.target], node)}
    if node.op == "call_method" and node.target in METHODS:
        return {"path": None, "call": node.name, **describe_call(*METHODS[node.target], node)}
    if (node.op == "call_method" and node.target in RESHAPES) or (
            node.op == "call_function" and node.target is torch.reshape):
        shape_in = getattr(node.all_input_nodes[0].meta.get("tensor_meta"), "shape", None)
        shape_out = getattr(node.meta.get("tensor_meta"), "shape", None)
        if shape_in is not None and shape_out is not None and len(shape_out) == 2 \
                and shape_out[0] == shape_in[0] and shape_out[1] == shape_in[1:].numel():
            return {"path": None, "call": node.name, "type": "Flatten", "params": {"start_dim": 1}}
        return {"path": None, "call": node.name, "type": None,
                "class": f"{node.target} that is not a flatten to (N, features)"}
    target = getattr(node.target, "__name__", str(node.target))
    return {"path": None, "call": node.name, "type": None, "class": f"{node.op} {target}"}


def input_shape_for(module, model, given):
    """The input shape: the request's, INPUT_SHAPE, or a guess that runs; and whether it was assumed."""
    if given:
        return list(given), False
    declared = getattr(module, "INPUT_SHAPE", None)
    if isinstance(declared, (list, tuple)) and declared and all(isinstance(d, int) for d in declared):
        return list(declared), False
    first = next((m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm2d))), None)
    if isinstance(first, nn.Linear):
        return [first.in_features], True
    channels = first.in_channels if isinstance(first, nn.Conv2d) else getattr(first, "num_features", 1)
    for height, width in SHAPE_GUESSES:
        try:
            with torch.no_grad():
                model.eval()(torch.zeros(2, channels, height, width))
            return [channels, height, width], True
        except Exception:
            continue
    return [channels, 28, 28], True


def describe(py_path, request):
    """Run the file and describe its model; returns (result dict, tensors or None)."""
    result, tensors = {"ok": False}, None
    try:
        torch.manual_seed(0)
        module = load(py_path)
        model, origin = find_model(module)
        model.eval()
        shape, assumed = input_shape_for(module, model, request.get("input_shape"))
        result.update(origin=origin, input_shape=shape, assumed=assumed)
        gen = torch.Generator().manual_seed(request.get("seed", 0))
        probe = torch.randn((request.get("batch", 2), *shape), generator=gen)
        if is_plain_sequential(model):
            chain = sequential_chain(model, request["catalog"])
        else:
            chain = traced_chain(model, request["catalog"], probe)
        result["chain"] = chain
        try:
            with torch.no_grad():
                output = model(probe)
        except Exception as exc:
            raise ImportProblem(f"the model does not run on input shape {shape}: {exc}") from None
        tensors = {"state": model.state_dict(), "probe": probe, "output": output}
        result["ok"] = True
    except ImportProblem as exc:
        result["error"] = str(exc)
    except Exception as exc:  # the user's code failed: report its last frame, not ours
        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f"line {f.lineno}: " for f in reversed(frames) if f.filename == py_path), "")
        result["error"] = f"{where}{type(exc).__name__}: {exc}"[:500]
    return result, tensors


def main():
    py_path, request_path, result_path = sys.argv[1:4]
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    result, tensors = describe(py_path, request)
    if tensors is not None:
        torch.save(tensors, request["tensors"])
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
