"""Notebook 08's checkers (nas_kit.exercises.darts) pass the kit's own code and name the case and the hint
of each plausible wrong answer: alpha not put through a softmax, a softmax that overflows, 'none' not left out,
a top 2 over (edge, op) pairs instead of edges, raw alpha compared across edges, ties broken the other way."""
import contextlib
import io

import torch

from nas_kit.exercises.darts import check_derive_top2, check_mixed_op
from nas_kit.strategies.darts.derive import derive_cell


def _said(check, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = check(fn)
    return passed, out.getvalue()


def _rejected(check, fn, case, hint):
    passed, said = _said(check, fn)
    assert not passed and said.count("\n") == 1, said
    assert f'Case "{case}"' in said and hint in said, said


def _mixed(weights_of):
    return lambda x, ops, alpha: sum(w * op(x) for w, op in zip(weights_of(alpha), ops))


def test_the_softmax_mixture_passes_and_the_stub_is_not_written_yet():
    assert _said(check_mixed_op, _mixed(lambda a: torch.softmax(a, -1)))[1] == \
        'exercise "MixedOp.forward (eq. 2)": passed (6 cases)\n'

    def stub(x, ops, alpha):
        raise NotImplementedError("exercise 1: MixedOp.forward")
    assert "not written yet" in _said(check_mixed_op, stub)[1]


def test_alpha_used_as_the_weights_without_a_softmax_is_rejected():
    _rejected(check_mixed_op, _mixed(lambda a: a), "three plain functions, alpha = [1, 0, -1]", "softmax(alpha)_o")


def test_the_plain_average_of_the_ops_is_rejected():
    _rejected(check_mixed_op, _mixed(lambda a: torch.full_like(a, 1 / len(a))),
              "three plain functions, alpha = [1, 0, -1]", "softmax(alpha)_o")


def test_a_softmax_that_overflows_is_rejected_with_its_own_hint():
    _rejected(check_mixed_op, _mixed(lambda a: a.exp() / a.exp().sum()),
              "alpha = 100 on max_pool_3x3 (exp(100) is too large for float32)", "subtracts the largest alpha")


def test_the_kits_derivation_passes():
    assert _said(check_derive_top2, derive_cell)[1] == \
        'exercise "the top-2 derivation of a DARTS cell": passed (8 cases)\n'


def _top2(alpha, primitives, steps, skip_none=True, by_edge=True, softmax=True, stable=True):
    """A derivation with one of its rules switchable, to make each plausible mistake."""
    W = torch.softmax(alpha, -1) if softmax else alpha
    allowed = [k for k, p in enumerate(primitives) if p != "none" or not skip_none]
    gene, start = [], 0
    for i in range(steps):
        rows = W[start:start + 2 + i]
        pairs = [(float(rows[j, k]), j, k) for j in range(2 + i) for k in allowed]
        if by_edge:
            best = [max((p for p in pairs if p[1] == j), key=lambda p: p[0]) for j in range(2 + i)]
            order = sorted(best, key=lambda p: -p[0]) if stable else sorted(best, key=lambda p: (-p[0], -p[1]))
        else:
            order = sorted(pairs, key=lambda p: -p[0])
        gene += [(primitives[k], j) for _, j, k in order[:2]]
        start += 2 + i
    return gene


def test_the_switchable_derivation_with_every_rule_on_is_the_kits():
    assert _said(check_derive_top2, _top2)[0]


def test_none_not_excluded_is_rejected():
    _rejected(check_derive_top2, lambda a, p, s: _top2(a, p, s, skip_none=False),
              "'none' is the strongest op on every edge", "'none' is never chosen")


def test_a_top_2_over_ops_instead_of_edges_is_rejected():
    _rejected(check_derive_top2, lambda a, p, s: _top2(a, p, s, by_edge=False),
              "one edge holds the two strongest ops", "not over (edge, op) pairs")


def test_edges_compared_by_raw_alpha_are_rejected():
    _rejected(check_derive_top2, lambda a, p, s: _top2(a, p, s, softmax=False),
              "an edge of several strong ops against an edge of one (compare softmax weights, not alpha)",
              "not by alpha itself")


def test_ties_given_to_the_later_input_are_rejected():
    _rejected(check_derive_top2, lambda a, p, s: _top2(a, p, s, stable=False),
              "two edges tie: the earlier input comes first", "keep the earlier input")


def test_none_found_by_its_place_instead_of_its_name_is_rejected():
    def none_first(alpha, primitives, steps):
        return _top2(alpha, ["none"] + [p for p in primitives if p != "none"], steps)
    _rejected(check_derive_top2, none_first, "'none' is the last op of the list", "by its name")
