"""Looking inside a model: each layer's output, its parameters and buffers, its filters.

Layer outputs are captured with forward hooks (``register_forward_hook``), the
way the PyTorch tutorial shows: the model runs once, unchanged, and each hook
keeps a copy of what its layer produced.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
from torch import nn

from designer.core.layers import IN_FORWARD

# Layers that behave differently in train() and eval() mode: the learner should see which mode is on.
MODE_DEPENDENT = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm)


@dataclass
class LayerOutput:
    """What one layer produced for one input.

    Attributes:
        name: the module's attribute name (its state_dict prefix), e.g. ``conv1``.
        type: the torch.nn class name.
        node_id: the graph node this layer was built from, when known (for a layer inside a block,
            the top-level block instance).
        output: the output without the batch dimension, detached, on the CPU.
        inner: for a layer inside a block, the node ids below ``node_id`` down to the layer
            (``("c1",)`` for ``layer1_0.conv1``); empty for a top-level layer.
    """

    name: str
    type: str
    node_id: str | None
    output: torch.Tensor
    inner: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.output.shape)


@dataclass
class StateEntry:
    """One entry of a model's state_dict, with the tutorial's distinction made explicit."""

    name: str
    kind: str  # "parameter" (learned by the optimizer) or "buffer" (state kept, not learned)
    shape: tuple[int, ...]
    numel: int
    trainable: bool


def layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The model's layers in forward order: the modules without sub-modules, by module path.

    One per graph node for a model of layers; a block's layers by their nested names (``layer1_0.conv1``).
    """
    return [(name, module) for name, module in model.named_modules() if name and next(module.children(), None) is None]


def node_names(model: nn.Module, path: Sequence[str], graph=None) -> dict[str, str]:
    """Map module names to graph node ids.

    With ``graph`` (the graph the model was built from, class style), each
    layer is found by its generated attribute name, so a graph that branches
    maps too. Without it, ``path`` is the model path from shape inference
    (Input first) of a chain: the built model has one child per node after
    the Input, in path order; if the counts differ the mapping is left empty
    rather than guessed.
    """
    names = [name for name, _ in layers(model)]
    if graph is not None:
        from designer.core.codegen_blocks import layer_paths

        paths = layer_paths(graph)
        mapping = {name: paths[name][0] for name in names if name in paths}
        return mapping if len(mapping) == len(names) else {}
    nodes = list(path)[1:]
    if len(names) != len(nodes):
        return {}
    return dict(zip(names, nodes))


def capture(model: nn.Module, x: torch.Tensor, path: Sequence[str] = (),
            graph=None) -> tuple[torch.Tensor, list[LayerOutput]]:
    """Run ``model`` on one batch ``x`` in eval mode and record every layer's output.

    With ``graph``, a merge (Add, Concat) and a Slice are recorded too: they are
    written in forward, not modules, so the output is taken as the input of the
    layer it feeds (or the model's output). The model's own train/eval mode is restored afterwards.

    Returns:
        The model's output and one LayerOutput per layer, in forward order, for sample 0.
    """
    ids = node_names(model, path, graph)
    inner: dict[str, tuple[str, ...]] = {}
    if graph is not None and ids:
        from designer.core.codegen_blocks import layer_paths

        inner = {name: ids_[1:] for name, ids_ in layer_paths(graph).items()}
    records: list[LayerOutput] = []
    handles = []

    def hook_for(name: str):
        def hook(module: nn.Module, inputs, output) -> None:
            if isinstance(output, torch.Tensor):
                # Copied now: a later ReLU(inplace=True) or ``x += identity`` would change what was recorded.
                records.append(LayerOutput(name, type(module).__name__, ids.get(name),
                                           output[0].detach().cpu().clone(),
                                           inner.get(name, ())))
        return hook

    def merge_hook(name: str, node_type: str, node_id: str, below: tuple[str, ...], after: bool = False):
        def hook(module: nn.Module, inputs, output=None) -> None:
            value = output if after else (inputs[0] if inputs else None)
            if isinstance(value, torch.Tensor):
                records.append(LayerOutput(name, node_type, node_id, value[0].detach().cpu().clone(), below))
        return hook

    modules = dict(layers(model))
    for name, module in modules.items():
        handles.append(module.register_forward_hook(hook_for(name)))
    last_merge = None
    if graph is not None and ids:
        for level_graph, prefix, owners in _levels(graph):
            idents = codegen_identifiers(level_graph)
            mp = level_graph.model_path()
            display = level_graph.generated_names()
            for merge in (n for n in mp.nodes if level_graph.nodes[n].type in IN_FORWARD):
                top = owners[0] if owners else merge
                below = (owners[1:] + (merge,)) if owners else ()
                label, kind = prefix + display[merge], level_graph.nodes[merge].type
                fed = next((n for n in mp.nodes if merge in mp.inputs.get(n, ()) and n in idents), None)
                if fed is not None:
                    module = model.get_submodule(prefix + idents[fed])
                    handles.append(module.register_forward_pre_hook(merge_hook(label, kind, top, below)))
                elif merge == mp.output and owners:  # a block's output: what its instance returns
                    module = model.get_submodule(prefix.rstrip("."))
                    handles.append(module.register_forward_hook(merge_hook(label, kind, top, below, after=True)))
                elif merge == mp.output:
                    last_merge = merge
    try:
        with evaluating(model):
            out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    if last_merge is not None and isinstance(out, torch.Tensor):
        records.append(LayerOutput(graph.generated_names()[last_merge], graph.nodes[last_merge].type, last_merge,
                                   out[0].detach().cpu().clone()))
    return out, records


def codegen_identifiers(graph) -> dict[str, str]:
    from designer.core.codegen import identifiers

    return identifiers(graph)


def _levels(graph, prefix: str = "", owners: tuple[str, ...] = ()):
    """The graph and every block instance's definition in the model: (graph, module path prefix, owner ids)."""
    yield graph, prefix, owners
    for node_id, ident in codegen_identifiers(graph).items():
        node = graph.nodes[node_id]
        if node.type in graph.blocks and not graph.blocks.loop(node.type):
            yield from _levels(graph.blocks[node.type].graph, f"{prefix}{ident}.", owners + (node_id,))


@contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """eval() mode without gradients for the block; the model's own mode comes back afterwards."""
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def probabilities(output: torch.Tensor) -> torch.Tensor:
    """Class probabilities from a model's output for one sample (K,) or a batch (N, K).

    A model that ends in Softmax or LogSoftmax already gives (log-)probabilities;
    anything else is treated as logits.
    """
    out = output.detach().float()
    total = out.sum(dim=-1)
    if bool((out >= 0).all()) and torch.allclose(total, torch.ones_like(total), atol=1e-4):
        return out
    if bool((out <= 0).all()) and torch.allclose(out.exp().sum(dim=-1), torch.ones_like(total), atol=1e-4):
        return out.exp()
    return torch.softmax(out, dim=-1)


def classify(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Probabilities for a batch ``x`` (N, K), in eval mode without gradients; the mode is restored."""
    with evaluating(model):
        out = model(x)
    return probabilities(out.reshape(out.shape[0], -1))


def state_entries(model: nn.Module) -> list[StateEntry]:
    """Every parameter, then every buffer, with shapes (what ``state_dict()`` will hold)."""
    entries = [StateEntry(name, "parameter", tuple(p.shape), p.numel(), p.requires_grad)
               for name, p in model.named_parameters()]
    entries += [StateEntry(name, "buffer", tuple(b.shape), b.numel(), False)
                for name, b in model.named_buffers()]
    return entries


def mode_dependent(model: nn.Module) -> list[tuple[str, str]]:
    """(name, type) of the layers whose behaviour depends on train()/eval() mode."""
    return [(name, type(module).__name__) for name, module in model.named_modules()
            if isinstance(module, MODE_DEPENDENT)]


def conv_filters(module: nn.Module) -> torch.Tensor:
    """A convolution's learned filters as (out_channels, in_channels, kH, kW), detached.

    For ConvTranspose2d (whose weight is stored in, out) the first two axes are swapped
    so that axis 0 is always the output channel.
    """
    if isinstance(module, nn.ConvTranspose2d):
        return module.weight.detach().cpu().transpose(0, 1)
    if isinstance(module, nn.Conv2d):
        return module.weight.detach().cpu()
    raise TypeError(f"{type(module).__name__} has no convolution filters")
