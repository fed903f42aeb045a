"""Comparing search strategies the way Real et al. (2019, Fig. 3) do: many independent runs of each
strategy at the same evaluation budget, and the mean and spread of the best accuracy found so far.

    runs = run_many({"random": lambda s: RandomSearch(space, seed=s), ...},
                    lambda s: bench.oracle(seed=s), budget=150, seeds=range(20))
    curves = incumbent_curves(runs["random"], score=bench.test_accuracy)
    summary(curves)                  # mean, standard error, quartiles at each number of evaluations

Runs are independent: run ``s`` of every strategy uses seed ``s`` for the strategy and for its evaluator,
so two strategies are compared on the same evaluation noise.
"""
from __future__ import annotations

import numpy as np

from nas_kit.strategies.base import History, run_search


def incumbent_curve(history: History, score=None) -> np.ndarray:
    """At each evaluation k, ``score(arch)`` of the architecture with the best reward among the first k+1
    (the incumbent); without ``score``, the best reward itself (``History.best_so_far``). Real et al.
    report the test accuracy of the model with the best validation accuracy: pass its lookup as ``score``."""
    if score is None:
        return history.best_so_far()
    curve, best, value = [], -np.inf, np.nan
    for record in history:
        if record.reward is not None and record.reward > best:
            best, value = record.reward, score(record.arch)
        curve.append(value)
    return np.array(curve, dtype=float)


def run_many(factories: dict, make_evaluator, budget: int, seeds, batch_size: int = 1) -> dict:
    """{name: [History of run s for s in seeds]}: one search per strategy and seed.

    factories:       {name: seed -> Strategy}
    make_evaluator:  seed -> evaluator for ``run_search`` (a fresh one per run)
    """
    return {name: [run_search(factory(s), make_evaluator(s), budget, batch_size) for s in seeds]
            for name, factory in factories.items()}


def incumbent_curves(histories, score=None) -> np.ndarray:
    """(runs, evaluations): ``incumbent_curve`` of every history."""
    return np.stack([incumbent_curve(h, score) for h in histories])


def compare(factories: dict, make_evaluator, budget: int, seeds, batch_size: int = 1, score=None) -> dict:
    """{name: array (len(seeds), budget)} of incumbent curves, one run per seed and strategy (see ``run_many``)."""
    runs = run_many(factories, make_evaluator, budget, seeds, batch_size)
    return {name: incumbent_curves(histories, score) for name, histories in runs.items()}


def summary(curves: np.ndarray) -> dict:
    """Mean, standard error of the mean and quartiles over runs (axis 0), at every number of evaluations."""
    n = curves.shape[0]
    return dict(mean=curves.mean(0), sem=curves.std(0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(curves.shape[1]),
                q25=np.percentile(curves, 25, axis=0), median=np.median(curves, axis=0),
                q75=np.percentile(curves, 75, axis=0))
