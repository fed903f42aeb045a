"""A search warm-started by a zero-cost proxy (Abdelfattah et al. 2021, "Zero-Cost Proxies for Lightweight NAS",
section 5.2, "warmup"): the initial population of aging evolution is not random but the best P of a larger
pool of random architectures by the proxy, which costs no training.

    scores = dict(zip(map(space.encode, archs), score_all(archs, build, x, y, "naswot")))
    strategy = proxy_warm_evolution(space, lambda a: scores[space.encode(a)], pool_size=300, seed=0)
"""
from __future__ import annotations

import random

from nas_kit.strategies.evolution import RegularizedEvolution


def proxy_ranked(space, score, pool_size: int, k: int, seed: int = 0) -> list:
    """The ``k`` best by ``score(arch)`` of ``pool_size`` uniform samples (distinct ones where the space allows)."""
    rng = random.Random(seed)
    pool = {space.encode(a): a for a in (space.sample(rng) for _ in range(pool_size))}
    return sorted(pool.values(), key=score, reverse=True)[:k]


def proxy_warm_evolution(space, score, pool_size=300, population_size=10, sample_size=3, seed=0):
    """Aging evolution whose first ``population_size`` asks are the proxy's best of the pool."""
    initial = proxy_ranked(space, score, pool_size, population_size, seed)
    return RegularizedEvolution(space, population_size, sample_size, seed=seed, initial=initial)
