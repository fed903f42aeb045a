"""Zero-cost proxies: scores of an untrained network from one minibatch, which may rank architectures without
training them (Abdelfattah, Mehrotra, Dudziak & Lane 2021, "Zero-Cost Proxies for Lightweight NAS").

naswot     Mellor, Turner, Storkey & Crowley 2021, eq. 2: for each ReLU, the binary code c_i of which units
           are active on input i; K_H[i, j] = N_A - d_H(c_i, c_j) summed over the ReLUs; score = log |det K_H|
synflow    Tanaka, Kunin, Yamins & Ganguli 2020, eq. 4 (as a proxy, Abdelfattah et al. section 3): with every
           parameter replaced by its absolute value, R = 1^T f(1) on an all-ones input (in float64);
           score = sum over parameters of |theta * dR/dtheta|. No data, no labels.
grad_norm  the sum over parameters of ||dL/dtheta||_2, L the cross-entropy of the minibatch
snip       Lee, Ajanthan & Torr 2019, eq. 3 (Abdelfattah et al.'s form): sum over parameters of |theta * dL/dtheta|

Each takes a freshly built network and a minibatch (x float NCHW, y labels) and returns a float, higher meaning
predicted better. The network is scored in train mode (batch statistics), as the papers' code does.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def naswot_kernel(c: torch.Tensor) -> torch.Tensor:
    """K_H[i, j] = N_A - d_H(c_i, c_j) for binary codes c (one row per input, one column per unit)."""
    c = c.double()
    return c @ c.T + (1 - c) @ (1 - c).T


def naswot(model: nn.Module, x, y=None) -> float:
    """log |det K_H| of the minibatch's activation codes (Mellor et al. 2021, eq. 2)."""
    n = len(x)
    K = torch.zeros(n, n, dtype=torch.float64)

    def hook(module, inputs, output):
        K.add_(naswot_kernel(output.detach().flatten(1) > 0))    # N_A - Hamming distance, for this ReLU's units

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        model.train()
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return float(torch.linalg.slogdet(K)[1])


def synflow(model: nn.Module, x, y=None) -> float:
    """sum |theta * dR/dtheta| with R = 1^T f(1), every parameter made positive (Tanaka et al. 2020)."""
    model = copy.deepcopy(model).double()
    with torch.no_grad():
        for p in model.parameters():
            p.abs_()
    model.eval()                                             # BatchNorm with its initial statistics: a rescaling
    model.zero_grad()
    model(torch.ones_like(x, dtype=torch.float64)).sum().backward()
    return float(sum((p * p.grad).abs().sum().item() for p in model.parameters() if p.grad is not None))


def _loss_gradients(model, x, y):
    model.train()
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return [(p, p.grad) for p in model.parameters() if p.grad is not None]


def grad_norm(model: nn.Module, x, y) -> float:
    """sum ||dL/dtheta||_2 over the parameter tensors (Abdelfattah et al. 2021, section 3)."""
    return float(sum(g.norm().item() for _, g in _loss_gradients(model, x, y)))


def snip(model: nn.Module, x, y) -> float:
    """sum |theta * dL/dtheta| (Lee et al. 2019, the connection sensitivity of eq. 3, summed)."""
    return float(sum((p * g).abs().sum().item() for p, g in _loss_gradients(model, x, y)))


PROXIES = {"naswot": naswot, "synflow": synflow, "grad_norm": grad_norm, "snip": snip}


def score_all(archs, build, x, y, proxy: str, seed: int = 0) -> np.ndarray:
    """``proxy`` of every architecture, each network built by ``build(arch)`` from the same seed."""
    scores = []
    for arch in archs:
        torch.manual_seed(seed)
        scores.append(PROXIES[proxy](build(arch), x, y))
    return np.array(scores)
