"""``grade CHALLENGE FOLDER [--csv OUT.csv] [--html OUT.html]``: judge a class's submissions.

Prints one line per submission as it is judged. Exit codes: 0 every file in
the folder was judged (whatever it scored), 2 the challenge or the folder
cannot be read, or a report cannot be written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from designer.core import challenges, grade_report
from designer.core import project as project_io
from designer.core.i18n import _


def _err(message: str) -> None:
    print(_("grade: {message}").format(message=message), file=sys.stderr)


def _line(row) -> str:
    if row.status == "invalid":
        return _("{file}: invalid: {problem}").format(file=row.file, problem=row.problem)
    accuracy = "-" if row.accuracy is None else f"{100 * row.accuracy:.1f}%"
    verdict = _("passed") if row.passed else _("not passed")
    missed = [v.goal.label() for v in row.verdicts if v.result != challenges.YES]
    tail = _(" (missed: {goals})").format(goals="; ".join(missed)) if missed else ""
    return _("{file}: {learner}: {verdict}, {parameters:,} parameters, accuracy {accuracy}{tail}").format(
        file=row.file, learner=row.learner, verdict=verdict, parameters=row.parameters or 0,
        accuracy=accuracy, tail=tail)


def run(args) -> int:
    try:
        challenge = challenges.load(args.challenge)
    except challenges.ChallengeError as exc:
        _err(str(exc))
        return 2
    folder = Path(args.folder)
    if not folder.is_dir():
        _err(_("{folder}: is not a folder").format(folder=folder))
        return 2
    from designer.ml import grading  # torch: only once the inputs are known to be good

    rows = grading.grade_folder(challenge, folder, progress=lambda row: print(_line(row), flush=True))
    if not rows:
        print(_("{folder}: no hand-in files (*.handin.zip) or projects (*.netproj.json) found").format(folder=folder))
    passed = sum(1 for row in rows if row.passed)
    print(_("{total} judged, {passed} passed every goal, {invalid} could not be judged").format(
        total=len(rows), passed=passed, invalid=sum(1 for row in rows if row.status == "invalid")))
    for option, render in ((args.csv, grade_report.to_csv), (args.html, grade_report.to_html)):
        if option:
            try:
                project_io.write_atomic(Path(option), render(challenge, rows).encode("utf-8"))
            except OSError as exc:
                _err(_("{file}: cannot be written ({reason})").format(file=option, reason=exc.strerror or exc))
                return 2
            print(_("wrote {file}").format(file=option))
    return 0
