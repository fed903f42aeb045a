"""Successive halving and Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar 2018, "Hyperband: A Novel
Bandit-Based Approach to Hyperparameter Optimization", JMLR, Algorithm 1).

Successive halving (Jamieson & Talwalkar 2016) trains n candidates for r epochs, keeps the best 1/eta of them,
trains those eta times longer, and so on. Hyperband hedges over the trade-off between n and r: for R the
largest budget (epochs) and eta the halving rate,

    s_max = floor(log_eta R),  B = (s_max + 1) R
    for s = s_max, ..., 0:                                   (one bracket each)
        n = ceil(B / R * eta^s / (s + 1)),  r = R eta^-s
        successive halving: for i = 0..s, evaluate n_i = floor(n eta^-i) candidates at r_i = r eta^i
                            and keep the top floor(n_i / eta)

and starts over when the last bracket ends. In ask/tell form one ask is one rung's candidates at one fidelity
(``Strategy.fidelity``, the epochs r_i, rounded to whole epochs: exact when R is a power of eta); a rung is
promoted when all its results are told. Each evaluation costs r_i epochs: a survivor is trained again from
scratch, as in Algorithm 1's run_then_return_val_loss.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

from nas_kit.config import pick
from nas_kit.registry import entry
from nas_kit.strategies.base import SearchRecipe, Strategy


def s_max(R: int, eta: int) -> int:
    """floor(log_eta R), in integers."""
    s = 0
    while eta ** (s + 1) <= R:
        s += 1
    return s


def bracket(s: int, R: int, eta: int) -> list[tuple[int, float]]:
    """The rungs [(n_i, r_i), i = 0..s] of Hyperband's bracket s (Algorithm 1, lines 3-7)."""
    top = s_max(R, eta)
    n = -(-((top + 1) * eta ** s) // (s + 1))              # ceil(B/R * eta^s / (s+1)) with B/R = s_max + 1
    return [(n // eta ** i, R / eta ** (s - i)) for i in range(s + 1)]


def brackets(R: int, eta: int) -> list[list[tuple[int, float]]]:
    """Every bracket of one Hyperband iteration, s = s_max first (the most aggressive)."""
    return [bracket(s, R, eta) for s in range(s_max(R, eta), -1, -1)]


def top_fraction(candidates: list, rewards: list, eta: int) -> list:
    """Successive halving's promotion: the best floor(n / eta) of the n candidates by reward (a failed one, reward
    None, ranks last; ties go to the earlier), in the order they came."""
    keep = len(candidates) // eta
    order = sorted(range(len(candidates)), key=lambda j: -rewards[j] if rewards[j] is not None else float("inf"))
    return [candidates[j] for j in sorted(order[:keep])]


def epochs(r: float) -> int:
    """A budget r_i as whole epochs (at least one)."""
    return max(1, round(r))


class SuccessiveHalving(Strategy):
    """One bracket of successive halving, ``rungs`` = [(n_i, r_i)], repeated with new candidates when it ends.
    Rung 0's candidates come from ``propose()`` when they are asked for (uniform samples by default)."""

    def __init__(self, space, rungs, eta=3, seed=0, propose=None):
        super().__init__(space)
        self.rungs, self.eta, self.rng = list(rungs), eta, random.Random(seed)
        self.propose = propose or (lambda: self.space.sample(self.rng))
        self.rounds = 0                          # brackets completed
        self._start()

    def fidelities(self) -> list[int]:
        return sorted({epochs(r) for _, r in self.rungs})

    def _start(self):
        self.rung, self.candidates, self.rewards, self.asked = 0, [None] * self.rungs[0][0], [], 0

    def ask(self, n=1):
        if self.asked > len(self.rewards) and self.asked == len(self.candidates):
            raise ValueError("successive halving is synchronous: tell the results of a rung before asking again.")
        k = min(n, len(self.candidates) - self.asked)
        for j in range(self.asked, self.asked + k):
            if self.candidates[j] is None:
                self.candidates[j] = self.propose()
        archs = self.candidates[self.asked:self.asked + k]
        self.asked += k
        self.fidelity = epochs(self.rungs[self.rung][1])
        return archs

    def tell(self, archs, rewards):
        if len(archs) != len(rewards):
            raise ValueError(f"tell got {len(archs)} architectures but {len(rewards)} rewards; pass one reward each.")
        self.rewards.extend(rewards)
        if len(self.rewards) == len(self.candidates):
            self._promote()

    def _promote(self):
        """Keep the top floor(n_i / eta) of the rung (a failed candidate ranks last) for the next rung."""
        if self.rung + 1 == len(self.rungs):
            self.rounds += 1
            self._start()
            return
        self.candidates = top_fraction(self.candidates, self.rewards, self.eta)
        self.rung, self.rewards, self.asked = self.rung + 1, [], 0


class Hyperband(Strategy):
    """Hyperband's brackets s = s_max..0 in turn, forever; ``propose`` makes each new candidate (random here,
    a model in BOHB). ``observations`` holds every (arch, reward) told, by fidelity."""

    def __init__(self, space, R=27, eta=3, seed=0):
        if eta < 2 or R < 1:
            raise ValueError(f"Hyperband needs eta >= 2 and R >= 1 epochs, not eta={eta}, R={R}.")
        super().__init__(space)
        self.R, self.eta, self.rng = R, eta, random.Random(seed)
        self.plan = brackets(R, eta)
        self.index = 0                           # brackets started
        self.observations: dict[int, list] = {}
        self.bracket = self._bracket()

    def fidelities(self) -> list[int]:
        return sorted({epochs(r) for rungs in self.plan for _, r in rungs})

    def _bracket(self) -> SuccessiveHalving:
        rungs = self.plan[self.index % len(self.plan)]
        return SuccessiveHalving(self.space, rungs, self.eta, seed=self.rng.randrange(2 ** 31), propose=self.propose)

    def propose(self):
        """A new candidate: a uniform sample (Li et al.'s get_hyperparameter_configuration)."""
        return self.space.sample(self.rng)

    def ask(self, n=1):
        archs = self.bracket.ask(n)
        self.fidelity = self.bracket.fidelity
        return archs

    def tell(self, archs, rewards):
        fidelity = self.bracket.fidelity
        self.bracket.tell(archs, rewards)
        self.observations.setdefault(fidelity, []).extend(zip(archs, rewards))
        if self.bracket.rounds:
            self.index += 1
            self.bracket = self._bracket()


@dataclass(frozen=True)
class HyperbandRecipe(SearchRecipe):
    """R: the largest budget in epochs, eta: the halving rate (Li et al. use eta = 3); budget: evaluations."""
    budget: int = 400
    max_epochs: int = 27
    eta: int = 3

    def make(self, space, seed: int) -> Hyperband:
        return Hyperband(space, R=self.max_epochs, eta=self.eta, seed=seed)


# On the mini benchmark the table stops at 6 epochs: R = 6 with eta = 2 gives three brackets (budgets 2, 3, 6).
FULL = HyperbandRecipe()
QUICK = replace(FULL, budget=8, max_epochs=3, eta=3)
TABLE = replace(FULL, budget=200, max_epochs=6, eta=2)


def recipe(space_key: str, profile: str) -> HyperbandRecipe:
    """The recipe of a search of ``space_key`` in ``profile``: the table's epochs on the mini benchmark."""
    return TABLE if entry(space_key).task == "table" else pick(QUICK, FULL, profile)
