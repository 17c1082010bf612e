"""Training settings and the run's remote control, without torch: the GUI uses them before torch loads.

Field names are the project file's ``training`` keys; ``validated`` names the
field of every bad value (``training.lr``), and the file when one is given.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, fields

DATASETS = ("mnist-5k", "mnist", "fashion-mnist")
DEFAULT_DATASET = "mnist-5k"
OPTIMIZERS = ("SGD", "Adam", "AdamW")
LOSSES = ("CrossEntropyLoss", "MSELoss", "NLLLoss")
INITS = ("default", "kaiming", "xavier", "keep")


class ConfigError(ValueError):
    """A training setting that cannot be used; ``field`` names it (``training.lr``)."""

    def __init__(self, field_path: str, message: str, source: str | None = None):
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{field_path}: {message}")
        self.field = field_path
        self.message = message


@dataclass
class TrainConfig:
    """Everything that decides a run. Field names are the project file's ``training`` keys."""

    dataset: str = DEFAULT_DATASET
    epochs: int = 5
    batch_size: int = 64
    optimizer: str = "Adam"
    lr: float = 1e-3
    momentum: float = 0.0  # SGD only
    nesterov: bool = False  # SGD only; needs momentum > 0
    weight_decay: float = 0.0
    loss: str = "CrossEntropyLoss"
    init: str = "default"  # default | kaiming | xavier: redrawn from the seed; keep: continue training
    seed: int | None = 0  # None: a fresh random seed, reported in Started
    device: str = "cpu"

    @classmethod
    def from_project(cls, training: dict | None, source: str | None = None) -> "TrainConfig":
        """Read a project's ``training`` object; unknown keys are ignored (and kept by the file)."""
        known = {f.name for f in fields(cls)}
        config = cls(**{k: v for k, v in (training or {}).items() if k in known})
        return config.validated(source)

    def updated(self, **changes) -> "TrainConfig":
        """A copy with the given settings; ``None`` values (absent CLI flags) change nothing."""
        values = asdict(self)
        values.update({k: v for k, v in changes.items() if v is not None})
        return TrainConfig(**values).validated()

    def to_project(self) -> dict:
        """The ``training`` object to save (the device belongs to the machine, not the project)."""
        values = asdict(self)
        values.pop("device")
        return values

    def validated(self, source: str | None = None) -> "TrainConfig":
        """Check and normalise every field; raises ConfigError naming ``training.<key>``."""

        def fail(key: str, message: str):
            raise ConfigError(f"training.{key}", message, source)

        folder = isinstance(self.dataset, str) and self.dataset.startswith("folder:")
        if folder and not self.dataset[len("folder:"):].strip():
            fail("dataset", "write the image folder after 'folder:', e.g. folder:pictures")
        if not folder and self.dataset not in DATASETS:
            fail("dataset", f"{self.dataset!r} is not one of {', '.join(DATASETS)} or folder:PATH (an image folder)")
        for key in ("epochs", "batch_size"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                fail(key, f"must be a whole number of at least 1, not {value!r}")
        names = {n.lower(): n for n in OPTIMIZERS}
        if str(self.optimizer).lower() not in names:
            fail("optimizer", f"{self.optimizer!r} is not one of {', '.join(OPTIMIZERS)}")
        self.optimizer = names[str(self.optimizer).lower()]
        for key in ("lr", "momentum", "weight_decay"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < 0 or (key == "lr" and value == 0):
                fail(key, f"must be a {'positive' if key == 'lr' else 'non-negative'} number, not {value!r}")
            setattr(self, key, float(value))
        if not isinstance(self.nesterov, bool):
            fail("nesterov", "must be true or false")
        if self.nesterov and (self.optimizer != "SGD" or self.momentum <= 0):
            fail("nesterov", "Nesterov momentum needs the SGD optimizer and a momentum above 0")
        losses = {n.lower(): n for n in LOSSES}
        if str(self.loss).lower() not in losses:
            fail("loss", f"{self.loss!r} is not one of {', '.join(LOSSES)}")
        self.loss = losses[str(self.loss).lower()]
        if str(self.init).lower() not in INITS:
            fail("init", f"{self.init!r} is not one of {', '.join(INITS)}")
        self.init = str(self.init).lower()
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            fail("seed", f"must be a whole number or null, not {self.seed!r}")
        return self


class Control:
    """Stop, pause and resume a run from any thread; the loop checks it every batch."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()  # so a pause can never land after a stop and hang the loop

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            self._running.set()  # a paused loop wakes up to see the stop

    def pause(self) -> None:
        with self._lock:
            if not self._stop.is_set():
                self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self) -> None:
        self._running.wait()
