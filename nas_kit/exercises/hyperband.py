"""Checkers for notebook 12's exercises on multi-fidelity search (Li et al. 2018, Hyperband, Algorithm 1): the
brackets of one Hyperband iteration, and successive halving's promotion of the top 1/eta. The references are
the kit's own (nas_kit.strategies.hyperband)."""
from __future__ import annotations

import random

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.strategies.hyperband import brackets, top_fraction


def check_hyperband_brackets(fn) -> bool:
    """``fn(R, eta)`` -> [[(n_i, r_i) for i = 0..s] for s = s_max..0], as ``brackets``."""
    cases = [Case("R = 27, eta = 3 (the paper's example)", (27, 3)), Case("R = 81, eta = 3", (81, 3)),
             Case("R = 6, eta = 2 (the mini benchmark)", (6, 2)), Case("R = 16, eta = 2", (16, 2)),
             Case("R = 10, eta = 3 (not a power of eta)", (10, 3)), Case("R = 1: a single bracket", (1, 3)),
             Case("R = 2, eta = 3: smaller than eta", (2, 3))]
    return run_exercise("Hyperband's brackets for (R, eta)", fn, brackets, cases,
                        "s_max = floor(log_eta R) (in integers: the largest s with eta**s <= R), B = (s_max + 1) R; "
                        "bracket s: n = ceil(B / R * eta**s / (s + 1)), r = R * eta**-s, rung i: "
                        "(floor(n * eta**-i), r * eta**i); the brackets from s = s_max down to 0.")


def check_successive_halving(fn) -> bool:
    """``fn(candidates, rewards, eta)`` -> the best floor(n / eta) candidates in the order they came."""
    rng = random.Random(0)
    names = [f"cell{j}" for j in range(27)]
    cases = [Case("27 candidates, eta = 3", (names, [round(rng.random(), 3) for _ in names], 3)),
             Case("9 candidates, eta = 2", (names[:9], [round(rng.random(), 3) for _ in range(9)], 2)),
             Case("a failed candidate (reward None) ranks last", (names[:4], [0.5, None, 0.7, 0.6], 2)),
             Case("ties go to the earlier candidate", (names[:6], [0.5, 0.8, 0.5, 0.8, 0.5, 0.8], 3)),
             Case("fewer candidates than eta: none survives", (names[:2], [0.9, 0.1], 3)),
             Case("eta = 1 keeps all", (names[:3], [0.2, 0.9, 0.4], 1))]
    return run_exercise("successive halving keeps the top 1/eta", fn, top_fraction, cases,
                        "keep len(candidates) // eta of them, those of the highest rewards (None counts as the "
                        "worst; among equal rewards the earlier one first), listed in their original order.",
                        hints={"fewer candidates than eta: none survives": "floor(2 / 3) = 0: the list is empty."})
