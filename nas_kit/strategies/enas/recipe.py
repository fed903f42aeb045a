"""The ``search`` command's ENAS: Pham et al. 2018, section 3 and the melodyguan/enas scripts (as notebooks 06
and 07 use them), one recipe per space; the quick profile shrinks the supernet, the data and the epochs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from nas_kit.config import choice, pick
from nas_kit.data import IMAGE_DATA, TEXT_DATA
from nas_kit.spaces import ENASMacroSpace, ENASMicroSpace, ENASRNNSpace
from nas_kit.strategies.enas.search import MODES


# melodyguan/enas src/utils.py get_train_ops adds l2_reg * sum(w^2) to the loss; its gradient is 2 * l2_reg * w, which
# is PyTorch SGD's weight_decay = 2 * l2_reg. Every ENAS recipe of the kit states the script's l2 this way.
L2_AS_DECAY = "utils.get_train_ops adds l2 * sum(w^2) to the loss, i.e. SGD weight decay 2 * l2"


@dataclass(frozen=True)
class ENASSearch:
    """The controller's and the derivation's settings, shared by the three spaces."""
    mode: str = choice("enas", MODES)      # enas, or the paper's controls: random, fixed (section 3.3)
    controller_lr: float = 3.5e-4
    entropy_weight: float = 1e-4
    n_samples: int = 10                    # architectures sampled to derive the best one

    SOURCES = {"n_samples": "the kit's choice (section 2.2 samples 'several' models)"}

    def reinforce(self) -> dict:
        """The keywords of REINFORCE (nas_kit.strategies.enas.reinforce) for this search."""
        return dict(lr=self.controller_lr, baseline_decay=self.baseline_decay, entropy_weight=self.entropy_weight)


@dataclass(frozen=True)
class ENASPTB(ENASSearch):
    """The recurrent cell on Penn Treebank: section 3.1's optimisation (SGD lr 20, x0.96 per epoch from epoch 15,
    150 epochs, clip 0.25; Adam 3.5e-4, T = 5, C = 2.5), which the paper states and where scripts/ptb_search.sh
    differs (batch 20, lr 0.25, 100 epochs) the kit follows the paper; the script's dropouts."""
    epochs: int = 150
    controller_steps: int = 2000
    nhid: int = 720
    batch_size: int = 64
    eval_batch_size: int = 10
    bptt: int = 35
    lr: float = 20.0
    clip: float = 0.25
    lr_decay: float = 0.96
    decay_start: int = 15
    baseline_decay: float = 0.999
    temperature: float = 5.0
    tanh_constant: float = 2.5
    op_tanh_reduce: float = 1.0
    dropouts: tuple = (0.75, 0.25, 0.75, 0.0, 0.25)   # output, hidden, input, embeddings, words

    SOURCES = {"dropouts": "scripts/ptb_search.sh (keep e 0.75, x 0.25, h 0.75, o 0.25)",
               "nhid": "scripts/ptb_search.sh", "eval_batch_size": "the kit's choice"}
    data: str = choice("ptb", TEXT_DATA)
    data_root: str = ""
    n_train: int = 0
    n_valid: int = 0


@dataclass(frozen=True)
class ENASImages(ENASSearch):
    """A CIFAR-10 search (section 3.2, scripts/cifar10_macro_search.sh); the defaults are the macro space's."""
    epochs: int = 310
    controller_steps: int = 50
    C: int = 36
    batch_size: int = 128
    eval_batch_size: int = 128         # a reward batch: one batch of batch_size validation images (build_valid_rl)
    n_valid: int = 5000
    image_size: int = 32
    augment: bool = True
    lr_max: float = 0.05
    lr_min: float = 0.0005
    lr_T0: int = 10                    # warm restarts after 10, 20, 40, ... epochs; 0: one cosine cycle
    weight_decay: float = 5e-4         # --child_l2_reg=0.00025, as SGD weight decay 2 * l2 (see L2_AS_DECAY)
    keep_prob: float = 0.9             # dropout before the classifier (--child_keep_prob=0.90)
    baseline_decay: float = 0.99
    aggregate: int = 20
    temperature: float = 0.0           # 0: none
    tanh_constant: float = 1.5
    op_tanh_reduce: float = 1.0        # general_controller.py has none (the macro script's flag is unused)
    skip_weight: float = 0.8
    data: str = choice("cifar10", IMAGE_DATA)
    data_root: str = ""
    n_train: int = 0

    # the paper's section 3.2 gives few numbers: the values are the search scripts'
    SOURCES = {k: "scripts/cifar10_*_search.sh" for k in (
        "epochs", "controller_steps", "C", "batch_size", "lr_max", "lr_min", "lr_T0", "aggregate",
        "tanh_constant", "op_tanh_reduce", "skip_weight", "keep_prob", "controller_lr")}
    SOURCES.update(weight_decay="scripts/cifar10_*_search.sh --child_l2_reg, doubled: " + L2_AS_DECAY,
                   eval_batch_size="general_child.py / micro_child.py build_valid_rl: one batch of batch_size",
                   baseline_decay="general_controller.py / micro_controller.py bl_dec with the scripts' settings")

    def reinforce(self) -> dict:
        return dict(super().reinforce(), skip_weight=self.skip_weight, aggregate=self.aggregate)


@dataclass(frozen=True)
class ENASMacro(ENASImages):
    """The macro network (scripts/cifar10_macro_search.sh); general_child.py has no aux head, so the script's
    --child_use_aux_heads does nothing there, nor does --child_drop_path_keep_prob in either search."""
    controller_lr: float = 1e-3


@dataclass(frozen=True)
class ENASMicro(ENASImages):
    """The micro cells (scripts/cifar10_micro_search.sh): 6 normal and 2 reduction cells."""
    controller_lr: float = 3.5e-3
    epochs: int = 150
    controller_steps: int = 30
    C: int = 20
    batch_size: int = 160
    eval_batch_size: int = 160
    weight_decay: float = 2e-4         # --child_l2_reg=1e-4, as SGD weight decay 2 * l2
    auxiliary: bool = True             # --child_use_aux_heads: micro_child.py's aux head, weight 0.4
    aggregate: int = 10
    tanh_constant: float = 1.1
    op_tanh_reduce: float = 2.5        # micro_controller.py: op logits C / 2.5
    skip_weight: float = 0.0
    layers: int = 8


_QUICK_IMAGES = dict(n_samples=6, controller_steps=10, C=8, batch_size=32, eval_batch_size=100, n_valid=400,
                     image_size=16, augment=False, lr_T0=0, baseline_decay=0.9, aggregate=1, data="synthetic",
                     n_train=1600)
RECIPES = {   # space -> (full, quick)
    ENASRNNSpace.key: (ENASPTB(), replace(ENASPTB(), controller_lr=3.5e-3, n_samples=6, epochs=3, controller_steps=10,
                                          nhid=32, batch_size=32, eval_batch_size=20, bptt=10, lr=10.0,
                                          baseline_decay=0.9, dropouts=(0.1, 0.1, 0.1, 0.1, 0.0), data="synthetic",
                                          n_train=6000, n_valid=2000)),
    ENASMacroSpace.key: (ENASMacro(), replace(ENASMacro(), epochs=6, keep_prob=1.0, **_QUICK_IMAGES)),
    ENASMicroSpace.key: (ENASMicro(), replace(ENASMicro(), epochs=4, layers=3, **_QUICK_IMAGES)),
}


def recipes(space_key: str, profile: str) -> list:
    """The ENAS settings of a search of ``space_key``."""
    full, quick = RECIPES[space_key]
    return [pick(quick, full, profile)]
