"""The one training loop on images: SGD with momentum, a cosine learning rate, random crop and flip, and
what a recipe adds (cutout, drop-path, an auxiliary head). The final training of a genotype
(``train_cifar``), the evaluator's children (``nas_kit.estimation.evaluator``) and ENAS's retraining
(``nas_kit.strategies.enas.retrain``) all train through it, each with its recipe.

    for stats in epochs(model, x, y, recipe, draws, optimizer, scheduler):
        ...                                   # evaluate, checkpoint, record: whatever the caller needs

``x`` holds NCHW images on the training device, uint8 (0..255; 4x smaller than floats, converted batch by
batch) or float in [0, 1]. ``draws(epoch)`` says where an epoch's random numbers come from: ``epoch_draws``
seeds them by (seed, epoch), so that a resumed run repeats an uninterrupted one exactly; ``stream_draws``
takes them from one generator for the whole run (a child that is never resumed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.config import choice
from nas_kit.data.cifar10 import augment, normalize


@dataclass(frozen=True)
class Recipe:
    """How a network is trained on images; the defaults are DARTS's evaluation (cnn/train.py, appendix A.2)
    without its additions (cutout 16, drop-path 0.2, auxiliary weight 0.4), which ``train_cifar`` sets."""
    epochs: int = 600
    batch_size: int = 96
    lr: float = 0.025
    lr_min: float = 0.0
    cosine_per: str = choice("epoch", ("epoch", "step"))   # the lr falls once per epoch (DARTS) or every step
    momentum: float = 0.9
    nesterov: bool = False
    lr_T0: int = 0                   # cosine with warm restarts after lr_T0, lr_T0 * lr_T_mul, ... epochs (ENAS);
    lr_T_mul: int = 2                # 0: one cosine over all epochs (DARTS)
    weight_decay: float = 3e-4
    grad_clip: float = 5.0
    crop_padding: int = 4            # random crop after zero padding; horizontal flips always
    cutout: int = 0                  # DeVries & Taylor 2017, on the normalised image
    drop_path_prob: float = 0.0      # reached at the last epoch, rising linearly from 0
    auxiliary_weight: float = 0.0    # loss = CE(logits) + weight * CE(auxiliary logits)
    max_batches: int = 0             # per epoch; 0: the whole training set


def sgd(model, recipe: Recipe) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), recipe.lr, momentum=recipe.momentum, weight_decay=recipe.weight_decay,
                           nesterov=recipe.nesterov)


def steps_per_epoch(n: int, recipe: Recipe) -> int:
    steps = math.ceil(n / recipe.batch_size)
    return min(steps, recipe.max_batches) if recipe.max_batches else steps


def cosine(optimizer, recipe: Recipe, n: int) -> torch.optim.lr_scheduler.CosineAnnealingLR:
    """The cosine from ``lr`` to ``lr_min`` over every epoch, or over every step of every epoch; with ``lr_T0``,
    restarted after lr_T0, lr_T0 * lr_T_mul, ... epochs (ENAS's ``get_train_ops``: 10, 20, 40, ...)."""
    if recipe.lr_T0:
        return torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, recipe.lr_T0, recipe.lr_T_mul,
                                                                    eta_min=recipe.lr_min)
    steps = recipe.epochs * (steps_per_epoch(n, recipe) if recipe.cosine_per == "step" else 1)
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps, eta_min=recipe.lr_min)


def epoch_draws(seed: int, device):
    """Each epoch's data order, augmentations and drop-path masks drawn from generators seeded by (seed, epoch)."""
    def draws(epoch):
        epoch_seed = seed * 100_003 + epoch
        torch.manual_seed(epoch_seed)                                  # drop-path masks
        return torch.Generator().manual_seed(epoch_seed), torch.Generator(device=device).manual_seed(epoch_seed)
    return draws


def stream_draws(seed: int, device):
    """Every epoch's draws from one generator seeded once (on a GPU, a second one for the augmentations)."""
    order = torch.Generator().manual_seed(seed)
    crops = order if torch.device(device).type == "cpu" else torch.Generator(device=device).manual_seed(seed)
    return lambda epoch: (order, crops)


def prepare(x, idx, recipe: Recipe | None = None, generator=None, channels_last: bool = False):
    """The network's input for images ``x[idx]``: [0, 1], cropped and flipped, normalised, cut out (with a
    recipe: a training batch), and channels-last when asked."""
    xb = x[idx]
    xb = xb.float().div_(255) if xb.dtype == torch.uint8 else xb
    if recipe is not None:                  # crop and flip on [0, 1], cutout after normalising (DARTS)
        xb = augment(xb, padding=recipe.crop_padding, flip=True, generator=generator)
    xb = normalize(xb)
    if recipe is not None and recipe.cutout:
        xb = augment(xb, padding=0, flip=False, cutout=recipe.cutout, generator=generator)
    return xb.contiguous(memory_format=torch.channels_last) if channels_last else xb


def _loss(model, xb, yb, recipe: Recipe):
    out = model(xb)
    logits, logits_aux = out if isinstance(out, tuple) else (out, None)    # NetworkCIFAR: (logits, auxiliary)
    loss = F.cross_entropy(logits, yb)
    if logits_aux is not None and recipe.auxiliary_weight:
        loss = loss + recipe.auxiliary_weight * F.cross_entropy(logits_aux, yb)
    return loss, logits


def train_epoch(model, optimizer, scheduler, x, y, recipe: Recipe, epoch: int, draws, autocast=None,
                channels_last: bool = False, bar=None) -> tuple[float, float]:
    """One epoch of training; (mean training loss, training accuracy), read from the device once at the end."""
    order_generator, generator = draws(epoch)
    n, steps = len(x), steps_per_epoch(len(x), recipe)
    order = torch.randperm(n, generator=order_generator).to(x.device)
    if recipe.drop_path_prob:
        model.drop_path_prob = recipe.drop_path_prob * epoch / recipe.epochs
    model.train()
    loss_sum = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    if bar is not None:
        bar.start_epoch(epoch, steps)
    for s in range(steps):
        idx = order[s * recipe.batch_size:(s + 1) * recipe.batch_size]
        xb, yb = prepare(x, idx, recipe, generator, channels_last), y[idx]
        with autocast or torch.autocast(x.device.type, enabled=False):
            loss, logits = _loss(model, xb, yb, recipe)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        if recipe.cosine_per == "step":
            scheduler.step()
        loss_sum += loss.detach().float() * len(idx)
        correct += (logits.detach().argmax(1) == yb).sum()
        if bar is not None:
            bar.step(s, lambda: {"loss": loss_sum.item() / min(n, (s + 1) * recipe.batch_size)})
    seen = min(n, steps * recipe.batch_size)
    loss, right = torch.stack([loss_sum, correct.float()]).tolist()      # the epoch's one sync
    return loss / seen, right / seen


def epochs(model, x, y, recipe: Recipe, draws, optimizer, scheduler, start: int = 0, autocast=None,
           channels_last: bool = False, bar=None):
    """Train from epoch ``start`` to ``recipe.epochs``, yielding after each epoch
    ``(epoch, lr it began with, mean training loss, training accuracy)``. A non-finite training loss raises
    FloatingPointError."""
    for epoch in range(start, recipe.epochs):
        lr = optimizer.param_groups[0]["lr"]
        train_loss, train_acc = train_epoch(model, optimizer, scheduler, x, y, recipe, epoch, draws, autocast,
                                            channels_last, bar)
        if recipe.cosine_per == "epoch":
            scheduler.step()
        if not math.isfinite(train_loss):
            raise FloatingPointError(f"the training loss became {train_loss} in epoch {epoch + 1}")
        yield epoch, lr, train_loss, train_acc


@torch.no_grad()
def evaluate(model, x, y, batch_size: int, autocast=None, channels_last: bool = False) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of ``model`` in eval mode on images ``x`` held on the device."""
    model.eval()
    loss_sum = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    for i in range(0, len(x), batch_size):
        idx = torch.arange(i, min(i + batch_size, len(x)), device=x.device)
        with autocast or torch.autocast(x.device.type, enabled=False):
            out = model(prepare(x, idx, channels_last=channels_last))
        logits = out[0] if isinstance(out, tuple) else out
        loss_sum += F.cross_entropy(logits.float(), y[idx], reduction="sum")
        correct += (logits.argmax(1) == y[idx]).sum()
    loss, right = torch.stack([loss_sum, correct.float()]).tolist()
    return loss / len(x), right / len(x)


def on_device(x, y, device):
    """uint8 NHWC numpy images -> one uint8 NCHW tensor on ``device`` (4x smaller than floats), and the labels."""
    return torch.as_tensor(x).permute(0, 3, 1, 2).contiguous().to(device), torch.as_tensor(y).to(device)


def resized(x, size: int, device="cpu"):
    """uint8 NHWC images -> float NCHW in [0, 1] on ``device``, averaged down to ``size`` x ``size`` (area)."""
    x = torch.as_tensor(x, device=device).permute(0, 3, 1, 2).float().div_(255)
    return F.interpolate(x, size=(size, size), mode="area") if size != x.shape[-1] else x
