"""The network's health while it trains: dead ReLUs, activation histograms, update sizes, warnings.

``watch(events, model, data)`` wraps the training loop's event generator and,
after each ``EpochEnd``, yields a ``HealthReport``: while the consumer holds
an event the loop is suspended, so the probe runs between epochs on the
weights of that epoch, in the consumer's thread, and the loop itself is
unchanged. The probe is one forward pass over a sample of the held-out set
(eval mode, no gradients) with hooks on the model's layers, and a
comparison of each weight with its copy from the epoch before.
"""

from __future__ import annotations

from typing import Iterator

import torch
from torch import nn

from designer.core.i18n import _
from designer.ml.explain.inside import evaluating, layers
from designer.ml.training.events import EpochEnd, HealthReport, LayerHealth, Started

SAMPLES = 256  # held-out samples per probe: enough to see a unit fire, cheap next to an epoch
BINS = 30
DEAD = 0.5  # warn when at least this share of a ReLU's units never fire
STALL_EPOCHS = 2  # epochs without 1% better training loss before "stopped falling"
TINY_UPDATE, HUGE_UPDATE = 1e-4, 1.0  # weight change per epoch relative to the weight's size
MIN_HELD_OUT = 100  # fewer held-out samples: their loss is too noisy to call a rise overfitting


def watch(events: Iterator, model: nn.Module, data, samples: int = SAMPLES, config=None) -> Iterator:
    """The events of ``events`` (a ``train`` generator), each EpochEnd followed by a HealthReport.

    ``config`` (the run's TrainConfig) keeps the advice to what the run does not do already.
    """
    probe = Probe(model, data, samples, config)
    for event in events:
        if isinstance(event, Started):
            probe.start()
        yield event
        if isinstance(event, EpochEnd):
            yield probe.report(event)


class Probe:
    """Measures one model between epochs and keeps the history the warnings need."""

    def __init__(self, model: nn.Module, data, samples: int = SAMPLES, config=None):
        self.model = model
        self.data = data
        self.samples = samples
        self.config = config
        self.before: dict[str, torch.Tensor] = {}
        self.history: list[EpochEnd] = []

    def _weights(self) -> dict[str, torch.Tensor]:
        return {name: module.weight.detach().clone() for name, module in layers(self.model)
                if isinstance(getattr(module, "weight", None), torch.Tensor)}

    def start(self) -> None:
        self.before = self._weights()
        self.history = []

    def report(self, epoch: EpochEnd) -> HealthReport:
        self.history.append(epoch)
        found = self._activations()
        now = self._weights()
        for item in found:
            old = self.before.get(item.name)
            if old is not None and item.name in now:
                item.update = float((now[item.name] - old).norm() / old.norm().clamp_min(1e-12))
        self.before = now
        return HealthReport(epoch.epoch, found, self._warnings(found))

    def _activations(self) -> list[LayerHealth]:
        device = next((p.device for p in self.model.parameters()), torch.device("cpu"))
        x = self.data.test_x[:self.samples]
        x = (self.data.prepare(x) if getattr(self.data, "raw", False) else x).to(device)
        found: list[LayerHealth] = []
        handles = []

        def hook_for(name: str):
            def hook(module: nn.Module, inputs, output) -> None:
                if not isinstance(output, torch.Tensor) or not output.numel():
                    return
                out = output.detach().float()
                low, high = float(out.min()), float(out.max())
                counts = torch.histc(out, BINS, low, high if high > low else low + 1.0)
                item = LayerHealth(name, type(module).__name__, counts=[int(c) for c in counts.tolist()],
                                   low=low, high=high)
                if isinstance(module, nn.ReLU):
                    fired = (out > 0).flatten(1).any(dim=0)
                    item.dead = 1.0 - float(fired.float().mean())
                found.append(item)
            return hook

        for name, module in layers(self.model):
            handles.append(module.register_forward_hook(hook_for(name)))
        try:
            with evaluating(self.model):
                self.model(x)
        finally:
            for handle in handles:
                handle.remove()
        return found

    def _warnings(self, found: list[LayerHealth]) -> list[str]:
        warnings = []
        for item in found:
            if item.dead is not None and item.dead >= DEAD:
                warnings.append(_("{share} of {layer}'s units never fire on the held-out set: "
                                  "lower the learning rate or use LeakyReLU.").format(
                                    share=f"{item.dead:.0%}", layer=item.name))
            if item.update is not None and item.update < TINY_UPDATE:
                warnings.append(_("{layer}'s weights barely moved this epoch ({update} of their "
                                  "size): raise the learning rate.").format(
                                    layer=item.name, update=f"{item.update:.1e}"))
            if item.update is not None and item.update > HUGE_UPDATE:
                warnings.append(_("{layer}'s weights changed by more than their own size this epoch "
                                  "({update}×): lower the learning rate.").format(
                                    layer=item.name, update=f"{item.update:.1f}"))
        history = self.history
        if len(history) > STALL_EPOCHS:
            best = min(range(len(history)), key=lambda i: history[i].train_loss)
            earlier = min(e.train_loss for e in history[:-STALL_EPOCHS])
            if history[-1].train_loss > earlier * 0.99 and best < len(history) - STALL_EPOCHS:
                scheduled = getattr(self.config, "lr_schedule", "constant") != "constant"
                warnings.append((_("The training loss stopped falling after epoch {epoch}: try a lower learning "
                                   "rate.") if scheduled else
                                 _("The training loss stopped falling after epoch {epoch}: try a "
                                   "lower learning rate or a learning-rate schedule.")).format(
                                    epoch=history[best].epoch))
        if len(history) >= 3 and len(self.data.test_y) >= MIN_HELD_OUT:
            a, b, c = history[-3:]
            if a.val_loss < b.val_loss < c.val_loss and a.train_loss > b.train_loss > c.train_loss:
                warnings.append(_("The held-out loss rises while the training loss falls: the model overfits. "
                                  "Use more data or Dropout, or stop earlier.") if getattr(self.config, "augment",
                                                                                             False) else
                                _("The held-out loss rises while the training loss falls: the model overfits. "
                                  "Use more data, augmentation or Dropout, or stop earlier."))
        return warnings
