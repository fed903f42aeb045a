"""How well a cheap estimate ranks architectures: Spearman's rank correlation and the top-k overlap with the
truth (the measures of Bender et al. 2018, Yu et al. 2020 and the zero-cost proxy papers)."""
from __future__ import annotations

import numpy as np


def ranks(x) -> np.ndarray:
    """Ranks 1..n, ties given the mean of the ranks they share."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for value in np.unique(x):
        tied = x == value
        r[tied] = r[tied].mean()
    return r


def spearman(a, b) -> float:
    """Spearman's rho: Pearson's correlation of the ranks."""
    ra, rb = ranks(a), ranks(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def top_k_overlap(estimate, truth, k: int) -> float:
    """The fraction of the truth's k best that are among the estimate's k best."""
    best = lambda v: set(np.argsort(-np.asarray(v, dtype=float), kind="stable")[:k].tolist())  # noqa: E731
    return len(best(estimate) & best(truth)) / k
