"""Reshapes and slices written by hand that are one layer: Flatten, Unflatten, a channel shuffle, Slice.

Part of the import child, next to ``trace`` (torch only). ``reshape`` reads
one ``view``/``reshape``/``flatten`` record; ``shuffles`` finds ShuffleNet's
channel shuffle written as three calls (``x.view(b, g, c // g, h, w)``, a swap
of dimensions 1 and 2 by ``transpose`` or ``permute``, and a reshape back to
``(b, c, h, w)``), which is ``nn.ChannelShuffle(g)``: the first two calls pass
their input on and the last is the layer. ``part`` reads a slice of one
dimension (``x[:, :c]``, ``x.narrow(1, 0, c)``, a piece of ``x.chunk(2,
dim=1)`` or ``x.split(c, 1)``) as a Slice.
"""

from __future__ import annotations

import math

import torch

from designer.core.i18n import _

T = torch.Tensor
SPLITS = {T.chunk, torch.chunk, T.split, torch.split, T.tensor_split, torch.tensor_split}
SLICES = {T.__getitem__, T.narrow, torch.narrow}
SWAPS = {T.transpose, torch.transpose, T.permute, torch.permute, T.swapaxes, torch.swapaxes, T.swapdims,
         torch.swapdims}


def dims(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def reshape(record) -> dict:
    """The layer one reshape is: ``pass`` (no change), Flatten, Unflatten, or the reason there is none."""
    before, after = record["in_shapes"][0], record["out_shape"]
    if record.get("folded"):
        return {"type": "Flatten", "params": {"start_dim": 1},
                "note": _("joins the whole batch into one row, so the original only worked for one sample at "
                          "a time; the project flattens each sample instead (Flatten)")}
    if tuple(before) == tuple(after):
        return {"type": "pass"}
    n = len(before)
    for start in range(1, n):
        for end in range(start, n):
            joined = tuple(before[:start]) + (math.prod(before[start:end + 1]),) + tuple(before[end + 1:])
            if joined == tuple(after):
                return {"type": "Flatten", "params": {"start_dim": start, "end_dim": -1 if end == n - 1 else end}}
    grown = len(after) - n + 1  # the dimension that one splits into (a GAN's x.view(-1, 64, 4, 4))
    if len(after) > 4:
        return {"type": None, "what": _("reshaping {before} to {after} gives a sample of more than three "
                                        "dimensions, and has no block").format(before=dims(before[1:]),
                                                                              after=dims(after[1:]))}
    for dim in range(1, n):
        parts = tuple(after[dim:dim + grown])
        if grown > 1 and tuple(before[:dim]) + parts + tuple(before[dim + 1:]) == tuple(after) \
                and math.prod(parts) == before[dim]:
            return {"type": "Unflatten", "params": {"dim": dim, "unflattened_size": list(parts)}}
    return {"type": None, "what": _("reshaping {before} to {after} is neither a flatten nor an unflatten, and has no "
                                    "block").format(before=dims(before[1:]), after=dims(after[1:]))}


def _swaps_1_and_2(record) -> bool:
    """Whether a transpose/permute record swaps dimensions 1 and 2 and keeps the others in place."""
    rank = len(record["in_shapes"][0])
    args, kwargs = list(record["args"]), record["kwargs"]
    if record["target"] in (T.permute, torch.permute):
        order = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args or kwargs.get("dims")
        try:
            order = [int(d) % rank for d in order]
        except (TypeError, ValueError):
            return False
        return order == [0, 2, 1, *range(3, rank)]
    pair = args + [kwargs[k] for k in ("dim0", "dim1", "axis0", "axis1") if k in kwargs]
    try:
        return len(pair) == 2 and sorted(int(d) % rank for d in pair) == [1, 2]
    except (TypeError, ValueError):
        return False


def shuffles(records, used, reshapes, passes) -> dict[int, dict]:
    """Entries for the records of each channel shuffle written by hand: index -> entry.

    Args:
        records: the recorder's records; used: the indices the output depends on.
        reshapes, passes: the callables that reshape, and those that pass a tensor on unchanged.
    """
    readers: dict[int, list[int]] = {}
    for index in used:
        for source in records[index]["inputs"]:
            readers.setdefault(source, []).append(index)

    def back(index):
        """The record before ``index`` through pass-throughs (``.contiguous()``), and the ones passed."""
        passed = []
        while True:
            inputs = records[index]["inputs"]
            if len(inputs) != 1 or inputs[0] < 0:
                return None, passed
            source = inputs[0]
            if readers.get(source) != [index]:  # another layer reads the tensor in between: not one layer
                return None, passed
            record = records[source]
            if record["kind"] != "function" or record["target"] not in passes:
                return source, passed
            passed.append(source)
            index = source

    found = {}
    for index in sorted(used):
        last = records[index]
        if last["kind"] != "function" or last["target"] not in reshapes:
            continue
        swap, passed = back(index)
        if swap is None or records[swap]["kind"] != "function" or records[swap]["target"] not in SWAPS \
                or not _swaps_1_and_2(records[swap]):
            continue
        split, more = back(swap)
        if split is None or records[split]["kind"] != "function" or records[split]["target"] not in reshapes:
            continue
        before, grouped = tuple(records[split]["in_shapes"][0]), tuple(records[split]["out_shape"])
        if len(before) < 3 or tuple(last["out_shape"]) != before or len(grouped) != len(before) + 1 \
                or grouped[0] != before[0] or grouped[3:] != before[2:] or grouped[1] * grouped[2] != before[1]:
            continue
        for step in (split, swap, *passed, *more):
            found[step] = {"type": "pass"}
        found[index] = {"type": "ChannelShuffle", "params": {"groups": grouped[1]}}
    return found


def pieces(record, rank: int, out) -> list[tuple[int, int, int, int]]:
    """(dim, start, end, size) of each piece a split call returned, in order."""
    args, kwargs = record["args"], record["kwargs"]
    dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    dim = int(dim) % rank
    size = record["in_shapes"][0][dim]
    found, start = [], 0
    for piece in out:
        found.append((dim, start, start + piece.shape[dim], size))
        start += piece.shape[dim]
    return found


def _refused(what: str) -> dict:
    return {"type": None, "what": what}


def _slice(dim: int, start: int, stop: int, size: int) -> dict:
    if dim == 0:
        return _refused(_("slicing the batch (dimension 0) has no block: a model here treats each sample alike"))
    if stop <= start:
        return _refused(_("an empty slice has no block"))
    if (start, stop) == (0, size):
        return {"type": "pass"}
    return {"type": "Slice", "params": {"dim": dim, "start": start, "end": None if stop == size else stop}}


def part(record) -> dict:
    """A Slice for ``x[:, a:b]``, ``x.narrow(dim, start, length)`` or one piece of a split; else the reason."""
    shape = record["in_shapes"][0]
    if record.get("piece"):
        dim, start, stop, size = record["piece"]
        return _slice(dim, start, stop, size)
    args, kwargs = list(record["args"]), record["kwargs"]
    if record["target"] is not T.__getitem__:
        names = ("dim", "start", "length")
        given = dict(zip(names, args), **{k: kwargs[k] for k in names if k in kwargs})
        try:
            dim, start, length = (int(given[k]) for k in names)
        except (KeyError, TypeError, ValueError):
            return _refused(_("narrow with an argument computed from a tensor has no block"))
        dim %= len(shape)
        start %= shape[dim]
        return _slice(dim, start, start + length, shape[dim])
    index = args[0] if args else None
    if isinstance(index, list) and index and all(item is Ellipsis or isinstance(item, slice) for item in index):
        index = tuple(index)  # torch reads a list of slices as a tuple (onnx2torch's Slice writes one)
    items = list(index) if isinstance(index, tuple) else [index]
    if items.count(Ellipsis) > 1 or any(not (item is Ellipsis or isinstance(item, slice)) for item in items):
        return _refused(_("indexing (a number, None, a list or a tensor in x[...]) has no block; a slice of one "
                          "dimension (x[:, 2:5]) has"))
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items = items[:at] + [slice(None)] * (len(shape) - len(items) + 1) + items[at + 1:]
    cut = [(d, item) for d, item in enumerate(items) if item != slice(None)]
    if not cut:
        return {"type": "pass"}
    if len(cut) > 1:
        return _refused(_("slicing two dimensions at once (x[:, a:b, c:d]) has no block: write one Slice per "
                          "dimension"))
    dim, item = cut[0]
    try:
        start, stop, step = item.indices(shape[dim])
    except TypeError:
        return _refused(_("a slice with an end computed from a tensor has no block"))
    if step != 1:
        return _refused(_("a slice with a step (x[:, ::2]) has no block"))
    return _slice(dim, start, stop, shape[dim])
