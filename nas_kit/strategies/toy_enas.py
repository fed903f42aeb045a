"""ENAS on the 1-D toy example (the ENAS lecture's walk-through of Pham et al. 2018, section 2).

The controller is a categorical distribution p(m | theta) = softmax(theta)_m over the four
architectures. Training alternates two steps:

(a) shared weights, on the *training* set:  sample m ~ p(m|theta), one SGD step on
    grad_w L(m; w)  -- an unbiased estimate of grad_w E_m[L(m; w)];
(b) controller, on the *validation* set:    sample m ~ p(m|theta), reward R(m; w) = -L_val(m; w),
    REINFORCE step  theta <- theta + lr (R - b) grad_theta log p(m|theta)  with a moving-average
    baseline  b <- decay * b + (1 - decay) * R.

For a softmax, grad_theta log p(m|theta) = onehot(m) - p(theta).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch

from nas_kit.models.toy1d import SharedToyNet
from nas_kit.spaces.toy1d import ARCHITECTURES, Toy1DSpace, ToyArchitecture


class ToyController:
    """p(m | theta) = softmax(theta / temperature) over the four toy architectures."""

    def __init__(self, theta=None):
        self.theta = torch.zeros(len(ARCHITECTURES), dtype=torch.float64) if theta is None else torch.as_tensor(
            theta, dtype=torch.float64).clone()
        self.space = Toy1DSpace()
        self.space_name = self.space.key

    def space_at(self) -> Toy1DSpace:
        """The space of the architectures it samples (for the explorer)."""
        return self.space

    def probs(self, temperature: float = 1.0) -> torch.Tensor:
        return torch.softmax(self.theta / temperature, dim=0)

    def sample_index(self, rng: random.Random, temperature: float = 1.0) -> int:
        return rng.choices(range(len(ARCHITECTURES)), weights=self.probs(temperature).tolist())[0]

    def sample(self, rng: random.Random | int | None = None, temperature: float = 1.0) -> ToyArchitecture:
        rng = rng if isinstance(rng, random.Random) else random.Random(rng)
        return ARCHITECTURES[self.sample_index(rng, temperature)]

    def entropy(self) -> float:
        p = self.probs()
        return -float(torch.sum(p * torch.log(p)))

    def grad_entropy(self) -> torch.Tensor:
        """grad_theta H(p) = -p (log p + H): the entropy bonus that keeps the policy exploring (ENAS, section 3.1)."""
        p = self.probs()
        return -p * (torch.log(p) + self.entropy())

    def grad_log_prob(self, index: int) -> torch.Tensor:
        """grad_theta log p(m|theta) for the softmax: onehot(m) - p."""
        g = -self.probs()
        g[index] += 1.0
        return g


def reward(net: SharedToyNet, x: torch.Tensor, z: torch.Tensor, m: ToyArchitecture) -> float:
    """R(m; w) = -L_val(m; w): the negative validation mean squared error."""
    with torch.no_grad():
        return -float(net.loss(x, z, m))


@dataclass
class ToyENASResult:
    controller: ToyController
    net: SharedToyNet
    probs: list = field(default_factory=list)      # p(m|theta) after each step, one row of 4
    rewards: list = field(default_factory=list)    # R of the architecture sampled in step (b)
    baselines: list = field(default_factory=list)  # b after each step
    train_losses: list = field(default_factory=list)


def train_toy_enas(data, steps: int = 2000, lr_w: float = 0.1, lr_theta: float = 0.03, baseline_decay: float = 0.9,
                   batch_size: int = 20, entropy_weight: float = 0.0, positive_chain: bool = True,
                   seed: int = 0) -> ToyENASResult:
    """Alternate (a) one SGD step on w for a sampled m and (b) one REINFORCE step on theta, ``steps`` times.

    ``entropy_weight`` adds the entropy bonus to the REINFORCE step; ``positive_chain`` is SharedToyNet's.
    """
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    net, controller = SharedToyNet(positive_chain=positive_chain, generator=g), ToyController()
    opt = torch.optim.SGD(net.parameters(), lr=lr_w)
    result, baseline = ToyENASResult(controller, net), None
    n = len(data.x_train)
    for _ in range(steps):
        # (a) shared weights on a training minibatch
        m = controller.sample(rng)
        idx = torch.randint(n, (batch_size,), generator=g)
        loss = net.loss(data.x_train[idx], data.z_train[idx], m)
        opt.zero_grad()
        loss.backward()
        opt.step()
        # (b) controller on the validation set
        k = controller.sample_index(rng)
        r = reward(net, data.x_valid, data.z_valid, ARCHITECTURES[k])
        baseline = r if baseline is None else baseline_decay * baseline + (1 - baseline_decay) * r
        controller.theta += lr_theta * ((r - baseline) * controller.grad_log_prob(k) + entropy_weight * controller.grad_entropy())
        result.probs.append(controller.probs().tolist())
        result.rewards.append(r)
        result.baselines.append(baseline)
        result.train_losses.append(loss.item())
    return result


def train_each_alone(data, steps: int = 2000, lr_w: float = 0.1, batch_size: int = 20, seed: int = 0) -> dict:
    """The exhaustive alternative: train every architecture with its own weights; return its validation loss."""
    losses = {}
    for m in ARCHITECTURES:
        g = torch.Generator().manual_seed(seed)
        net = SharedToyNet(generator=g)
        opt = torch.optim.SGD(net.parameters(), lr=lr_w)
        for _ in range(steps):
            idx = torch.randint(len(data.x_train), (batch_size,), generator=g)
            loss = net.loss(data.x_train[idx], data.z_train[idx], m)
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses[m] = -reward(net, data.x_valid, data.z_valid, m)
    return losses


def exact_policy_gradient(controller: ToyController, rewards: torch.Tensor) -> torch.Tensor:
    """grad_theta E_m[R(m)] = sum_m p_m R_m (onehot(m) - p), i.e. p_k (R_k - E[R]), by enumeration."""
    p, rewards = controller.probs(), torch.as_tensor(rewards, dtype=torch.float64)
    return p * (rewards - torch.dot(p, rewards))


def reinforce_estimates(controller: ToyController, rewards: torch.Tensor, n_samples: int, baseline: float = 0.0,
                        seed: int = 0) -> torch.Tensor:
    """n_samples single-sample REINFORCE estimates (R(m) - b) grad_theta log p(m|theta), one per row."""
    rng, rewards = random.Random(seed), torch.as_tensor(rewards, dtype=torch.float64)
    rows = []
    for _ in range(n_samples):
        k = controller.sample_index(rng)
        rows.append((rewards[k] - baseline) * controller.grad_log_prob(k))
    return torch.stack(rows)
