"""What a search records: the Outcome of one evaluation, the History of a search, and summaries over runs.

Strategies (``nas_kit.strategies``) and estimators (``nas_kit.estimation``) both speak these types: an
estimator returns Outcomes, a search appends them to its History with the architecture they belong to.
"""
from __future__ import annotations

import math
import time
from collections import namedtuple

import numpy as np

# What one evaluation returns: reward (None if failed), cost (epochs of training, or seconds for a plain
# function), wall time in seconds, status 'ok' or 'failed', the error message of a failure ('' otherwise), and
# the fidelity it was judged at (epochs of training; None: the evaluator's only one).
Outcome = namedtuple("Outcome", "reward cost wall_time status error fidelity", defaults=(None,))

# One line of the History: the architecture, its encoding, and its Outcome's fields. The fidelity has a default
# so that a History pickled before it was recorded (seven fields a record) still loads.
Record = namedtuple("Record", "arch encoding reward cost wall_time status error fidelity", defaults=(None,))


def failed(error: str, cost: float = 0.0, wall_time: float = 0.0) -> Outcome:
    """The Outcome of a candidate that could not be evaluated."""
    return Outcome(None, cost, wall_time, "failed", error)


def error_message(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def call_evaluate(evaluate, arch) -> Outcome:
    """Run ``evaluate(arch) -> reward`` and time it; an exception or a non-finite reward is a
    failure, not a crash. Module-level so that process pools can pickle it."""
    start = time.perf_counter()
    try:
        reward = evaluate(arch)
    except Exception as e:  # noqa: BLE001 - any failing candidate is recorded and the search goes on
        return failed(error_message(e), wall_time=time.perf_counter() - start)
    seconds = time.perf_counter() - start
    if reward is None or not math.isfinite(float(reward)):
        return failed(f"reward is {reward!r}", seconds, seconds)
    return Outcome(float(reward), seconds, seconds, "ok", "")


class History:
    """Every evaluation of a search, in the order the strategy was told of them."""

    def __init__(self):
        self.records: list[Record] = []

    def append(self, arch, encoding: str, outcome: Outcome) -> None:
        self.records.append(Record(arch, encoding, *outcome))

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def __getitem__(self, i):
        return self.records[i]

    def rewards(self) -> np.ndarray:
        """Rewards as floats, NaN for failed candidates."""
        return np.array([np.nan if r.reward is None else r.reward for r in self.records], dtype=float)

    def best_so_far(self) -> np.ndarray:
        """The best reward among the first k+1 evaluations, for k = 0..len-1 (NaN before the first success):
        the curve that the regularized-evolution paper (Real et al. 2019, Fig. 3) plots."""
        r = np.where(np.isnan(self.rewards()), -np.inf, self.rewards())
        best = np.maximum.accumulate(r) if len(r) else r
        return np.where(np.isneginf(best), np.nan, best)

    def best(self) -> Record:
        """The record with the highest reward (among those at the highest fidelity, as ``incumbents``)."""
        ok = [r for r in self.records if r.status == "ok"]
        if not ok:
            raise ValueError("no candidate of this search succeeded, so there is no best architecture.")
        return max(ok, key=_key)

    def failures(self) -> list[Record]:
        return [r for r in self.records if r.status == "failed"]

    def total_cost(self) -> float:
        return float(sum(r.cost for r in self.records))

    def costs(self) -> np.ndarray:
        """The cost spent after each evaluation (cumulative): the x-axis of a comparison at equal cost."""
        return np.cumsum([r.cost for r in self.records], dtype=float)

    def incumbents(self) -> list:
        """After each evaluation, the record a search would return then (None before the first success): the best
        reward among those at the highest fidelity seen so far (Hyperband and BOHB return the best at the
        largest budget, Li et al. 2018, section 3; Falkner et al. 2018, section 4). At one fidelity, the best."""
        out, best = [], None
        for r in self.records:
            if r.reward is not None and (best is None or _key(r) > _key(best)):
                best = r
            out.append(best)
        return out


def _key(record: Record) -> tuple:
    """(fidelity, reward): a judgement at a higher fidelity outranks any at a lower one; None is the only one."""
    return (math.inf if record.fidelity is None else record.fidelity, record.reward)


def best_at_costs(history: History, levels, score=None) -> np.ndarray:
    """``score(arch)`` of the incumbent (``History.incumbents``) once ``level`` cost was spent, for each level
    (NaN where nothing succeeded yet); without ``score``, the incumbent's reward."""
    costs, incumbents = history.costs(), history.incumbents()
    out = []
    for level in levels:
        k = int(np.searchsorted(costs, level, side="right")) - 1      # the last evaluation within the cost
        r = incumbents[k] if k >= 0 else None
        out.append(np.nan if r is None else (r.reward if score is None else score(r.arch)))
    return np.array(out, dtype=float)


def summary(curves: np.ndarray) -> dict:
    """Mean, standard error of the mean and quartiles over runs (axis 0), at every number of evaluations."""
    n = curves.shape[0]
    return dict(mean=curves.mean(0), sem=curves.std(0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(curves.shape[1]),
                q25=np.percentile(curves, 25, axis=0), median=np.median(curves, axis=0),
                q75=np.percentile(curves, 75, axis=0))
