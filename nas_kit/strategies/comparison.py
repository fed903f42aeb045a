"""Comparing search strategies the way Real et al. (2019, Fig. 3) do: many independent runs of each
strategy at the same evaluation budget, and the mean and spread of the best accuracy found so far.

    runs = run_many({"random": lambda s: RandomSearch(space, seed=s), ...},
                    lambda s: bench.oracle(seed=s), budget=150, seeds=range(20))
    curves = incumbent_curves(runs["random"], score=bench.test_accuracy)
    summary(curves)                  # nas_kit.results.summary: mean, standard error, quartiles per evaluation

Runs are independent: run ``s`` of every strategy uses seed ``s`` for the strategy and for its evaluator,
so two strategies are compared on the same evaluation noise. ``compare_with_random`` asks the same of one
search's result: does the cell it found beat cells drawn at random from its space (Li & Talwalkar 2019)?
``at_budget`` reads a search's incumbent once a budget of training epochs is spent (notebook 11's side-by-side
at one budget: ``at_budget(nas_kit.methods.history_of(...), 120, bench.test_accuracy)``).
"""
from __future__ import annotations

import statistics

import numpy as np

from nas_kit.results import History, Outcome, best_at_costs
from nas_kit.strategies.base import run_search


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


# ---------------------------------------------------------------- a derived cell against random cells
def compare_with_random(derived, space, score, n_random=8, seeds=(0,)):
    """Is the searched cell better than cells drawn at random from the same space, all trained with one recipe?
    (the baseline of Li & Talwalkar 2019 and Yang et al. 2020).

    ``score(genotype, seed)`` trains one cell from scratch and returns its held-out accuracy or perplexity;
    every cell is scored once per seed in ``seeds`` (the same seeds for all) and its scores averaged.
    The random cells are ``space.sample(0)``, ..., ``space.sample(n_random - 1)``.

    Returns a dict: ``derived`` (mean score), ``derived_scores``, ``random`` (a list of (genotype, mean score)),
    ``median`` (the median of the random cells' means).
    """
    def mean_score(genotype):
        scores = [float(score(genotype, seed)) for seed in seeds]
        return sum(scores) / len(scores), scores

    derived_mean, derived_scores = mean_score(derived)
    random_cells = [space.sample(k) for k in range(n_random)]
    random_means = [mean_score(g)[0] for g in random_cells]
    return dict(derived=derived_mean, derived_scores=derived_scores, random=list(zip(random_cells, random_means)),
                median=statistics.median(random_means))


# ---------------------------------------------------------------- methods at one budget of training epochs
def incumbent_by_cost(evaluations) -> tuple[list, list]:
    """[(cost, accuracy)] in the order evaluated -> (the cost spent after each, the best accuracy so far);
    accuracy None is a failed evaluation (its cost counts, the best stays), NaN before the first success.
    The x and y of a comparison at equal cost (``History.costs`` and ``History.best_so_far``)."""
    history = History()
    for cost, accuracy in evaluations:
        status = "ok" if accuracy is not None else "failed"
        history.append(None, "", Outcome(accuracy, float(cost), 0.0, status, "", None))
    return history.costs().tolist(), history.best_so_far().tolist()


def at_budget(history: History, epochs: float, score) -> dict:
    """A search stopped once ``epochs`` training epochs are spent: ``curve`` is [(epochs spent, score of the
    incumbent)] after each evaluation within the budget (``History.incumbents``: at the highest fidelity seen, as
    Hyperband returns), ``final`` its last score. The search must have reached the budget (one sentence otherwise)."""
    costs = history.costs()
    if not len(costs) or costs[-1] < epochs:
        raise ValueError(f"the search spent {costs[-1] if len(costs) else 0:.0f} of the {epochs} epochs "
                         f"of the budget: raise its budget setting.")
    within = int(np.searchsorted(costs, epochs, side="right"))
    scores = best_at_costs(history, costs[:within], score)
    curve = [(float(c), float(s)) for c, s in zip(costs[:within], scores)]
    return dict(curve=curve, final=curve[-1][1], evaluations=within)
