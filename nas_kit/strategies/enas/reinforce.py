"""REINFORCE for the ENAS controller (Pham et al. 2018, section 2.2): the reward R (c / valid_ppl for PTB,
validation accuracy for CIFAR-10) plus the entropy bonus ``entropy_weight * H``, a moving-average baseline
b <- decay b + (1-decay) R, and the loss  -(R - b) log pi(m)  (+ skip_weight * KL(skip rate || skip_target)
for the macro space, section 2.3 / general_controller.py), minimised with Adam (lr 0.00035, section 3.1).
"""
from __future__ import annotations

import random

import torch

from nas_kit.strategies.enas.controller import ENASController


class REINFORCE:
    """Adam on  -(R + entropy_weight H - b) log pi(m) + skip_weight KL,  b a moving average (ENAS section 2.2).

    ``aggregate`` architectures are sampled per step and their losses averaged (the ENAS scripts'
    ``controller_num_aggregate``); ``baseline`` starts at the first reward.
    """

    def __init__(self, controller: ENASController, lr=3.5e-4, baseline_decay=0.999, entropy_weight=1e-4,
                 skip_weight=0.0, aggregate=1):
        self.controller = controller
        self.optimizer = torch.optim.Adam(controller.parameters(), lr=lr)
        self.baseline_decay, self.entropy_weight, self.skip_weight = baseline_decay, entropy_weight, skip_weight
        self.aggregate = aggregate
        self.baseline = None

    def step(self, reward_fn, rng: random.Random) -> dict:
        """Sample ``aggregate`` architectures, reward each with ``reward_fn(arch)``, one Adam step; return stats."""
        self.optimizer.zero_grad()
        rewards, entropies, archs = [], [], []
        for _ in range(self.aggregate):
            arch, log_prob, entropy, kl = self.controller.sample_with_log_prob(rng)
            reward = float(reward_fn(arch)) + self.entropy_weight * float(entropy.detach())
            b = reward if self.baseline is None else self.baseline
            self.baseline = self.baseline_decay * b + (1 - self.baseline_decay) * reward
            loss = -(reward - self.baseline) * log_prob + self.skip_weight * kl
            (loss / self.aggregate).backward()
            rewards.append(reward)
            entropies.append(float(entropy.detach()))
            archs.append(arch)
        self.optimizer.step()
        return {"reward": sum(rewards) / len(rewards), "baseline": self.baseline,
                "entropy": sum(entropies) / len(entropies), "archs": archs}

    def state_dict(self):
        return {"optimizer": self.optimizer.state_dict(), "baseline": self.baseline}

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state["optimizer"])
        self.baseline = state["baseline"]
