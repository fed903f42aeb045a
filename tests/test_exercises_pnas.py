"""Notebook 05's checkers (nas_kit.exercises.pnas) pass the kit's own steps and reject plausible wrong answers,
naming the case and giving its hint."""
import contextlib
import io
import itertools

import numpy as np

from nas_kit.exercises.pnas import check_expand_cell, check_top_k
from nas_kit.spaces import pnas
from nas_kit.spaces.pnas import cell_to_blocks


def _said(check, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = check(fn)
    return passed, out.getvalue()


def _expand(blocks, ops, first_input=0, ordered=True):
    states = range(first_input, len(blocks) + 2)
    pairs = itertools.product(states, repeat=2) if ordered else itertools.combinations_with_replacement(states, 2)
    return [list(blocks) + [(a, op1, b, op2)] for a, b in pairs for op1, op2 in itertools.product(ops, repeat=2)]


def test_the_expansion_checker_passes_a_right_answer_and_agrees_with_the_papers_count():
    assert _said(check_expand_cell, _expand) == (True, 'exercise "expand a cell by one block": passed (5 cases)\n')
    one_block = [cell_to_blocks(g.normal) for g in pnas(1).enumerate()]
    assert sum(len(_expand(c, [f"op{i}" for i in range(8)])) for c in one_block) == pnas(2).size()   # |B_2|


def test_the_expansion_checker_rejects_unordered_inputs_and_a_block_that_cannot_read_the_cell_inputs():
    passed, said = _said(check_expand_cell, lambda blocks, ops: _expand(blocks, ops, ordered=False))
    assert not passed and 'Case "a 1-block cell, the 8 PNAS ops' in said
    assert "384 cells where 576 were expected" in said and "order matters" in said
    passed, said = _said(check_expand_cell, lambda blocks, ops: _expand(blocks, ops, first_input=1))
    assert not passed and "missing e.g. ((1, 'sep_conv_3x3', 0, 'max_pool_3x3'), (0, " in said


def test_the_expansion_checker_rejects_duplicates_and_cells_that_drop_the_parents_blocks():
    passed, said = _said(check_expand_cell, lambda blocks, ops: _expand(blocks, ops) * 2)
    assert not passed and "cells listed twice" in said
    passed, said = _said(check_expand_cell, lambda blocks, ops: [c[-1:] for c in _expand(blocks, ops)])
    assert not passed and "cells that are not children" in said


def _top_k(members, K):
    mean = np.mean(members, axis=0)
    return sorted(range(len(mean)), key=lambda i: -mean[i])[:K]


def test_the_top_k_checker_passes_a_stable_sort_of_the_mean():
    assert _said(check_top_k, _top_k)[0]
    assert _said(check_top_k, lambda m, K: np.argsort(-np.mean(m, 0), kind="stable")[:K])[0]     # an array is fine


def test_the_top_k_checker_rejects_one_members_ranking_an_ascending_sort_and_ties_to_the_later_candidate():
    passed, said = _said(check_top_k, lambda m, K: _top_k(m[:1], K))
    assert not passed and 'Case "5 members, 20 candidates, K = 4"' in said and "average the members" in said
    passed, said = _said(check_top_k, lambda m, K: _top_k([[-p for p in row] for row in m], K))
    assert not passed and "other indices, or another order" in said
    passed, said = _said(check_top_k, lambda m, K: np.argsort(np.mean(m, 0))[::-1][:K])
    assert not passed and 'Case "ties go to the earlier candidate": expected [1, 2, 3]' in said
    assert "reversing an ascending sort" in said
    passed, said = _said(check_top_k, lambda m, K: [str(i) for i in _top_k(m, K)])
    assert not passed and "a list of candidate indices was expected" in said
