"""``netdesigner lessons``: the built-in lessons, one title a line, in the interface language."""

from __future__ import annotations

from designer.core import lessons


def run(args) -> int:
    for lesson in lessons.all_lessons():
        print(f"{lesson.number}. {lesson.name()}")
    return 0
