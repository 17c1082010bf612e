"""Parameter descriptions and value checking for the layer catalog.

A parameter is described once (name as torch spells it, kind, torch's default,
allowed range, help text); the inspector, the file loader, shape inference and
code generation all read the same description.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from designer.core.i18n import _

INT = "int"
PAIR = "pair"  # an int or a pair of ints
PADDING = "padding"  # a pair, or "same" / "valid"
BOOL = "bool"
FLOAT = "float"
OPT_FLOAT = "opt_float"  # a float or None
CHOICE = "choice"
OPT_INT = "opt_int"  # an int or None
SHAPE = "shape"  # a list of positive ints (Input, LayerNorm's normalized_shape)
VALUE = "value"  # a block's argument: a number, true/false, text or a short list of numbers
QUAD = "quad"  # an int or four ints: a padding's (left, right, top, bottom)

MAX_SHAPE_RANK = 3
MAX_ELEMENTS = 1 << 24


class ParamError(ValueError):
    """A parameter value that torch (or the catalog's range) does not accept."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Param:
    """One constructor argument of a torch.nn class."""

    name: str
    kind: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    choices: tuple = ()
    required: bool = False
    positional: bool = False  # written positionally in generated code
    extra: dict = field(default_factory=dict)

    def check(self, value: Any) -> Any:
        """Return ``value`` normalised (pairs as tuples), or raise ParamError."""
        kind = self.kind
        if value is None and self.default is None and not self.required:
            return None  # torch's own default (MaxPool2d's stride=None means kernel_size)
        if kind == INT:
            return self._int(value)
        if kind == OPT_INT:
            return None if value is None else self._int(value)
        if kind == PAIR:
            return self._pair(value)
        if kind == PADDING:
            if isinstance(value, str):
                if value not in ("same", "valid"):
                    raise ParamError(self.name, _('must be a number, a pair, "same" or "valid", not "{value}"').format(
                        value=_short(value)))
                return value
            return self._pair(value)
        if kind == BOOL:
            if not isinstance(value, bool):
                raise ParamError(self.name, _("must be true or false, not {value}").format(value=_short(value)))
            return value
        if kind in (FLOAT, OPT_FLOAT):
            if value is None and kind == OPT_FLOAT:
                return None
            return self._float(value)
        if kind == CHOICE:
            if value not in self.choices:
                options = ", ".join(f'"{c}"' for c in self.choices)
                raise ParamError(self.name, _("must be one of {options}, not {value}").format(
                    options=options, value=_short(value)))
            return value
        if kind == SHAPE:
            return self._shape(value)
        if kind == VALUE:
            return self._value(value)
        if kind == QUAD:
            return self._quad(value)
        raise AssertionError(f"unknown parameter kind {kind}")

    def _int(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(self.name, _("must be a whole number, not {value}").format(value=_short(value)))
        self._range(value)
        return value

    def _float(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParamError(self.name, _("must be a number, not {value}").format(value=_short(value)))
        if not math.isfinite(value):
            raise ParamError(self.name, _("must be a finite number"))
        self._range(value)
        return float(value)

    def _pair(self, value: Any) -> tuple[int, int]:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ParamError(self.name, _("must be a number or a pair of numbers, not a list of {count}").format(
                    count=len(value)))
            return (self._int(value[0]), self._int(value[1]))
        v = self._int(value)
        return (v, v)

    def _value(self, value: Any) -> Any:
        scalar = (bool, int, float, str)
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamError(self.name, _("must be a finite number"))
        if isinstance(value, scalar) or value is None:
            return value
        if isinstance(value, (list, tuple)) and len(value) <= MAX_SHAPE_RANK and all(
                isinstance(v, (bool, int, float)) and (not isinstance(v, float) or math.isfinite(v)) for v in value):
            return list(value)
        raise ParamError(self.name, _("must be a number, true/false, text or a list of up to 3 numbers, "
                                      "not {value}").format(value=_short(value)))

    def _quad(self, value: Any) -> tuple[int, int, int, int]:
        if isinstance(value, (list, tuple)):
            if len(value) != 4:
                raise ParamError(self.name, _("must be a number or four numbers (left, right, top, bottom), not a "
                                              "list of {count}").format(count=len(value)))
            return tuple(self._int(v) for v in value)
        v = self._int(value)
        return (v, v, v, v)

    def _range(self, value: float) -> None:
        if self.minimum is not None and value < self.minimum:
            raise ParamError(self.name, _("must be at least {low}, not {value}").format(
                low=_num(self.minimum), value=_num(value)))
        if self.maximum is not None and value > self.maximum:
            raise ParamError(self.name, _("must be at most {high}, not {value}").format(
                high=_num(self.maximum), value=_num(value)))

    def _shape(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= MAX_SHAPE_RANK:
            raise ParamError(self.name, _("must be a list of 1 to 3 sizes, e.g. [1, 28, 28] or [784]"))
        dims = tuple(self._int(v) for v in value)
        if math.prod(dims) > MAX_ELEMENTS:
            raise ParamError(self.name, _("has {count:,} elements per sample; the limit is {limit:,}").format(
                count=math.prod(dims), limit=MAX_ELEMENTS))
        return dims


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_shape(text: str) -> tuple[int, ...] | None:
    """'1, 28, 28', '1x28x28' or '1×28×28' -> (1, 28, 28); '' -> None; raises ParamError."""
    text = text.strip()
    if not text:
        return None
    parts = [p for p in re.split(r"[\s,x×*]+", text.lower()) if p]
    if not all(p.isdigit() for p in parts):
        raise ParamError(_("input shape"), _("write 1 to 3 sizes separated by commas, e.g. 1,28,28 (not {text!r})")
                         .format(text=text))
    return Param("input shape", SHAPE, None, 1, 4096)._shape([int(p) for p in parts])
