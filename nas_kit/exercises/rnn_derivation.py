"""Checker for notebook 09's exercise: deriving the recurrent cell from alpha (Liu et al. 2019, section 2.4).

``check_rnn_derivation(fn)``   fn(alpha, primitives, steps) = [(activation, input) of nodes 1..steps]

alpha has one row per edge j -> i (node i = 1..steps reads nodes 0..i-1: rows 0; 1-2; 3-5; ...), one column per
activation. Node i keeps its single strongest incoming edge, an edge's strength being its largest softmax weight
other than 'none', and takes that activation; ties go to the earlier input, as the DARTS code's stable sort.
The reference is the kit's own ``derive_rnn`` (nas_kit.strategies.darts.derive).
"""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.genotypes import RNN_PRIMITIVES
from nas_kit.strategies.darts.derive import derive_rnn


def _reference(alpha, primitives, steps):
    return [tuple(pair) for pair in derive_rnn(alpha, primitives, steps).recurrent]


def derivation_cases() -> list[Case]:
    g, P = torch.Generator().manual_seed(0), list(RNN_PRIMITIVES)
    k = P.index
    none_wins = torch.zeros(3, 5)
    none_wins[:, k("none")] = 4.0
    none_wins[2, k("relu")] = 1.0                 # node 2: 'none' strongest on both edges; relu on edge 1 -> 2
    flat = torch.zeros(3, 5)
    flat[1] = 5.0                                 # node 2, edge 0: alpha 5 everywhere, softmax 1/5 each
    flat[2, k("sigmoid")] = 1.0                   # node 2, edge 1: softmax e / (e + 4) = 0.40 on sigmoid
    return [Case("'none' is the strongest op on every edge", (none_wins, P, 2)),
            Case("large raw alpha but a flat softmax on one edge", (flat, P, 2)),
            Case("alpha = 0: every edge ties, the earlier input wins", (torch.zeros(6, 5), P, 3)),
            Case("one node", (torch.randn(1, 5, generator=g), P, 1)),
            Case("random alpha, 4 nodes", (torch.randn(10, 5, generator=g), P, 4)),
            Case("random alpha, the paper's 8 nodes", (torch.randn(36, 5, generator=g), P, 8))]


def check_rnn_derivation(fn) -> bool:
    """fn(alpha (edges, ops), primitives, steps) -> a list of (activation name, input node) pairs."""
    return run_exercise(
        "the recurrent derivation", fn, _reference, derivation_cases(),
        hint="node i (1..steps) owns rows sum(range(1, i)) .. + i - 1 of softmax(alpha, dim=-1); on each row take the "
             "largest weight whose op is not 'none'; keep the row (input j) where it is largest, the first on ties.",
        hints={"'none' is the strongest op on every edge":
               "'none' is never chosen (section 2.4: zero operations are excluded), nor does it count in an "
               "edge's strength.",
               "large raw alpha but a flat softmax on one edge":
               "compare edges by softmax(alpha) of each row, not by raw alpha: a row of equal alphas is flat "
               "(1/5 each) however large they are.",
               "alpha = 0: every edge ties, the earlier input wins":
               "on a tie keep the earlier input (the DARTS code sorts stably: max() and argmax return the first)."})
