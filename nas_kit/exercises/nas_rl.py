"""Checkers for notebook 03: NAS-RL's reward and its REINFORCE loss over a sequence of decisions
(Zoph & Le 2017, sections 3.2 and 4.1; nas_kit.estimation.evaluator.reward_of, nas_kit.strategies.nas_rl).

    R = (max validation accuracy of the last 5 epochs)^3
    L = -1/m sum_k (R_k - b) sum_t log P(a_t^(k) | a_(t-1:1)^(k))       (its gradient is eq. 3 with a baseline)
"""
from __future__ import annotations

import torch

from nas_kit.estimation.evaluator import reward_of
from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.spaces.nas_rl import NASRLSpace
from nas_kit.strategies.nas_rl import NASRLStrategy


def check_nas_rl_reward(fn) -> bool:
    """fn(accuracies, last, power) -> the reward of a child from its validation accuracy after each epoch."""
    cases = [Case("10 epochs, the best of the last 5 in the middle", ([.1, .3, .5, .6, .7, .72, .8, .75, .74, .73], 5, 3)),
             Case("the best epoch is before the last 5", ([.9, .2, .3, .4, .5, .6, .55], 5, 3)),
             Case("fewer epochs than 5", ([.4, .6, .5], 5, 3)),
             Case("last = 1, power = 1: the final accuracy", ([.5, .9, .7], 1, 1)),
             Case("one epoch", ([.25], 5, 3))]
    return run_exercise(
        "NAS-RL's reward", fn, reward_of, cases,
        hint="the maximum over the last `last` accuracies (all of them when there are fewer), then to the power "
             "`power`: max(accuracies[-last:]) ** power.",
        hints={"the best epoch is before the last 5": "only the last `last` epochs count, not the best of all.",
               "10 epochs, the best of the last 5 in the middle": "the maximum of the last epochs, not the last one "
                                                                  "or their mean; then cube it."})


class _Rows:
    """A stand-in for the controller inside NASRLStrategy.update: architecture k has log P = the sum of row k."""

    def __init__(self, log_probs):
        self.log_probs = log_probs

    def log_prob(self, k):
        return self.log_probs[k].sum()


def _library_loss(log_probs, rewards, baseline):
    """The loss NASRLStrategy.update minimises, read off its gradient: the loss is linear in the log-probs."""
    strategy = NASRLStrategy(NASRLSpace(layers=1), m=len(rewards))
    leaf = log_probs.detach().clone().requires_grad_(True)
    strategy.controller, strategy.baseline = _Rows(leaf), float(baseline)
    strategy.optimizer = torch.optim.SGD([leaf], lr=0.0)
    strategy.update([(k, float(r)) for k, r in enumerate(rewards)])
    return (leaf.grad * log_probs).sum()


def check_reinforce_loss(fn) -> bool:
    """fn(log_probs (m, T), rewards (m,), baseline) -> the scalar loss whose gradient is REINFORCE's."""
    g = torch.Generator().manual_seed(0)

    def log_probs(m, T):
        return torch.log_softmax(torch.randn(m, T, 4, generator=g), dim=-1)[..., 0]

    cases = [Case("m = 4 children, 6 decisions", (log_probs(4, 6), torch.tensor([0.3, 0.5, 0.2, 0.6]), 0.4)),
             Case("every reward below the baseline", (log_probs(3, 5), torch.tensor([0.1, 0.2, 0.15]), 0.5)),
             Case("m = 1 child", (log_probs(1, 8), torch.tensor([0.7]), 0.2)),
             Case("rewards equal to the baseline", (log_probs(2, 4), torch.tensor([0.3, 0.3]), 0.3))]
    return run_exercise(
        "the REINFORCE loss of a batch of children", fn, _library_loss, cases,
        hint="sum each child's log-probabilities over its decisions, weight the sum by R_k - b, average over the m "
             "children, and negate: the optimiser minimises, REINFORCE ascends.",
        hints={"every reward below the baseline": "the weight is R_k - b, not b - R_k, and the loss carries a minus "
                                                  "sign: minimising it must make these children less likely."})
