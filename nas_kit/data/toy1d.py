"""Data for the 1-D toy ENAS example: a known true architecture plus Gaussian noise.

An architecture of the toy example is a ``ToyArchitecture(activation, skip)``; the data are drawn from one
of them, so the pair is defined here and the toy space (``nas_kit.spaces.toy1d``) enumerates its four values.
"""
from __future__ import annotations

from collections import namedtuple

import torch

ToyArchitecture = namedtuple("ToyArchitecture", "activation skip")
ToyArchitecture.__doc__ = "phi in {'tanh','relu'}; skip: whether x connects to z."

ToyData = namedtuple("ToyData", "x_train z_train x_valid z_valid true_arch true_w")

TRUE_ARCH = ToyArchitecture("relu", True)
TRUE_W = (1.0, 2.0, -0.5)  # z = 2 relu(x) - x/2 = |x| + x/2: only ReLU with the skip edge fits it


def make_toy_data(n_train: int = 200, n_valid: int = 200, noise: float = 0.1, true_arch: ToyArchitecture = TRUE_ARCH,
                  true_w: tuple = TRUE_W, x_range: float = 3.0, seed: int = 0) -> ToyData:
    """x ~ U(-x_range, x_range); z = w_yz phi(w_xy x) + [skip] w_xz x + noise, with separate train and validation sets."""
    g = torch.Generator().manual_seed(seed)
    w_xy, w_yz, w_xz = true_w
    phi = torch.tanh if true_arch.activation == "tanh" else torch.relu

    def draw(n):
        x = (2 * torch.rand(n, generator=g, dtype=torch.float64) - 1) * x_range
        z = w_yz * phi(w_xy * x) + (w_xz * x if true_arch.skip else 0.0)
        return x, z + noise * torch.randn(n, generator=g, dtype=torch.float64)

    x_train, z_train = draw(n_train)
    x_valid, z_valid = draw(n_valid)
    return ToyData(x_train, z_train, x_valid, z_valid, true_arch, tuple(true_w))
