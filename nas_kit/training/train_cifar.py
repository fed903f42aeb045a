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
numbers as an uninterrupted one, losing at most the epoch in progress. The loop itself is
``nas_kit.training.cifar``'s; this module holds the command's settings and its run directory.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch

from nas_kit.config import SWITCH, choice, override, resolve_device, switch
from nas_kit.data import IMAGE_DATA, images
from nas_kit.genotypes import form
from nas_kit.models.cifar_network import NetworkCIFAR, count_parameters
from nas_kit.models.enas_macro import MacroNetwork
from nas_kit.training import cifar
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress


@dataclass(frozen=True)
class TrainCIFAR:
    """The settings of ``train`` on CIFAR-10; the defaults are DARTS cnn/train.py (the paper's evaluation)."""
    epochs: int = 600
    batch_size: int = 96
    lr: float = 0.025
    lr_min: float = 0.0
    momentum: float = 0.9
    nesterov: bool = False
    lr_T0: int = 0                     # 0: one cosine (DARTS); ENAS: restarts after 10, 20, 40, ... epochs
    lr_T_mul: int = 2
    weight_decay: float = 3e-4
    grad_clip: float = 5.0
    C: int = 36
    layers: int = 20
    auxiliary: bool = True
    auxiliary_weight: float = 0.4
    cutout: int = 16
    drop_path_prob: float = 0.2
    dropout: float = 0.0               # before the classifier (ENAS micro final: 0.2)
    crop_padding: int = 4
    data: str = choice("cifar10", IMAGE_DATA)
    data_root: str = ""
    n_train: int = 0
    n_test: int = 0
    eval_batch_size: int = 500
    seed: int = 0
    device: str = "auto"
    amp: str = choice("auto", SWITCH)
    channels_last: str = choice("auto", SWITCH)
    threads: int = 0

    SOURCES = {"amp": "the kit's choice: bf16 autocast on CUDA (auto); DARTS trains in float32 (--set amp=off)",
               "channels_last": "the kit's choice: channels-last on CUDA (auto); --set channels_last=off for DARTS's",
               "eval_batch_size": "the kit's choice", "dropout": "cifar10_micro_final.sh (keep 0.8) in --recipe ENAS",
               "cutout": "DARTS's train.py; in --recipe ENAS the ENAS paper's CutOut (the script sets none)",
               "drop_path_prob": "in --recipe ENAS the script's 0.4, rising linearly as in DARTS (ENAS also "
                                 "scales it by depth)"}

    def loop(self) -> cifar.Recipe:
        """The training loop's recipe (nas_kit.training.cifar)."""
        return cifar.Recipe(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, lr_min=self.lr_min,
                            momentum=self.momentum, nesterov=self.nesterov, lr_T0=self.lr_T0,
                            lr_T_mul=self.lr_T_mul, weight_decay=self.weight_decay, grad_clip=self.grad_clip,
                            crop_padding=self.crop_padding, cutout=self.cutout, drop_path_prob=self.drop_path_prob,
                            auxiliary_weight=self.auxiliary_weight if self.auxiliary else 0.0)


# full: DARTS cnn/train.py (the paper's evaluation, appendix A.2).  quick: the same recipe, shrunk
# (fewer channels, cells, images and epochs) to run in seconds on a CPU on the kit's own images.
FULL = TrainCIFAR()
_SHRINK = dict(epochs=4, batch_size=32, C=8, layers=5, data="synthetic", n_train=500, n_test=250, eval_batch_size=250,
               threads=1)
QUICK = replace(FULL, **_SHRINK)
# ENAS's final micro network (melodyguan/enas scripts/cifar10_micro_final.sh): 15 normal cells and 2 reductions
# (17 cells) of 36 channels, batch 144, 630 epochs of SGD with Nesterov momentum (lr 0.05 -> 0.0001 on a cosine
# restarted after 10, 30, 70, 150, 310 epochs), l2 2e-4 (SGD weight decay 4e-4: utils.get_train_ops adds l2 * sum(w^2)), aux head 0.4, drop-path 0.4 (keep 0.6), dropout 0.2
# (keep 0.8); cutout 16 from the paper (Table 2, "with CutOut"; the script sets none). Drop-path rises linearly
# over the epochs, as in DARTS (ENAS also scales it by the cell's depth).
ENAS_FULL = replace(FULL, epochs=630, batch_size=144, lr=0.05, lr_min=1e-4, nesterov=True, lr_T0=10, lr_T_mul=2,
                    weight_decay=4e-4, C=36, layers=17, auxiliary=True, auxiliary_weight=0.4, cutout=16,
                    drop_path_prob=0.4, dropout=0.2)
RECIPES = {"DARTS": {"full": FULL, "quick": QUICK}, "ENAS": {"full": ENAS_FULL, "quick": replace(ENAS_FULL, **_SHRINK)}}
RECIPE = RECIPES["DARTS"]


def recipe(profile: str = "quick", paper: str = "DARTS", **overrides) -> TrainCIFAR:
    """The settings of ``profile`` of ``paper``'s final training (DARTS: cnn/train.py; ENAS:
    cifar10_micro_final.sh) with ``overrides`` applied (checked: an unknown key is an error)."""
    if paper not in RECIPES:
        raise ValueError(f"recipe {paper!r} is not one of {', '.join(RECIPES)}.")
    if profile not in RECIPES[paper]:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(RECIPES[paper])}.")
    return override(RECIPES[paper][profile], overrides, f"train on cifar10 ({profile} profile)")


def check(settings: TrainCIFAR) -> None:
    """One sentence for the first setting out of range."""
    for key in ("epochs", "batch_size", "C", "layers", "eval_batch_size"):
        if getattr(settings, key) < 1:
            raise ValueError(f"setting {key}={getattr(settings, key)} must be at least 1.")
    for key in ("n_train", "n_test", "cutout", "crop_padding", "threads"):
        if getattr(settings, key) < 0:
            raise ValueError(f"setting {key}={getattr(settings, key)} must be 0 or more.")
    for key in ("drop_path_prob", "dropout"):
        if not 0 <= getattr(settings, key) < 1:
            raise ValueError(f"setting {key}={getattr(settings, key)} must be in [0, 1).")
    if settings.layers < 3 and settings.auxiliary:
        raise ValueError(f"layers={settings.layers} leaves no cell at 2/3 depth for the auxiliary head: "
                         "use layers >= 3 or auxiliary=false.")
    if settings.lr <= 0:
        raise ValueError(f"setting lr={settings.lr} must be positive.")
    resolve_device(settings.device)


def load_images(settings: TrainCIFAR):
    """ImageData: the kit's synthetic images (``data=synthetic``) or CIFAR-10, cut to n_train / n_test when > 0."""
    return images(settings.data, settings.data_root, settings.n_train, settings.n_test)


def build(genotype, settings: TrainCIFAR, num_classes: int = 10) -> torch.nn.Module:
    """The evaluation network, its weights drawn from ``settings.seed``: ``NetworkCIFAR`` for a cell genotype; for
    an ENAS macro genotype, ``MacroNetwork`` of its first ``settings.layers`` layers (nas_kit.training.train_macro)."""
    torch.manual_seed(settings.seed)
    if form(genotype) == "macro":
        if settings.layers > len(genotype.layers):
            raise ValueError(f"the macro genotype has {len(genotype.layers)} layers, fewer than layers="
                             f"{settings.layers}: pass --set layers={len(genotype.layers)} (or fewer).")
        return MacroNetwork(list(genotype.layers[:settings.layers]), C=settings.C, num_classes=num_classes,
                            keep_prob=1.0 - settings.dropout)
    return NetworkCIFAR(settings.C, num_classes, settings.layers, settings.auxiliary, genotype,
                        dropout=settings.dropout)


def train_cifar(genotype, settings: TrainCIFAR | None = None, run_dir=None, resume: bool = False,
                progress: str = "auto", images=None) -> dict:
    """Train ``genotype`` with ``settings`` (default: the quick recipe); return the results.

    run_dir:  where config, metrics.csv and checkpoint.pt go (nothing is written when None)
    resume:   continue from run_dir's checkpoint (after its last complete epoch)
    progress: 'auto', 'bar', 'lines' or 'off' (nas_kit.training.progress), or an object with Progress's methods
    images:   an ImageData to train on instead of loading ``settings.data``
    Results: test_acc and test_error (%) of the last epoch, params_M, epochs, history (one dict per epoch).
    """
    s = QUICK if settings is None else settings
    check(s)
    device = resolve_device(s.device)
    amp, channels_last = switch(s.amp, device), switch(s.channels_last, device)
    if s.threads:
        torch.set_num_threads(s.threads)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True       # as DARTS's train.py: the fastest convolutions for fixed shapes
    data = load_images(s) if images is None else images
    x_train, y_train = cifar.on_device(data.x_train, data.y_train, device)
    x_test, y_test = cifar.on_device(data.x_test, data.y_test, device)
    model = build(genotype, s, len(data.class_names)).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    loop = s.loop()
    optimizer = cifar.sgd(model, loop)
    scheduler = cifar.cosine(optimizer, loop, len(x_train))
    path = Path(run_dir) / rd.CHECKPOINT if run_dir is not None else None
    history = _resume(path, model, optimizer, scheduler) if resume and path is not None and path.is_file() else []
    bar = Progress(s.epochs, done=len(history), mode=progress) if isinstance(progress, str) else progress
    if history:
        bar.note(f"resumed after epoch {len(history)} of {s.epochs} from {path}")
        rd.write_metrics(Path(run_dir) / rd.METRICS, history)     # the checkpoint says what was trained
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)
    t0 = time.perf_counter()
    for epoch, lr, train_loss, train_acc in _epochs(model, x_train, y_train, loop, s, optimizer, scheduler,
                                                    len(history), autocast, channels_last, bar):
        test_loss, test_acc = cifar.evaluate(model, x_test, y_test, s.eval_batch_size, autocast, channels_last)
        history.append(dict(epoch=epoch + 1, lr=lr, drop_path_prob=getattr(model, "drop_path_prob", 0.0),
                            train_loss=train_loss, train_acc=train_acc, test_loss=test_loss, test_acc=test_acc,
                            seconds=time.perf_counter() - t0))
        if path is not None:
            save_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, history=history, epoch=epoch,
                            settings=asdict(s))
            rd.write_metrics(Path(run_dir) / rd.METRICS, history)
        bar.end_epoch(epoch, {"loss": train_loss, "acc": train_acc, "test_acc": test_acc})
        t0 = time.perf_counter()
    results = dict(test_acc=history[-1]["test_acc"], test_error=100 * (1 - history[-1]["test_acc"]),
                   params_M=count_parameters(model) / 1e6, epochs=len(history), history=history)
    if run_dir is not None:
        rd.write_json(Path(run_dir) / rd.RESULTS, {k: v for k, v in results.items() if k != "history"})
    return results


def _epochs(model, x, y, loop, s: TrainCIFAR, optimizer, scheduler, start, autocast, channels_last, bar):
    """The loop's epochs, its divergence message completed with what to do."""
    try:
        yield from cifar.epochs(model, x, y, loop, cifar.epoch_draws(s.seed, x.device), optimizer, scheduler, start,
                                autocast, channels_last, bar)
    except FloatingPointError as e:
        raise FloatingPointError(f"{e}: the checkpoint of the last finite epoch is kept; train again in a new "
                                 f"--run-dir with a smaller learning rate (--set lr=...).") from None


def _resume(path, model, optimizer, scheduler) -> list:
    """The history of the checkpointed run, its state loaded into the model, optimizer and scheduler."""
    try:
        return load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler)["history"]
    except (RuntimeError, KeyError):
        raise ValueError(f"the checkpoint {path} does not fit this network (it was made with other settings): "
                         f"resume with the run's own config.json, or start a new run directory.") from None
