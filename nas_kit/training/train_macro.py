"""Final training of an ENAS macro network on CIFAR-10 (``train --recipe ENAS`` with a MacroGenotype), as
melodyguan/enas scripts/cifar10_macro_final.sh runs src/cifar10/general_child.py with a fixed arc
(Pham et al. 2018, section 3.2; the paper gives few of these numbers, so they are the script's).

The network (``MacroNetwork``, search=False): 24 layers of 96 channels; after layers 7 and 15 (``pool_layers``,
L/3 - 1 and 2L/3 - 1) the stored outputs are halved in resolution and the channels double (``out_filters *= 2``
with a fixed arc), so the last 8 layers have 384; each layer concatenates its skips with its op's output and maps
them back with ReLU -> 1x1 conv -> BN; global average pooling, dropout 0.5 (keep 0.5), a linear classifier.
Trained 310 epochs, batch 100, SGD with Nesterov momentum 0.9, lr 0.05 -> 0.001 on a cosine restarted after
10, 30, 70, 150 epochs, l2 2e-4, no cutout, no auxiliary head and no drop-path (general_child.py has neither).
The loop, its checkpoints and its results are ``nas_kit.training.train_cifar``'s.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from nas_kit.config import override
from nas_kit.training import train_cifar as _cifar
from nas_kit.training.train_cifar import TrainCIFAR, build, check, train_cifar

__all__ = ["TrainMacro", "FULL", "QUICK", "recipe", "build", "check", "train_cifar"]

SCRIPT = "scripts/cifar10_macro_final.sh"


@dataclass(frozen=True)
class TrainMacro(TrainCIFAR):
    """The settings of ``train --recipe ENAS`` for an ENAS macro genotype; the defaults are cifar10_macro_final.sh."""
    epochs: int = 310
    batch_size: int = 100
    lr: float = 0.05
    lr_min: float = 0.001
    nesterov: bool = True
    lr_T0: int = 10
    lr_T_mul: int = 2
    weight_decay: float = 4e-4
    C: int = 96
    layers: int = 24
    auxiliary: bool = False
    cutout: int = 0
    drop_path_prob: float = 0.0
    dropout: float = 0.5

    SOURCES = {"epochs": f"{SCRIPT} --num_epochs=310", "batch_size": f"{SCRIPT} --batch_size=100",
               "lr": f"{SCRIPT} --child_lr_max=0.05", "lr_min": f"{SCRIPT} --child_lr_min=0.001",
               "lr_T0": f"{SCRIPT} --child_lr_T_0=10", "lr_T_mul": f"{SCRIPT} --child_lr_T_mul=2",
               "nesterov": "src/cifar10/main.py optim_algo='momentum' (utils.py: Nesterov, momentum 0.9)",
               "momentum": "src/utils.py get_train_ops: MomentumOptimizer(lr, 0.9, use_nesterov=True)",
               "crop_padding": "src/cifar10/models.py: pad 4, random 32x32 crop, random flip",
               "weight_decay": f"{SCRIPT} --child_l2_reg=2e-4: utils.get_train_ops adds 2e-4 * sum(w^2) to the loss, "
                               "whose gradient is SGD's weight decay 4e-4",
               "grad_clip": "src/cifar10/main.py --child_grad_bound=5.0 (clip_mode 'norm'; get_train_ops then "
                            "appends the unclipped gradients, so the official run does not clip)",
               "C": f"{SCRIPT} --child_out_filters=96, doubled at the two pooling layers (general_child.py)",
               "layers": f"{SCRIPT} --child_num_layers=24; the network is the genotype's first `layers` layers",
               "dropout": f"{SCRIPT} --child_keep_prob=0.50, before the classifier",
               "auxiliary": "general_child.py has no auxiliary head (the script's --child_use_aux_heads is unused)",
               "drop_path_prob": "general_child.py has no drop-path",
               "cutout": f"{SCRIPT} sets none (the paper's CutOut is for the micro network)"}


FULL = TrainMacro()
QUICK = replace(FULL, **_cifar._SHRINK)
RECIPES = {"ENAS": {"full": FULL, "quick": QUICK}}


def recipe(profile: str = "quick", paper: str = "ENAS", **overrides) -> TrainMacro:
    """The settings of ``profile`` of ENAS's macro final training with ``overrides`` applied."""
    if paper not in RECIPES:
        raise ValueError(f"a macro network has only ENAS's final recipe ({SCRIPT}), not {paper}'s: "
                         f"train it with --recipe ENAS.")
    if profile not in RECIPES[paper]:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(RECIPES[paper])}.")
    return override(RECIPES[paper][profile], overrides, f"train on cifar10 ({profile} profile)")
