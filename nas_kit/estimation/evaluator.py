"""Performance estimation by training (survey, Elsken et al. 2018, section 4): build a child
network, train it for a small budget on the training split, and return its validation accuracy
as the reward.

Cheap proxies (lower-fidelity estimates, section 4): fewer epochs, a fraction of the data, fewer
channels C and cells, smaller images. NAS-RL trains each child for 50 epochs on 45,000 images and
rewards it on the other 5,000 (Zoph & Le 2017, section 4.1); the quick profile shrinks all of it.

Candidates run in parallel on any ``concurrent.futures.Executor`` (a local process pool by default,
or Dask: ``distributed.Client(...).get_executor()``); ``train_and_evaluate`` is a module-level
function of plain data so that every executor can pickle it. A candidate that fails (an exception,
a NaN loss, out of memory) comes back with status 'failed' and its error message.

A Dask ``LocalCluster`` leaves ``MALLOC_TRIM_THRESHOLD_=65536`` in ``os.environ``; processes started
after it (a process pool, a notebook kernel) then train up to three times slower on the CPU.  Remove
the variable (``os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)``) once the cluster is closed.
"""
from __future__ import annotations

import copy
import threading
import time
import zlib
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import torch
import torch.nn as nn

from nas_kit.estimation.pool import process_pool
from nas_kit.registry import build_network
from nas_kit.results import Outcome, error_message, failed
from nas_kit.training.cifar import Recipe, cosine, epochs, evaluate, resized, sgd, stream_draws


@dataclass(frozen=True)
class Budget:
    """How much to spend on one child (the fidelity of the estimate)."""
    epochs: int = 1
    data_fraction: float = 1.0      # of the training split
    C: int = 16                     # initial channels of the child
    layers: int = 8                 # cells (NetworkCIFAR) or layers
    image_size: int = 32            # images are resized (area) to image_size x image_size
    batch_size: int = 64
    lr: float = 0.025               # SGD, momentum 0.9, weight decay 3e-4, cosine (as DARTS' train.py)
    weight_decay: float = 3e-4
    nesterov: bool = False
    grad_clip: float = 5.0
    reward_last: int = 1            # reward = (max validation accuracy of the last reward_last epochs) ** reward_power
    reward_power: float = 1.0       # NAS-RL: the last 5 epochs, cubed (Zoph & Le 2017, section 4.1)
    threads: int = 1                # torch threads per worker
    device: str = "cpu"

    def loop(self) -> Recipe:
        """The training loop's recipe of a child: the cosine falls at every step, crops pad by image_size / 8."""
        return Recipe(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, lr_min=0.0, cosine_per="step",
                      nesterov=self.nesterov, weight_decay=self.weight_decay, grad_clip=self.grad_clip,
                      crop_padding=self.image_size // 8)


_INIT_LOCK = threading.Lock()


def build_child(arch, budget: Budget, num_classes: int, space) -> nn.Module:
    """The network of ``arch`` in ``space`` (a space or its registry key) with ``budget.C`` channels and
    ``budget.layers`` cells, as the registry builds it (``nas_kit.registry.build_network``)."""
    return build_network(arch, space, budget.C, budget.layers, num_classes)


def builder(space):
    """The ``build_fn`` of children of ``space``: ``build_child`` for that space, picklable for process pools."""
    return partial(build_child, space=space if isinstance(space, str) else space.key)


def fit(model, x_train, y_train, budget: Budget, seed: int, after_epoch=None) -> None:
    """Train ``model`` on uint8 NHWC images with the child recipe of ``budget`` (``Budget.loop``), through the
    one training loop (nas_kit.training.cifar), its draws from one generator seeded by ``seed``.
    ``after_epoch(epoch)`` is called after each epoch (NAS-Bench-201 records its accuracies there).
    A NaN or infinite loss raises FloatingPointError."""
    recipe = budget.loop()
    x = resized(x_train, budget.image_size, budget.device)
    y = torch.as_tensor(y_train, device=budget.device)
    optimizer = sgd(model, recipe)
    scheduler = cosine(optimizer, recipe, len(x))
    for epoch, *_ in epochs(model, x, y, recipe, stream_draws(seed, budget.device), optimizer, scheduler):
        if after_epoch is not None:
            after_epoch(epoch)


def accuracy(model, x, y, image_size: int = 32, device: str = "cpu") -> float:
    """The fraction of uint8 NHWC images ``x`` that ``model`` (in eval mode) labels ``y``."""
    return evaluate(model, resized(x, image_size, device), torch.as_tensor(y, device=device), 256)[1]


def reward_of(accuracies, last: int = 1, power: float = 1.0) -> float:
    """The reward of a child from its validation accuracy after each epoch: the maximum over the ``last``
    epochs, to the power ``power``. NAS-RL: "the maximum validation accuracy of the last 5 epochs cubed"
    (Zoph & Le 2017, section 4.1); last = power = 1: the final accuracy."""
    return max(accuracies[-last:]) ** power


def build_seeded(arch, budget: Budget, num_classes: int, seed: int, build_fn) -> nn.Module:
    """``build_fn(arch, budget, num_classes)`` with its weights drawn from ``seed``, on ``budget.device``."""
    with _INIT_LOCK:  # the global RNG initialises the weights; threads of one process must take turns
        torch.manual_seed(seed)
        return build_fn(arch, budget, num_classes).to(budget.device)


def out_of_memory_message(e: BaseException) -> str:
    msg = error_message(e)
    if "out of memory" in msg.lower() and not msg.lower().startswith("outofmemory"):
        msg = "out of memory: " + msg
    return msg


def train_and_evaluate(arch, data, budget: Budget, seed: int, build_fn) -> Outcome:
    """Train ``build_fn(arch, budget, num_classes)`` on data = (x_train, y_train, x_valid, y_valid)
    (uint8 NHWC images, int labels) and return its reward (``reward_of`` its validation accuracies; by default
    the final one) as an Outcome (cost = epochs)."""
    start = time.perf_counter()
    try:
        torch.set_num_threads(budget.threads)
        x_train, y_train, x_valid, y_valid = data
        n = max(1, int(round(len(x_train) * budget.data_fraction)))
        num_classes = int(max(y_train.max(), y_valid.max())) + 1
        model = build_seeded(arch, budget, num_classes, seed, build_fn)
        accs = []

        def after_epoch(epoch):              # the validation accuracy of each of the last reward_last epochs
            if epoch >= budget.epochs - budget.reward_last:
                accs.append(accuracy(model, x_valid, y_valid, budget.image_size, budget.device))
        fit(model, x_train[:n], y_train[:n], budget, seed, after_epoch)
        reward = reward_of(accs, budget.reward_last, budget.reward_power)
    except Exception as e:  # noqa: BLE001 - exceptions, NaN losses and out-of-memory errors all land here
        return failed(out_of_memory_message(e), float(budget.epochs), time.perf_counter() - start)
    return Outcome(reward, float(budget.epochs), time.perf_counter() - start, "ok", "", budget.epochs)


def split_train_valid(images, valid_fraction=0.1, seed=0):
    """(x_train, y_train, x_valid, y_valid) from ImageData's training split; the test split stays unseen
    (NAS-RL holds out 5,000 of the 50,000 training images)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images.x_train))
    n_valid = max(1, int(round(len(order) * valid_fraction)))
    v, t = order[:n_valid], order[n_valid:]
    return images.x_train[t], images.y_train[t], images.x_train[v], images.y_train[v]


class Evaluator:
    """Rewards for architectures: train each child for ``budget`` and return validation accuracy.

    data:      an ImageData (split here into train/valid) or a tuple (x_train, y_train, x_valid, y_valid)
    space:     the space of the architectures: it builds the children (``builder(space)``) and encodes them
               for the cache (repr without a space)
    encode:    another encoding for the cache (a strategy's, whose architectures may be smaller than the space's)
    build_fn:  ``build_fn(arch, budget, num_classes)`` -> the child, instead of the space's network
    executor:  any concurrent.futures.Executor; None -> a local process pool of ``workers`` (whose workers exit
               when this process dies), made on first use
    seed:      each child's seed is derived from it and the architecture's encoding, so a child's
               reward does not depend on which worker trains it or in what order
    Results, failures included, are cached by encoding; a cache hit costs 0.
    """

    def __init__(self, data, budget: Budget = Budget(), space=None, executor: Executor | None = None,
                 workers: int = 2, seed: int = 0, valid_fraction: float = 0.1, build_fn=None, encode=None):
        if build_fn is None and space is None:
            raise ValueError("the Evaluator needs the space of its architectures (space=...), or build_fn=...")
        self.data = split_train_valid(data, valid_fraction, seed) if hasattr(data, "x_train") else tuple(data)
        self.budget, self.space, self.seed = budget, space, seed
        self.build_fn = builder(space) if build_fn is None else build_fn
        self.encode = encode or (space.encode if space is not None else repr)
        self.executor, self.workers, self._own_executor = executor, workers, None
        self.cache: dict[str, Outcome] = {}

    def key(self, arch) -> str:
        return self.encode(arch)

    def child_seed(self, key: str) -> int:
        return (self.seed * 1_000_003 + zlib.crc32(key.encode())) % 2 ** 31

    def _executor(self, executor):
        if executor is not None:
            return executor
        if self.executor is not None:
            return self.executor
        if self._own_executor is None:
            self._own_executor = process_pool(self.workers, context=None)    # its workers die with this process
        return self._own_executor

    def evaluate_many(self, archs, executor: Executor | None = None) -> list[Outcome]:
        """Outcomes of ``archs`` in order; new ones trained in parallel on the executor."""
        keys = [self.key(a) for a in archs]
        hits = {k for k in keys if k in self.cache}
        todo = {}
        for k, a in zip(keys, archs):
            if k not in self.cache and k not in todo:
                todo[k] = a
        if todo:
            pool = self._executor(executor)
            futures = {k: pool.submit(train_and_evaluate, a, self.data, self.budget, self.child_seed(k), self.build_fn)
                       for k, a in todo.items()}
            for k, f in futures.items():
                try:
                    self.cache[k] = f.result()
                except Exception as e:  # noqa: BLE001 - the worker itself died
                    self.cache[k] = failed(error_message(e), float(self.budget.epochs))
        out, seen = [], set()
        for k in keys:
            o = self.cache[k]
            out.append(o._replace(cost=0.0, wall_time=0.0) if k in hits or k in seen else o)
            seen.add(k)
        return out

    def at(self, fidelity) -> "Evaluator":
        """This evaluator with children trained for ``fidelity`` epochs (for multi-fidelity strategies), on the
        same data, seed and executor, with a cache of its own; one per fidelity, made once."""
        if fidelity != int(fidelity) or fidelity < 1:
            raise ValueError(f"a child trains for a whole number of epochs, at least 1, not {fidelity}.")
        if int(fidelity) == self.budget.epochs:
            return self
        family = self.__dict__.setdefault("fidelities", {})
        if int(fidelity) not in family:
            other = copy.copy(self)
            other.budget, other.cache = replace(self.budget, epochs=int(fidelity)), {}
            other.executor, other._own_executor = self._executor(None), None     # the pool stays this one's to close
            family[int(fidelity)] = other
        return family[int(fidelity)]

    def __call__(self, arch):
        """The reward of one architecture, trained in this process (None if it failed)."""
        k = self.key(arch)
        if k not in self.cache:
            self.cache[k] = train_and_evaluate(arch, self.data, self.budget, self.child_seed(k), self.build_fn)
        return self.cache[k].reward

    def close(self):
        if self._own_executor is not None:
            self._own_executor.shutdown()
            self._own_executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
