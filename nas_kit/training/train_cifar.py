"""Final training of a cell genotype on CIFAR-10, as DARTS evaluates architectures
(Liu et al. 2019, section 3.3 and appendix A.2; quark0/darts cnn/train.py).

The network (``NetworkCIFAR``) stacks 20 cells with 36 initial channels; it is trained from scratch
for 600 epochs, batch 96, SGD (momentum 0.9, weight decay 3e-4) with the learning rate 0.025 annealed
to 0 by a cosine, gradients clipped to norm 5; random crop (4-pixel padding) and flip, then cutout 16
(DeVries & Taylor 2017) on the normalised image; drop-path whose probability rises linearly from 0
to 0.2 over the epochs; an auxiliary classifier at 2/3 depth with loss weight 0.4:

    loss = CE(logits, y) + 0.4 * CE(logits_aux, y)

As in DARTS, the test set is evaluated after every epoch, and the test error of the last epoch is
the result, with the parameter count in millions (auxiliary head excluded).

Speed on a GPU (each an option, 'auto' = on with CUDA, off on the CPU): the images live on the device
as one uint8 tensor and are cropped, flipped and cut out there in batches (``nas_kit.data.augment``);
bf16 autocast (``amp``) and channels-last memory (``channels_last``); the losses and accuracies are
summed on the device and read once per epoch.

Each epoch draws its data order, augmentations and drop-path masks from generators seeded by
(seed, epoch), and a checkpoint is written after every epoch, so a killed run resumes with the same
numbers as an uninterrupted one, losing at most the epoch in progress.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.data import load_cifar10, make_cifar_like, normalize
from nas_kit.data.cifar10 import augment
from nas_kit.models.cifar_network import NetworkCIFAR, count_parameters
from nas_kit.config import SWITCH, override, resolve_device, switch
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress
from nas_kit.training import run_dir as rd

# full: DARTS cnn/train.py (the paper's evaluation, appendix A.2).  quick: the same recipe, shrunk
# (fewer channels, cells, images and epochs) to run in seconds on a CPU on the kit's own images.
RECIPE = {
    "full": dict(epochs=600, batch_size=96, lr=0.025, lr_min=0.0, momentum=0.9, weight_decay=3e-4, grad_clip=5.0,
                 C=36, layers=20, auxiliary=True, auxiliary_weight=0.4, cutout=16, drop_path_prob=0.2,
                 crop_padding=4, data="cifar10", data_root="", n_train=0, n_test=0, eval_batch_size=500, seed=0,
                 device="auto", amp="auto", channels_last="auto", threads=0),
    "quick": dict(epochs=4, batch_size=32, lr=0.025, lr_min=0.0, momentum=0.9, weight_decay=3e-4, grad_clip=5.0,
                  C=8, layers=5, auxiliary=True, auxiliary_weight=0.4, cutout=16, drop_path_prob=0.2,
                  crop_padding=4, data="synthetic", data_root="", n_train=500, n_test=250, eval_batch_size=250,
                  seed=0, device="auto", amp="auto", channels_last="auto", threads=1),
}
CHOICES = {"data": ("synthetic", "cifar10"), "amp": SWITCH, "channels_last": SWITCH}


def recipe(profile: str = "quick", **overrides) -> dict:
    """The settings of ``profile`` with ``overrides`` applied (checked: an unknown key is an error)."""
    if profile not in RECIPE:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(RECIPE)}.")
    return override(RECIPE[profile], overrides, f"train on cifar10 ({profile} profile)", CHOICES)


def check(settings: dict) -> None:
    """One sentence for the first setting out of range."""
    for key in ("epochs", "batch_size", "C", "layers", "eval_batch_size"):
        if settings[key] < 1:
            raise ValueError(f"setting {key}={settings[key]} must be at least 1.")
    for key in ("n_train", "n_test", "cutout", "crop_padding", "threads"):
        if settings[key] < 0:
            raise ValueError(f"setting {key}={settings[key]} must be 0 or more.")
    if not 0 <= settings["drop_path_prob"] < 1:
        raise ValueError(f"setting drop_path_prob={settings['drop_path_prob']} must be in [0, 1).")
    if settings["layers"] < 3 and settings["auxiliary"]:
        raise ValueError(f"layers={settings['layers']} leaves no cell at 2/3 depth for the auxiliary head: "
                         "use layers >= 3 or auxiliary=false.")
    if settings["lr"] <= 0:
        raise ValueError(f"setting lr={settings['lr']} must be positive.")
    resolve_device(settings["device"])


def load_images(settings: dict):
    """ImageData: the kit's synthetic images (``data=synthetic``) or CIFAR-10, cut to n_train / n_test when > 0."""
    n_train, n_test = settings["n_train"], settings["n_test"]
    if settings["data"] == "synthetic":
        images = make_cifar_like(n_train=n_train or 5000, n_test=n_test or 1000, seed=0)
    else:
        images = load_cifar10(settings["data_root"] or None)
    return images._replace(x_train=images.x_train[:n_train or None], y_train=images.y_train[:n_train or None],
                           x_test=images.x_test[:n_test or None], y_test=images.y_test[:n_test or None])


def build(genotype, settings: dict, num_classes: int = 10) -> NetworkCIFAR:
    """The evaluation network, its weights drawn from ``settings['seed']``."""
    torch.manual_seed(settings["seed"])
    return NetworkCIFAR(settings["C"], num_classes, settings["layers"], settings["auxiliary"], genotype)


def _on_device(x, y, device):
    """uint8 NHWC numpy images -> one uint8 NCHW tensor on ``device`` (4x smaller than floats)."""
    return torch.as_tensor(x).permute(0, 3, 1, 2).contiguous().to(device), torch.as_tensor(y).to(device)


def _epoch_seed(seed: int, epoch: int) -> int:
    return seed * 100_003 + epoch


def train_cifar(genotype, settings: dict | None = None, run_dir=None, resume: bool = False, progress: str = "auto",
                images=None) -> dict:
    """Train ``genotype`` with ``settings`` (default: the quick recipe); return the results.

    run_dir:  where config, metrics.csv and checkpoint.pt go (nothing is written when None)
    resume:   continue from run_dir's checkpoint (after its last complete epoch)
    progress: 'auto', 'bar', 'lines' or 'off' (nas_kit.training.progress), or an object with Progress's methods
    images:   an ImageData to train on instead of loading ``settings['data']``
    Results: test_acc and test_error (%) of the last epoch, params_M, epochs, history (one dict per epoch).
    """
    settings = dict(recipe("quick") if settings is None else settings)
    check(settings)
    device = resolve_device(settings["device"])
    amp, channels_last = switch(settings["amp"], device), switch(settings["channels_last"], device)
    if settings["threads"]:
        torch.set_num_threads(settings["threads"])
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True       # as DARTS's train.py: the fastest convolutions for fixed shapes
    images = load_images(settings) if images is None else images
    num_classes = len(images.class_names)
    x_train, y_train = _on_device(images.x_train, images.y_train, device)
    x_test, y_test = _on_device(images.x_test, images.y_test, device)

    model = build(genotype, settings, num_classes).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), settings["lr"], momentum=settings["momentum"],
                                weight_decay=settings["weight_decay"])
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, settings["epochs"], eta_min=settings["lr_min"])
    history, start = [], 0
    path = Path(run_dir) / rd.CHECKPOINT if run_dir is not None else None
    if resume and path is not None and path.is_file():
        payload = _load(path, model, optimizer, scheduler)
        history, start = payload["history"], payload["epoch"] + 1

    epochs, n = settings["epochs"], len(x_train)
    steps = math.ceil(n / settings["batch_size"])
    bar = Progress(epochs, done=start, mode=progress) if isinstance(progress, str) else progress
    if start:
        bar.note(f"resumed after epoch {start} of {epochs} from {path}")
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)

    def batch(x, idx, train):
        xb = x[idx].float().div_(255)
        if train:                                   # crop and flip on [0, 1], cutout after normalising (DARTS)
            xb = augment(xb, padding=settings["crop_padding"], flip=True, generator=gen)
        xb = normalize(xb)
        if train and settings["cutout"]:
            xb = augment(xb, padding=0, flip=False, cutout=settings["cutout"], generator=gen)
        return xb.contiguous(memory_format=torch.channels_last) if channels_last else xb

    for epoch in range(start, epochs):
        t0 = time.perf_counter()
        seed = _epoch_seed(settings["seed"], epoch)
        torch.manual_seed(seed)                     # drop-path masks
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).to(device)
        gen = torch.Generator(device=device).manual_seed(seed)
        lr = optimizer.param_groups[0]["lr"]
        model.drop_path_prob = settings["drop_path_prob"] * epoch / epochs
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        bar.start_epoch(epoch, steps)
        for s in range(steps):
            idx = order[s * settings["batch_size"]:(s + 1) * settings["batch_size"]]
            x, y = batch(x_train, idx, True), y_train[idx]
            with autocast:
                logits, logits_aux = model(x)
                loss = F.cross_entropy(logits, y)
                if settings["auxiliary"]:
                    loss = loss + settings["auxiliary_weight"] * F.cross_entropy(logits_aux, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), settings["grad_clip"])
            optimizer.step()
            loss_sum += loss.detach().float() * len(idx)
            correct += (logits.detach().argmax(1) == y).sum()
            bar.step(s, lambda: {"loss": loss_sum.item() / min(n, (s + 1) * settings["batch_size"])})
        scheduler.step()
        train_loss, train_correct = torch.stack([loss_sum, correct.float()]).tolist()   # the epoch's one sync
        if not math.isfinite(train_loss):
            raise FloatingPointError(f"the training loss became {train_loss} in epoch {epoch + 1}: resume from the "
                                     f"last checkpoint with a smaller learning rate (--set lr=...).")
        test_loss, test_acc = evaluate(model, x_test, y_test, settings["eval_batch_size"], lambda x, i: batch(x, i, False),
                                       autocast)
        row = dict(epoch=epoch + 1, lr=lr, drop_path_prob=model.drop_path_prob, train_loss=train_loss / n,
                   train_acc=train_correct / n, test_loss=test_loss, test_acc=test_acc,
                   seconds=time.perf_counter() - t0)
        history.append(row)
        if path is not None:
            save_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, history=history, epoch=epoch,
                            settings=settings)
            rd.write_metrics(Path(run_dir) / rd.METRICS, history)
        bar.end_epoch(epoch, {"loss": row["train_loss"], "acc": row["train_acc"], "test_acc": test_acc})

    results = dict(test_acc=history[-1]["test_acc"], test_error=100 * (1 - history[-1]["test_acc"]),
                   params_M=count_parameters(model) / 1e6, epochs=len(history), history=history)
    if run_dir is not None:
        rd.write_json(Path(run_dir) / rd.RESULTS, {k: v for k, v in results.items() if k != "history"})
    return results


@torch.no_grad()
def evaluate(model, x, y, batch_size, prepare, autocast=None):
    """(mean cross-entropy, accuracy) of ``model`` in eval mode on uint8 images ``x`` held on the device."""
    model.eval()
    loss_sum = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    for i in range(0, len(x), batch_size):
        idx = torch.arange(i, min(i + batch_size, len(x)), device=x.device)
        with autocast or torch.autocast(x.device.type, enabled=False):
            logits, _ = model(prepare(x, idx))
        loss_sum += F.cross_entropy(logits.float(), y[idx], reduction="sum")
        correct += (logits.argmax(1) == y[idx]).sum()
    loss, right = torch.stack([loss_sum, correct.float()]).tolist()
    return loss / len(x), right / len(x)


def _load(path, model, optimizer, scheduler) -> dict:
    try:
        return load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler)
    except (RuntimeError, KeyError):
        raise ValueError(f"the checkpoint {path} does not fit this network (it was made with other settings): "
                         f"resume with the run's own config.json, or start a new run directory.") from None
