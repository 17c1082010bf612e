"""What a training run tells its listeners, in order: plain data, no torch, so the UI can tell them apart.

``designer.ml.training.loop.train`` yields Started, BatchEnd, EpochEnd, then
Finished or Failed; around it come Loading, Recorded, Mistakes and a
HealthReport after each epoch. State dicts travel as attributes (tensors),
but this module imports nothing of torch: the Training panel, the Runs tab
and the Health dock tell events apart with ``isinstance`` without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Started:
    epochs: int
    steps_per_epoch: int
    train_samples: int
    held_out_samples: int
    device: str
    seed: int
    warnings: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    resumed_after: int = 0  # the epoch a resumed run continues after; 0 for a fresh run


@dataclass
class BatchEnd:
    """Sent about 20 times a second; ``step`` counts batches over the whole run (1-based)."""

    epoch: int
    step: int
    steps: int  # batches in the whole run
    loss: float  # the latest batch's loss
    samples_per_s: float
    eta_s: float
    losses: list[float] = field(default_factory=list)  # every batch loss since the previous BatchEnd
    grad_norms: dict[str, float] = field(default_factory=dict)
    lrs: list[float] = field(default_factory=list)  # the learning rate of each of those batches


@dataclass
class EpochEnd:
    epoch: int
    epochs: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    grad_norms: dict[str, float]  # layer name -> mean gradient norm over the epoch's samples
    samples_per_s: float
    seconds: float
    lr: float = 0.0  # the learning rate of the epoch's last batch
    improved: bool = False  # the best held-out accuracy so far


@dataclass
class Finished:
    best_state: dict  # state_dict (on the CPU) with the best held-out accuracy
    last_state: dict
    best_val_acc: float
    best_epoch: int
    confusion: list[list[int]] | None  # [true class][predicted class] for the best weights
    stopped: bool = False
    epochs_done: int = 0
    early_stopped: bool = False  # ended by the patience: the held-out loss stopped improving
    mistakes: list[Mistake] = field(default_factory=list)  # held-out samples the best weights get wrong
    warnings: list[str] = field(default_factory=list)  # e.g. checkpoints that could not be written


@dataclass
class Mistake:
    """A held-out sample the model gets wrong: its index in ``test_x``, true and predicted class."""

    index: int
    true: int
    predicted: int
    confidence: float  # the probability given to the wrong class


@dataclass
class Failed:
    """The run ended in an error; the best weights of the epochs before it are kept (None: no epoch ended)."""

    message: str
    step: int | None = None
    best_state: dict | None = None
    best_val_acc: float = 0.0
    best_epoch: int = 0


@dataclass(frozen=True)
class Loading:
    """Before the first batch: bytes downloaded or pictures decoded."""

    what: str
    done: int
    total: int


@dataclass(frozen=True)
class Skipped:
    """Before Started: the pictures of an image folder that could not be read ("path: why" each), left out."""

    messages: list


@dataclass(frozen=True)
class Recorded:
    """The run's history record (``designer.core.runs.Run``), created or continued; before Started."""

    run: object


@dataclass(frozen=True)
class Mistakes:
    """Just before Finished: the held-out samples the best weights get wrong (``designer.ml.training.mistakes.Shown``)."""

    items: list


@dataclass
class LayerHealth:
    """One layer after one epoch.

    Attributes:
        name: the module's name (conv1, relu2, ...).
        type: its torch.nn class.
        dead: the share of a ReLU's units (channel × position) that output 0 for every probed sample.
        counts, low, high: a histogram of the layer's outputs on the probed samples (``BINS`` bins over low..high).
        update: ‖W − W_before‖ / ‖W_before‖ over the epoch, for layers with a weight.
    """

    name: str
    type: str
    dead: float | None = None
    counts: list[int] = field(default_factory=list)
    low: float = 0.0
    high: float = 0.0
    update: float | None = None


@dataclass
class HealthReport:
    epoch: int
    layers: list[LayerHealth]
    warnings: list[str]
