"""The checkers of notebooks 12 and 13 (Hyperband's brackets, successive halving's promotion, Net2WiderNet's
weights, the NASWOT score): each passes a right answer and rejects a plausible wrong one, naming its case and
its hint, in one line."""
import contextlib
import io
import math

import torch

from nas_kit.exercises.hyperband import check_hyperband_brackets, check_successive_halving
from nas_kit.exercises.naswot import check_naswot_score
from nas_kit.exercises.net2net import check_net2wider, kit_net2wider


def _said(checker, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = checker(fn)
    said = out.getvalue()
    assert said.count("\n") == 1, said
    return passed, said


def _brackets(R, eta, rounded_up_log=False):
    s_max = 0
    while eta ** (s_max + 1) <= R:
        s_max += 1
    if rounded_up_log and eta ** s_max < R:
        s_max += 1                                      # ceil instead of floor
    out = []
    for s in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) * eta ** s / (s + 1))
        out.append([(n // eta ** i, R * eta ** (i - s)) for i in range(s + 1)])
    return out


def test_hyperband_brackets_pass_and_a_ceiling_log_is_caught_on_the_case_that_is_not_a_power():
    assert _said(check_hyperband_brackets, _brackets)[0]
    passed, said = _said(check_hyperband_brackets, lambda R, eta: _brackets(R, eta, rounded_up_log=True))
    assert not passed and 'Case "R = 6, eta = 2 (the mini benchmark)"' in said and "s_max = floor(log_eta R)" in said


def _keep(candidates, rewards, eta, largest=True):
    keep = len(candidates) // eta
    worst = float("-inf") if largest else float("inf")
    order = sorted(range(len(candidates)), key=lambda j: rewards[j] if rewards[j] is not None else worst,
                   reverse=largest)
    return [candidates[j] for j in sorted(order[:keep])]


def test_successive_halving_passes_and_keeping_the_lowest_rewards_is_caught():
    assert _said(check_successive_halving, _keep)[0]
    passed, said = _said(check_successive_halving, lambda c, r, eta: _keep(c, r, eta, largest=False))
    assert not passed and 'Case "27 candidates, eta = 3"' in said and "highest rewards" in said


def test_ties_must_go_to_the_earlier_candidate():
    def later_first(candidates, rewards, eta):
        order = sorted(range(len(candidates)), key=lambda j: (rewards[j] if rewards[j] is not None else -1, j),
                       reverse=True)
        return [candidates[j] for j in sorted(order[:len(candidates) // eta])]
    passed, said = _said(check_successive_halving, later_first)
    assert not passed and 'Case "ties go to the earlier candidate"' in said


def _wider(W1, W2, g, divide=True):
    counts = torch.bincount(torch.tensor(g), minlength=W1.shape[0]).float()
    return W1[g], W2[:, g] / (counts[g] if divide else 1.0)


def test_net2wider_passes_keeps_the_function_and_forgetting_the_division_is_caught():
    assert _said(check_net2wider, _wider)[0]
    passed, said = _said(check_net2wider, lambda W1, W2, g: _wider(W1, W2, g, divide=False))
    assert not passed and 'Case "4 units widened to 6"' in said and "counts[g]" in said
    W1, W2, g = torch.randn(4, 3), torch.randn(5, 4), [0, 1, 2, 3, 1, 1]
    U1, U2 = kit_net2wider(W1, W2, g)
    x = torch.randn(3, 7)
    assert torch.allclose(U2 @ torch.relu(U1 @ x), W2 @ torch.relu(W1 @ x), atol=1e-6)


def _score(codes, agreements=True):
    c = codes.double()
    K = c @ c.T + (1 - c) @ (1 - c).T if agreements else c @ c.T
    return float(torch.linalg.slogdet(K)[1])


def test_naswot_passes_and_counting_only_the_shared_active_units_is_caught():
    assert _said(check_naswot_score, _score)[0]
    passed, said = _said(check_naswot_score, lambda c: _score(c, agreements=False))
    assert not passed and 'Case "8 inputs, 20 units"' in said and "both active or both inactive" in said
