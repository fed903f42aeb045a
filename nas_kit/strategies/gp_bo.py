"""Bayesian optimisation with a Gaussian process on architectures: a Hamming kernel, expected improvement and a
candidate pool made by mutation (the acquisition optimiser of BANANAS, White, Neiswanger & Savani 2021, section
4; NASBOT, Kandasamy et al. 2018, also maximises its acquisition by evolving the evaluated networks).

    k(x, x') = s^2 exp(-d_H(x, x') / l)       d_H: the number of dimensions (edges) whose op differs
    posterior (Rasmussen & Williams 2006, Algorithm 2.1), on the standardised rewards y:
        mean(x) = k(x, X) (K + sigma_n^2 I)^-1 y
        var(x)  = k(x, x) - k(x, X) (K + sigma_n^2 I)^-1 k(X, x)
    EI(x) = (mean - y_best) Phi(z) + sd phi(z),  z = (mean - y_best) / sd            (Jones et al. 1998)

The exponentiated Hamming distance is a positive-definite kernel on categorical vectors (a product over
dimensions of exp(-[x_i != x'_i] / l)). The length scale l and the noise sigma_n^2 are chosen on a small grid
by the log marginal likelihood (R&W eq. 2.30); s^2 = 1 on standardised rewards.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import numpy as np

from nas_kit.config import pick
from nas_kit.strategies.base import SearchRecipe, Strategy

LENGTH_SCALES = (0.5, 1.0, 2.0, 4.0, 8.0)
NOISES = (1e-4, 1e-2, 0.1, 0.5)


def hamming_kernel(A: np.ndarray, B: np.ndarray, length_scale: float) -> np.ndarray:
    """exp(-d_H / l) between the rows of A and B (integer codes of each dimension's option)."""
    d = (A[:, None, :] != B[None, :, :]).sum(-1)
    return np.exp(-d / length_scale)


class GP:
    """A zero-mean GP on standardised rewards with the Hamming kernel (Rasmussen & Williams, Algorithm 2.1)."""

    def __init__(self, X, y, length_scale=1.0, noise=1e-2):
        self.X, self.length_scale, self.noise = np.asarray(X), length_scale, noise
        y = np.asarray(y, dtype=float)
        self.mu, self.sd = y.mean(), (y.std() or 1.0)
        self.y = (y - self.mu) / self.sd
        K = hamming_kernel(self.X, self.X, length_scale) + noise * np.eye(len(y))
        self.L = np.linalg.cholesky(K)
        self.alpha = np.linalg.solve(self.L.T, np.linalg.solve(self.L, self.y))

    def log_marginal_likelihood(self) -> float:
        """-y^T alpha / 2 - sum log L_ii - n/2 log 2 pi (eq. 2.30)."""
        return float(-0.5 * self.y @ self.alpha - np.log(np.diag(self.L)).sum() - 0.5 * len(self.y) * math.log(2 * math.pi))

    def posterior(self, Xs):
        """(mean, standard deviation) at the rows of Xs, in the rewards' units."""
        Ks = hamming_kernel(np.asarray(Xs), self.X, self.length_scale)
        v = np.linalg.solve(self.L, Ks.T)
        var = np.clip(1.0 - (v ** 2).sum(0), 1e-12, None)
        return self.mu + self.sd * Ks @ self.alpha, self.sd * np.sqrt(var)

    @classmethod
    def fit(cls, X, y) -> "GP":
        """The GP of the grid's (length scale, noise) with the highest marginal likelihood."""
        fits = [cls(X, y, l, s) for l in LENGTH_SCALES for s in NOISES]
        return max(fits, key=GP.log_marginal_likelihood)


def _phi(z):
    return np.exp(-0.5 * z ** 2) / math.sqrt(2 * math.pi)


def _Phi(z):
    return 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))


def expected_improvement(mean, sd, best: float) -> np.ndarray:
    """EI of maximisation over ``best`` (Jones et al. 1998, eq. 15)."""
    z = (mean - best) / sd
    return (mean - best) * _Phi(z) + sd * _phi(z)


class GPBayesOpt(Strategy):
    """``n_init`` random architectures, then each ask: fit the GP to every reward so far, make a pool of
    ``pool_size`` mutations of the ``n_parents`` best architectures (plus a quarter as many uniform samples), and
    return the unevaluated ones of highest EI."""

    def __init__(self, space, n_init=10, pool_size=100, n_parents=10, seed=0):
        if not hasattr(space, "dimensions") or not hasattr(space, "mutate"):
            raise ValueError(f"the {space.name} space needs categorical dimensions() and mutate() for the GP's "
                             f"kernel and candidate pool.")
        super().__init__(space)
        self.n_init, self.pool_size, self.n_parents = n_init, pool_size, n_parents
        self.rng = random.Random(seed)
        self.codes = [{o: k for k, o in enumerate(options)} for _, options in space.dimensions()]
        self.archs, self.rewards = [], []

    def code(self, arch) -> list[int]:
        return [c[v] for c, v in zip(self.codes, self.space.values(arch))]

    def ask(self, n=1):
        if len(self.rewards) < self.n_init:
            return [self.space.sample(self.rng) for _ in range(n)]
        gp = GP.fit([self.code(a) for a in self.archs], self.rewards)
        seen = {tuple(self.code(a)) for a in self.archs}
        pool = {tuple(self.code(a)): a for a in self.pool() if tuple(self.code(a)) not in seen}
        if len(pool) < n:
            pool.update({tuple(self.code(a)): a for a in (self.space.sample(self.rng) for _ in range(n))})
        keys = list(pool)
        mean, sd = gp.posterior(np.array(keys))
        ei = expected_improvement(mean, sd, max(self.rewards))
        return [pool[keys[k]] for k in np.argsort(-ei, kind="stable")[:n]]

    def pool(self) -> list:
        """Mutations of the best evaluated architectures, and some uniform samples."""
        order = sorted(range(len(self.rewards)), key=lambda k: -self.rewards[k])[:self.n_parents]
        children = [self.space.mutate(self.archs[self.rng.choice(order)], self.rng) for _ in range(self.pool_size)]
        return children + [self.space.sample(self.rng) for _ in range(self.pool_size // 4)]

    def tell(self, archs, rewards):
        if len(archs) != len(rewards):
            raise ValueError(f"tell got {len(archs)} architectures but {len(rewards)} rewards; pass one reward each.")
        for arch, reward in zip(archs, rewards):
            if reward is not None:
                self.archs.append(arch)
                self.rewards.append(float(reward))


@dataclass(frozen=True)
class GPRecipe(SearchRecipe):
    """BANANAS's acquisition search: a pool of 100 mutations of the 10 best; 10 random to start."""
    budget: int = 150
    n_init: int = 10
    pool_size: int = 100
    n_parents: int = 10

    def make(self, space, seed: int) -> GPBayesOpt:
        return GPBayesOpt(space, self.n_init, self.pool_size, self.n_parents, seed=seed)


FULL = GPRecipe()
QUICK = replace(FULL, budget=8, n_init=4, pool_size=20, n_parents=3)


def recipe(space_key: str, profile: str) -> GPRecipe:
    return pick(QUICK, FULL, profile)
