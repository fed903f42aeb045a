"""NASH: neural architecture search by hill climbing with network morphisms (Elsken, Metzen & Hutter 2017,
"Simple And Efficient Architecture Search for Convolutional Neural Networks", Algorithm 1):

    model_best <- a small network, trained
    for step = 1..n_steps:
        for j = 1..n_neigh - 1:
            model_j <- ApplyNetMorphs(model_best, n_NM)        (n_NM random morphisms, weights inherited)
            model_j <- train(model_j, epoch_neigh)             (SGDR: one cosine cycle)
        model_n_neigh <- train(model_best, epoch_neigh)        (the parent trained on competes too)
        model_best <- the model of highest validation accuracy

The morphisms are Net2Net's (nas_kit.models.morphisms): widen a layer to the next filter count of the space, or
insert an identity layer; each keeps the function, so a child starts where its parent was. The paper's CIFAR-10
values: n_steps = 8, n_neigh = 8, n_NM = 5, epoch_neigh = 17, SGDR from lr 0.05.
"""
from __future__ import annotations

import copy
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from nas_kit.config import choice, from_settings, pick, resolve_device
from nas_kit.data import IMAGE_DATA, images
from nas_kit.estimation.evaluator import Budget, accuracy, fit, split_train_valid
from nas_kit.models.chain_cnn import ChainCNN
from nas_kit.models.morphisms import net2deeper, net2wider
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress


def morphisms(space, arch) -> list[tuple]:
    """The morphisms that keep ``arch`` in ``space``: ('wider', i, next filters) and ('deeper', i, kernel)."""
    out = [("wider", i, min(f for f in space.filters if f > w)) for i, (_, w) in enumerate(arch)
           if any(f > w for f in space.filters)]
    if len(arch) < space.layers:
        out += [("deeper", i, k) for i in range(len(arch)) for k in space.kernels]
    return out


def apply_net_morphs(model: ChainCNN, space, n_nm: int, rng: random.Random) -> ChainCNN:
    """ApplyNetMorphs: up to ``n_nm`` morphisms drawn at random (fewer once the network fills the space)."""
    for _ in range(n_nm):
        options = morphisms(space, model.arch)
        if not options:
            break
        kind, i, value = rng.choice(options)
        model = net2wider(model, i, value, rng) if kind == "wider" else net2deeper(model, i, value)
    return model


class NASH:
    """The hill climber on ``data`` = (x_train, y_train, x_valid, y_valid); ``budget`` trains one neighbour
    (its epochs are epoch_neigh). ``cost`` counts the epochs of training spent, start included."""

    def __init__(self, space, data, budget: Budget, start, start_epochs=1, n_neigh=8, n_nm=5, seed=0):
        self.space, self.data, self.budget = space, data, budget
        self.n_neigh, self.n_nm, self.rng, self.seed = n_neigh, n_nm, random.Random(seed), seed
        space.validate(start)
        torch.manual_seed(seed)
        self.best = ChainCNN(start, num_classes=int(max(data[1].max(), data[3].max())) + 1).to(budget.device)
        self.best_acc = self.train(self.best, replace(budget, epochs=start_epochs))
        self.cost, self.step_count, self.steps = float(start_epochs), 0, []

    def train(self, model, budget=None) -> float:
        budget = budget or self.budget
        x_train, y_train, x_valid, y_valid = self.data
        fit(model, x_train, y_train, budget, self.rng.randrange(2 ** 31))
        return accuracy(model, x_valid, y_valid, budget.image_size, budget.device)

    def step(self) -> dict:
        """One step of Algorithm 1: n_neigh - 1 morphed children and the parent, trained; the best kept."""
        children = [apply_net_morphs(self.best, self.space, self.n_nm, self.rng) for _ in range(self.n_neigh - 1)]
        children.append(copy.deepcopy(self.best))
        accs = [self.train(child) for child in children]
        k = max(range(len(children)), key=lambda j: accs[j])
        self.best, self.best_acc = children[k], accs[k]
        self.cost += self.budget.epochs * len(children)
        self.step_count += 1
        row = dict(step=self.step_count, arch=self.space.encode(self.best.arch), valid_acc=self.best_acc,
                   epochs=self.cost, children=len(children), parent_won=k == len(children) - 1)
        self.steps.append(row)
        return row


@dataclass(frozen=True)
class NASHRecipe:
    """Elsken et al. 2017, section 5.1: n_steps 8, n_neigh 8, n_NM 5, epoch_neigh 17, SGDR lr 0.05."""
    n_steps: int = 8
    n_neigh: int = 8
    n_nm: int = 5
    epoch_neigh: int = 17
    start_epochs: int = 20
    start: str = "3x3:16"
    lr: float = 0.05
    weight_decay: float = 5e-4
    batch_size: int = 64
    image_size: int = 32
    data: str = choice("cifar10", IMAGE_DATA)
    data_root: str = ""
    n_train: int = 0
    valid_fraction: float = 0.1


FULL = NASHRecipe()
QUICK = replace(FULL, n_steps=2, n_neigh=3, n_nm=2, epoch_neigh=1, start_epochs=1, start="3x3:8", batch_size=32,
                image_size=8, data="synthetic", n_train=400, valid_fraction=0.25)


def recipes(space: str, profile: str) -> list:
    return [pick(QUICK, FULL, profile)]


def run_nash(space, s: dict, run_dir, resume: bool = False, progress: str = "auto") -> dict:
    """The hill climber with a checkpoint (the climber whole) and metrics.csv after every step."""
    r, path = from_settings(NASHRecipe, s), Path(run_dir) / rd.CHECKPOINT
    if resume and path.is_file():
        climber = load_checkpoint(path)["nash"]
    else:
        data = split_train_valid(images(r.data, r.data_root, r.n_train, n_test=10), r.valid_fraction, s["seed"])
        budget = Budget(epochs=r.epoch_neigh, image_size=r.image_size, batch_size=r.batch_size, lr=r.lr,
                        weight_decay=r.weight_decay, threads=s["threads"] or 1, device=str(resolve_device(s["device"])))
        climber = NASH(space, data, budget, space.decode(r.start), r.start_epochs, r.n_neigh, r.n_nm, s["seed"])
    bar, t0 = Progress(r.n_steps, done=climber.step_count, unit="step", mode=progress), time.perf_counter()
    while climber.step_count < r.n_steps:
        row = climber.step()
        save_checkpoint(path, nash=climber)
        rd.write_metrics(Path(run_dir) / rd.METRICS, climber.steps)
        bar.end_epoch(row["step"] - 1, {"valid_acc": row["valid_acc"], "epochs": row["epochs"]})
    return dict(arch=climber.best.arch, space=space, text=space.encode(climber.best.arch), reward=climber.best_acc,
                epochs=climber.cost, seconds=time.perf_counter() - t0)
