"""Exercise (notebook 11): best-so-far against cost, the curve that compares searches at one budget."""
from __future__ import annotations

import math
import random

from nas_kit.exercises.checker import Case, close, run_exercise
from nas_kit.strategies.comparison import incumbent_by_cost


def _cases() -> list[Case]:
    rng = random.Random(0)
    drawn = [Case(f"{n} evaluations of 1 to 6 epochs", ([(rng.randint(1, 6), round(rng.uniform(0.1, 0.9), 3))
                                                         for _ in range(n)],)) for n in (5, 12, 30)]
    return drawn + [Case("one evaluation", ([(3, 0.5)],)),
                    Case("a later evaluation is worse", ([(3, 0.8), (3, 0.6), (2, 0.7)],)),
                    Case("a failed first evaluation (accuracy None)", ([(2, None), (3, 0.4), (1, None)],)),
                    Case("no evaluation yet", ([],))]


def _same_curve(got, want):
    """Costs and best-so-far as two lists; NaN (nothing succeeded yet) equals NaN."""
    if not isinstance(got, tuple) or len(got) != 2:
        return f"a {type(got).__name__} where a pair (costs, best) was expected"
    nan = lambda v: [("nan" if isinstance(x, float) and math.isnan(x) else x) for x in v]  # noqa: E731
    return close((list(got[0]), nan(list(got[1]))), (want[0], nan(want[1])))


def check_incumbent_by_cost(fn) -> bool:
    """``fn(evaluations) -> (costs, best)``: the cumulative cost and the best accuracy so far after each
    evaluation, against ``nas_kit.strategies.comparison.incumbent_by_cost``."""
    return run_exercise("best-so-far against cost", fn, incumbent_by_cost, _cases(),
                        "costs add up (the cost spent so far, not each evaluation's), the best only goes up, a "
                        "failed evaluation (None) costs but is never the best, and before the first success the "
                        "best is float('nan').", compare=_same_curve)
