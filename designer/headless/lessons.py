"""``netdesigner lessons``: the lessons, one title a line, in the interface language; ``lessons check``.

``lessons --dir DIR`` lists a teacher's folder of lessons instead of the built-in ones.
``lessons check FILE...`` reads each lesson file (or every ``.json`` in a folder) as the app
does and prints every problem with the step and the field it is in. Exit 0: every lesson can
be used; 1: some lesson has problems; 2: a file could not be read at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from designer.core import lesson_check, lessons
from designer.core.i18n import _


def run(args) -> int:
    if getattr(args, "lessons_command", None) == "check":
        return check(args.files)
    try:
        found = lessons.all_lessons(args.dir) if args.dir else lessons.all_lessons()
    except (OSError, lessons.LessonError) as exc:
        print(_("error: {problem}").format(problem=exc))
        return 2 if isinstance(exc, OSError) else 1
    for lesson in found:
        print(f"{lesson.number}. {lesson.name()}")
    return 0


def check(paths: list[str]) -> int:
    status = 0
    files = [f for p in map(Path, paths) for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            print(_("{file}: cannot be read ({reason})").format(file=file, reason=getattr(exc, "strerror", None)
                                                                   or exc))
            status = 2
            continue
        except ValueError as exc:
            print(_("{file}: not JSON: {problem}").format(file=file, problem=exc))
            status = max(status, 1)
            continue
        problems = lesson_check.problems(data)
        for problem in problems:
            print(f"{file}: {problem}")
        if problems:
            status = max(status, 1)
        else:
            print(_("{file}: ok, {count} steps").format(file=file, count=len(data["steps"])))
    if not files:
        print(_("error: no lesson files given"))
        return 2
    return status
