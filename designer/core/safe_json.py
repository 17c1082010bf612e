"""JSON parsing that refuses hostile input with a message and a field path.

Python's json module raises RecursionError on deep nesting, turns 1e400 into
inf, accepts NaN, lets a repeated key silently win and refuses (or spends
quadratic time on) ints with thousands of digits. Here each of those becomes
an ``UnsafeJSON`` that says where in the document it happened, so a project
loader can name the field.
"""

from __future__ import annotations

import json
import math

from designer.core.i18n import _


class UnsafeJSON(ValueError):
    """Text that is not JSON, or JSON a careful reader refuses.

    Attributes:
        message: what is wrong, in words ("is not valid JSON: ..." for the whole text).
        keys: where, as dict keys and list indexes from the root ([] for the whole text).
        root: the parsed document when parsing got that far, else None.
    """

    def __init__(self, message: str, keys: list | None = None, root: object = None):
        super().__init__(message)
        self.message = message
        self.keys = list(keys or [])
        self.root = root


class _Bad:
    """A value the parse hooks refused; reported with its path by ``_scan``."""

    def __init__(self, message: str):
        self.message = message


class _DupObject(dict):
    """A JSON object that repeated a key."""

    duplicate: str = ""


def parse(text: str, max_values: int = 1_000_000, max_depth: int = 64, max_digits: int = 30) -> object:
    """Parse ``text``; raises UnsafeJSON for bad or hostile input.

    Args:
        max_values: refuse, before parsing, text with more (roughly counted) values than this.
        max_depth: refuse nesting deeper than this.
        max_digits: refuse whole numbers with more digits than this.
    """
    if not text.strip():
        raise UnsafeJSON(_("is empty; a project file is a JSON object"))
    # commas and brackets bound the number of values: a cheap guard against giant allocations
    if text.count(",") + text.count("[") + text.count("{") > max_values:
        raise UnsafeJSON(_("holds more than {count:,} values; too large for a project file").format(count=max_values))

    def parse_int(digits: str):
        count = len(digits.lstrip("-"))
        if count > max_digits:
            return _Bad(_("a whole number with {count:,} digits is far too large").format(count=count))
        return int(digits)

    try:
        data = json.loads(text, parse_int=parse_int, parse_float=_parse_float, parse_constant=_parse_constant,
                          object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        message = (_("is not valid JSON: {reason} at line {line}, column {column} (the file seems cut short)")
                   if not text[exc.pos:].strip() else _("is not valid JSON: {reason} at line {line}, column {column}"))
        raise UnsafeJSON(message.format(reason=exc.msg, line=exc.lineno, column=exc.colno)) from None
    except RecursionError:
        raise UnsafeJSON(_("is nested too deeply (more than {count} levels)").format(count=max_depth)) from None
    except ValueError as exc:
        raise UnsafeJSON(_("is not valid JSON ({reason})").format(reason=exc)) from None
    _scan(data, max_depth)
    return data


def _parse_float(text: str):
    if len(text) > 400:
        return _Bad(_("a number written with {count:,} characters is absurd").format(count=len(text)))
    value = float(text)
    if not math.isfinite(value):
        return _Bad(_("the number {number} is too large to store").format(number=text[:20]))
    return value


def _parse_constant(name: str):
    return _Bad(_("{name} is not a number a project file may hold").format(name=name))


def _object(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set = set()
        duplicate = next(k for k, _value in pairs if k in seen or seen.add(k))
        result = _DupObject(result)
        result.duplicate = duplicate
    return result


def _scan(data: object, max_depth: int) -> None:
    """Walk the tree once, without recursion: refused numbers, repeated keys, depth, unencodable text."""
    stack: list = [(data, None, 0)]  # (value, path as a (parent, key) chain, depth)
    while stack:
        value, path, depth = stack.pop()
        problem = None
        if depth > max_depth:
            problem = _("is nested more than {count} levels deep").format(count=max_depth)
        elif isinstance(value, _Bad):
            problem = value.message
        elif isinstance(value, str):
            if not value.isascii() and not _encodable(value):
                problem = _("holds text that is not valid Unicode (a lone surrogate)")
        elif isinstance(value, dict):
            if isinstance(value, _DupObject):
                problem = _("the key {key} appears more than once").format(key=json.dumps(value.duplicate[:40]))
            for key, item in value.items():
                if not key.isascii() and not _encodable(key):
                    problem = _("has a key that is not valid Unicode (a lone surrogate)")
                stack.append((item, (path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, (path, index), depth + 1) for index, item in enumerate(value))
        if problem:
            raise UnsafeJSON(problem, _keys(path), data)


def _keys(path) -> list:
    keys = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def kind_of(value: object) -> str:
    """What a JSON value is, in a learner's words (for "must be a number, not text")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__
