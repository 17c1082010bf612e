"""Training settings -> torch objects: the initialisation, the optimizer, the loss, the epoch's batches.

``config`` is any object with the ``training`` keys as attributes: a
``designer.core.training.TrainConfig`` in the app, the parsed command line in
the exported training script. This file imports only torch because the
exported script carries a copy of it (see ``designer.ml.export.trainscript``):
the app and the script then train in exactly the same way.
"""

import torch
import torch.nn.functional as F
from torch import nn


def init_weights(model: nn.Module, how: str) -> None:
    """Re-initialise every layer: torch's default, Kaiming or Xavier; ``keep`` leaves the weights alone."""
    if how == "keep":
        return

    def apply(module: nn.Module) -> None:
        weight = getattr(module, "weight", None)
        if how != "default" and isinstance(module, (nn.Linear, nn.modules.conv._ConvNd)) and weight is not None:
            if how == "kaiming":
                nn.init.kaiming_normal_(weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif hasattr(module, "reset_parameters"):
            module.reset_parameters()

    model.apply(apply)


def make_optimizer(params, config) -> torch.optim.Optimizer:
    """The configured optimizer; the fused (single-kernel) variant where this torch has one for the device."""
    params = list(params)
    if config.optimizer == "SGD":
        cls, kwargs = torch.optim.SGD, {"momentum": config.momentum, "nesterov": config.nesterov}
    else:
        cls, kwargs = (torch.optim.Adam if config.optimizer == "Adam" else torch.optim.AdamW), {}
    try:
        return cls(params, lr=config.lr, weight_decay=config.weight_decay, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError):
        return cls(params, lr=config.lr, weight_decay=config.weight_decay, **kwargs)


def loss_function(name: str, num_classes: int):
    """``loss(output, labels)`` for the configured loss."""
    if name == "MSELoss":  # the tutorial's choice: outputs against one-hot targets
        return lambda out, y: F.mse_loss(out, F.one_hot(y, num_classes).to(out.dtype))
    if name == "NLLLoss":
        return F.nll_loss
    return F.cross_entropy


def steps_per_epoch(samples: int, batch_size: int) -> int:
    """Batches in one epoch of ``samples``.

    A last batch of one sample breaks BatchNorm in training mode, so that one
    (shuffled, so a different one each epoch) sample is left out.
    """
    if samples % batch_size == 1 and samples > 1:
        return samples // batch_size
    return -(-samples // batch_size)


def memory_format(model: nn.Module, x: torch.Tensor) -> torch.memory_format:
    """channels_last for convolutions on the CPU: oneDNN's conv and pooling run ~15% faster in it."""
    if x.device.type == "cpu" and x.dim() == 4 and any(isinstance(m, nn.Conv2d) for m in model.modules()):
        return torch.channels_last
    return torch.contiguous_format
