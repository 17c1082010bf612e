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
from designer.core.i18n import _


def _err(message: str) -> None:
    print(_("new: {message}").format(message=message), file=sys.stderr)


def run(args) -> int:
    if args.list:
        width = max(len(t.id) for t in templates.TEMPLATES)
        for template in templates.TEMPLATES:
            default = _(" (default)") if template.id == templates.DEFAULT else ""
            entry = _("{title}{default}: {description}").format(title=_(template.title), default=default,
                                                                 description=templates.summary(template))
            print(f"{template.id:<{width}}  {entry}")
        return 0
    if not args.out:
        _err(_("give the file to write (new OUT.netproj.json), or --list to see the templates"))
        return 2
    try:
        template = templates.get(args.template or templates.DEFAULT)
    except KeyError as exc:
        _err(_("--template: {problem}; new --list shows them").format(problem=exc.args[0]))
        return 2
    out = Path(args.out)
    if out.exists() and not args.force:
        _err(_("{file}: already exists; choose another name, or pass --force to replace it").format(file=out))
        return 2
    try:
        project_io.save(templates.new_project(template.id), out)
    except project_io.ProjectError as exc:
        _err(str(exc))
        return 2
    print(_("wrote {file} (template {name}: {title})").format(file=out, name=template.id, title=_(template.title)))
    return 0
