"""Project files (formats v1, v2 and v3): load, validate, save atomically.

Version 1 holds a chain; version 2 a graph that branches and joins; version 3
adds blocks (named sub-networks, ``designer.core.blocks``). All load; a
version-1 file keeps version 1's rules (``Graph.chain_only`` when it has a
fork or a join). A project is written as version 1 when its model is a chain
and it uses no merge, so that older versions still open it, as version 2
when it branches, and as version 3 when it defines blocks.

Every error is a ProjectError that names the file, the node and the field
(``lenet.json: nodes[3] (id "n3").params.kernel_size: must be at least 1, not 0``).
Keys this version does not know are kept and written back unchanged, so a
newer version's fields survive a round trip. Hostile files (deep nesting,
huge numbers, NaN, giant sizes) are refused with a ProjectError before they
can cost much time or memory.

This module is the entry point; the work is split by responsibility:
``project_read`` (parsing and validation), ``project_write`` (JSON data and
saving), ``project_files`` (safe file access), ``project_base`` (the shared
limits, ``Project`` and ``ProjectError``).
"""

from __future__ import annotations

import json  # noqa: F401 - tests patch json.loads through this module
import os

from designer.core.project_base import (FORMAT, MAX_DEPTH, MAX_DIGITS, MAX_EDGES, MAX_FILE_BYTES, MAX_NODES,
                                        MAX_POS, MAX_VALUES, VERSION, VERSIONS, Project, ProjectError)
from designer.core.project_files import read_regular_file, write_atomic
from designer.core.project_read import from_dict, loads
from designer.core.project_write import dumps, save, to_dict

__all__ = ["FORMAT", "MAX_DEPTH", "MAX_DIGITS", "MAX_EDGES", "MAX_FILE_BYTES", "MAX_NODES", "MAX_POS",
           "MAX_VALUES", "VERSION", "VERSIONS", "Project", "ProjectError", "dumps", "from_dict", "load", "loads",
           "read_regular_file", "save", "to_dict", "write_atomic"]


def load(path: str | os.PathLike) -> Project:
    """Read and validate a project file; raises ProjectError (never OSError or JSON errors)."""
    source = str(path)
    return loads(read_regular_file(path, MAX_FILE_BYTES, source), source)

