"""Black-box search: the ask/tell interface every strategy shares, the History, and the loop.

A search strategy (survey, Elsken et al. 2018, section 3) proposes architectures and learns from
their rewards. Every strategy here has the same two methods,

    archs = strategy.ask(n)          # n architectures to evaluate next
    strategy.tell(archs, rewards)    # their rewards (None for a candidate that failed)

so that ``run_search`` runs any strategy on any space with any evaluator (a function
arch -> reward, or ``nas_kit.estimation.Evaluator``) and any ``concurrent.futures.Executor``.
"""
from __future__ import annotations

import math
import time
import traceback
from collections import namedtuple
from concurrent.futures import Executor

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


class Strategy:
    """The ask/tell interface. ``space`` is a ``nas_kit.spaces.SearchSpace``."""

    def __init__(self, space):
        self.space = space

    def ask(self, n: int = 1) -> list:
        """``n`` architectures to evaluate next."""
        raise NotImplementedError

    def tell(self, archs: list, rewards: list) -> None:
        """The rewards of architectures returned by ``ask``; a reward of None marks a failed candidate."""
        raise NotImplementedError

    def encode(self, arch) -> str:
        """The text that names ``arch`` in the History (the space's encoding)."""
        return self.space.encode(arch)


def evaluate_batch(evaluate, archs, executor: Executor | None = None) -> list[Outcome]:
    """Outcomes of ``archs``, in order. ``evaluate`` is an object with ``evaluate_many(archs, executor)``
    (an Evaluator) or a function arch -> reward, run here or on ``executor``."""
    if hasattr(evaluate, "evaluate_many"):
        return evaluate.evaluate_many(archs, executor)
    if executor is None:
        return [call_evaluate(evaluate, a) for a in archs]
    futures = [executor.submit(call_evaluate, evaluate, a) for a in archs]
    outcomes = []
    for f in futures:
        try:
            outcomes.append(f.result())
        except Exception as e:  # noqa: BLE001 - a worker that died (e.g. killed for memory)
            outcomes.append(failed(error_message(e) or traceback.format_exc(limit=1)))
    return outcomes


def run_search(strategy: Strategy, evaluate, budget: int, batch_size: int = 1,
               executor: Executor | None = None, history: History | None = None) -> History:
    """Evaluate ``budget`` architectures, ``batch_size`` at a time (evaluated in parallel on
    ``executor``): ask, evaluate, record, tell. A failed candidate is recorded with reward None
    and status 'failed', and the strategy is told None; the search goes on."""
    if budget < 0 or batch_size < 1:
        raise ValueError(f"budget must be >= 0 and batch_size >= 1, not budget={budget}, batch_size={batch_size}.")
    history = History() if history is None else history
    done = 0
    while done < budget:
        archs = strategy.ask(min(batch_size, budget - done))
        outcomes = evaluate_batch(evaluate, archs, executor)
        for arch, outcome in zip(archs, outcomes):
            history.append(arch, strategy.encode(arch), outcome)
        strategy.tell(archs, [o.reward for o in outcomes])
        done += len(archs)
    return history
