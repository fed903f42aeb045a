"""Successive halving, Hyperband and BOHB, each rule as its paper states it: Hyperband's brackets for eta = 3,
R = 27 (Li et al. 2018, Algorithm 1); successive halving keeps the top 1/eta; BOHB models the largest budget
with d + 1 observations (Falkner et al. 2018, Algorithm 2)."""
import pytest

from nas_kit.estimation.tabular import MiniBench
from nas_kit.results import Outcome
from nas_kit.spaces import BenchSpace
from nas_kit.strategies import run_search
from nas_kit.strategies.bohb import BOHB
from nas_kit.strategies.hyperband import Hyperband, SuccessiveHalving, brackets

SPACE = BenchSpace()


def convs(arch):
    """A deterministic reward: the number of 3x3 convolutions in the cell, with a tie-break by position."""
    return sum(op == "nor_conv_3x3" for op in arch) + 0.01 * sum(k for k, op in enumerate(arch) if op == "avg_pool_3x3")


class Judge:
    """An evaluator with fidelities that remembers what it was asked at which fidelity."""

    def __init__(self, fidelity=None, log=None):
        self.fidelity, self.log = fidelity, [] if log is None else log

    def at(self, fidelity):
        return Judge(fidelity, self.log)

    def evaluate_many(self, archs, executor=None):
        self.log.extend((a, self.fidelity) for a in archs)
        return [Outcome(convs(a), float(self.fidelity), 0.0, "ok", "", self.fidelity) for a in archs]


def test_hyperbands_brackets_for_eta_3_and_R_27_are_those_of_li_et_al():
    assert brackets(27, 3) == [[(27, 1), (9, 3), (3, 9), (1, 27)],
                               [(12, 3), (4, 9), (1, 27)],
                               [(6, 9), (2, 27)],
                               [(4, 27)]]


def test_hyperband_runs_each_bracket_at_its_budgets_and_spends_what_algorithm_1_spends():
    judge = Judge()
    history = run_search(Hyperband(SPACE, R=27, eta=3, seed=0), judge, 27 + 9 + 3 + 1 + 12 + 4 + 1 + 6 + 2 + 4)
    fidelities = [r.fidelity for r in history]
    assert fidelities == [1] * 27 + [3] * 9 + [9] * 3 + [27] + [3] * 12 + [9] * 4 + [27] + [9] * 6 + [27] * 2 + [27] * 4
    assert [f for _, f in judge.log] == fidelities
    # sum of n_i r_i: (27 + 9*3 + 3*9 + 27) + (12*3 + 4*9 + 27) + (6*9 + 2*27) + 4*27, each bracket about B = 108
    assert history.total_cost() == 108 + 99 + 108 + 108


def test_successive_halving_keeps_the_top_one_over_eta():
    sh = SuccessiveHalving(SPACE, [(9, 1), (3, 3), (1, 9)], eta=3, seed=0)
    first = sh.ask(9)
    assert sh.fidelity == 1 and len(set(first)) == 9
    rewards = [convs(a) for a in first]
    rewards[0] = None                                              # a failed candidate ranks last
    sh.tell(first, rewards)
    survivors = sh.ask(9)
    ranked = sorted((r, a) for r, a in zip(rewards, first) if r is not None)
    assert sh.fidelity == 3 and set(survivors) == {a for _, a in ranked[-3:]}
    sh.tell(survivors, [convs(a) for a in survivors])
    (winner,) = sh.ask(5)
    assert sh.fidelity == 9 and winner == max(survivors, key=convs)
    with pytest.raises(ValueError, match="synchronous"):
        sh.ask(1)


def test_bohb_models_the_largest_budget_with_d_plus_one_observations_and_proposes_good_cells():
    bohb = BOHB(SPACE, R=6, eta=2, seed=0, rho=0.0)
    assert bohb.n_min == 7 and bohb.model_budget() is None
    archs = [SPACE.sample(k) for k in range(40)]
    bohb.observations = {2: [(a, convs(a)) for a in archs], 3: [(a, convs(a)) for a in archs[:6]]}
    assert bohb.model_budget() == 2
    bohb.observations[3].append((archs[6], None))                  # a failure is no observation
    assert bohb.model_budget() == 2
    bohb.observations[3].append((archs[7], convs(archs[7])))
    assert bohb.model_budget() == 3
    bohb.observations = {2: [(a, convs(a)) for a in archs]}
    proposed = [bohb.propose() for _ in range(20)]
    assert sum(map(convs, proposed)) / 20 > sum(map(convs, archs)) / 40 + 1     # TPE leans to the convolutions


def test_hyperband_and_bohb_run_on_the_mini_benchmark_at_its_epochs():
    bench = MiniBench.load()
    for strategy in (Hyperband(bench.space, R=6, eta=2, seed=1), BOHB(bench.space, R=6, eta=2, seed=1)):
        history = run_search(strategy, bench.oracle(seed=1), 40)
        assert {r.fidelity for r in history} == {2, 3, 6} and history.total_cost() == sum(r.fidelity for r in history)
