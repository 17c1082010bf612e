"""The order and the tensor names of a generated ``forward`` for a graph that branches.

The code reads as a person writes it: the working tensor is ``x``; a value
that a later merge needs again is kept as ``identity = x`` before ``x`` moves
on; the branches of a fork each get a name (the first layer's, as torchvision's
Inception does: ``branch_1x1 = self.branch_1x1(x)``); a merge is
``x = x + identity`` or ``x = torch.cat([a, b], dim=1)``.

The planner works on *units*: a unit is one layer (class style) or one chain
of layers (compact style), or a merge. Each unit produces one value, named by
the id of the unit's last node.
"""

from __future__ import annotations

from dataclasses import dataclass

# Names a tensor must not take: they would shadow what forward uses.
TAKEN = frozenset({"self", "torch", "nn", "x", "OrderedDict", "INPUT_SHAPE", "Net", "build_model"})


@dataclass
class Line:
    """One statement of forward: ``target = <unit applied to sources>``, after ``saves`` (``identity = x``)."""

    unit: str
    target: str
    sources: list[str]  # variable names, in input order
    saves: list[tuple[str, str]]  # (new name, value id) kept before this line
    kept: str | None = None  # the value id the saves hold (for its shape comment)


def order(output: str, inputs: dict[str, list[str]], start: str) -> list[str]:
    """Units in the order forward computes them: a merge right after its inputs, branches one by one."""
    done: set[str] = {start}
    out: list[str] = []
    stack: list[tuple[str, int]] = [(output, 0)]
    while stack:
        unit, index = stack.pop()
        if unit in done:
            continue
        sources = inputs.get(unit, ())
        if index < len(sources):
            stack.append((unit, index + 1))
            if sources[index] not in done:
                stack.append((sources[index], 0))
            continue
        done.add(unit)
        out.append(unit)
    return out


def plan(units: list[str], inputs: dict[str, list[str]], merges: set[str], names: dict[str, str],
         start: str) -> tuple[list[Line], str]:
    """Variable names for each unit's result; returns the lines and the name returned at the end.

    Args:
        units: in the order of ``order``.
        inputs: unit -> the values (unit ids, or ``start``) it reads, in order.
        merges: the units that are merges.
        names: unit -> the name a branch starting with it would take.
        start: the Input's id; its value is ``x``, the argument of forward.
    """
    consumers: dict[str, list[str]] = {}
    for unit in units:
        for source in inputs[unit]:
            consumers.setdefault(source, []).append(unit)
    remaining = {value: len(users) for value, users in consumers.items()}
    emitted: set[str] = set()
    holder = {start: "x"}  # value -> variable
    value_in = {"x": start}  # variable -> value (live ones only)
    lines: list[Line] = []

    def fresh(base: str) -> str:
        candidate, n = base, 1
        while candidate in value_in or candidate in TAKEN:
            n += 1
            candidate = f"{base}_{n}"
        return candidate

    for unit in units:
        sources = inputs[unit]
        variables = [holder[s] for s in sources]
        for source in sources:
            remaining[source] -= 1
        dead = {s for s in sources if remaining[s] == 0}
        in_x = value_in.get("x")
        x_free = in_x is None or in_x in dead
        saves: list[tuple[str, str]] = []
        if unit in merges:
            target = "x" if x_free else fresh(names[unit])
        else:
            source = sources[0]
            users = consumers[source]
            if source in dead and len(users) > 1 and holder[source] == "x" and not merges.intersection(users):
                target = fresh(names[unit])  # the last branch of a fork is named like the others
            elif source in dead:
                target = holder[source]
            elif holder[source] == "x" and all(c in merges for c in users if c not in emitted and c != unit):
                # A skip connection: keep the value for the merge, carry on in x.
                kept = fresh("identity")
                saves.append((kept, source))
                holder[source] = kept
                value_in[kept] = source
                target = "x"
            else:
                target = fresh(names[unit])
        for source in dead:
            variable = holder.pop(source)
            if value_in.get(variable) == source:
                del value_in[variable]
        if value_in.get(target) is not None and target != "x":
            raise AssertionError(f"{target} still holds a value")  # never: fresh() picks free names
        holder[unit] = target
        value_in[target] = unit
        emitted.add(unit)
        lines.append(Line(unit, target, variables, saves, saves[0][1] if saves else None))
    return lines, holder[units[-1]] if units else "x"
