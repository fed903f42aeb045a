"""Checkers for notebook 08's exercises: DARTS's continuous relaxation and its top-2 derivation (Liu et al. 2019).

``check_mixed_op(fn)``       fn(x, ops, alpha) = sum_o softmax(alpha)_o * o(x)         (section 2.2, eq. 2)
``check_derive_top2(fn)``    fn(alpha, primitives, steps) = the (op, input) pairs of one CNN cell     (section 2.4)

The references are the kit's own: ``MixedOp.forward`` (nas_kit.models.darts_search) on the same ops, and
``derive_cell`` (nas_kit.strategies.darts.derive), which breaks ties as the official ``genotype()`` does.
"""
from __future__ import annotations

from types import SimpleNamespace

import torch
import torch.nn.functional as F

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.genotypes import DARTS_PRIMITIVES
from nas_kit.models.darts_search import MixedOp
from nas_kit.strategies.darts.derive import derive_cell


def _mixed_reference(x, ops, alpha):
    """The kit's MixedOp.forward on these ops, with weights softmax(alpha)."""
    return MixedOp.forward(SimpleNamespace(_ops=ops), x, F.softmax(alpha, dim=-1))


def _edge(C, stride, seed):
    """The ops of one supernet edge (a MixedOp's candidates), their weights drawn from ``seed``."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return list(MixedOp(C, stride)._ops)


def mixed_op_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, 8, 8, generator=g)
    n = len(DARTS_PRIMITIVES)
    ops, reduction = _edge(4, 1, 0), _edge(4, 2, 1)
    plain = [lambda v: v, lambda v: 2 * v, lambda v: -v]
    one_op = torch.zeros(n)
    one_op[DARTS_PRIMITIVES.index("sep_conv_3x3")] = 10.0
    large = torch.zeros(n)
    large[DARTS_PRIMITIVES.index("max_pool_3x3")] = 100.0
    return [Case("three plain functions, alpha = [1, 0, -1]", (torch.tensor([1.0, 2.0]), plain,
                                                              torch.tensor([1.0, 0.0, -1.0]))),
            Case("the 8 DARTS ops, alpha = 0 (every weight 1/8)", (x, ops, torch.zeros(n))),
            Case("the 8 DARTS ops, random alpha", (x, ops, torch.randn(n, generator=g))),
            Case("a reduction edge (stride 2), random alpha", (x, reduction, torch.randn(n, generator=g))),
            Case("alpha = 10 on sep_conv_3x3", (x, ops, one_op)),
            Case("alpha = 100 on max_pool_3x3 (exp(100) is too large for float32)", (x, ops, large))]


def check_mixed_op(fn) -> bool:
    """fn(x, ops, alpha): the mixed op of one edge, eq. 2."""
    return run_exercise(
        "MixedOp.forward (eq. 2)", fn, _mixed_reference, mixed_op_cases(),
        hint="weigh each op's output o(x) by softmax(alpha)_o (over all ops, 'none' included) and add them up.",
        hints={"alpha = 100 on max_pool_3x3 (exp(100) is too large for float32)":
               "exp(alpha) / sum(exp(alpha)) overflows; torch.softmax subtracts the largest alpha first."})


def _alpha(steps, n, entries):
    """An alpha of zeros for ``steps`` nodes and ``n`` ops with the given {(edge, op): value}."""
    alpha = torch.zeros(sum(2 + i for i in range(steps)), n)
    for (e, k), v in entries.items():
        alpha[e, k] = v
    return alpha


def derive_cases() -> list[Case]:
    g, P, k = torch.Generator().manual_seed(0), list(DARTS_PRIMITIVES), DARTS_PRIMITIVES.index
    none_last = P[1:] + ["none"]
    node0 = {(0, k("sep_conv_3x3")): 0.5, (1, k("max_pool_3x3")): 0.3}          # node 0 without a tie
    # the cases that each name one rule come first, the random ones last; with steps=2, node 0 has edges 0-1 and
    # node 1 edges 2-4
    return [Case("'none' is the strongest op on every edge",
                 (_alpha(2, 8, {**{(e, k("none")): 5.0 for e in range(5)}, (0, k("skip_connect")): 1.0,
                                (1, k("avg_pool_3x3")): 2.0, (3, k("sep_conv_3x3")): 1.0,
                                (4, k("max_pool_3x3")): 0.5}), P, 2)),
            Case("one edge holds the two strongest ops", (_alpha(2, 8, {**node0, (2, k("sep_conv_3x3")): 3.0,
                                                                        (2, k("dil_conv_3x3")): 2.9,
                                                                        (3, k("skip_connect")): 1.0,
                                                                        (4, k("avg_pool_3x3")): 0.5}), P, 2)),
            Case("an edge of several strong ops against an edge of one (compare softmax weights, not alpha)",
                 (_alpha(2, 8, {**node0, **{(2, o): 2.0 for o in range(1, 8)}, (3, k("sep_conv_5x5")): 1.5,
                                (4, k("avg_pool_3x3")): 1.0}), P, 2)),
            Case("two edges tie: the earlier input comes first", (_alpha(2, 8, {(3, k("skip_connect")): 1.0,
                                                                                (4, k("skip_connect")): 1.0}), P, 2)),
            Case("alpha = 0 (the initialisation): every edge and op ties", (torch.zeros(14, 8), P, 4)),
            Case("'none' is the last op of the list", (torch.randn(5, 8, generator=g), none_last, 2)),
            Case("random alpha, 2 nodes", (torch.randn(5, 8, generator=g), P, 2)),
            Case("random alpha, 4 nodes", (torch.randn(14, 8, generator=g), P, 4))]


def check_derive_top2(fn) -> bool:
    """fn(alpha, primitives, steps): the discrete CNN cell, two edges per node."""
    ties = "on a tie keep the earlier input (a stable sort) and the earlier op (the first maximum)."
    return run_exercise(
        "the top-2 derivation of a DARTS cell", fn, derive_cell, derive_cases(),
        hint="take softmax(alpha) per edge; per node keep the 2 edges whose strongest op other than 'none' weighs "
             "most, the stronger edge first, each with that op, as (op, input).",
        hints={"'none' is the strongest op on every edge": "'none' is never chosen: leave it out of each edge's "
                                                           "strength and of its op.",
               "one edge holds the two strongest ops": "the top 2 is over edges (one op each), not over (edge, op) "
                                                       "pairs.",
               "an edge of several strong ops against an edge of one (compare softmax weights, not alpha)":
                   "compare the edges by softmax(alpha) of each edge, not by alpha itself.",
               "alpha = 0 (the initialisation): every edge and op ties": ties,
               "two edges tie: the earlier input comes first": ties,
               "'none' is the last op of the list": "find 'none' by its name in primitives, not by its place."})
