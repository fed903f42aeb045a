"""Exercise (notebook 11): Spearman's rank correlation, how well a quick reward ranks the cells."""
from __future__ import annotations

import random

from nas_kit.estimation.ranking import spearman
from nas_kit.exercises.checker import Case, run_exercise


def _cases() -> list[Case]:
    rng = random.Random(0)
    drawn = []
    for n in (5, 10, 40):
        x = rng.sample(range(1000), n)
        drawn.append(Case(f"{n} cells drawn at random", ([v / 1000 for v in x], [rng.random() for _ in range(n)])))
    return drawn + [Case("the same order", ([0.1, 0.5, 0.7, 0.9], [10.0, 20.0, 30.0, 40.0])),
                    Case("the opposite order", ([0.1, 0.5, 0.7, 0.9], [4.0, 3.0, 2.0, 1.0])),
                    Case("two cells", ([0.2, 0.3], [0.9, 0.8])),
                    Case("ranks, not values (one outlier)", ([0.1, 0.2, 0.3, 0.4, 100.0], [1.0, 2.0, 3.0, 5.0, 4.0]))]


def check_spearman(fn) -> bool:
    """``fn(x, y) -> rho`` for two lists without ties, against ``nas_kit.estimation.ranking.spearman``."""
    return run_exercise("Spearman's rank correlation", fn, spearman, _cases(),
                        "rank each list (1 for the smallest), then rho = 1 - 6 * sum(d**2) / (n * (n**2 - 1)) "
                        "with d the difference of a cell's two ranks.")
