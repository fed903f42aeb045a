"""The one black-box runner of the ``search`` command: any ask/tell strategy (random search, aging evolution,
NAS-RL's REINFORCE, PNAS) on any space, its children judged by what the space's task asks for:

    images  a trained child (nas_kit.estimation.Evaluator), reward = validation accuracy
    text    a short PTB training per child (nas_kit.estimation.rnn_child), reward = c / validation perplexity
            as ENAS's (c = 80)
    table   the mini benchmark's lookup (nas_kit.estimation.tabular), one training seed's run per query

The search goes in batches of ``parallel`` children, with a checkpoint (the strategy, the history and the
evaluator's cache of trained children) and metrics.csv after each batch, so a killed search loses at most the
batch in training, and a resumed one retrains no child. The settings of a
search are its method's recipe, ``BlackBox`` and the recipe of its children, as one flat dict.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nas_kit.config import choice, from_settings, pick, resolve_device
from nas_kit.data import IMAGE_DATA, TEXT_DATA, batchify, images, text
from nas_kit.estimation import Budget, Evaluator
from nas_kit.estimation.pool import process_pool
from nas_kit.estimation.rnn_child import train_rnn_genotype
from nas_kit.estimation.tabular import MiniBench
from nas_kit.registry import entry
from nas_kit.results import History
from nas_kit.strategies.base import run_search
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress


@dataclass(frozen=True)
class BlackBox:
    parallel: int = 8                  # children evaluated per batch (and per checkpoint)


@dataclass(frozen=True)
class ImageChild:
    """A trained child (nas_kit.estimation.Evaluator); full: 25 epochs as Real et al. and DARTS's random
    baseline, C = 24, N = 3 cells per stage (11 cells with the 2 reductions), each method's paper where it says."""
    child_epochs: int = 25
    C: int = 24
    child_batch_size: int = 128
    image_size: int = 32
    lr: float = 0.025                  # SGD momentum 0.9, cosine to 0 (DARTS's train.py), unless a paper says
    weight_decay: float = 3e-4
    nesterov: bool = False
    reward_last: int = 1               # reward = max validation accuracy of the last reward_last epochs ...
    reward_power: float = 1.0          # ... to this power (NAS-RL: 5 and 3)
    n_train: int = 0
    valid_fraction: float = 0.1
    data: str = choice("cifar10", IMAGE_DATA)
    data_root: str = ""
    pool: str = choice("process", ("thread", "process"))
    workers: int = 1
    layers: int = 11                   # cells per child (cell spaces only; elsewhere the space's size)

    SOURCES = {"lr": "DARTS's train.py unless the method's paper sets it (NAS-RL: 0.1)",
               "weight_decay": "DARTS's train.py unless the method's paper sets it (NAS-RL: 1e-4)",
               "child_batch_size": "the kit's choice", "C": "the kit's choice (NAS-RL: 24 builds the paper's filters)",
               "image_size": "CIFAR-10's", "valid_fraction": "NAS-RL's 5,000 of 50,000",
               "child_epochs": "each method's paper where it says (NAS-RL 50, PNAS 20); else 25, DARTS's random baseline"}


@dataclass(frozen=True)
class TextChild:
    """A short PTB training per child (``train_rnn_genotype``), reward = reward_c / validation perplexity."""
    child_epochs: int = 10
    nhid: int = 300
    child_batch_size: int = 64
    bptt: int = 35
    lr: float = 20.0
    dropouts: tuple = (0.75, 0.25, 0.75, 0.2, 0.0)
    reward_c: float = 80.0
    data: str = choice("ptb", TEXT_DATA)
    data_root: str = ""
    n_train: int = 0
    n_valid: int = 0

    SOURCES = {"child_epochs": "the kit's choice", "nhid": "the kit's choice",
               "dropouts": "DARTS's rnn/train_search.py", "reward_c": "ENAS's reward c / ppl, c = 80"}


@dataclass(frozen=True)
class TableChild:
    fidelity_epoch: int = 0            # the table's validation accuracy after this epoch; 0: the last


CHILDREN = {"images": (ImageChild(), replace(ImageChild(), child_epochs=1, C=4, child_batch_size=32, image_size=8,
                                              lr=0.05, n_train=600, valid_fraction=0.33, data="synthetic",
                                              pool="thread", layers=2)),
            "text": (TextChild(), replace(TextChild(), child_epochs=1, nhid=32, child_batch_size=16, bptt=20, lr=10.0,
                                          data="synthetic", n_train=4000, n_valid=1000)),
            "table": (TableChild(), TableChild())}


# what the quick profile shrinks of a child (sizes and budgets); the rest of a paper's child recipe it keeps
SIZES = ("child_epochs", "C", "child_batch_size", "image_size", "n_train", "layers")


def recipes(method_recipe, space_key: str, profile: str) -> list:
    """The parts of a black-box search's settings: the method's recipe, BlackBox, and its children's recipe
    (the method's paper's child settings in the full profile; in the quick profile those that are no size)."""
    task = entry(space_key).task
    full, quick = CHILDREN[task]
    if task == "images":
        full = replace(full, **method_recipe.child)
        quick = replace(quick, **{k: v for k, v in method_recipe.child.items() if k not in SIZES})
    child = pick(quick, full, profile)
    return [method_recipe, pick(BlackBox(parallel=4), BlackBox(), profile), child]


def _rnn_reward(space, s: dict):
    """reward(arch) = reward_c / validation perplexity after a short PTB training (ENAS's reward, c = 80)."""
    child = from_settings(TextChild, s)
    corpus = text(child.data, child.data_root, child.n_train, child.n_valid, n_test=500)
    train, valid = batchify(corpus.train, child.child_batch_size), batchify(corpus.valid, 10)

    def reward(arch):
        genotype = entry(space).to_genotype(arch)[0]
        ppl = train_rnn_genotype(genotype, train, valid, len(corpus.vocab), epochs=child.child_epochs, nhid=child.nhid,
                                 bptt=child.bptt, lr=child.lr, dropouts=tuple(child.dropouts), seed=s["seed"])
        return child.reward_c / ppl
    return reward


def _evaluator(strategy, s: dict):
    """The estimator and, for trained children, the executor to close at the end."""
    task = entry(strategy.space).task
    if task == "table":
        return MiniBench.load().oracle(seed=s["seed"], epoch=s["fidelity_epoch"] or None), None
    if task == "text":
        return _rnn_reward(strategy.space, s), None
    child = from_settings(ImageChild, s)
    budget = Budget(epochs=child.child_epochs, C=child.C, layers=child.layers, image_size=child.image_size,
                    batch_size=child.child_batch_size, lr=child.lr, weight_decay=child.weight_decay,
                    nesterov=child.nesterov, reward_last=child.reward_last, reward_power=child.reward_power,
                    threads=s["threads"] or 1, device=str(resolve_device(s["device"])))
    workers = max(1, child.workers)      # processes are spawned, so that each may start CUDA on its own
    pool = ThreadPoolExecutor(workers) if child.pool == "thread" else process_pool(workers)
    data = images(child.data, child.data_root, child.n_train, n_test=10)
    # the cache keys are the strategy's encodings (a NAS-RL curriculum samples networks shallower than the space)
    return Evaluator(data, budget, space=strategy.space, encode=strategy.encode, executor=pool, seed=s["seed"],
                     valid_fraction=child.valid_fraction), pool


def run_black_box(method_recipe, space, s: dict, run_dir, resume: bool = False, progress: str = "auto") -> dict:
    """``run_search`` in batches of ``parallel`` children, a checkpoint and metrics.csv after each batch."""
    path = Path(run_dir) / rd.CHECKPOINT
    search = load_checkpoint(path)["search"] if resume and path.is_file() else {}   # the state after the last batch
    strategy = search["strategy"] if search else method_recipe.make(space, s["seed"])
    history = search["history"] if search else History()
    if search:
        rd.write_metrics(Path(run_dir) / rd.METRICS, rows(history))      # the checkpoint says what was evaluated
    total, parallel = method_recipe.evaluations(strategy), s["parallel"]
    evaluate, pool = _evaluator(strategy, s)
    _restore(evaluate, search)
    bar = Progress(math.ceil(total / parallel), done=len(history) // parallel, unit="batch", mode=progress)
    try:
        while len(history) < total:
            k = len(history) // parallel
            run_search(strategy, evaluate, min(parallel, total - len(history)), batch_size=parallel, history=history)
            save_checkpoint(path, search={"strategy": strategy, "history": history, **_state(evaluate)})
            rd.write_metrics(Path(run_dir) / rd.METRICS, rows(history))
            rewards = [r for r in history.rewards() if r == r]
            bar.end_epoch(k, {"children": len(history), "best": max(rewards) if rewards else float("nan")})
    finally:
        if pool is not None:
            pool.shutdown()
    best = history.best()
    return dict(arch=best.arch, space=strategy.space_of(best.arch), text=best.encoding, reward=best.reward,
                evaluations=len(history), failures=len(history.failures()), **method_recipe.report(strategy))


def _state(evaluate) -> dict:
    """What the estimator carries from batch to batch: the Evaluator's trained children (encoding -> Outcome),
    the table's generator of seeds."""
    state = {"cache": dict(evaluate.cache)} if hasattr(evaluate, "cache") else {}
    return dict(state, rng=evaluate.rng.getstate()) if hasattr(evaluate, "rng") else state


def _restore(evaluate, search: dict) -> None:
    if "cache" in search and hasattr(evaluate, "cache"):
        evaluate.cache.update(search["cache"])
    if "rng" in search and hasattr(evaluate, "rng"):
        evaluate.rng.setstate(search["rng"])


def rows(history: History) -> list[dict]:
    """metrics.csv of a black-box search: one row per child, with the best reward so far."""
    out, best = [], -math.inf
    for i, r in enumerate(history):
        if r.reward is not None:
            best = max(best, r.reward)
        out.append(dict(child=i + 1, encoding=r.encoding, reward=r.reward, fidelity=r.fidelity, cost=r.cost,
                        wall_time=r.wall_time, status=r.status, best_so_far=best if best > -math.inf else None, error=r.error))
    return out
