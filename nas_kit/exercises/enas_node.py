"""Checker for notebook 06's exercise: the ENAS recurrent node, a highway layer (Pham et al. 2018, section 2.1;
Zilly et al. 2017's recurrent highway network).

``check_highway_node(fn)``   fn(inp, s_prev, W, activation) = s_prev + sigmoid(c) * (f(h) - s_prev),
                             [c, h] = inp W   (c, h: the first and second halves of the columns)

which is c' * f(h) + (1 - c') * s_prev with c' = sigmoid(c): node 1 reads inp = [x_t, h_{t-1}] and carries
s_prev = h_{t-1}; node l reads and carries s_j. The reference is the kit's own ``highway``
(nas_kit.models.enas_rnn_supernet), the function every node of the supernet and of ``DARTSCell`` computes.
"""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.models.enas_rnn_supernet import highway


def _reference(inp, s_prev, W, activation):
    return highway(s_prev, inp.mm(W), activation, s_prev.size(-1))


def highway_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def randn(*shape, scale=1.0):
        return scale * torch.randn(*shape, generator=g)

    n = 4
    x, h = randn(3, n), randn(3, n)
    cases = [Case("a closed gate (c = -30): the node carries s_prev",
                  (torch.ones(1, n), randn(1, n), torch.cat([torch.full((n, n), -30.0 / n), randn(n, n)], 1),
                   "relu")),
             Case("W = 0: the gate is sigmoid(0) = 1/2 and f(0) = 0, so s = s_prev / 2",
                  (randn(2, n), randn(2, n), torch.zeros(n, 2 * n), "tanh")),
             Case("node 1: inp = [x_t, h_(t-1)], s_prev = h_(t-1), tanh",
                  (torch.cat([x, h], 1), h, randn(2 * n, 2 * n), "tanh"))]
    cases += [Case(f"node l >= 2 reading s_j, activation {a}", (s := randn(3, n), s, randn(n, 2 * n), a))
              for a in ("tanh", "relu", "identity", "sigmoid")]
    cases.append(Case("one sample, 1 unit, large weights", (randn(1, 1), randn(1, 1), randn(1, 2, scale=5.0),
                                                             "sigmoid")))
    return cases


def check_highway_node(fn) -> bool:
    """fn(inp (B, k), s_prev (B, n), W (k, 2n), activation name) -> the node's state (B, n)."""
    return run_exercise(
        "the ENAS recurrent highway node", fn, _reference, highway_cases(),
        hint="split inp @ W into c (the first n columns) and h (the last n); the gate is sigmoid(c), and the node "
             "returns gate * f(h) + (1 - gate) * s_prev, f being torch.tanh, torch.relu, the identity or "
             "torch.sigmoid.",
        hints={"W = 0: the gate is sigmoid(0) = 1/2 and f(0) = 0, so s = s_prev / 2":
               "with W = 0 the gate is 1/2 and f(h) = 0: a node must still carry (1 - gate) * s_prev.",
               "a closed gate (c = -30): the node carries s_prev":
               "a closed gate, sigmoid(c) = 0, must pass s_prev through unchanged: is the gate on f(h) "
               "(and 1 - gate on s_prev), not the other way round?"})
