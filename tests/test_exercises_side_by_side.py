"""Notebook 11's checkers pass the kit's own functions and reject a plausible wrong answer with its case and hint."""
import contextlib
import io

from nas_kit.estimation.ranking import spearman
from nas_kit.exercises.budget import check_incumbent_by_cost
from nas_kit.exercises.ranking import check_spearman
from nas_kit.strategies.comparison import incumbent_by_cost


def _said(check, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = check(fn)
    return passed, out.getvalue()


def test_the_kits_incumbent_curve_passes_its_own_checker():
    assert _said(check_incumbent_by_cost, incumbent_by_cost) == (
        True, 'exercise "best-so-far against cost": passed (7 cases)\n')


def test_each_evaluations_own_cost_instead_of_the_cost_spent_so_far_is_rejected():
    def per_evaluation(evaluations):
        costs, best = incumbent_by_cost(evaluations)
        return [float(c) for c, _ in evaluations], best
    passed, said = _said(check_incumbent_by_cost, per_evaluation)
    assert not passed and 'Case "5 evaluations of 1 to 6 epochs"' in said and "costs add up" in said


def test_a_failed_evaluation_taken_as_zero_accuracy_is_rejected():
    def zero_for_failed(evaluations):
        return incumbent_by_cost([(c, 0.0 if a is None else a) for c, a in evaluations])
    passed, said = _said(check_incumbent_by_cost, zero_for_failed)
    assert not passed and 'Case "a failed first evaluation (accuracy None)"' in said and "float('nan')" in said


def test_the_kits_spearman_passes_and_the_values_instead_of_the_ranks_are_rejected():
    assert _said(check_spearman, spearman)[0]

    def pearson_of_values(x, y):
        import numpy as np
        return float(np.corrcoef(x, y)[0, 1])
    passed, said = _said(check_spearman, pearson_of_values)
    assert not passed and 'Case "5 cells drawn at random"' in said and "rank each list" in said


def test_ranks_counted_from_the_largest_in_one_list_only_are_rejected():
    def one_list_reversed(x, y):
        return -spearman(x, y)
    passed, said = _said(check_spearman, one_list_reversed)
    assert not passed and "expected" in said and "got" in said
