"""REINFORCE on the NAS-RL controller, as an ask/tell strategy (Zoph & Le 2017, section 3.2, eq. 3), and its
recipe for the ``search`` command (sections 3.3 and 4.1-4.2): each child trained 50 epochs (Nesterov momentum,
lr 0.1, weight decay 1e-4), rewarded with the maximum validation accuracy of its last 5 epochs, cubed.

Training, eq. (3) with a baseline:  grad J = 1/m sum_k sum_t grad log P(a_t | a_{<t}) (R_k - b),
b an exponential moving average of the previous rewards; Adam with learning rate 0.0006 (section 4.1).
The paper's m = 8 child models per controller replica (100 replicas, 800 GPUs). Curriculum (section 4.2):
the child depth grows by 2 layers every 1,600 samples during the search.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

import torch

from nas_kit.config import pick
from nas_kit.strategies.base import SearchRecipe, Strategy
from nas_kit.strategies.nas_rl.controller import DECISIONS, Controller


class NASRLStrategy(Strategy):
    """REINFORCE on a Controller, in ask/tell form.

    m:               children per controller update (the paper's m = 8); told rewards are
                     buffered until m have arrived
    baseline_decay:  b <- decay * b + (1 - decay) * R  (0.95; the paper says only "an exponential
                     moving average of the previous architecture accuracies"); b starts at the
                     mean of the first update's rewards
    entropy_weight:  optional entropy bonus (ENAS uses 1e-4; NAS-RL none)
    curriculum:      (start_layers, every, add): sample networks with ``start_layers`` layers and
                     add ``add`` layers every ``every`` samples, up to space.layers (the paper: +2
                     every 1,600 samples); NAS-RL and ENAS-macro spaces only
    """

    def __init__(self, space, lr=6e-4, m=8, baseline_decay=0.95, entropy_weight=0.0, curriculum=None,
                 hidden_size=35, num_layers=2, seed=0):
        super().__init__(space)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.controller = Controller(space, hidden_size, num_layers)
        if curriculum is not None:
            if not self.controller.has_depth:
                raise ValueError("the layer-count curriculum applies to the NAS-RL and ENAS-macro spaces, not cells.")
            start, every, add = curriculum
            self.controller.layers = min(start, space.layers)
        self.curriculum = curriculum
        self.optimizer = torch.optim.Adam(self.controller.parameters(), lr=lr)
        self.m, self.baseline_decay, self.entropy_weight = m, baseline_decay, entropy_weight
        self.baseline = None
        self.rng = random.Random(seed)
        self.buffer = []        # (arch, reward) told since the last update
        self.n_samples = 0      # architectures told so far, for the curriculum
        self.n_updates = 0

    def ask(self, n=1):
        return [self.controller.sample(self.rng) for _ in range(n)]

    def space_of(self, arch):
        """The space of ``arch``: the controller's at its depth (a curriculum samples shallower networks)."""
        return self.controller.space_at(len(arch) if self.controller.has_depth else None)

    def tell(self, archs, rewards):
        if len(archs) != len(rewards):
            raise ValueError(f"tell got {len(archs)} architectures but {len(rewards)} rewards; pass one reward each.")
        self.buffer += [(a, float(r)) for a, r in zip(archs, rewards) if r is not None]
        self.n_samples += len(archs)
        if len(self.buffer) >= self.m:
            self.update(self.buffer)
            self.buffer = []
        if self.curriculum is not None:
            start, every, add = self.curriculum
            self.controller.layers = min(start + add * (self.n_samples // every), self.space.layers)

    def update(self, batch):
        """One REINFORCE step on [(arch, reward), ...] (eq. 3 with the moving-average baseline)."""
        rewards = [r for _, r in batch]
        if self.baseline is None:
            self.baseline = sum(rewards) / len(rewards)
        loss = torch.zeros(())
        for arch, reward in batch:
            loss = loss - (reward - self.baseline) * self.controller.log_prob(arch)
            if self.entropy_weight:
                loss = loss - self.entropy_weight * self.controller.entropy(arch)
        self.optimizer.zero_grad()
        (loss / len(batch)).backward()
        self.optimizer.step()
        for reward in rewards:
            self.baseline = self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward
        self.n_updates += 1


@dataclass(frozen=True)
class NASRLRecipe(SearchRecipe):
    """Zoph & Le 2017, sections 3.3 and 4.1-4.2: 12,800 children, m = 8, Adam lr 0.0006, the depth curriculum
    (start, every, add) on the spaces whose networks have a depth."""
    budget: int = 12800
    m: int = 8
    controller_lr: float = 6e-4
    baseline_decay: float = 0.95
    curriculum: tuple = (6, 1600, 2)

    SOURCES = {"baseline_decay": "the kit's choice (the paper: 'an exponential moving average')",
               "nesterov": "section 4.1 (with lr 0.1, wd 1e-4); the children's cosine schedule is the kit's: the "
                           "paper names none"}

    # section 4.1: 50 epochs; Momentum 0.9 with Nesterov, lr 0.1, weight decay 1e-4 (as Huang et al. 2016a);
    # reward: the maximum validation accuracy of the last 5 epochs, cubed
    child = {"child_epochs": 50, "lr": 0.1, "weight_decay": 1e-4, "nesterov": True, "reward_last": 5,
             "reward_power": 3.0}

    def make(self, space, seed: int) -> NASRLStrategy:
        return NASRLStrategy(space, lr=self.controller_lr, m=self.m, baseline_decay=self.baseline_decay,
                             curriculum=tuple(self.curriculum) or None, seed=seed)


FULL = NASRLRecipe()
QUICK = replace(FULL, budget=8, m=4, curriculum=(2, 4, 1))      # sizes and budgets only


def recipe(space_key: str, profile: str) -> NASRLRecipe:
    """The recipe for one space: no curriculum where the networks have no depth (cells)."""
    chosen = pick(QUICK, FULL, profile)
    return chosen if DECISIONS[space_key] in ("layers", "macro") else replace(chosen, curriculum=())
