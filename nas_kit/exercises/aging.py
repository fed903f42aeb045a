"""Checkers for notebook 04: one step of aging evolution and the op mutation (Real et al. 2019, Algorithm 1;
nas_kit.strategies.evolution.RegularizedEvolution, nas_kit.spaces.bench.BenchSpace.mutate).

The random choices are arguments, so an answer is deterministic: the S indices of the tournament, the edge to
mutate and which of the other ops it gets. The references run the kit's own code on those same choices.
"""
from __future__ import annotations

import random

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.spaces.bench import BenchSpace
from nas_kit.strategies.evolution import Individual, RegularizedEvolution


class _Given(random.Random):
    """A random stream that answers with the choices given: choice(seq) -> seq[next index], randrange -> next
    edge, random() -> 1.0 (never the identity mutation)."""

    def __init__(self, indices=(), edges=()):
        super().__init__(0)
        self.indices, self.edges = list(indices), list(edges)

    def choice(self, seq):
        return seq[self.indices.pop(0)]

    def randrange(self, *args):
        return self.edges.pop(0)

    def random(self):
        return 1.0


class _Mutating:
    """A space whose mutate is the function the exercise passes in (for RegularizedEvolution)."""
    name = "exercise"

    def __init__(self, mutate):
        self.mutate = lambda arch, rng: mutate(arch)

    def encode(self, arch):
        return str(arch)


def _library_step(population, sample, mutate, evaluate):
    evolution = RegularizedEvolution(_Mutating(mutate), population_size=len(population), sample_size=len(sample))
    evolution.population.extend(Individual(a, r, age) for age, (a, r) in enumerate(population))
    evolution.n_random_asked, evolution.rng = len(population), _Given(indices=sample)
    child = evolution.ask(1)[0]
    evolution.tell([child], [evaluate(child)])
    return [(ind.arch, ind.reward) for ind in evolution.population]


def _population(rng, n):
    return [(f"cell {k}", round(rng.uniform(0.5, 0.9), 4)) for k in range(n)]


def check_aging_step(fn) -> bool:
    """fn(population [(arch, reward)] oldest first, sample [S indices], mutate, evaluate) -> the new population."""
    rng = random.Random(0)
    mutate, evaluate = (lambda arch: arch + "'"), (lambda arch: round(0.1 * len(arch), 4))
    pop = _population(rng, 6)
    best_is_oldest = [(a, r + (0.5 if k == 0 else 0.0)) for k, (a, r) in enumerate(pop)]
    cases = [Case("P = 6, S = 3", (pop, [1, 4, 2], mutate, evaluate)),
             Case("the best of the sample is not the best of the population", (pop, [0, 3], mutate, evaluate)),
             Case("the oldest is the best: it still dies", (best_is_oldest, [0, 2, 5], mutate, evaluate)),
             Case("a member drawn twice (with replacement)", (pop, [5, 5, 5], mutate, evaluate)),
             Case("S = 1", (_population(rng, 4), [2], mutate, evaluate))]
    return run_exercise(
        "one step of aging evolution", fn, _library_step, cases,
        hint="the parent is the member of population[i] for i in sample with the highest reward; append "
             "(mutate(parent), evaluate(child)) at the end and remove population[0], the oldest.",
        hints={"the oldest is the best: it still dies": "aging removes the oldest member, whatever its reward, "
                                                        "not the worst.",
               "the best of the sample is not the best of the population": "the tournament compares only the "
                                                                           "sampled members."})


def _library_mutation(arch, edge, choice, ops):
    return BenchSpace(ops=tuple(ops)).mutate(tuple(arch), _Given(indices=[choice], edges=[edge]))


def check_op_mutation(fn) -> bool:
    """fn(arch (6 ops), edge, choice, ops) -> arch with edge ``edge`` given ops-other-than-its-own[choice]."""
    ops = ("skip_connect", "nor_conv_3x3", "avg_pool_3x3")
    arch = ("nor_conv_3x3", "skip_connect", "avg_pool_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3")
    cases = [Case("edge 0, the first other op", (arch, 0, 0, ops)),
             Case("edge 2, the second other op", (arch, 2, 1, ops)),
             Case("the last edge", (arch, 5, 1, ops)),
             Case("edge 1 (its op is the first of ops)", (arch, 1, 0, ops))]
    return run_exercise(
        "the op mutation", fn, _library_mutation, cases,
        hint="the new op is others[choice] with others = [op for op in ops if op != arch[edge]] (a mutation always "
             "changes the cell); return a new tuple, the other edges unchanged.",
        hints={"edge 1 (its op is the first of ops)": "choose among the ops other than the current one, not among "
                                                      "all ops."})
