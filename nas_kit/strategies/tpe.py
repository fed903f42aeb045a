"""The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kegl 2011, "Algorithms for
Hyper-Parameter Optimization", section 4), through Optuna's ask/tell interface (Akiba et al. 2019).

TPE models p(x | y) instead of p(y | x): the observations are split at the gamma-quantile y* of the rewards into
the good l(x) = p(x | y > y*) and the rest g(x) = p(x | y <= y*), each a Parzen (kernel density) estimator, and
the next candidate maximises l(x) / g(x), which is expected improvement under this model (eq. 2-4). An
architecture is a point of its space's categorical ``dimensions()`` (one choice per edge of a cell).

    strategy = TPE(space, seed=0)       # proposals are Optuna's TPESampler's; rewards go back by study.tell
"""
from __future__ import annotations

import warnings
from collections import deque
from dataclasses import dataclass, replace

from nas_kit.config import pick
from nas_kit.strategies.base import SearchRecipe, Strategy


class MissingOptuna(ImportError, ValueError):
    """Optuna is not installed (a ValueError too, so that the command line says it in one sentence)."""


def optuna():
    """The optuna module, or one sentence on how to install it."""
    try:
        import optuna as module
    except ImportError:
        raise MissingOptuna("TPE and BOHB use Optuna: install it with pip install 'optuna>=5.0' "
                          "(make lab and make test install it).") from None
    module.logging.set_verbosity(module.logging.WARNING)
    return module


def distributions(space) -> dict:
    """{dimension name: Optuna's CategoricalDistribution of its options}: the space as TPE sees it."""
    if not hasattr(space, "dimensions"):
        raise ValueError(f"the {space.name} space has no categorical dimensions(); TPE, BOHB and the GP need one.")
    categorical = optuna().distributions.CategoricalDistribution
    return {name: categorical(list(options)) for name, options in space.dimensions()}


def to_arch(space, params: dict):
    return space.from_values([params[name] for name, _ in space.dimensions()])


def to_params(space, arch) -> dict:
    return {name: value for (name, _), value in zip(space.dimensions(), space.values(arch))}


def sampler(seed: int, **kwargs):
    """Optuna's TPESampler, seeded (multivariate TPE warns that it is experimental: not to a student)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return optuna().samplers.TPESampler(seed=seed, **kwargs)


class TPE(Strategy):
    """Optuna's TPE as a kit Strategy: ask -> ``study.ask`` per architecture, tell -> ``study.tell`` (a failed
    candidate is a failed trial, which TPE leaves out). The first ``n_startup_trials`` are random (Optuna's 10)."""

    def __init__(self, space, seed=0, n_startup_trials=10):
        super().__init__(space)
        self.distributions = distributions(space)
        self.study = optuna().create_study(direction="maximize",
                                           sampler=sampler(seed, n_startup_trials=n_startup_trials))
        self.pending = deque()                  # trials asked, in order, waiting for their rewards

    def ask(self, n=1):
        trials = [self.study.ask(self.distributions) for _ in range(n)]
        self.pending.extend(trials)
        return [to_arch(self.space, t.params) for t in trials]

    def tell(self, archs, rewards):
        if len(archs) != len(rewards):
            raise ValueError(f"tell got {len(archs)} architectures but {len(rewards)} rewards; pass one reward each.")
        states = optuna().trial.TrialState
        for reward in rewards:
            trial = self.pending.popleft()
            if reward is None:
                self.study.tell(trial, state=states.FAIL)
            else:
                self.study.tell(trial, float(reward))


@dataclass(frozen=True)
class TPERecipe(SearchRecipe):
    """Optuna's defaults: 10 random startup trials; budget: evaluations."""
    budget: int = 150
    n_startup_trials: int = 10

    def make(self, space, seed: int) -> TPE:
        return TPE(space, seed=seed, n_startup_trials=self.n_startup_trials)


FULL = TPERecipe()
QUICK = replace(FULL, budget=8, n_startup_trials=4)


def recipe(space_key: str, profile: str) -> TPERecipe:
    return pick(QUICK, FULL, profile)
