"""The kit's mini tabular benchmark, in the manner of NAS-Bench-101 and NAS-Bench-201 (Ying et al. 2019;
Dong & Yang 2020): every architecture of a small space trained with one fixed recipe, once per seed, so
that evaluating an architecture is a table lookup and a student can run a strategy hundreds of times.

    bench = MiniBench.load()                    # nas_kit/tables/mini_bench.json, shipped with the kit
    oracle = bench.oracle(seed=0)               # each query reads the run of one training seed, drawn at random
    history = run_search(strategy, oracle, 100)
    bench.test_accuracy(history.best().arch)    # mean test accuracy over the seeds

The space is ``nas_kit.spaces.bench.BenchSpace`` (729 cells). The table is made by
``scripts/make_mini_bench.py`` with the kit's own evaluator (``fit`` and ``accuracy`` of
``nas_kit.estimation.evaluator``): validation accuracy after every epoch of the schedule (the
cheaper fidelities, as NAS-Bench-201 records them), the final test accuracy, training seconds, parameters.
"""
from __future__ import annotations

import copy
import json
import random
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from nas_kit import tables
from nas_kit.data import load_cifar10, make_cifar_like
from nas_kit.estimation.evaluator import Budget, accuracy, build_seeded, builder, fit, split_train_valid
from nas_kit.spaces.bench import MINI_BENCH_OPS, BenchSpace
from nas_kit.results import Outcome

DEFAULT_TABLE = tables.path("mini_bench.json")

@dataclass(frozen=True)
class BenchRecipe:
    """How the table is made: the data and the one training recipe (``Budget``) of every cell."""
    dataset: str = "cifar10"
    n_train: int = 45000
    n_valid: int = 5000
    n_test: int = 10000
    budget: Budget = Budget(epochs=12, C=16, layers=5, image_size=32, batch_size=256, lr=0.1, weight_decay=5e-4,
                            nesterov=True, grad_clip=5.0, device="cuda")


# full: NAS-Bench-201's 12-epoch recipe ("hp=12": C=16, N=5 cells per stage, batch 256, SGD-Nesterov
# lr 0.1 cosine, weight decay 5e-4) on the real CIFAR-10, for a GPU.
# quick: the table shipped with the kit (nas_kit/tables/mini_bench.json), trained on this CPU on the kit's own
# images (make_cifar_like), about 5 s a run: C=8, N=1, 16x16 images, 2,500 training images for 6 epochs, plain
# SGD at lr 0.05 (at lr 0.1 with Nesterov momentum, 4-epoch runs of one cell differed by up to 0.26 in accuracy
# between seeds).
FULL = BenchRecipe()
QUICK = replace(FULL, dataset="cifar-like", n_train=2500, n_valid=1000, n_test=1000,
                budget=replace(FULL.budget, epochs=6, C=8, layers=1, image_size=16, batch_size=64, lr=0.05,
                               nesterov=False, device="cpu"))
RECIPES = {"quick": QUICK, "full": FULL}


def bench_data(recipe: BenchRecipe, root=None):
    """(x_train, y_train, x_valid, y_valid, x_test, y_test) for a recipe: the validation images come out of
    the training split; the test images are never seen by a search."""
    n_train, n_valid = recipe.n_train, recipe.n_valid
    if recipe.dataset == "cifar-like":
        images = make_cifar_like(n_train=n_train + n_valid, n_test=recipe.n_test, seed=0)
    else:
        images = load_cifar10(root)
    x_train, y_train, x_valid, y_valid = split_train_valid(images, n_valid / len(images.x_train), seed=0)
    return (x_train[:n_train], y_train[:n_train], x_valid, y_valid,
            images.x_test[:recipe.n_test], images.y_test[:recipe.n_test])


def train_bench_cell(arch: tuple, data, budget: Budget, seed: int) -> dict:
    """Train one benchmark cell with ``budget`` from ``seed``: its validation accuracy after every epoch,
    test accuracy at the end, training seconds and parameter count (one row of the table)."""
    torch.set_num_threads(budget.threads)
    x_train, y_train, x_valid, y_valid, x_test, y_test = data
    model = build_seeded(tuple(arch), budget, 10, seed, builder(BenchSpace.key))
    valid = []
    start = time.perf_counter()
    fit(model, x_train, y_train, budget, seed,
        after_epoch=lambda e: valid.append(round(accuracy(model, x_valid, y_valid, budget.image_size, budget.device), 4)))
    return dict(valid=valid, test=round(accuracy(model, x_test, y_test, budget.image_size, budget.device), 4),
                seconds=round(time.perf_counter() - start, 2),
                params=sum(p.numel() for p in model.parameters()))


class MiniBench:
    """The table: for every cell (NAS-Bench-201 string) and seed, validation accuracy per epoch and test accuracy."""

    def __init__(self, table: dict):
        self.table = table
        self.space = BenchSpace(tuple(table["ops"]))
        self.seeds = list(table["seeds"])
        self.epochs = int(table["recipe"]["budget"]["epochs"])
        self.cells = table["cells"]
        missing = self.space.size() - len(self.cells)
        if missing:
            raise ValueError(f"the table has {len(self.cells)} of the space's {self.space.size()} cells: "
                             f"finish it with scripts/make_mini_bench.py.")

    @classmethod
    def load(cls, path=None) -> "MiniBench":
        path = Path(path) if path is not None else DEFAULT_TABLE
        if not path.is_file():
            raise FileNotFoundError(f"no benchmark table at {path}: make it with python scripts/make_mini_bench.py "
                                    f"(--recipe full --out {path.name} for the CIFAR-10 table, on a GPU).")
        return cls(json.loads(path.read_text()))

    def _row(self, arch):
        return self.cells[self.space.encode(tuple(arch))]

    def valid_accuracy(self, arch, seed_index: int | None = None, epoch: int | None = None) -> float:
        """Validation accuracy after ``epoch`` (1-based; default the last) of one seed's run, or the mean over seeds."""
        e = (epoch or self.epochs) - 1
        if not 0 <= e < self.epochs:
            raise ValueError(f"epoch must be 1..{self.epochs}, not {epoch}.")
        runs = self._row(arch)["valid"]
        return runs[seed_index][e] if seed_index is not None else float(np.mean([r[e] for r in runs]))

    def test_accuracy(self, arch) -> float:
        """Test accuracy at the end of training, mean over seeds (what a paper reports for the found cell)."""
        return float(np.mean(self._row(arch)["test"]))

    def train_seconds(self, arch) -> float:
        return float(np.mean(self._row(arch)["seconds"]))

    def params(self, arch) -> int:
        return int(self._row(arch)["params"])

    def archs(self) -> list[tuple]:
        return [self.space.decode(text) for text in self.cells]

    def best(self, metric: str = "valid") -> tuple:
        """The cell with the highest mean validation (or test) accuracy: the optimum a search can reach."""
        score = self.valid_accuracy if metric == "valid" else self.test_accuracy
        return max(self.archs(), key=score)

    def oracle(self, seed: int = 0, epoch: int | None = None) -> "BenchOracle":
        """An evaluator for ``run_search`` that answers with one training seed's run, drawn at random per query
        (the noise of a real evaluation, as NAS-Bench-101 samples one of its three repeats)."""
        return BenchOracle(self, seed, epoch)


class BenchOracle:
    """arch -> the validation accuracy of one seed's run of it after ``epoch`` epochs (default: the last); the
    cost of a query is those epochs (its simulated training seconds are ``bench.train_seconds``)."""

    def __init__(self, bench: MiniBench, seed: int = 0, epoch: int | None = None):
        self.bench, self.epoch, self.rng = bench, epoch, random.Random(seed)

    def __call__(self, arch) -> float:
        return self.bench.valid_accuracy(arch, self.rng.randrange(len(self.bench.seeds)), self.epoch)

    def at(self, fidelity) -> "BenchOracle":
        """This oracle at fidelity e: the accuracy after epoch e, at a cost of e epochs (the same noise stream)."""
        if fidelity != int(fidelity) or not 1 <= fidelity <= self.bench.epochs:
            raise ValueError(f"the mini benchmark answers at a whole number of epochs 1..{self.bench.epochs}, "
                             f"not {fidelity}.")
        other = copy.copy(self)
        other.epoch = int(fidelity)
        return other

    def evaluate_many(self, archs, executor=None) -> list[Outcome]:
        """Outcomes in order; each costs the epochs it was trained for and records them as its fidelity."""
        epochs = self.epoch or self.bench.epochs
        return [Outcome(self(a), float(epochs), 0.0, "ok", "", epochs) for a in archs]


def new_table(recipe_name: str, ops=MINI_BENCH_OPS, seeds=(0, 1, 2)) -> dict:
    recipe = asdict(RECIPES[recipe_name])
    return dict(about="mini tabular benchmark of nas_kit (NAS-Bench-201-style cells); made by scripts/make_mini_bench.py",
                recipe_name=recipe_name, recipe=recipe, ops=list(ops), seeds=list(seeds),
                edges="|op~0|+|op~0|op~1|+|op~0|op~1|op~2| (op~i: the edge from node i)", cells={})
