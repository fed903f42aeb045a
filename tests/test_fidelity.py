"""Multi-fidelity evaluation: the mini benchmark answers a query at fidelity e with the accuracy after epoch e
at a cost of e epochs, and the History records each evaluation's fidelity and cost (old histories still load)."""
import pickle
from collections import namedtuple

import numpy as np
import pytest

import nas_kit.results as results
from nas_kit.estimation.tabular import MiniBench
from nas_kit.results import History, Outcome, best_at_costs
from nas_kit.spaces import BenchSpace
from nas_kit.strategies import RandomSearch, run_search


@pytest.fixture(scope="module")
def bench():
    return MiniBench.load()


def test_a_query_at_fidelity_e_is_the_accuracy_after_epoch_e_and_costs_e_epochs(bench):
    arch = bench.space.sample(3)
    (outcome,) = bench.oracle(seed=0).at(2).evaluate_many([arch])
    assert outcome.reward in {bench.valid_accuracy(arch, i, epoch=2) for i in range(len(bench.seeds))}
    assert outcome.cost == 2 and outcome.fidelity == 2
    with pytest.raises(ValueError, match="whole number of epochs 1..6"):
        bench.oracle(seed=0).at(7)


class AtTwoEpochs(RandomSearch):
    fidelity = 2


def test_the_history_records_the_fidelity_and_cost_of_each_evaluation(bench):
    history = run_search(AtTwoEpochs(bench.space, seed=0), bench.oracle(seed=0), 5)
    assert [r.fidelity for r in history] == [2] * 5 and list(history.costs()) == [2, 4, 6, 8, 10]
    full = run_search(RandomSearch(bench.space, seed=0), bench.oracle(seed=0), 2)
    assert [(r.fidelity, r.cost) for r in full] == [(bench.epochs, bench.epochs)] * 2
    with pytest.raises(ValueError, match="judges at one fidelity only"):
        run_search(AtTwoEpochs(bench.space, seed=0), lambda arch: 0.5, 1)


def test_the_incumbent_is_the_best_at_the_highest_fidelity_seen(bench):
    history = History()
    for reward, cost, fidelity in [(0.9, 1, 1), (0.5, 3, 3), (0.6, 3, 3), (0.95, 1, 1)]:
        history.append(("skip_connect",) * 6, "cell", Outcome(reward, cost, 0.0, "ok", "", fidelity))
    assert [r.reward for r in history.incumbents()] == [0.9, 0.5, 0.6, 0.6]
    assert np.allclose(best_at_costs(history, [0.5, 1, 4, 8]), [np.nan, 0.9, 0.5, 0.6], equal_nan=True)


def test_a_history_pickled_before_fidelities_loads_with_fidelity_none(monkeypatch):
    Old = namedtuple("Record", "arch encoding reward cost wall_time status error")
    Old.__module__ = "nas_kit.results"
    history = History()
    history.records.append(Old(("skip_connect",) * 6, "cell", 0.5, 1.0, 1.0, "ok", ""))
    monkeypatch.setattr(results, "Record", Old)
    data = pickle.dumps(history)
    monkeypatch.undo()
    (record,) = pickle.loads(data)
    assert type(record) is results.Record and record.fidelity is None and record.reward == 0.5


def test_a_trained_evaluator_at_fidelity_e_trains_its_children_e_epochs_with_a_cache_of_its_own():
    from concurrent.futures import ThreadPoolExecutor

    from nas_kit.estimation import Budget, Evaluator
    x, y = np.zeros((8, 8, 8, 3), dtype=np.uint8), np.arange(8) % 2
    with ThreadPoolExecutor(1) as pool:
        evaluator = Evaluator((x, y, x, y), Budget(epochs=3), space=BenchSpace(), executor=pool)
        two = evaluator.at(2)
        assert two.budget.epochs == 2 and evaluator.budget.epochs == 3 and two.executor is pool
        assert two.cache is not evaluator.cache and evaluator.at(2) is two and evaluator.at(3) is evaluator
        with pytest.raises(ValueError, match="whole number of epochs"):
            evaluator.at(1.5)
