"""Checker for notebook 10's exercise: drop-path (Larsson et al. 2017's FractalNet, as NASNet and DARTS use it;
quark0/darts cnn/utils.py ``drop_path``).

``check_drop_path(fn)``   fn(x, drop_prob, mask) = x / keep_prob * mask (per sample), keep_prob = 1 - drop_prob;
                          x itself when drop_prob = 0

``mask`` (N,) holds the Bernoulli(keep_prob) draws, 1 to keep sample n's path and 0 to drop it: the checker hands
them in so that the answer is deterministic. The reference is the kit's own ``drop_path``
(nas_kit.models.cifar_network) with its Bernoulli draw replaced by the given mask.
"""
from __future__ import annotations

from unittest import mock

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.models.cifar_network import drop_path


def _reference(x, drop_prob, mask):
    with mock.patch.object(torch, "bernoulli", lambda p: mask.view(-1, 1, 1, 1).to(p)):
        return drop_path(x, drop_prob)


def drop_path_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def draws(n, keep):
        return torch.bernoulli(torch.full((n,), keep), generator=g)

    x = torch.randn(6, 2, 3, 3, generator=g)
    return [Case("drop_prob 0.2, two of four samples dropped", (x[:4], 0.2, torch.tensor([1.0, 0.0, 1.0, 0.0]))),
            Case("drop_prob 0: the path is x itself (whatever the mask)", (x, 0.0, torch.zeros(6))),
            Case("drop_prob 0.5, every path kept", (x, 0.5, torch.ones(6))),
            Case("drop_prob 0.3, masks drawn from Bernoulli(0.7)", (x, 0.3, draws(6, 0.7))),
            Case("one sample, drop_prob 0.9, kept", (x[:1], 0.9, torch.ones(1)))]


def check_drop_path(fn) -> bool:
    """fn(x (N, C, H, W), drop_prob: float, mask (N,) of 0 and 1) -> a tensor shaped like x."""
    return run_exercise(
        "drop-path", fn, _reference, drop_path_cases(),
        hint="with keep_prob = 1 - drop_prob, return x / keep_prob * mask.view(-1, 1, 1, 1): a whole sample's path is "
             "kept or zeroed, and the kept ones are scaled up so that the expected output is x.",
        hints={"drop_prob 0: the path is x itself (whatever the mask)":
               "drop_path does nothing when drop_prob is 0 (DARTS checks `if drop_prob > 0.`): return x.",
               "drop_prob 0.5, every path kept":
               "a kept path is divided by keep_prob = 1 - drop_prob (here 0.5), not left as it is."})
