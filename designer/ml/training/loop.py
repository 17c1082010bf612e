"""The training loop: one implementation that the GUI worker and the CLI both drive.

``train(model, data, config, control)`` is a generator of plain dataclass
events (``Started``, ``BatchEnd``, ``EpochEnd``, then ``Finished`` or
``Failed``). It never blocks on its consumer and never imports Qt; a front
end iterates it (the CLI on the main thread, the GUI in a worker thread) and
steers it through a thread-safe ``Control``.

Speed matters as much as in a bare PyTorch loop: each epoch shuffles the
tensors once with one ``index_select``, batches are contiguous slices, batch
losses are written into a device tensor and read back only when an event is
due (about 20 per second), so there is no host sync per batch on a GPU.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from designer.core.i18n import N_, _, said
from designer.core.training import MAX_SEED, ConfigError, TrainConfig
from designer.ml.standalone.config import init_weights, loss_function, make_optimizer, memory_format, steps_per_epoch
from designer.ml.training.control import Control
from designer.ml.training.events import BatchEnd, EpochEnd, Failed, Finished, Mistake, Started
from designer.ml.standalone.augment import augment
from designer.ml.training.checkpoint import CheckpointError, save as save_checkpoint
from designer.ml.data.datasets import Dataset
from designer.ml.data.preview import augmentation
from designer.ml.standalone.schedules import make_scheduler

EVAL_BATCH = 1000
MAX_MISTAKES = 200  # the mistakes browser shows the most confident ones


# augment.py's message (its AugmentError's template), for the catalog: that file cannot import gettext.
AUGMENT_MESSAGES = (N_("augmentation needs pictures, not samples of shape {shape}"),)


class DeviceError(ValueError):
    """A device name that this machine cannot run on."""


@dataclass
class _Best:
    """The best epoch so far, kept outside the loop so that an error raised inside it cannot lose it."""

    state: dict | None = None
    val_acc: float = -1.0
    epoch: int = 0
    confusion: list[list[int]] | None = None
    loss: float = math.inf  # the lowest held-out loss, for early stopping
    bad_epochs: int = 0  # epochs since the held-out loss last improved

    def failed(self, message: str, step: int | None = None) -> Failed:
        return Failed(message, step, self.state, max(self.val_acc, 0.0), self.epoch)


Event = Started | BatchEnd | EpochEnd | Finished | Failed


# devices ----------------------------------------------------------------------

def available_devices() -> list[str]:
    """Device names this machine can train on, best last: cpu, cuda:N..., mps."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


def resolve_device(name: str | None) -> torch.device:
    """``torch.device`` for ``name``; raises DeviceError saying what is available instead."""
    name = (name or "cpu").strip().lower()
    available = available_devices()
    if name == "cuda" and any(d.startswith("cuda:") for d in available):
        name = f"cuda:{torch.cuda.current_device()}"
    if name in available:
        return torch.device(name)
    try:
        torch.device(name)
    except RuntimeError:
        raise DeviceError(_("{name} is not a device name: use cpu, cuda, cuda:N or mps (available here: {available})")
                          .format(name=repr(name), available=", ".join(available))) from None
    raise DeviceError(_("device {name} is not available on this machine (available here: {available})")
                      .format(name=repr(name), available=", ".join(available)))


# the loop ---------------------------------------------------------------------

def _layers(model: nn.Module) -> list[tuple[str, list[nn.Parameter]]]:
    """Modules that own trainable parameters, by their state_dict prefix."""
    found = []
    for name, module in model.named_modules():
        params = [p for p in module.parameters(recurse=False) if p.requires_grad]
        if params:
            found.append((name or type(module).__name__, params))
    return found


def _grad_norms(layers) -> torch.Tensor | None:
    norms = []
    for _, params in layers:
        grads = [p.grad for p in params if p.grad is not None]
        norms.append(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))) if grads
                     else torch.zeros((), device=params[0].device))
    return torch.stack(norms) if norms else None


def _cpu_state(model: nn.Module) -> dict:
    return {k: v.detach().to("cpu", copy=True).contiguous() for k, v in model.state_dict().items()}


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn, num_classes: int,
             control: Control | None = None, prepare=None,
             layout: torch.memory_format = torch.contiguous_format) -> tuple[float, float, list[list[int]]] | None:
    """Held-out loss, accuracy and confusion matrix; None when stopped part way.

    ``prepare`` turns stored samples (uint8 pictures) into model input, a chunk at a time.
    """
    model.eval()
    loss_sum = torch.zeros((), device=x.device)
    confusion = torch.zeros(num_classes * num_classes, dtype=torch.long, device=x.device)
    with torch.inference_mode():
        for i in range(0, len(x), EVAL_BATCH):
            if control is not None and control.stopped:
                return None
            xb = x[i:i + EVAL_BATCH]
            out = model((prepare(xb) if prepare else xb).contiguous(memory_format=layout))
            yb = y[i:i + EVAL_BATCH]
            loss_sum += loss_fn(out, yb) * len(yb)
            confusion += torch.bincount(yb * num_classes + out.argmax(1), minlength=num_classes * num_classes)
    model.train()
    matrix = confusion.view(num_classes, num_classes)
    accuracy = matrix.diagonal().sum() / max(len(x), 1)
    return loss_sum.item() / max(len(x), 1), accuracy.item(), matrix.tolist()


def train(model: nn.Module, data: Dataset, config: TrainConfig, control: Control | None = None,
          events_per_s: float = 20.0, checkpoint: str | os.PathLike | None = None,
          resume: dict | None = None) -> Iterator[Event]:
    """Train ``model`` on ``data`` and yield progress events; the last is Finished or Failed.

    Stop is honoured between batches (well within 0.5 s); pause blocks this
    generator until resume or stop. A NaN or infinite loss ends the run with
    a Failed event naming the step; so does an error torch raises (e.g. out
    of memory). Failed carries the best weights of the epochs before the
    failure. Seeds torch's global RNG with ``config.seed``.

    ``checkpoint``: a file rewritten after every epoch (before its EpochEnd)
    with everything ``resume`` needs to carry on: pass what
    ``designer.ml.training.checkpoint.load`` read from it, with the same settings,
    and the run ends with the weights an uninterrupted one would have.
    """
    best = _Best()
    try:
        yield from _train(model, data, config, control or Control(), events_per_s, best, checkpoint, resume)
    except RuntimeError as exc:  # torch's errors: out of memory, a layer that cannot take the batch, ...
        advice = " (out of memory: try a smaller batch size)" if "out of memory" in str(exc).lower() else ""
        yield best.failed(f"Training stopped: {str(exc).splitlines()[0]}{advice}")


def _train(model: nn.Module, data: Dataset, config: TrainConfig, control: Control,
           events_per_s: float, best: _Best, checkpoint, resume: dict | None) -> Iterator[Event]:
    try:
        config = config.validated()
        device = resolve_device(config.device)
    except (ConfigError, DeviceError) as exc:
        yield Failed(str(exc))
        return
    seed = config.seed if config.seed is not None else int.from_bytes(os.urandom(4), "little") & MAX_SEED
    torch.manual_seed(seed)
    init_weights(model, config.init)
    model.to(device).train()
    train_x, train_y = data.train_x.to(device), data.train_y.to(device)
    test_x, test_y = data.test_x.to(device), data.test_y.to(device)
    layout = memory_format(model, train_x)
    model.to(memory_format=layout)
    num_classes = data.num_classes
    loss_fn = loss_function(config.loss, num_classes)

    failure = _dry_run(model, data, data.prepare(train_x[:2]), num_classes)
    if failure:
        yield Failed(failure)
        return
    warnings, problems = [], []  # problems: said when the run ends
    if config.loss == "NLLLoss" and not isinstance(list(model.modules())[-1], nn.LogSoftmax):
        warnings.append(_("NLLLoss expects log-probabilities: end the model with LogSoftmax(dim=1)."))

    optimizer = make_optimizer(model.parameters(), config)
    shuffle = torch.Generator().manual_seed(seed)
    n, batch = len(train_x), config.batch_size
    steps = steps_per_epoch(n, batch)
    total_steps = steps * config.epochs
    scheduler = make_scheduler(optimizer, config.lr_schedule, steps, config.epochs, config.lr_step_epochs,
                               config.lr_step_factor)
    how = augmentation(config) if config.augment else None  # the same as the panel's preview shows
    if how is not None:
        try:
            augment(data.prepare(train_x[:1]), how, torch.Generator().manual_seed(0), data.mean, data.std)
        except ValueError as exc:
            yield Failed(_("training.augment: {reason}: turn augmentation off for this model").format(reason=said(exc)))
            return
    shaker = torch.Generator().manual_seed(seed + 1)  # augmentation's own random numbers
    layers = _layers(model)
    layer_names = [name for name, _ in layers]
    interval = 1.0 / events_per_s

    step, epochs_done, first = 0, 0, 1
    if resume is not None:
        try:
            model.load_state_dict(resume["model"])
            optimizer.load_state_dict(resume["optimizer"])
            if scheduler is not None and resume.get("scheduler"):
                scheduler.load_state_dict(resume["scheduler"])
        except (RuntimeError, KeyError, ValueError) as exc:
            yield Failed(_("The checkpoint does not fit this model or these settings ({reason}): "
                           "start a new run instead.").format(reason=str(exc).splitlines()[0]))
            return
        step, epochs_done, seed = resume["step"], resume["epoch"], resume["seed"]
        first = epochs_done + 1
        for key, value in resume["best"].items():
            setattr(best, key, value)
        _set_rng(resume["rng"], shuffle, shaker, device)
    yield Started(config.epochs, steps, n, len(test_x), str(device), seed, warnings, list(data.classes),
                  epochs_done)

    early_stopped = False
    for epoch in range(first, config.epochs + 1):
        order = torch.randperm(n, generator=shuffle).to(device)
        if not data.raw:  # normalised already: shuffle the whole set in one copy, then slice
            xs, ys = train_x.index_select(0, order).contiguous(memory_format=layout), train_y.index_select(0, order)
        losses = torch.empty(steps, device=device)
        lrs: list[float] = []
        correct = torch.zeros((), dtype=torch.long, device=device)
        grad_sum, grad_samples = None, 0
        reported, epoch_active = 0, 0.0
        started = time.perf_counter()
        next_event = started + interval
        for i in range(steps):
            if control.paused:
                epoch_active += time.perf_counter() - started
                control.wait_while_paused()
                started = next_event = time.perf_counter()
            if control.stopped:
                break
            if data.raw:  # uint8 pictures (maybe memory-mapped): gather and normalise one batch at a time
                picked = order[i * batch:(i + 1) * batch]
                xb = data.prepare(train_x.index_select(0, picked)).contiguous(memory_format=layout)
                yb = train_y.index_select(0, picked)
            else:
                xb, yb = xs[i * batch:(i + 1) * batch], ys[i * batch:(i + 1) * batch]
            if how is not None:  # training batches only: the held-out set is never augmented
                xb = augment(xb, how, shaker, data.mean, data.std).contiguous(memory_format=layout)
            out = model(xb)
            loss = loss_fn(out, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            losses[i] = loss.detach()
            correct += (out.argmax(1) == yb).sum()
            step += 1
            now = time.perf_counter()
            if now < next_event and i < steps - 1:
                continue
            norms = _grad_norms(layers)
            if norms is not None:
                grad_sum = norms if grad_sum is None else grad_sum + norms
                grad_samples += 1
            recent = losses[reported:i + 1].tolist()  # the one host sync per event
            bad = next((k for k, v in enumerate(recent) if not math.isfinite(v)), None)
            if bad is not None:
                at = step - len(recent) + bad + 1
                yield best.failed(f"The loss became {'NaN' if math.isnan(recent[bad]) else 'infinite'} at step {at} "
                             f"(epoch {epoch}, batch {reported + bad + 1}): the learning rate {config.lr:g} is "
                             f"probably too large. Try a smaller one, e.g. {config.lr / 10:g}.", at)
                return
            reported = i + 1
            now = time.perf_counter()
            elapsed = epoch_active + (now - started)
            rate = min(reported * batch, n) / elapsed if elapsed > 0 else 0.0
            eta = (total_steps - step) * batch / rate if rate > 0 else 0.0
            named = dict(zip(layer_names, norms.tolist())) if norms is not None else {}
            yield BatchEnd(epoch, step, total_steps, recent[-1], rate, eta, recent, named, lrs[reported - len(recent):])
            next_event = time.perf_counter() + interval
        epoch_active += time.perf_counter() - started
        if control.stopped:
            break
        result = evaluate(model, test_x, test_y, loss_fn, num_classes, control, data.prepare, layout)
        if result is None:
            break
        val_loss, val_acc, confusion = result
        epochs_done = epoch
        train_loss = sum(losses.tolist()) / steps
        norms = dict(zip(layer_names, (grad_sum / max(grad_samples, 1)).tolist())) if grad_sum is not None else {}
        improved = val_acc > best.val_acc
        if improved:
            best.state, best.val_acc, best.epoch, best.confusion = _cpu_state(model), val_acc, epoch, confusion
        if val_loss < best.loss:
            best.loss, best.bad_epochs = val_loss, 0
        else:
            best.bad_epochs += 1
        early_stopped = config.patience > 0 and best.bad_epochs >= config.patience and epoch < config.epochs
        if checkpoint is not None:
            try:
                save_checkpoint(checkpoint, {
                    "model": _cpu_state(model), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "epoch": epoch, "step": step, "seed": seed, "best": dict(vars(best)),
                    "rng": _get_rng(shuffle, shaker, device), "finished": early_stopped or epoch == config.epochs})
            except CheckpointError as exc:  # the run goes on; only continuing it later is lost
                checkpoint = None
                problems.append(_("{problem}; training goes on without checkpoints (it cannot be continued "
                                  "later)").format(problem=exc))
        yield EpochEnd(epoch, config.epochs, train_loss, correct.item() / n, val_loss, val_acc, norms,
                       n / epoch_active if epoch_active > 0 else 0.0, epoch_active, lrs[-1] if lrs else config.lr,
                       improved)
        if early_stopped:
            break
    model.to(memory_format=torch.contiguous_format)  # hand the caller's model back as it came
    last_state = _cpu_state(model)
    best_state = best.state if best.state is not None else last_state
    mistakes = []  # not after Stop: stopping answers at once, the mistakes are for a run that ended
    if epochs_done and not control.stopped:
        mistakes = find_mistakes(model, best_state, test_x, test_y, data.prepare)
        model.load_state_dict(last_state)
    yield Finished(best_state, last_state, max(best.val_acc, 0.0), best.epoch, best.confusion,
                   control.stopped, epochs_done, early_stopped, mistakes, problems)


def find_mistakes(model: nn.Module, state: dict, x: torch.Tensor, y: torch.Tensor, prepare=None,
                  limit: int = MAX_MISTAKES) -> list[Mistake]:
    """The held-out samples ``state`` classifies wrongly, the most confident first (at most ``limit``)."""
    model.load_state_dict(state)
    model.eval()
    found = []
    with torch.inference_mode():
        for i in range(0, len(x), EVAL_BATCH):
            xb = x[i:i + EVAL_BATCH]
            probs = torch.softmax(model(prepare(xb) if prepare else xb).float(), dim=1)
            confidence, predicted = probs.max(dim=1)
            wrong = torch.nonzero(predicted != y[i:i + EVAL_BATCH]).flatten()
            for k in wrong.tolist():
                found.append(Mistake(i + k, int(y[i + k]), int(predicted[k]), float(confidence[k])))
    model.train()
    found.sort(key=lambda m: -m.confidence)
    return found[:limit]


def _get_rng(shuffle: torch.Generator, shaker: torch.Generator, device: torch.device) -> dict:
    rng = {"shuffle": shuffle.get_state(), "augment": shaker.get_state(), "torch": torch.get_rng_state()}
    if device.type == "cuda":  # dropout on the GPU draws from the device's generator
        rng["cuda"] = torch.cuda.get_rng_state(device)
    return rng


def _set_rng(rng: dict, shuffle: torch.Generator, shaker: torch.Generator, device: torch.device) -> None:
    shuffle.set_state(rng["shuffle"])
    shaker.set_state(rng["augment"])
    torch.set_rng_state(rng["torch"])
    if device.type == "cuda" and "cuda" in rng:
        torch.cuda.set_rng_state(rng["cuda"], device)


def _dry_run(model: nn.Module, data: Dataset, x: torch.Tensor, num_classes: int) -> str | None:
    """Run two samples through the model first, so a misfit is one clear message."""
    try:
        with torch.no_grad():
            model.eval()
            out = model(x[:2])
            model.train()
    except RuntimeError as exc:
        return (f"The model cannot run on {data.name} samples of shape {list(x.shape[1:])}: "
                f"{str(exc).splitlines()[0]}")
    if out.dim() != 2 or out.shape[1] != num_classes:
        last = [m for m in model.modules() if isinstance(m, nn.Linear)]
        fix = (f"set the last Linear's out_features → {num_classes}" if last and out.dim() == 2 else
               f"end the model with Linear(..., {num_classes})")
        return (f"The model outputs shape {list(out.shape[1:])} per sample, but {data.name} has {num_classes} "
                f"classes ({_class_list(data.classes)}): it needs one score per class; {fix}.")
    return None


def _class_list(classes: list[str], limit: int = 5) -> str:
    shown = ", ".join(classes[:limit])
    return shown + (f" and {len(classes) - limit} more" if len(classes) > limit else "")
