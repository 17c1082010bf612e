"""The class's results as a CSV and as one self-contained HTML page.

Rows come from ``designer.ml.grading`` but are read here through plain
attributes only, so this module stays stdlib-only. Every text that came from a
submission (file names, learner names, problems) is escaped: in the CSV a cell
that a spreadsheet would read as a formula starts with an apostrophe; in the
HTML everything goes through ``html.escape``.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Sequence

from designer.core.challenges import NO, UNKNOWN, YES, Challenge
from designer.core.i18n import _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def columns(challenge: Challenge) -> list[str]:
    return (["file", "learner", "status", "passed", "parameters", "accuracy"]
            + [goal.column(i) for i, goal in enumerate(challenge.goals)] + ["problem", "reported_accuracy"])


def to_csv(challenge: Challenge, rows: Sequence) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(challenge))
    for row in rows:
        results = [v.result for v in row.verdicts] or [UNKNOWN] * len(challenge.goals)
        writer.writerow([_cell(v) for v in (
            row.file, row.learner, row.status, "yes" if row.passed else "no",
            "" if row.parameters is None else row.parameters,
            "" if row.accuracy is None else f"{row.accuracy:.4f}",
            *results, row.problem, "" if row.reported is None else f"{row.reported:.4f}")])
    return out.getvalue()


# HTML ------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:middle}
th{background:#f3f3f3}.yes{color:#17803d;font-weight:bold}.no{color:#b42318;font-weight:bold}.unk{color:#888}
.problem{color:#b42318;max-width:28em}.bar{background:#17803d;height:10px;display:inline-block}
"""
_COLOURS = {"Conv2d": "#4f7cc9", "ConvTranspose2d": "#6c5ce7", "Linear": "#d9822b", "MaxPool2d": "#3aa17e",
            "AvgPool2d": "#3aa17e", "ReLU": "#9aa5b1", "Flatten": "#c0a000", "BatchNorm2d": "#b565a7",
            "Add": "#333333", "Concat": "#333333", "Input": "#222222"}
_MARK = {YES: ("yes", "✓"), NO: ("no", "✗"), UNKNOWN: ("unk", "–")}


def _picture(layers: Sequence[str]) -> str:
    """The model as a strip of coloured squares, one per layer, each named on hover."""
    shown = list(layers)[:60]
    width = 9 * len(shown) + 2
    boxes = "".join(
        f'<rect x="{1 + 9 * i}" y="1" width="8" height="14" fill="{_COLOURS.get(t, "#8a8a8a")}">'
        f"<title>{html.escape(t)}</title></rect>" for i, t in enumerate(shown))
    return f'<svg width="{width}" height="16" role="img">{boxes}</svg>'


def to_html(challenge: Challenge, rows: Sequence) -> str:
    e = html.escape
    title = challenge.title_text()
    graded = [r for r in rows if r.status == "graded"]
    goal_rates = []
    for i, goal in enumerate(challenge.goals):
        met = sum(1 for r in rows if len(r.verdicts) > i and r.verdicts[i].result == YES)
        share = met / len(rows) if rows else 0.0
        goal_rates.append(f"<tr><td>{e(goal.label())}</td><td>{met} / {len(rows)}</td>"
                          f'<td><span class="bar" style="width:{int(120 * share)}px"></span> {100 * share:.0f}%</td></tr>')
    head = "".join(f"<th>{e(text)}</th>" for text in (
        _("Learner"), _("File"), _("Passed"), *[f"{i + 1}" for i in range(len(challenge.goals))],
        _("Parameters"), _("Accuracy (measured)"), _("Accuracy (their run said)"), _("Model"), _("Problem")))
    body = []
    for row in rows:
        marks = []
        for i in range(len(challenge.goals)):
            result = row.verdicts[i].result if len(row.verdicts) > i else UNKNOWN
            css, mark = _MARK[result]
            found = row.verdicts[i].found if len(row.verdicts) > i else ""
            marks.append(f'<td class="{css}" title="{e(found)}">{mark}</td>')
        passed = '<td class="yes">✓</td>' if row.passed else '<td class="no">✗</td>'
        body.append("<tr>" + f"<td>{e(row.learner)}</td><td>{e(row.file)}</td>" + passed + "".join(marks)
                    + f"<td>{'' if row.parameters is None else f'{row.parameters:,}'}</td>"
                    + f"<td>{'' if row.accuracy is None else f'{100 * row.accuracy:.1f}%'}</td>"
                    + f"<td>{'' if row.reported is None else f'{100 * row.reported:.1f}%'}</td>"
                    + f"<td>{_picture(row.layers)}</td><td class=\"problem\">{e(row.problem)}</td></tr>")
    legend = "".join(f"<li>{i + 1}: {e(goal.label())}</li>" for i, goal in enumerate(challenge.goals))
    summary = _("{graded} of {total} submissions graded, {passed} passed every goal.").format(
        graded=len(graded), total=len(rows), passed=sum(1 for r in rows if r.passed))
    goals_heading, goal_word, met_word, learners_heading = _("Goals"), _("Goal"), _("Met"), _("Learners")
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{_STYLE}</style></head><body>"
            f"<h1>{e(title)}</h1><p>{e(challenge.body_text())}</p><p>{e(summary)}</p>"
            f"<h2>{e(goals_heading)}</h2><table><tr><th>{e(goal_word)}</th><th>{e(met_word)}</th><th></th></tr>"
            + "".join(goal_rates) + "</table>"
            + f"<ol>{legend}</ol><h2>{e(learners_heading)}</h2><table><tr>{head}</tr>" + "".join(body)
            + "</table></body></html>\n")
