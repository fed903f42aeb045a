"""Random search: architectures drawn uniformly from the space (space.sample).

The baseline every NAS method should beat (Li & Talwalkar 2019; Real et al. 2019, Fig. 3).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

from nas_kit.config import pick
from nas_kit.strategies.base import SearchRecipe, Strategy


class RandomSearch(Strategy):
    """ask(n) -> n independent uniform samples; tell is ignored (random search learns nothing)."""

    def __init__(self, space, seed: int | None = 0):
        super().__init__(space)
        self.rng = random.Random(seed)

    def ask(self, n=1):
        return [self.space.sample(self.rng) for _ in range(n)]

    def tell(self, archs, rewards):
        if len(archs) != len(rewards):
            raise ValueError(f"tell got {len(archs)} architectures but {len(rewards)} rewards; pass one reward each.")


@dataclass(frozen=True)
class RandomRecipe(SearchRecipe):
    """The random baseline of Real et al. 2019 (Fig. 3): as many models as evolution, 20,000."""
    budget: int = 20000

    def make(self, space, seed: int) -> RandomSearch:
        return RandomSearch(space, seed=seed)


FULL = RandomRecipe()
QUICK = replace(FULL, budget=8)


def recipe(space_key: str, profile: str) -> RandomRecipe:
    """The recipe of a search of ``space_key`` in ``profile`` (the same for every space)."""
    return pick(QUICK, FULL, profile)
