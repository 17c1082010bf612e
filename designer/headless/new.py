"""``new OUT.netproj.json [--template NAME] [--force]`` and ``new --list``: start from a bundled template.

The templates are the files the app offers under File ▸ New from Template,
read from inside the package (``importlib.resources``), so this works from an
installed wheel. Exit codes: 0 written (or listed), 2 an unknown template, an
existing file without --force, or a file that cannot be written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from designer.core import project as project_io
from designer.core import templates


def _err(message: str) -> None:
    print(f"new: {message}", file=sys.stderr)


def run(args) -> int:
    if args.list:
        width = max(len(t.id) for t in templates.TEMPLATES)
        for template in templates.TEMPLATES:
            default = " (default)" if template.id == templates.DEFAULT else ""
            print(f"{template.id:<{width}}  {template.title}{default}: {template.description}")
        return 0
    if not args.out:
        _err("give the file to write (new OUT.netproj.json), or --list to see the templates")
        return 2
    try:
        template = templates.get(args.template or templates.DEFAULT)
    except KeyError as exc:
        _err(f"--template: {exc.args[0]}; new --list shows them")
        return 2
    out = Path(args.out)
    if out.exists() and not args.force:
        _err(f"{out}: already exists; choose another name, or pass --force to replace it")
        return 2
    try:
        project_io.save(templates.new_project(template.id), out)
    except project_io.ProjectError as exc:
        _err(str(exc))
        return 2
    print(f"wrote {out} (template {template.id}: {template.title})")
    return 0
