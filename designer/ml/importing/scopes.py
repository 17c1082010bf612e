"""Which of the user's modules each recorded operation ran inside (part of the import child: torch only).

The recorder keeps a stack of module calls, ``[path, class, call, plain container]``; ``of`` gives one record's
scope from it, outermost first. ``designer.ml.importing.structure`` turns the scopes into blocks.
"""

from torch import nn


def of(stack, path, modules):
    """The scope of one record: the modules it ran inside, outermost first, with the ModuleLists among them.

    A ModuleList is never called, so a layer of ``self.blocks[i]`` is placed inside ``blocks`` from its path.
    """
    scope, previous = [], ""
    for entry in [*stack, [path]] if path else stack:
        segments = entry[0].split(".")
        start = len(previous.split(".")) if previous else 0
        for i in range(start + 1, len(segments)):
            ancestor = ".".join(segments[:i])
            if isinstance(modules.get(ancestor), (nn.ModuleList, nn.ModuleDict)):
                scope.append([ancestor, type(modules[ancestor]).__name__, "list:" + ancestor, True])
        if len(entry) > 1:
            scope.append(list(entry))
        previous = entry[0]
    return scope
