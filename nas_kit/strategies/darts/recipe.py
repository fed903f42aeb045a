"""The ``search`` command's DARTS: Liu et al. 2019, sections 3.1.1-3.1.2 and appendix A.1 (quark0/darts
train_search.py), for CNN cells on CIFAR-10 and recurrent cells on Penn Treebank.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from nas_kit.config import choice, pick
from nas_kit.data import IMAGE_DATA, TEXT_DATA
from nas_kit.spaces import DARTSSpace, DartsRNNSpace


@dataclass(frozen=True)
class DARTSCells:
    """cnn/train_search.py: 50 epochs, batch 64, w by SGD (0.025 cosine to 0.001), alpha by Adam (3e-4),
    second order, C = 16 and 8 cells; half of CIFAR-10's training set for w, half for alpha."""
    epochs: int = 50
    batch_size: int = 64
    lr: float = 0.025
    lr_min: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 3e-4
    grad_clip: float = 5.0
    arch_lr: float = 3e-4
    arch_weight_decay: float = 1e-3
    unrolled: bool = True
    C: int = 16
    layers: int = 8
    image_size: int = 32
    n_train: int = 0
    data: str = choice("cifar10", IMAGE_DATA)
    data_root: str = ""


@dataclass(frozen=True)
class DARTSRecurrent:
    """rnn/train_search.py: 50 epochs, batch 256, BPTT 35 (17 one step in 20, lr scaled by length / 35), w by SGD
    (lr 20) with TAR beta = 1e-3, alpha by Adam (3e-3), 300 units."""
    epochs: int = 50
    batch_size: int = 256
    bptt: int = 35
    variable_bptt: bool = True
    beta: float = 1e-3                 # temporal activation regularisation on w's loss
    lr: float = 20.0
    weight_decay: float = 5e-7
    clip: float = 0.25
    arch_lr: float = 3e-3
    arch_weight_decay: float = 1e-3
    unrolled: bool = True
    nhid: int = 300
    dropouts: tuple = (0.75, 0.25, 0.75, 0.2, 0.0)    # output, hidden, input, embeddings, words
    data: str = choice("ptb", TEXT_DATA)
    data_root: str = ""
    n_train: int = 0
    n_valid: int = 0


RECIPES = {   # space -> (full, quick); quick: as notebook 08 (larger steps, as there are only 48 of them)
    DARTSSpace.key: (DARTSCells(), replace(DARTSCells(), epochs=4, batch_size=32, lr=0.1, arch_lr=1e-2, unrolled=False,
                                           C=4, layers=3, image_size=16, n_train=800, data="synthetic")),
    DartsRNNSpace.key: (DARTSRecurrent(), replace(DARTSRecurrent(), epochs=3, batch_size=16, bptt=20, lr=10.0,
                                                  arch_lr=1e-2, unrolled=False, nhid=32,
                                                  dropouts=(0.2, 0.1, 0.2, 0.1, 0.0), data="synthetic", n_train=6000,
                                                  n_valid=3000)),
}
QUICK = RECIPES[DARTSSpace.key][1]          # the CNN search's quick recipe, which notebooks 08 and 10 show


def recipes(space_key: str, profile: str) -> list:
    """The DARTS settings of a search of ``space_key``."""
    full, quick = RECIPES[space_key]
    return [pick(quick, full, profile)]
