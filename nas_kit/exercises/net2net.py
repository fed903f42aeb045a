"""Checker for notebook 13's exercise on Net2WiderNet (Chen, Goodfellow & Shlens 2016, section 2.2, eq. 1):
widen a layer through the mapping g and divide the next layer's weights by the replication count. The
reference is the kit's ``net2wider`` on a chain of two 1 x 1 convolutions, whose weights are the matrices."""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.models.chain_cnn import ChainCNN
from nas_kit.models.morphisms import net2wider


@torch.no_grad()
def kit_net2wider(W1: torch.Tensor, W2: torch.Tensor, g: list) -> tuple:
    """(U1, U2) of the kit's net2wider: W1 (q x d) the layer widened, W2 (o x q) the next one, g the mapping."""
    (q, d), o = W1.shape, W2.shape[0]
    model = ChainCNN(((1, q), (1, o)), num_classes=2, in_channels=d)
    model.layers[0][0].weight.copy_(W1[:, :, None, None])
    model.layers[1][0].weight.copy_(W2[:, :, None, None])
    wide = net2wider(model, 0, len(g), g=g)
    return wide.layers[0][0].weight[:, :, 0, 0].clone(), wide.layers[1][0].weight[:, :, 0, 0].clone()


def _case(name, q, d, o, g, seed):
    gen = torch.Generator().manual_seed(seed)
    return Case(name, (torch.randn(q, d, generator=gen), torch.randn(o, q, generator=gen), g))


def check_net2wider(fn) -> bool:
    """``fn(W1, W2, g)`` -> (U1, U2) with U1[j] = W1[g(j)] and U2[:, j] = W2[:, g(j)] / |{x : g(x) = g(j)}|."""
    cases = [_case("4 units widened to 6", 4, 3, 5, [0, 1, 2, 3, 1, 1], 0),
             _case("g the identity: nothing changes", 3, 2, 2, [0, 1, 2], 1),
             _case("one unit copied four times", 2, 3, 4, [0, 1, 0, 0, 0], 2),
             _case("8 units widened to 16", 8, 5, 3, [*range(8), 7, 0, 3, 3, 5, 1, 6, 2], 3)]
    return run_exercise("Net2WiderNet's weights for one layer pair", fn, kit_net2wider, cases,
                        "U1 = W1[g] (row j copies unit g(j)); U2 = W2[:, g] / counts[g], counts[u] = how many j have "
                        "g(j) = u, so that the copies' contributions add up to the old one: U2 relu(U1 x) = W2 relu(W1 x).")
