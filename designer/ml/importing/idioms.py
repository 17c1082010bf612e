"""Reshapes written by hand that are one layer: Flatten, Unflatten, and a channel shuffle.

Part of the import child, next to ``trace`` (torch only). ``reshape`` reads
one ``view``/``reshape``/``flatten`` record; ``shuffles`` finds ShuffleNet's
channel shuffle written as three calls (``x.view(b, g, c // g, h, w)``, a swap
of dimensions 1 and 2 by ``transpose`` or ``permute``, and a reshape back to
``(b, c, h, w)``), which is ``nn.ChannelShuffle(g)``: the first two calls pass
their input on and the last is the layer.
"""

from __future__ import annotations

import math

import torch

from designer.core.i18n import _

T = torch.Tensor
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
