"""What a search records: the Outcome of one evaluation, the History of a search, and summaries over runs.

Strategies (``nas_kit.strategies``) and estimators (``nas_kit.estimation``) both speak these types: an
estimator returns Outcomes, a search appends them to its History with the architecture they belong to.
"""
from __future__ import annotations

import math
import time
from collections import namedtuple

import numpy as np

# What one evaluation returns: reward (None if failed), cost (seconds or epochs), wall time in
# seconds, status 'ok' or 'failed', and the error message of a failure ('' otherwise).
Outcome = namedtuple("Outcome", "reward cost wall_time status error")

# One line of the History: the architecture, its encoding, and its Outcome's fields.
Record = namedtuple("Record", "arch encoding reward cost wall_time status error")


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
        """The record with the highest reward."""
        ok = [r for r in self.records if r.status == "ok"]
        if not ok:
            raise ValueError("no candidate of this search succeeded, so there is no best architecture.")
        return max(ok, key=lambda r: r.reward)

    def failures(self) -> list[Record]:
        return [r for r in self.records if r.status == "failed"]

    def total_cost(self) -> float:
        return float(sum(r.cost for r in self.records))


def summary(curves: np.ndarray) -> dict:
    """Mean, standard error of the mean and quartiles over runs (axis 0), at every number of evaluations."""
    n = curves.shape[0]
    return dict(mean=curves.mean(0), sem=curves.std(0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(curves.shape[1]),
                q25=np.percentile(curves, 25, axis=0), median=np.median(curves, axis=0),
                q75=np.percentile(curves, 75, axis=0))
