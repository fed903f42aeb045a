"""Checkers for notebook 01: the REINFORCE step of the toy ENAS controller and its moving-average baseline
(Pham et al. 2018, section 2.2; nas_kit.strategies.toy_enas).

    theta <- theta + lr (R - b) grad_theta log p(m | theta),   grad_theta log p(m | theta) = e_m - softmax(theta)
    b     <- decay b + (1 - decay) R                           (b = R after the first reward)
"""
from __future__ import annotations

import torch

from nas_kit.data.toy1d import make_toy_data
from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.strategies.toy_enas import ToyController, train_toy_enas


def _library_update(theta, k, R, b, lr):
    """The kit's step: ToyController.grad_log_prob, as train_toy_enas takes it (no entropy bonus)."""
    return theta + lr * (R - b) * ToyController(theta).grad_log_prob(k)


ADVANTAGE = ("the advantage is R - b, not b - R: a reward above the baseline makes the sampled architecture more "
             "likely, one below it less likely.")


def reinforce_update_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)
    theta = [torch.randn(4, generator=g, dtype=torch.float64) for _ in range(4)]
    return [Case("reward above the baseline", (theta[0], 2, -0.2, -0.5, 0.1)),
            Case("reward below the baseline", (theta[1], 0, -0.9, -0.3, 0.1)),
            Case("reward equal to the baseline", (theta[2], 1, -0.4, -0.4, 0.5)),
            Case("uniform theta (zeros)", (torch.zeros(4, dtype=torch.float64), 3, 1.0, 0.0, 1.0)),
            Case("a confident controller (large logits)", (torch.tensor([8.0, -3, 0, 1], dtype=torch.float64), 0, 0.5, 0.1, 0.03)),
            Case("the least likely architecture sampled", (theta[3] * 3, int(torch.argmin(theta[3])), 0.3, 0.1, 0.2))]


def check_reinforce_update(fn) -> bool:
    """fn(theta, k, R, b, lr) -> the new theta (a tensor of 4 logits) after one REINFORCE step."""
    return run_exercise(
        "the REINFORCE update with a baseline", fn, _library_update, reinforce_update_cases(),
        hint="theta + lr * (R - b) * (e_k - softmax(theta)), with e_k the one-hot vector of the sampled k.",
        hints={"reward above the baseline": ADVANTAGE, "reward below the baseline": ADVANTAGE,
               "reward equal to the baseline": "when R equals b the advantage is 0 and theta must not move."})


def _runs():
    """Rewards and the baselines train_toy_enas kept, for a few seeds, decays and lengths: the reference."""
    runs = {}
    for name, seed, decay, steps in [("decay 0.9, 40 steps", 0, 0.9, 40), ("decay 0.9, another seed", 1, 0.9, 40),
                                     ("decay 0.99", 2, 0.99, 30), ("decay 0 (b = the last reward)", 3, 0.0, 10),
                                     ("one step: b is the first reward", 4, 0.9, 1)]:
        result = train_toy_enas(make_toy_data(seed=seed), steps=steps, baseline_decay=decay, seed=seed)
        runs[name] = (list(result.rewards), decay, list(result.baselines))
    return runs


def check_moving_average_baseline(fn) -> bool:
    """fn(rewards, decay) -> the list of baselines b after each reward, as train_toy_enas keeps them."""
    runs = _runs()
    table = {(tuple(rewards), decay): baselines for rewards, decay, baselines in runs.values()}
    return run_exercise(
        "the moving-average baseline", fn, lambda rewards, decay: table[(tuple(rewards), decay)],
        [Case(name, (rewards, decay)) for name, (rewards, decay, _) in runs.items()],
        hint="b starts at the first reward; after each further reward R, b = decay * b + (1 - decay) * R; "
             "return one b per reward.",
        hints={"one step: b is the first reward": "the first baseline is the first reward itself (there is no "
                                                  "earlier b to average with).",
               "decay 0 (b = the last reward)": "the weight of the old b is decay and the new reward's is 1 - decay."})
