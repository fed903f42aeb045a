"""Checker for notebook 07's exercise: the skip penalty of the ENAS macro controller (Pham et al. 2018,
section 2.3; melodyguan/enas general_controller.py).

``check_skip_penalty(fn)``   fn(skip_probs, q) = mean over layers i of sum_{j<i} KL(p_ij || q),
                             KL(p || q) = p log(p / q) + (1 - p) log((1 - p) / (1 - q))

``skip_probs`` holds one tensor per layer that has skips (layer i: its i probabilities p_ij = P(j -> i)), q
the skip target (0.4 in the ENAS scripts). The reference is the kit's own ``skip_penalty``
(nas_kit.strategies.enas.controller), the term the macro controller's REINFORCE loss adds with weight 0.8.
"""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.strategies.enas.controller import skip_penalty


def penalty_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def probs(i):
        return torch.sigmoid(torch.randn(i, generator=g))

    return [Case("layers of 1 and 3 skips (a mean over layers, not over skips)",
                 ([torch.tensor([0.9]), torch.tensor([0.4, 0.4, 0.1])], 0.4)),
            Case("11 layers of a 12-layer network, q = 0.4", ([probs(i) for i in range(1, 12)], 0.4)),
            Case("every p = q: no penalty", ([torch.full((i,), 0.4) for i in range(1, 4)], 0.4)),
            Case("one layer with one skip", ([torch.tensor([0.7])], 0.4)),
            Case("another target, q = 0.1", ([probs(i) for i in range(1, 5)], 0.1)),
            Case("nearly certain skips (p = 0.999 and 0.001)", ([torch.tensor([0.999]), torch.tensor([0.001, 0.5])],
                                                               0.4))]


def check_skip_penalty(fn) -> bool:
    """fn(skip_probs: list of 1-D tensors, q: float) -> the penalty, a 0-d tensor."""
    return run_exercise(
        "the ENAS skip penalty", fn, skip_penalty, penalty_cases(),
        hint="for each layer add KL(p || q) = p log(p/q) + (1-p) log((1-p)/(1-q)) over its skips; then take the "
             "mean of these sums over the layers (general_controller.py's tf.reduce_mean).",
        hints={"layers of 1 and 3 skips (a mean over layers, not over skips)":
               "sum each layer's KLs first, then average the layers' sums: layers with more skips weigh more, as "
               "in general_controller.py (a mean over all skips, or a sum over layers, differs).",
               "every p = q: no penalty": "KL(q || q) = 0: is it KL(p || q), with both terms, p and 1 - p?"})
