"""Black-box search: the ask/tell interface every strategy shares, and the loop that records a History.

A search strategy (survey, Elsken et al. 2018, section 3) proposes architectures and learns from
their rewards. Every strategy here has the same two methods,

    archs = strategy.ask(n)          # n architectures to evaluate next
    strategy.tell(archs, rewards)    # their rewards (None for a candidate that failed)

so that ``run_search`` runs any strategy on any space with any evaluator (a function
arch -> reward, or ``nas_kit.estimation.Evaluator``) and any ``concurrent.futures.Executor``.

A multi-fidelity strategy (Hyperband, BOHB) also says how long each batch is to be trained: after ``ask`` its
``fidelity`` is the number of epochs, and ``run_search`` asks the evaluator for ``evaluate.at(fidelity)``
(the mini benchmark's accuracy after that epoch, or a child trained that long).
"""
from __future__ import annotations

import traceback
from concurrent.futures import Executor
from typing import ClassVar

from nas_kit.results import History, Outcome, call_evaluate, error_message, failed


class Strategy:
    """The ask/tell interface. ``space`` is a ``nas_kit.spaces.SearchSpace``."""

    # the fidelity (epochs) of the architectures of the latest ``ask``; None: the evaluator's own
    fidelity: float | None = None

    def __init__(self, space):
        self.space = space

    def ask(self, n: int = 1) -> list:
        """``n`` architectures to evaluate next."""
        raise NotImplementedError

    def tell(self, archs: list, rewards: list) -> None:
        """The rewards of architectures returned by ``ask``; a reward of None marks a failed candidate."""
        raise NotImplementedError

    def fidelities(self) -> list:
        """Every fidelity the strategy will ask for (none for a strategy of one fidelity)."""
        return []

    def space_of(self, arch):
        """The space ``arch`` belongs to: the strategy's, unless it writes smaller architectures (a curriculum)."""
        return self.space

    def encode(self, arch) -> str:
        """The text that names ``arch`` in the History (its space's encoding)."""
        return self.space_of(arch).encode(arch)


class SearchRecipe:
    """What the ``search`` command needs of a black-box method's recipe (a frozen dataclass of its settings,
    with a ``budget`` of evaluations unless ``evaluations`` says otherwise)."""

    # the full profile's child settings that this method's paper sets (nas_kit.strategies.black_box)
    child: ClassVar[dict] = {}

    def make(self, space, seed: int) -> Strategy:
        """The strategy with these settings, on ``space``."""
        raise NotImplementedError

    def evaluations(self, strategy: Strategy) -> int:
        """How many architectures the search evaluates."""
        return self.budget

    def report(self, strategy: Strategy) -> dict:
        """What the search reports besides its best architecture."""
        return {}


def at_fidelity(evaluate, fidelity):
    """The evaluator that judges at ``fidelity`` epochs (``evaluate.at``); ``evaluate`` itself for None."""
    if fidelity is None:
        return evaluate
    if not hasattr(evaluate, "at"):
        raise ValueError(f"this evaluator ({type(evaluate).__name__}) judges at one fidelity only; a multi-fidelity "
                         f"strategy needs one with at(epochs), such as the mini benchmark's oracle or the Evaluator.")
    return evaluate.at(fidelity)


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
    and status 'failed', and the strategy is told None; the search goes on. Each record keeps the fidelity its
    batch was judged at (the strategy's ``fidelity`` after ``ask``, else the evaluator's)."""
    if budget < 0 or batch_size < 1:
        raise ValueError(f"budget must be >= 0 and batch_size >= 1, not budget={budget}, batch_size={batch_size}.")
    history = History() if history is None else history
    for fidelity in strategy.fidelities():               # an evaluator that cannot answer one fails before the first
        at_fidelity(evaluate, fidelity)
    done = 0
    while done < budget:
        archs = strategy.ask(min(batch_size, budget - done))
        fidelity = strategy.fidelity
        outcomes = evaluate_batch(at_fidelity(evaluate, fidelity), archs, executor)
        for arch, outcome in zip(archs, outcomes):
            if outcome.fidelity is None:
                outcome = outcome._replace(fidelity=fidelity)
            history.append(arch, strategy.encode(arch), outcome)
        strategy.tell(archs, [o.reward for o in outcomes])
        done += len(archs)
    return history
