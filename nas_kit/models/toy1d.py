"""The shared-weight model of the 1-D toy example: every architecture uses the same w.

    y = phi(w_xy x),    z = w_yz y + [x -> z] w_xz x
"""
from __future__ import annotations

import torch

from nas_kit.spaces.toy1d import ToyArchitecture

_PHI = {"tanh": torch.tanh, "relu": torch.relu}


class SharedToyNet(torch.nn.Module):
    """Holds w = {w_xy, w_yz, w_xz} once; ``forward(x, m)`` runs architecture m on them (ENAS's sharing)."""

    def __init__(self, init_scale: float = 0.5, positive_chain: bool = True, generator: torch.Generator | None = None):
        """w ~ N(0, init_scale^2); with ``positive_chain`` w_xy and w_yz start positive.

        With opposite signs the chain x -> y -> z starts near the saddle w_xy = w_yz = 0, where the
        tanh architectures pull both weights to zero and y stops learning for every architecture
        (a failure of ENAS's key assumption that notebook 01 shows).
        """
        super().__init__()
        w = init_scale * torch.randn(3, generator=generator, dtype=torch.float64)
        if positive_chain:
            w[:2] = w[:2].abs()
        self.w_xy, self.w_yz, self.w_xz = (torch.nn.Parameter(v.clone()) for v in w)

    def forward(self, x: torch.Tensor, m: ToyArchitecture) -> torch.Tensor:
        y = _PHI[m.activation](self.w_xy * x)
        z = self.w_yz * y
        return z + self.w_xz * x if m.skip else z

    def loss(self, x: torch.Tensor, z: torch.Tensor, m: ToyArchitecture) -> torch.Tensor:
        """L(m; w): the mean squared error of architecture m on (x, z)."""
        return torch.mean((self.forward(x, m) - z) ** 2)
