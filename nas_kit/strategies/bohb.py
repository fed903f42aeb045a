"""BOHB: Bayesian optimisation and Hyperband (Falkner, Klein & Hutter 2018, "BOHB: Robust and Efficient
Hyperparameter Optimization at Scale", ICML, section 3 and Algorithm 2).

Hyperband's brackets and budgets, but each new candidate of a bracket comes from a TPE-style model instead of
uniform sampling (Algorithm 2):

    with probability rho: a uniform sample                              (rho = 1/3)
    else: b = the largest budget with at least N_min = d + 1 observations (none yet: a uniform sample)
          fit l(x) and g(x) on the best q (15%) and the rest of the observations at b
          return the candidate of 64 samples from l that maximises l(x) / g(x)

The model here is Optuna's multivariate TPESampler (one joint Parzen estimator, as BOHB's multivariate KDE),
fitted afresh on the observations at budget b (``study.add_trials``) for every proposal.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from nas_kit.config import pick
from nas_kit.registry import entry
from nas_kit.strategies import tpe
from nas_kit.strategies.hyperband import Hyperband, HyperbandRecipe


class BOHB(Hyperband):
    """Hyperband (R, eta) whose ``propose`` is Algorithm 2's: ``rho`` random, else TPE at the largest budget with
    ``N_min`` = d + 1 observations; ``top_fraction`` q, ``n_samples`` candidates from l(x)."""

    def __init__(self, space, R=27, eta=3, seed=0, rho=1 / 3, top_fraction=0.15, n_samples=64):
        self.distributions = tpe.distributions(space)
        self.rho, self.top_fraction, self.n_samples = rho, top_fraction, n_samples
        self.n_min = len(self.distributions) + 1
        super().__init__(space, R, eta, seed)

    def model_budget(self):
        """The largest budget with at least N_min successful observations, or None."""
        ready = [b for b, obs in self.observations.items() if sum(r is not None for _, r in obs) >= self.n_min]
        return max(ready) if ready else None

    def propose(self):
        b = self.model_budget()
        if b is None or self.rng.random() < self.rho:
            return self.space.sample(self.rng)
        optuna = tpe.optuna()
        q = self.top_fraction
        study = optuna.create_study(direction="maximize", sampler=tpe.sampler(
            self.rng.randrange(2 ** 31), multivariate=True, n_startup_trials=0, n_ei_candidates=self.n_samples,
            gamma=lambda n: max(1, math.ceil(q * n))))
        study.add_trials([optuna.trial.create_trial(params=tpe.to_params(self.space, arch), value=float(reward),
                                                    distributions=self.distributions)
                          for arch, reward in self.observations[b] if reward is not None])
        return tpe.to_arch(self.space, study.ask(self.distributions).params)


@dataclass(frozen=True)
class BOHBRecipe(HyperbandRecipe):
    """Hyperband's budgets (R, eta) and Falkner et al.'s defaults: rho = 1/3, q = 15%, 64 samples."""
    rho: float = 1 / 3
    top_fraction: float = 0.15
    n_samples: int = 64

    def make(self, space, seed: int) -> BOHB:
        return BOHB(space, R=self.max_epochs, eta=self.eta, seed=seed, rho=self.rho, top_fraction=self.top_fraction,
                    n_samples=self.n_samples)


FULL = BOHBRecipe()
QUICK = replace(FULL, budget=8, max_epochs=3, eta=3)
TABLE = replace(FULL, budget=200, max_epochs=6, eta=2)


def recipe(space_key: str, profile: str) -> BOHBRecipe:
    """As Hyperband's: the table's 6 epochs (eta = 2) on the mini benchmark."""
    return TABLE if entry(space_key).task == "table" else pick(QUICK, FULL, profile)
