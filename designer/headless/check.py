"""``netdesigner check FILE... [--json]``: a fast linter for project files.

Infers every node's output shape and reports errors, without importing torch
(only ``designer.core``, which is pure Python), so it runs in a fraction of a
second. Exit status: 0 all valid, 1 some graph invalid, 2 a file could not be read.
"""

from __future__ import annotations

import json
import sys
import unicodedata

from designer.core import project
from designer.core.i18n import _, ngettext
from designer.core.receptive import receptive_fields
from designer.core.shapes import infer

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def check_file(path: str) -> tuple[dict, list[str]]:
    """Check one file; returns the spec's JSON object and the table lines for humans."""
    try:
        proj = project.load(path)
    except project.ProjectError as exc:
        return _unreadable(path, str(exc)), [f"{_safe(str(exc))}", "  " + _("cannot be read: not checked")]
    try:
        shapes = infer(proj.graph)
    except Exception as exc:  # a bug must not become a traceback for a linter; report it per file
        internal = _("{file}: internal error while checking ({error})")
        return _unreadable(path, internal.format(file=path, error=f"{type(exc).__name__}: {exc}")), \
            [internal.format(file=_safe(path), error=f"{type(exc).__name__}: {_safe(str(exc))}")]
    graph = proj.graph
    fields = receptive_fields(graph, shapes)
    nodes = []
    for node_id, node in graph.nodes.items():
        result = shapes.nodes.get(node_id)
        field = fields.get(node_id)
        nodes.append({"id": node_id, "type": node.type,
                      "output_shape": _shape(result.out_shape) if result and result.error is None else None,
                      "error": result.error if result else None,
                      "receptive_field": list(field.size) if field else None,
                      "jump": list(field.jump) if field else None})
    report = {"file": path, "valid": shapes.valid, "error": None, "output_shape": _shape(shapes.output_shape),
              "parameters": shapes.parameters, "nodes": nodes}
    return report, _table(path, proj, shapes)


def _unreadable(path: str, error: str) -> dict:
    return {"file": path, "valid": False, "error": error, "output_shape": None, "parameters": None, "nodes": []}


def _shape(shape) -> list[int] | None:
    return None if shape is None else list(shape)


def _table(path: str, proj: project.Project, shapes) -> list[str]:
    graph = proj.graph
    names = graph.generated_names()
    rows = [(_("id"), _("name"), _("type"), _("output"), _("settings"), _("params"))]
    notes: dict[int, list[str]] = {}
    on_path = set(shapes.path)
    off = [n for n in graph.nodes if n not in on_path]
    order = list(shapes.path) + off
    for node_id in order:
        node = graph.nodes[node_id]
        result = shapes.nodes.get(node_id)
        out = "×".join(map(str, result.out_shape)) if result and result.ok else "-"
        if result is not None and not result.on_path:
            out = _("(off path)")
        settings = ""
        if result is not None and result.resolved is not None and graph.spec(node.type).summary is not None:
            try:
                settings = graph.spec(node.type).summary(result.resolved)
            except Exception:  # a summary is decoration; never let it stop the report
                settings = ""
        count = result.parameters if result is not None and result.resolved is not None else 0
        rows.append((node_id, names.get(node_id, ""), node.type, out, settings, f"{count:,}" if count else "0"))
        lines = []
        if result is not None and result.error:
            lines.append(_("error: {message}").format(message=result.error))
            if result.fix is not None:
                lines.append(_("fix:   {label}").format(label=result.fix.label))
        if lines:
            notes[len(rows) - 1] = lines
    cells = [[_safe(c, 30) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [f"{_safe(path)}  ({_safe(proj.name, 60)})"]
    for index, row in enumerate(cells):
        lines.append("  " + "  ".join(_pad(c, w, right=i >= 5)
                                      for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        for note in notes.get(index, []):
            lines.append("      " + _safe(note, 400))
    if off:
        listed = ", ".join(_safe(n, 30) for n in off[:8]) + (", ..." if len(off) > 8 else "")
        lines.append("  " + ngettext("note: {count} block is not on the model path and left out: {blocks}",
                                     "note: {count} blocks are not on the model path and left out: {blocks}",
                                     len(off)).format(count=len(off), blocks=listed))
    if shapes.valid:
        out = "×".join(map(str, shapes.output_shape))
        lines.append("  " + _("valid: output {shape}, {count:,} trainable parameters").format(
            shape=out, count=shapes.parameters))
    else:
        count = sum(1 for p in shapes.problems if p.severity == "error")
        lines.append("  " + ngettext("INVALID: {count} error", "INVALID: {count} errors", count).format(count=count))
        for problem in shapes.problems:
            if problem.severity == "error" and problem.node_id is None:
                lines.append("      " + _("error: {message}").format(message=_safe(problem.message, 400)))
    return lines


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def _safe(text: str, limit: int = 200) -> str:
    """Text from a file made safe for a terminal: control characters escaped, length capped."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def run(args) -> int:
    """Check ``args.files``; print tables (or ``--json``); return the exit status."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")  # × and → on a console that cannot show them
    results = [check_file(path) for path in args.files]
    reports = [report for report, _ in results]
    try:
        if getattr(args, "json", False):
            print(json.dumps(reports, indent=1, ensure_ascii=False))
        else:
            for _report, table in results:
                print("\n".join(table) + "\n")
            print(_summary(reports))
        sys.stdout.flush()
    except BrokenPipeError:  # `check ... | head`: the reader left early; the status still counts
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if any(r["error"] for r in reports):
        return EXIT_UNREADABLE
    return EXIT_VALID if all(r["valid"] for r in reports) else EXIT_INVALID


def _summary(reports: list[dict]) -> str:
    valid = sum(1 for r in reports if r["valid"])
    unreadable = sum(1 for r in reports if r["error"])
    invalid = len(reports) - valid - unreadable
    return ngettext("{count} file: {valid} valid, {invalid} invalid, {unreadable} unreadable",
                    "{count} files: {valid} valid, {invalid} invalid, {unreadable} unreadable",
                    len(reports)).format(count=len(reports), valid=valid, invalid=invalid, unreadable=unreadable)
