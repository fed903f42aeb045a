"""Checker for notebook 13's exercise on NASWOT (Mellor, Turner, Storkey & Crowley 2021, eq. 2): the score
log |det K_H| of the binary activation codes of a minibatch. The reference is the kit's kernel
(nas_kit.estimation.zero_cost.naswot_kernel) and torch's slogdet."""
from __future__ import annotations

import torch

from nas_kit.estimation.zero_cost import naswot_kernel
from nas_kit.exercises.checker import Case, run_exercise


def kit_naswot_score(codes: torch.Tensor) -> float:
    return float(torch.linalg.slogdet(naswot_kernel(codes))[1])


def _codes(n, units, seed, p=0.5):
    return (torch.rand(n, units, generator=torch.Generator().manual_seed(seed)) < p).float()


def check_naswot_score(fn) -> bool:
    """``fn(codes)`` (N inputs x N_A units, 0/1 floats) -> log |det K_H|, K_H[i, j] = N_A - d_H(c_i, c_j)."""
    cases = [Case("8 inputs, 20 units", (_codes(8, 20, 0),)), Case("16 inputs, 64 units", (_codes(16, 64, 1),)),
             Case("mostly inactive units", (_codes(6, 30, 2, p=0.1),)),
             Case("two inputs, three units", (torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),)),
             Case("one input", (torch.tensor([[1.0, 1.0, 0.0, 1.0]]),))]
    return run_exercise("the NASWOT score of activation codes", fn, kit_naswot_score, cases,
                        "K_H[i, j] counts the units on which inputs i and j agree (both active or both inactive) = "
                        "N_A minus their Hamming distance; the score is log |det K_H| (torch.linalg.slogdet(K)[1]).",
                        hints={"two inputs, three units": "they agree on 2 of 3 units: K_H = [[3, 2], [2, 3]], "
                                                          "det 5, score log 5."})
