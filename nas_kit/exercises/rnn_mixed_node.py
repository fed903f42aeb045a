"""Checker for notebook 09's exercise: a node of the DARTS recurrent search cell, the mixed highway update
(Liu et al. 2019, section 2.1, eq. 2; quark0/darts rnn/model_search.py).

``check_mixed_node(fn)``   fn(states, W, probs, primitives) = sum_j sum_o probs[j, o] (s_j + sigmoid(c_j)(o(h_j) - s_j)),
                           [c_j, h_j] = s_j W,   'none' adding nothing

``states`` (i, B, n) are the earlier nodes s_0..s_{i-1}, W (n, 2n) the node's weight, probs (i, ops) the softmax(alpha)
rows of its i incoming edges. The reference is the kit's own ``mixed_node`` (nas_kit.models.darts_rnn_search), the
sum DARTSCellSearch normalises into the node.
"""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, close, run_exercise
from nas_kit.genotypes import RNN_PRIMITIVES
from nas_kit.models.darts_rnn_search import mixed_node


def _reference(states, W, probs, primitives):
    return mixed_node(states, W, probs, primitives)


def mixed_cases() -> list[Case]:
    g, P = torch.Generator().manual_seed(0), list(RNN_PRIMITIVES)

    def randn(*shape):
        return torch.randn(*shape, generator=g)

    def probs(i):
        return torch.softmax(randn(i, len(P)), dim=-1)

    only_none = torch.zeros(2, len(P))
    only_none[:, P.index("none")] = 1.0
    one_hot = torch.zeros(3, len(P))
    one_hot[1, P.index("tanh")] = 1.0             # all weight on tanh of the edge from node 1
    return [Case("all the weight on 'none': the node is zero", (randn(2, 2, 3), randn(3, 6), only_none, P)),
            Case("all the weight on tanh of edge 1 -> 3: the discrete cell's node",
                 (randn(3, 2, 3), randn(3, 6), one_hot, P)),
            Case("node 1 reading node 0 alone", (randn(1, 2, 3), randn(3, 6), probs(1), P)),
            Case("node 3 reading nodes 0-2, random weights", (randn(3, 4, 6), randn(6, 12), probs(3), P)),
            Case("the 8th node of the paper's cell", (randn(8, 2, 4), randn(4, 8), probs(8), P))]


def check_mixed_node(fn) -> bool:
    """fn(states (i, B, n), W (n, 2n), probs (i, ops), primitives) -> the node before its BatchNorm, (B, n)."""
    return run_exercise(
        "the DARTS recurrent search node (eq. 2)", fn, _reference, mixed_cases(),
        compare=lambda got, want: close(got, want, rtol=1e-5, atol=1e-6),
        hint="for each earlier node j: [c, h] = s_j @ W split in two halves of n columns, gate = sigmoid(c); for each "
             "activation o other than 'none' add probs[j, o] * (s_j + gate * (o(h) - s_j)); sum over j and o.",
        hints={"all the weight on 'none': the node is zero":
               "'none' is the zero op: it adds nothing (not s_j) to the sum.",
               "node 1 reading node 0 alone":
               "the sum runs over the earlier nodes j (states[0..i-1]) as well as over the activations."})
