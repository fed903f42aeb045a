"""Progressive Neural Architecture Search (Liu et al. 2018, Algorithm 1), as an ask/tell Strategy.

Search cells from simple to complex, and let a cheap predictor choose which complex cells to train:

    train all 1-block cells (256 in the PNAS space); fit the predictor on them    (pi = fit(S_1, A_1))
    for b = 2 .. B:
        expand each of the K best (b-1)-block cells by one block, in every possible way
        rank the expansions with the predictor; train the top K
        fine-tune the predictor on them, the new cells only     (pi = update-predictor(S_b, A_b, pi):
                                                                 "finetune predictor with new data")

Before the predictor sees the K cells trained at step b it has predicted their accuracies: the rank
correlation of those predictions with the measured accuracies is the held-out quality of the
predictor at that step (the paper's Fig. 5 and Table 1). At b = 1 the held-out estimate is
out-of-fold: each cell predicted by the ensemble member that did not train on it.

Run it like any strategy: ``run_search(strategy, evaluate, strategy.total_evaluations())``.
"""
from __future__ import annotations

import itertools
import math
import zlib
from dataclasses import dataclass, replace

import numpy as np

from nas_kit.config import choice, pick
from nas_kit.estimation.surrogate import PREDICTORS, SurrogateEnsemble, blocks_of, spearman
from nas_kit.spaces.base import as_rng
from nas_kit.spaces.pnas import pnas, pnas_genotype
from nas_kit.strategies.base import SearchRecipe, Strategy


def expand(cell, ops):
    """Every cell with one more block than ``cell`` (a PNAS Genotype): block b+1 reads any two of the
    states 0 .. b+1 (the two cell inputs and the b blocks) through any two ops: ((b+2) * |ops|)^2 cells."""
    blocks = blocks_of(cell)
    states = range(len(blocks) + 2)
    return [pnas_genotype(blocks + [(in1, op1, in2, op2)])
            for in1, in2 in itertools.product(states, repeat=2) for op1, op2 in itertools.product(ops, repeat=2)]


def top_k(scores, K) -> list:
    """The indices of the ``K`` highest ``scores`` (the ensemble's mean predictions), highest first, a tie going to
    the earlier candidate: Algorithm 1's ``S_b = top-K(S'_b, A'_b, K)``."""
    return [int(i) for i in np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:K]]


class PNAS(Strategy):
    """PNAS with beam size K up to B blocks.

    predictor:  a SurrogateEnsemble, or its kind 'mlp' / 'lstm' (then built with the paper's sizes)
    first:      the number of 1-block cells to train; None = all 256 (a smaller number, drawn at random,
                is a cheaper deviation from the paper)
    epochs / finetune_epochs:  predictor epochs for the first fit and for each fine-tuning
    holdout:    at each step b >= 2, also train this many expansions drawn at random from those not
                chosen, only to measure the predictor on them (never used to fine-tune it, nor
                expanded); 0 as in the paper, where the held-out cells are the K chosen ones
    """

    def __init__(self, B=5, K=256, predictor="mlp", first=None, epochs=50, finetune_epochs=20, holdout=0,
                 seed=0):
        super().__init__(pnas(B))
        self.B, self.K = B, K
        if K < 1 or B < 1:
            raise ValueError(f"PNAS needs K >= 1 and B >= 1, not K={K}, B={B}.")
        self.predictor = SurrogateEnsemble(predictor, max_blocks=B, seed=seed) if isinstance(predictor, str) else predictor
        self.epochs, self.finetune_epochs, self.holdout = epochs, finetune_epochs, holdout
        self.rng = np.random.default_rng(seed)
        self.one_block = list(pnas(1).enumerate())                        # the 256 cells of step 1
        cells = list(self.one_block)
        if first is not None:
            cells = as_rng(seed).sample(cells, min(first, len(cells)))
        self.b = 1
        self.queue = cells                                               # cells of step b not yet asked
        self.planned = {1: len(cells)}                                   # cells to train at each step
        self.trained = {1: []}                                           # (cell, reward) per step
        self.predicted = {}                                              # step -> {encoding: prediction}
        self.candidates = {1: len(self.one_block)}                       # cells the step chose from
        self.correlation = {}                                            # step -> Spearman on the K chosen
        self.holdout_correlation = {}                                    # step -> Spearman on random expansions
        self.held_out = {}                                               # step -> {encoding: (cell, reward)}
        self.done = False
        self.spaces = {b: pnas(b) for b in range(1, B + 1)}             # cells of each size

    def space_of(self, arch):
        """The PNAS space of ``arch``'s number of blocks (1..B): cells grow one block per step."""
        b = len(arch.normal) // 2
        if b not in self.spaces:
            raise ValueError(f"this PNAS search holds cells of 1..{self.B} blocks, not {arch!r}.")
        return self.spaces[b]

    def total_evaluations(self) -> int:
        """How many cells the whole search trains: the first step's, then K per further step."""
        return self.planned[1] + (self.K + self.holdout) * (self.B - 1)

    def ask(self, n=1):
        if self.done:
            raise RuntimeError(f"PNAS has finished all {self.B} steps; ask for at most total_evaluations() cells.")
        if not self.queue:
            raise RuntimeError("every cell of this step has been asked; tell their rewards before asking again.")
        archs, self.queue = self.queue[:n], self.queue[n:]
        return archs

    def tell(self, archs, rewards):
        for arch, reward in zip(archs, rewards):
            key = self.encode(arch)
            if key in self.held_out.get(self.b, {}):
                self.held_out[self.b][key] = (arch, reward)
            else:
                self.trained[self.b].append((arch, reward))
        told = len(self.trained[self.b]) + sum(a is not None for a, _ in self.held_out.get(self.b, {}).values())
        if told >= self.planned[self.b]:
            self._next_step()

    def _next_step(self):
        ok = [(a, r) for a, r in self.trained[self.b] if r is not None]
        if not ok:
            raise RuntimeError(f"every cell of step {self.b} failed to train, so PNAS cannot go on.")
        cells, rewards = [a for a, _ in ok], [r for _, r in ok]
        if self.b == 1:
            self.predictor.fit(cells, rewards, epochs=self.epochs)
            if len(self.predictor.models) > 1 and len(ok) > 1:
                self.correlation[1] = spearman(*self.predictor.out_of_fold())
        else:
            guesses = [self.predicted[self.b][self.encode(a)] for a in cells]
            if len(ok) > 1:
                self.correlation[self.b] = spearman(guesses, rewards)
            held = [(self.predicted[self.b][k], r) for k, (a, r) in self.held_out[self.b].items() if r is not None]
            if len(held) > 1:
                self.holdout_correlation[self.b] = spearman(*zip(*held))
            self.predictor.finetune(cells, rewards, epochs=self.finetune_epochs)    # Algorithm 1: new data only
        if self.b == self.B:
            self.done = True
            return
        beams = [a for a, _ in sorted(ok, key=lambda ar: -ar[1])[:self.K]]
        candidates = [c for beam in beams for c in expand(beam, self.space.cell_ops)]
        scores = self.predictor.predict(candidates)                      # the ensemble's mean
        order = top_k(scores, len(candidates))
        top, rest = order[:self.K], order[self.K:]
        held = self.rng.choice(rest, size=min(self.holdout, len(rest)), replace=False) if self.holdout else []
        self.b += 1
        self.queue = [candidates[i] for i in top] + [candidates[i] for i in held]
        self.planned[self.b] = len(self.queue)
        self.trained[self.b] = []
        self.held_out[self.b] = {self.encode(candidates[i]): (None, None) for i in held}
        self.candidates[self.b] = len(candidates)
        self.predicted[self.b] = {self.encode(candidates[i]): float(scores[i]) for i in [*top, *held]}

    def best_per_block(self) -> dict:
        """{b: (cell, reward)}: the best trained cell with b blocks, for each step done so far."""
        best = {}
        for b, pairs in self.trained.items():
            ok = [(a, r) for a, r in pairs if r is not None]
            if ok:
                best[b] = max(ok, key=lambda ar: ar[1])
        return best

    def summary(self) -> list:
        """One dict per step: blocks, candidates, trained, best reward, and the predictor's held-out Spearman
        correlation on the cells it chose (out-of-fold at b = 1) and on the random held-out expansions."""
        rows = []
        for b, (cell, reward) in self.best_per_block().items():
            rows.append(dict(blocks=b, candidates=self.candidates[b], trained=len(self.trained[b]),
                             best=reward, spearman=self.correlation.get(b, math.nan),
                             spearman_random=self.holdout_correlation.get(b, math.nan)))
        return rows


@dataclass(frozen=True)
class PNASRecipe(SearchRecipe):
    """Liu et al. 2018, section 4.1: B = 5 blocks, beam K = 256, an ensemble of LSTM predictors, all 256
    one-block cells first; children trained 20 epochs in a network of N = 2 cells per stage."""
    B: int = 5
    K: int = 256
    predictor: str = choice("lstm", PREDICTORS)
    first: int = 0                  # 0: all one-block cells
    predictor_epochs: int = 50
    finetune_epochs: int = 20

    child = {"child_epochs": 20, "layers": 8}

    def make(self, space, seed: int) -> PNAS:
        return PNAS(B=self.B, K=self.K, predictor=self.predictor, first=self.first or None,
                    epochs=self.predictor_epochs, finetune_epochs=self.finetune_epochs, seed=seed)

    def evaluations(self, strategy: PNAS) -> int:
        return strategy.total_evaluations()

    def report(self, strategy: PNAS) -> dict:
        return {"per_block": strategy.summary()}


FULL = PNASRecipe()
QUICK = replace(FULL, B=2, K=4, predictor="mlp", first=24, predictor_epochs=30, finetune_epochs=10)


def recipe(space_key: str, profile: str) -> PNASRecipe:
    """The recipe of a search of ``space_key`` in ``profile`` (the same for every space)."""
    return pick(QUICK, FULL, profile)


# ---------------------------------------------------------------- a stand-in for training
# Op values loosely in the order of the paper's findings (separable convs help most, identity least).
OP_VALUE = {'skip_connect': 0.05, 'avg_pool_3x3': 0.10, 'max_pool_3x3': 0.12, 'conv_7x1_1x7': 0.22,
            'dil_conv_3x3': 0.20, 'sep_conv_3x3': 0.30, 'sep_conv_5x5': 0.33, 'sep_conv_7x7': 0.27}


def synthetic_reward(cell, noise=0.01) -> float:
    """A SYNTHETIC accuracy, not a trained network's: 0.55 + 0.4 * (1 - exp(-s)), where s sums, over the
    blocks, each op's value (OP_VALUE) times 1.2 if it reads an earlier block (depth), 1.0 if it reads
    the previous cell, 0.8 if the cell before that; a block whose two halves are the same op on the
    same input counts once; plus a fixed pseudo-random term of size ``noise`` (a hash of the cell).
    Deterministic and learnable, with diminishing returns per block, so that the quick profile and the
    tests can run PNAS in seconds; the full profile trains real children instead."""
    s = 0.0
    for in1, op1, in2, op2 in blocks_of(cell):
        halves = [(op1, in1)] if (op1, in1) == (op2, in2) else [(op1, in1), (op2, in2)]
        s += sum(OP_VALUE[op] * (1.2 if i >= 2 else 1.0 if i == 1 else 0.8) for op, i in halves)
    h = zlib.crc32(repr(blocks_of(cell)).encode()) / 2 ** 32 - 0.5
    return 0.55 + 0.4 * (1 - math.exp(-s)) + 2 * noise * h
