"""NASH against random search at equal training cost (Elsken, Metzen & Hutter 2017, section 5.1 compare with
random networks trained as long): the best validation accuracy found so far, and its network's test accuracy,
against the epochs of training spent.

    NASH           the hill climber (nas_kit.strategies.nash): the start network trained ``start_epochs``, then
                   ``n_steps`` steps of ``n_neigh`` networks trained ``epoch_neigh`` epochs each
    random search  chains drawn uniformly from the space, each trained from scratch for as many epochs as NASH's
                   final network has seen along its lineage (start_epochs + n_steps * epoch_neigh)

    curves = run(QUICK, seed=0)          # or race(data, x_test, y_test, r, seed) on data of one's own
    curves["NASH"]  ->  [(epochs spent, best valid acc so far, its test acc), ...]

QUICK is a race small enough for a CPU (chains of at most 4 layers, 8 x 8 synthetic images); FULL has the
paper's values (n_steps 8, n_neigh 8, n_NM 5, epoch_neigh 17, a start network trained 20 epochs) on CIFAR-10.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

import torch

from nas_kit.data import images
from nas_kit.estimation.evaluator import Budget, accuracy, fit, split_train_valid
from nas_kit.models.chain_cnn import ChainCNN
from nas_kit.spaces import ChainSpace
from nas_kit.strategies.nash import NASH


@dataclass(frozen=True)
class Race:
    """The settings of one race: the space, NASH's Algorithm 1 values and the training recipe."""
    layers: int = 4
    start: tuple = ((3, 8), (3, 8))
    start_epochs: int = 4
    n_steps: int = 3
    n_neigh: int = 4
    n_nm: int = 2
    epoch_neigh: int = 2
    budget: Budget = Budget(epochs=2, image_size=8, batch_size=32, lr=0.05, weight_decay=5e-4)
    data: str = "synthetic"
    n_train: int = 600
    n_test: int = 300
    valid_fraction: float = 0.25

    def lineage(self) -> int:
        return self.start_epochs + self.n_steps * self.epoch_neigh

    def total(self) -> int:
        return self.start_epochs + self.n_steps * self.n_neigh * self.epoch_neigh


def _so_far(points):
    """[(cost, valid, test)] -> the same points with (valid, test) of the best validation accuracy so far."""
    out, best = [], (-1.0, 0.0)
    for cost, valid, test in points:
        best = max(best, (valid, test), key=lambda b: b[0])
        out.append((cost, *best))
    return out


def nash_curve(data, x_test, y_test, r: Race, seed: int) -> list:
    """NASH's best-so-far after the start and after each step."""
    size = r.budget.image_size
    climber = NASH(ChainSpace(r.layers), data, replace(r.budget, epochs=r.epoch_neigh), r.start, r.start_epochs,
                   r.n_neigh, r.n_nm, seed)
    points = [(climber.cost, climber.best_acc, accuracy(climber.best, x_test, y_test, size))]
    for _ in range(r.n_steps):
        climber.step()
        points.append((climber.cost, climber.best_acc, accuracy(climber.best, x_test, y_test, size)))
    return _so_far(points)


def random_curve(data, x_test, y_test, r: Race, seed: int) -> list:
    """Random search's best-so-far after each network, as many as NASH's total epochs pay for."""
    space, rng, size, points = ChainSpace(r.layers), random.Random(seed), r.budget.image_size, []
    classes = int(max(data[1].max(), data[3].max())) + 1
    for n in range(1, r.total() // r.lineage() + 1):
        torch.manual_seed(rng.randrange(2 ** 31))
        model = ChainCNN(space.sample(rng), num_classes=classes)
        fit(model, data[0], data[1], replace(r.budget, epochs=r.lineage()), rng.randrange(2 ** 31))
        points.append((n * r.lineage(), accuracy(model, data[2], data[3], size), accuracy(model, x_test, y_test, size)))
    return _so_far(points)


def at_cost(curve, cost: float):
    """(valid, test) of the best so far once ``cost`` epochs are spent (None before the first point)."""
    done = [(v, t) for c, v, t in curve if c <= cost]
    return done[-1] if done else None


QUICK = Race()
FULL = Race(layers=6, start=((3, 16), (3, 16)), start_epochs=20, n_steps=8, n_neigh=8, n_nm=5, epoch_neigh=17,
            budget=Budget(epochs=17, image_size=32, batch_size=64, lr=0.05, weight_decay=5e-4), data="cifar10",
            n_train=0, n_test=0, valid_fraction=0.1)


def race(data, x_test, y_test, r: Race = QUICK, seed: int = 0) -> dict:
    """{"NASH": curve, "random search": curve} on the same data, from the same seed."""
    return {"NASH": nash_curve(data, x_test, y_test, r, seed),
            "random search": random_curve(data, x_test, y_test, r, seed)}


def run(r: Race = QUICK, seed: int = 0, root: str = "") -> dict:
    """``race`` on the images ``r`` names, split into training and validation images by ``seed``."""
    found = images(r.data, root, r.n_train, r.n_test)
    return race(split_train_valid(found, r.valid_fraction, seed), found.x_test, found.y_test, r, seed)


def levels(r: Race) -> list:
    """The epochs spent after NASH's first, second and last step: where the two are compared."""
    return [r.start_epochs + k * r.n_neigh * r.epoch_neigh for k in (1, 2, r.n_steps)]
