"""Checkers for notebook 05: PNAS's two core steps (Liu et al. 2018, section 3 and Algorithm 1).

expand-cell   a cell of b blocks ``(in1, op1, in2, op2)`` -> every cell of b + 1 blocks that starts with it.
              Block b + 1 reads two of the b + 2 states (the cell inputs 0 and 1, the blocks 2 .. b + 1)
              through any two ops: |I_{b+1}|^2 |O|^2 = (b + 2)^2 |O|^2 children, so that
              |B_{b+1}| = |B_b| (b + 2)^2 |O|^2 (section 3.2).
top-K         the K candidates with the highest mean prediction of the ensemble, highest first.

The references are the kit's own ``nas_kit.strategies.pnas.expand`` and ``top_k``.
"""
from __future__ import annotations

import itertools
import numbers

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.genotypes import PNAS_PRIMITIVES
from nas_kit.spaces.pnas import cell_to_blocks, pnas_genotype
from nas_kit.strategies.pnas import expand, top_k

TWO_OPS, THREE_OPS = ["sep_conv_3x3", "max_pool_3x3"], ["sep_conv_3x3", "max_pool_3x3", "skip_connect"]
PNAS_OPS = list(PNAS_PRIMITIVES)


def _children(expand_cell):
    """Every child of every parent cell in ``parents``, as ``expand_cell`` lists them."""
    def call(parents, ops):
        return [child for blocks in parents for child in expand_cell(blocks, ops)]
    return call


def _reference(parents, ops):
    return [cell_to_blocks(g.normal) for blocks in parents for g in expand(pnas_genotype(blocks), ops)]


def _as_cell(cell):
    return tuple((int(a), op1, int(b), op2) for a, op1, b, op2 in cell)


def _same_cells(got, want):
    """The same cells, each once, in any order."""
    if not isinstance(got, (list, tuple)):
        return f"a {type(got).__name__} where a list of cells was expected"
    try:
        got = [_as_cell(c) for c in got]
    except (TypeError, ValueError):
        return "items that are not cells (lists of (in1, op1, in2, op2) blocks)"
    want = [_as_cell(c) for c in want]
    if len(set(got)) != len(got):
        return f"{len(got) - len(set(got))} cells listed twice"
    extra, missing = set(got) - set(want), set(want) - set(got)
    if extra:
        return f"{len(extra)} cells that are not children, e.g. {sorted(extra)[0]}"
    if missing:
        return f"{len(got)} cells where {len(want)} were expected; missing e.g. {sorted(missing)[0]}"
    return None


def _one_block_cells(ops):
    return [[(a, op1, b, op2)] for a, b in itertools.product(range(2), repeat=2) for op1, op2 in
            itertools.product(ops, repeat=2)]


def check_expand_cell(expand_cell) -> bool:
    """expand_cell(blocks, ops) -> every cell of len(blocks) + 1 blocks whose first blocks are ``blocks``."""
    cases = [Case("a 1-block cell, the 8 PNAS ops: 3^2 * 8^2 = 576 children",
                  ([[(1, "sep_conv_3x3", 0, "max_pool_3x3")]], PNAS_OPS)),
             Case("a 2-block cell, 3 ops: 4^2 * 3^2", ([[(0, "skip_connect", 1, "sep_conv_3x3"),
                                                          (2, "max_pool_3x3", 2, "max_pool_3x3")]], THREE_OPS)),
             Case("a 4-block cell, 2 ops: 6^2 * 2^2",
                  ([[(1, "sep_conv_3x3", 1, "sep_conv_3x3"), (0, "max_pool_3x3", 2, "sep_conv_3x3"),
                     (3, "sep_conv_3x3", 1, "max_pool_3x3"), (4, "max_pool_3x3", 0, "max_pool_3x3")]], TWO_OPS)),
             Case("the empty cell, 2 ops: the 16 one-block cells", ([[]], TWO_OPS)),
             Case("every 1-block cell with 2 ops, expanded: |B_2| = |B_1| * 3^2 * 2^2 = 576",
                  (_one_block_cells(TWO_OPS), TWO_OPS))]
    return run_exercise(
        "expand a cell by one block", _children(expand_cell), _reference, cases, compare=_same_cells,
        hint="keep the b blocks and append one block (in1, op1, in2, op2): in1 and in2 each range over the b + 2 "
             "states 0 .. b + 1 (inputs may repeat, and order matters), op1 and op2 over all ops: "
             "itertools.product.",
        hints={"the empty cell, 2 ops: the 16 one-block cells": "a cell of 0 blocks has 2 states to read: the cell "
                                                                 "inputs 0 and 1."})


def _member_predictions(members, n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(members, n, generator=g).mul(0.4).add(0.5).round(decimals=4).tolist()


def _exact_indices(got, want):
    """The same indices in the same order (a numpy array or a list of numpy ints is fine)."""
    got = got.tolist() if hasattr(got, "tolist") else got
    if not isinstance(got, (list, tuple)) or not all(isinstance(i, numbers.Integral) and not isinstance(i, bool)
                                                     for i in got):
        return f"a {type(got).__name__} where a list of candidate indices was expected"
    return None if [int(i) for i in got] == want else "other indices, or another order"


def check_top_k(select_top_k) -> bool:
    """select_top_k(member_predictions, K) -> the indices of the K candidates with the highest ensemble mean."""
    tie = [[0.5, 0.75, 0.625, 0.75], [0.5, 0.75, 0.875, 0.75]]          # candidates 1, 2, 3 tie at 0.75 exactly
    cases = [Case("5 members, 20 candidates, K = 4", (_member_predictions(5, 20, 0), 4)),
             Case("3 members, 50 candidates, K = 10", (_member_predictions(3, 50, 1), 10)),
             Case("members that disagree: the mean decides", ([[0.9, 0.1, 0.5], [0.1, 0.9, 0.2], [0.2, 0.8, 0.9]], 1)),
             Case("one member, K = 1", (_member_predictions(1, 6, 2), 1)),
             Case("ties go to the earlier candidate", (tie, 3)),
             Case("K larger than the candidates: all of them, ranked", (_member_predictions(2, 3, 3), 5))]
    return run_exercise(
        "top-K by the ensemble's mean prediction", select_top_k,
        lambda members, K: top_k(torch.tensor(members, dtype=torch.float64).mean(0).numpy(), K), cases,
        compare=_exact_indices,
        hint="average the members' predictions per candidate (over axis 0), then sort the candidates by that mean, "
             "highest first, and keep the first K indices.",
        hints={"ties go to the earlier candidate": "sort stably on the negated mean (sorted(..., key=...) or "
                                                   "np.argsort(-mean, kind='stable')); reversing an ascending sort "
                                                   "puts the later of two equal candidates first.",
               "members that disagree: the mean decides": "the ensemble predicts the mean of its members, not one "
                                                          "member's (nor their maximum)."})
