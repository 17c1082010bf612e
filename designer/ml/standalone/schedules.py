"""Learning-rate schedules, stepped once per batch: torch's own schedulers, built from the settings.

- ``constant``: the learning rate throughout.
- ``step``: multiplied by ``lr_step_factor`` every ``lr_step_epochs`` epochs.
- ``cosine``: from the learning rate down to 0 along half a cosine, over the run.
- ``one-cycle``: up from lr/25 to the learning rate over the first 30% of the
  run, then down to lr/250,000 (Smith's one-cycle policy, ``OneCycleLR``).

This file imports only torch because the exported training script carries a
copy of it (see ``designer.ml.export.trainscript``).
"""

import torch


def make_scheduler(optimizer: torch.optim.Optimizer, kind: str, steps_per_epoch: int, epochs: int,
                   step_epochs: int = 1, step_factor: float = 0.1) -> torch.optim.lr_scheduler.LRScheduler | None:
    """The scheduler for ``kind`` (None for constant); call its ``step()`` after every batch."""
    total = max(1, steps_per_epoch * epochs)
    if kind == "constant":
        return None
    if kind == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, step_epochs * steps_per_epoch),
                                               gamma=step_factor)
    if kind == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    if kind == "one-cycle":
        lr = optimizer.param_groups[0]["lr"]
        # cycle_momentum needs a momentum or betas to cycle: Adam and AdamW have betas, SGD needs momentum > 0.
        group = optimizer.param_groups[0]
        cycle = "betas" in group or group.get("momentum", 0) > 0
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total, cycle_momentum=cycle)
    raise ValueError(f"unknown learning-rate schedule {kind!r}")  # the settings model lists the names


def learning_rates(kind: str, lr: float, steps_per_epoch: int, epochs: int, step_epochs: int = 1,
                   step_factor: float = 0.1) -> list[float]:
    """The learning rate of every batch of a run, without training (the panel's preview curve)."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(optimizer, kind, steps_per_epoch, epochs, step_epochs, step_factor)
    rates = []
    for _ in range(max(1, steps_per_epoch * epochs)):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return rates
