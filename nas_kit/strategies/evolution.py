"""Regularized (aging) evolution (Real et al. 2019, "Regularized Evolution for Image Classifier
Architecture Search", section 2 and Algorithm 1).

    population <- P random architectures, evaluated
    repeat:
        sample <- S architectures drawn at random from the population (with replacement)
        parent <- the best of the sample                     (tournament selection)
        child  <- mutate(parent)        (op or hidden-state mutation; the paper's identity mutation,
                                         an unchanged copy, with probability ``identity_prob``: off by
                                         default, ``--set identity_prob=...`` from the command line)
        evaluate child; append it to the population
        remove the OLDEST member of the population           (aging; 'regularized')

The non-aging variant (``aging=False``) removes the WORST member instead, the classic
tournament-selection EA the paper compares with (section 4, Fig. 3). The paper's CIFAR-10
runs use P = 100, S = 25.

In ask/tell form the first P asks are random samples; after that each ask runs one
tournament. The population holds only evaluated architectures, so a batch of asks uses the
population as it stands (asynchronous workers in the paper do the same).
"""
from __future__ import annotations

import random
from collections import deque, namedtuple
from dataclasses import dataclass, replace

from nas_kit.config import pick
from nas_kit.strategies.base import SearchRecipe, Strategy

Individual = namedtuple("Individual", "arch reward age")


class RegularizedEvolution(Strategy):
    """Aging evolution with population ``population_size`` (P) and ``sample_size`` (S).

    ``identity_prob``: probability that the child is an unchanged copy of the parent (the
    paper's "identity" mutation); otherwise ``space.mutate`` changes one op or one input.
    ``initial``: architectures for the first asks instead of random samples (a warm start, e.g. the best of a
    pool by a zero-cost proxy: Abdelfattah et al. 2021, section 5.2, nas_kit.strategies.warm_start).
    """

    def __init__(self, space, population_size=100, sample_size=25, aging=True, identity_prob=0.0, seed=0,
                 initial=()):
        if not 1 <= sample_size <= population_size:
            raise ValueError(f"need 1 <= sample_size <= population_size, not S={sample_size}, P={population_size}.")
        if not hasattr(space, "mutate"):
            raise ValueError(f"the {space.name} space has no mutate(arch, rng); evolution needs one.")
        super().__init__(space)
        self.population_size = population_size
        self.sample_size = sample_size
        self.aging = aging
        self.identity_prob = identity_prob
        self.rng = random.Random(seed)
        self.population: deque[Individual] = deque()   # oldest on the left
        self.n_random_asked = 0
        self.n_told = 0
        self.initial = list(initial)

    def ask(self, n=1):
        archs = []
        for _ in range(n):
            if self.n_random_asked < self.population_size or not self.population:
                k, self.n_random_asked = self.n_random_asked, self.n_random_asked + 1
                warm = getattr(self, "initial", ())               # (a checkpoint from before warm starts has none)
                archs.append(warm[k] if k < len(warm) else self.space.sample(self.rng))
            else:
                archs.append(self.mutate(self.tournament()))
        return archs

    def tournament(self):
        """The best of S members drawn at random (with replacement, as in Algorithm 1)."""
        sample = [self.rng.choice(self.population) for _ in range(self.sample_size)]
        return max(sample, key=lambda ind: ind.reward).arch

    def mutate(self, parent):
        if self.rng.random() < self.identity_prob:
            return parent
        return self.space.mutate(parent, self.rng)

    def tell(self, archs, rewards):
        if len(archs) != len(rewards):
            raise ValueError(f"tell got {len(archs)} architectures but {len(rewards)} rewards; pass one reward each.")
        for arch, reward in zip(archs, rewards):
            if reward is None:      # a failed child never joins the population
                continue
            self.population.append(Individual(arch, float(reward), self.n_told))
            self.n_told += 1
            if len(self.population) > self.population_size:
                if self.aging:
                    self.population.popleft()                       # the oldest
                else:
                    self.population.remove(min(self.population, key=lambda ind: ind.reward))  # the worst


@dataclass(frozen=True)
class EvolutionRecipe(SearchRecipe):
    """Real et al. 2019, section 4: P = 100, S = 25, 20,000 models; identity_prob: the chance that a child is an
    unchanged copy (the paper's identity mutation; 0 by default, the kit's choice: the paper gives no rate)."""
    budget: int = 20000
    population: int = 100
    sample_size: int = 25
    aging: bool = True
    identity_prob: float = 0.0

    SOURCES = {"identity_prob": "the kit's choice (the paper lists the identity mutation, no rate)"}

    def make(self, space, seed: int) -> RegularizedEvolution:
        return RegularizedEvolution(space, self.population, self.sample_size, aging=self.aging,
                                    identity_prob=self.identity_prob, seed=seed)


FULL = EvolutionRecipe()
QUICK = replace(FULL, budget=12, population=4, sample_size=2)


def recipe(space_key: str, profile: str) -> EvolutionRecipe:
    """The recipe of a search of ``space_key`` in ``profile`` (the same for every space)."""
    return pick(QUICK, FULL, profile)
