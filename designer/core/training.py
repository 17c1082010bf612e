"""Training settings: each one described once, with its type, range, default and options.

``TrainConfig`` is the settings of one run. Each field carries its ``Setting``
(``SETTINGS[name]``), and everything that handles a setting reads it from
there: the file loader checks ``project.training`` with ``check``, the
Training panel takes its widgets' ranges and option lists, the loop and the
exported training script take the values. Field names are the project file's
``training`` keys.

A new setting is one field here (``field_for(Whole(...))``), plus a rule in
``RULES`` if it depends on another setting.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable

from designer.core import datasets
from designer.core.datasets import DIGITS
from designer.core.i18n import _
from designer.core.safe_json import kind_of

OPTIMIZERS = ("SGD", "Adam", "AdamW")
LOSSES = ("CrossEntropyLoss", "MSELoss", "NLLLoss")
INITS = ("default", "kaiming", "xavier", "keep")  # keep: continue from the weights the model has
MAX_SEED = 2**31 - 1
SCHEDULES = ("constant", "step", "cosine", "one-cycle")  # learning-rate schedules (designer.ml.standalone.schedules)


class ConfigError(ValueError):
    """A training setting that cannot be used; ``field`` names it (``training.lr``), ``source`` the file."""

    def __init__(self, field_path: str, message: str, source: str | None = None):
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{field_path}: {message}")
        self.field = field_path
        self.message = message
        self.source = source


# kinds of setting ----------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """One training setting. ``check`` returns the value normalised or raises ValueError saying why."""

    default: Any
    saved: bool = True  # False: belongs to the machine (the device), not to the project file

    def check(self, value: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Choice(Setting):
    """One of ``options``, matched without regard to case and stored as spelled there."""

    options: tuple[str, ...] = ()

    def check(self, value: Any) -> str:
        if isinstance(value, str):
            folded = {option.lower(): option for option in self.options}
            if value.lower() in folded:
                return folded[value.lower()]
            raise ValueError(_("{value} is not one of {options}").format(value=_short(value),
                                                                            options=", ".join(self.options)))
        raise ValueError(_("must be one of {options}, not {kind}").format(options=", ".join(self.options),
                                                                          kind=kind_of(value)))


@dataclass(frozen=True)
class DatasetName(Choice):
    """One of ``options``, or ``folder:PATH``: an image folder (a relative PATH counts from the project file)."""

    def check(self, value: Any) -> str:
        if datasets.is_folder(value):
            if not datasets.folder_text(value):
                raise ValueError(_("write the image folder after 'folder:', e.g. folder:pictures"))
            return value
        options = ", ".join(self.options)
        if isinstance(value, str):
            folded = {option.lower(): option for option in self.options}
            if value.lower() in folded:
                return folded[value.lower()]
            raise ValueError(_("{value} is not one of {options}, or folder:PATH (an image folder)").format(
                value=_short(value), options=options))
        raise ValueError(_("must be one of {options}, not {kind}, or folder:PATH (an image folder)").format(
            options=options, kind=kind_of(value)))


@dataclass(frozen=True)
class Whole(Setting):
    """A whole number from ``low`` to ``high``; ``optional`` also allows null (e.g. a fresh random seed)."""

    low: int = 0
    high: int = 0
    optional: bool = False

    def check(self, value: Any) -> int | None:
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            found = repr(value) if isinstance(value, float) else kind_of(value)
            message = _("must be a whole number or null, not {found}") if self.optional else \
                _("must be a whole number, not {found}")
            raise ValueError(message.format(found=found))
        if not self.low <= value <= self.high:
            raise ValueError(_("must be a whole number from {low:,} to {high:,}, not {value:,}").format(
                low=self.low, high=self.high, value=value))
        return value


@dataclass(frozen=True)
class Number(Setting):
    """A finite number in [low, high], or (low, high] when ``above_low``."""

    low: float = 0.0
    high: float = 0.0
    above_low: bool = False

    def check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(_("must be a number, not {kind}").format(kind=kind_of(value)))
        if not math.isfinite(value):
            raise ValueError(_("must be a finite number, not {value}").format(value=repr(value)))
        if (value <= self.low if self.above_low else value < self.low) or value > self.high:
            message = _("must be a number more than {low:g} and at most {high:g}, not {value}") if self.above_low \
                else _("must be a number from {low:g} to {high:g}, not {value}")
            raise ValueError(message.format(low=self.low, high=self.high, value=repr(value)))
        return float(value)


@dataclass(frozen=True)
class Flag(Setting):
    """true or false."""

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(_("must be true or false, not {kind}").format(kind=kind_of(value)))
        return value


@dataclass(frozen=True)
class Text(Setting):
    """Short non-empty text whose meaning is checked elsewhere (a device name: only torch knows them)."""

    max_length: int = 40

    def check(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(_("must be non-empty text, not {kind}").format(kind=kind_of(value)))
        if len(value) > self.max_length:
            raise ValueError(_("must be at most {count} characters long").format(count=self.max_length))
        return value.strip()


def field_for(setting: Setting):
    """A dataclass field whose default and metadata come from ``setting``."""
    return field(default=setting.default, metadata={"setting": setting})


# the settings ------------------------------------------------------------------

@dataclass
class TrainConfig:
    """Everything that decides a run. Build one with ``from_project`` or ``validated`` to have it checked."""

    dataset: str = field_for(DatasetName("mnist-5k", options=datasets.BUILT_IN))
    epochs: int = field_for(Whole(5, low=1, high=100_000))
    batch_size: int = field_for(Whole(64, low=1, high=1 << 20))
    optimizer: str = field_for(Choice("Adam", options=OPTIMIZERS))
    lr: float = field_for(Number(1e-3, low=0.0, high=1e6, above_low=True))  # 1e6: a learner may watch it explode
    momentum: float = field_for(Number(0.0, low=0.0, high=0.999))  # SGD only
    nesterov: bool = field_for(Flag(False))  # SGD only; needs momentum above 0
    weight_decay: float = field_for(Number(0.0, low=0.0, high=1.0))
    loss: str = field_for(Choice("CrossEntropyLoss", options=LOSSES))
    init: str = field_for(Choice("default", options=INITS))  # redrawn from the seed, or keep
    seed: int | None = field_for(Whole(0, low=0, high=MAX_SEED, optional=True))  # None: a fresh random seed
    device: str = field_for(Text("cpu", saved=False))
    lr_schedule: str = field_for(Choice("constant", options=SCHEDULES))
    lr_step_epochs: int = field_for(Whole(2, low=1, high=100_000))  # step: every this many epochs...
    lr_step_factor: float = field_for(Number(0.1, low=0.0, high=1.0, above_low=True))  # ...lr times this
    patience: int = field_for(Whole(0, low=0, high=100_000))  # stop after this many epochs without a better
    #                                                            held-out loss; 0: never stop early
    augment: bool = field_for(Flag(False))  # random changes to training pictures (never to held-out ones)
    augment_shift: float = field_for(Number(0.1, low=0.0, high=0.5))  # fraction of the picture's size
    augment_rotation: float = field_for(Number(10.0, low=0.0, high=180.0))  # degrees either way
    augment_scale: float = field_for(Number(0.1, low=0.0, high=0.5))  # zoom in or out by this fraction
    augment_flip: bool = field_for(Flag(False))  # mirror left-right half the time
    augment_color: float = field_for(Number(0.0, low=0.0, high=1.0))  # brightness, contrast, saturation

    @classmethod
    def from_project(cls, training: dict | None, source: str | None = None) -> "TrainConfig":
        """Read a project's ``training`` object.

        Keys this version does not know are ignored (the file keeps them), and
        so are settings of the machine (a device named in a file made elsewhere).
        """
        known = {k: v for k, v in (training or {}).items() if k in SETTINGS and SETTINGS[k].saved}
        return cls(**known).validated(source)

    def updated(self, **changes) -> "TrainConfig":
        """A checked copy with the given settings; ``None`` values (absent CLI flags) change nothing."""
        values = asdict(self)
        values.update({k: v for k, v in changes.items() if v is not None})
        return TrainConfig(**values).validated()

    def to_project(self) -> dict:
        """The ``training`` object to save (settings of the machine, like the device, are left out)."""
        return {k: v for k, v in asdict(self).items() if SETTINGS[k].saved}

    def validated(self, source: str | None = None) -> "TrainConfig":
        """Check and normalise every field in place; raises ConfigError naming ``training.<key>``."""
        for name, setting in SETTINGS.items():
            try:
                setattr(self, name, setting.check(getattr(self, name)))
            except ValueError as exc:
                raise ConfigError(f"training.{name}", str(exc), source) from None
        for rule in RULES:
            broken = rule(self)
            if broken:
                raise ConfigError(f"training.{broken[0]}", broken[1], source)
        return self


def _nesterov_needs_momentum(config: TrainConfig) -> tuple[str, str] | None:
    if config.nesterov and (config.optimizer != "SGD" or config.momentum <= 0):
        return "nesterov", _("Nesterov momentum needs the SGD optimizer and a momentum above 0")
    return None


def _no_flipped_digits(config: TrainConfig) -> tuple[str, str] | None:
    if config.augment and config.augment_flip and config.dataset in DIGITS:
        return "augment_flip", _("a mirrored digit is not a digit (a 2 becomes no number): "
                                 "leave flips off for digits")
    return None


# Settings that depend on each other: each rule returns (key, message) when broken.
RULES: list[Callable[[TrainConfig], tuple[str, str] | None]] = [_nesterov_needs_momentum, _no_flipped_digits]

SETTINGS: dict[str, Setting] = {f.name: f.metadata["setting"] for f in fields(TrainConfig)}


def check(training: dict, source: str | None = None) -> None:
    """Check a project file's ``training`` object as a run would read it; raises ConfigError.

    Only the keys present are checked (the others take their defaults), and
    keys this version does not know are left alone.
    """
    TrainConfig.from_project(training, source)


def _short(value: str, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"
