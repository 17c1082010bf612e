"""Another version of the ``designer`` package in the same process, to time it beside this one.

A shared machine's load changes from one minute to the next, so a figure
measured now and one measured before a change cannot be compared; the same
work timed in turns, now by this checkout's code and now by another's (say
main's, ``git worktree add /tmp/base main``), in one process, can. ``Version``
loads the other checkout's modules under their own names and swaps them into
``sys.modules`` while it runs, so that imports done inside functions find the
right version too.
"""

from __future__ import annotations

import importlib
import sys
from contextlib import contextmanager
from pathlib import Path


def _ours() -> dict:
    return {name: module for name, module in sys.modules.items()
            if name == "designer" or name.startswith("designer.")}


class Version:
    """The ``designer`` modules of one checkout (``root``), or those already imported (``root`` None)."""

    def __init__(self, root: Path | None, modules: tuple[str, ...]):
        self.root = root
        if root is None:
            for name in modules:
                importlib.import_module(name)
            self._modules = _ours()
            return
        current = _ours()
        for name in current:
            del sys.modules[name]
        sys.path.insert(0, str(root))
        try:
            for name in modules:
                importlib.import_module(name)
            self._modules = _ours()
        finally:
            sys.path.remove(str(root))
            for name in self._modules:
                sys.modules.pop(name, None)
            sys.modules.update(current)
        where = Path(self._modules["designer"].__file__).resolve()
        if Path(root).resolve() not in where.parents:
            raise SystemExit(f"{root} has no designer package of its own (found {where})")

    def __getitem__(self, name: str):
        """A module of this version: ``version["designer.core.shapes"]``."""
        return self._modules[name]

    @contextmanager
    def active(self):
        """This version's modules in ``sys.modules`` for the duration."""
        saved = _ours()
        for name in saved:
            del sys.modules[name]
        sys.modules.update(self._modules)
        try:
            yield self
        finally:
            for name in _ours():
                self._modules.setdefault(name, sys.modules[name])  # imported on the way: keep it
                del sys.modules[name]
            sys.modules.update(saved)
