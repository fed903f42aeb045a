"""The ENAS search loop (Pham et al. 2018, section 2.2), its controls and derivation.

One epoch alternates
  (1) the shared weights w: one pass over the training data, one architecture m ~ pi per minibatch
      (M = 1), SGD on the training loss of that sub-graph of the supernet;
  (2) the controller: ``controller_steps`` REINFORCE steps with w fixed, the reward computed on a
      validation minibatch (c / valid_ppl with c = 80 for PTB, accuracy for CIFAR-10).
Derivation (section 2.2, "Deriving Architectures"): sample several m from the trained policy,
score each on one validation minibatch, keep the best, and retrain it from scratch.

Controls (section 3.3 of the paper; ``mode``):
  "enas"    the method
  "random"  random search with weight sharing: m drawn uniformly from the space for training and
            for derivation, no controller
  "fixed"   ENAS with the controller's updates disabled: m drawn from the initial policy

A task (``PTBTask`` or ``CIFARTask``, nas_kit.strategies.enas.tasks) owns the supernet, its optimizer and
the data; the loop is the same for both.  ``checkpoint`` saves everything after each epoch (supernet, controller, both
optimizers, baseline, the Python/NumPy/torch RNG states and the history), and ``resume=True`` goes on
from there with the same result as an uninterrupted run. An epoch whose shared weights' loss, reward or
controller is not finite stops the search with a FloatingPointError before its checkpoint, so the last
checkpoint is finite and nothing is derived from NaN.
"""
from __future__ import annotations

import random
import statistics
from pathlib import Path

from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.divergence import non_finite, stop_if_diverged

MODES = ("enas", "random", "fixed")


def make_sampler(mode, space, controller, rng):
    """m ~ pi (enas, fixed) or m ~ uniform over the space (random)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}.")
    if mode == "random":
        return lambda: space.sample(rng)
    return lambda: controller.sample(rng)


def enas_search(task, controller, reinforce, epochs, controller_steps, mode="enas", seed=0,
                checkpoint=None, resume=False, evaluate_every=1, on_epoch=None):
    """Run (or resume) the search; return the history, one dict per epoch.

    Per epoch: ``train_loss`` (shared weights), ``reward``/``baseline``/``entropy`` (mean over the
    controller steps; none in the controls), ``arch`` (one sample of the current policy) and
    ``valid`` (its validation perplexity or accuracy with the shared weights, every
    ``evaluate_every`` epochs).  ``on_epoch(record)`` is called after each epoch (e.g. to draw).
    """
    rng = random.Random(seed)
    history, start = [], 0
    if resume:
        if checkpoint is None:
            raise ValueError("resume=True needs checkpoint=PATH of the run to continue.")
        if Path(checkpoint).is_file():
            payload = load_checkpoint(checkpoint, supernet=task.supernet, optimizer=task.optimizer,
                                      controller=controller, reinforce=reinforce)
            rng.setstate(payload["rng"])
            history, start = payload["history"], payload["epoch"] + 1
    sample = make_sampler(mode, task.space, controller, rng)
    for epoch in range(start, epochs):
        kept = checkpoint if epoch else None
        record = {"epoch": epoch, "train_loss": task.train_epoch(epoch, sample)}
        check_finite(record, (controller, task.supernet), epoch, kept)
        if mode == "enas":
            stats = []
            for _ in range(controller_steps):      # a NaN reward would make the next sample fail: stop at once
                stats.append(reinforce.step(lambda m: task.reward(m, task.random_minibatch(rng)), rng))
                check_finite(stats[-1], (controller,), epoch, kept)
            for key in ("reward", "baseline", "entropy"):
                record[key] = sum(s[key] for s in stats) / len(stats)
        record["arch"] = sample()
        if evaluate_every and (epoch + 1) % evaluate_every == 0:
            record["valid"] = task.evaluate(record["arch"])
            check_finite(record, (), epoch, kept)      # a diverged supernet can keep finite weights
        history.append(record)
        if checkpoint is not None:
            save_checkpoint(checkpoint, supernet=task.supernet, optimizer=task.optimizer, controller=controller,
                            reinforce=reinforce, history=history, epoch=epoch, rng=rng.getstate())
        if on_epoch is not None:
            on_epoch(record)
    return history


def check_finite(record: dict, networks, epoch: int, kept) -> None:
    """FloatingPointError (one sentence) when an epoch's loss or reward, or the weights of ``networks`` (the
    controller, the supernet; None for the controls' absent controller), are not finite."""
    weights = [t for net in networks if net is not None for t in net.state_dict().values() if t.is_floating_point()]
    stop_if_diverged(non_finite(record, weights=weights), "ENAS", epoch, kept, "architecture",
                     "--set lr=... on text, lr_max=... on images, or controller_lr=...")


def derive(task, controller, n_samples=10, mode="enas", seed=0):
    """Sample ``n_samples`` architectures (from the policy, or uniformly for ``mode='random'``), score
    each on one validation minibatch, and return ``(best, [(reward, arch), ...] best first)``."""
    rng = random.Random(seed)
    sample = make_sampler(mode, task.space, controller, rng)
    i = task.random_minibatch(rng)
    scored = sorted(((task.reward(m, i), m) for m in (sample() for _ in range(n_samples))),
                    key=lambda t: -t[0])
    return scored[0][1], scored


def random_architectures(task, n=20, seed=0):
    """The shared-weight validation metric of ``n`` uniformly random architectures, and its median."""
    rng = random.Random(seed)
    values = [task.evaluate(task.space.sample(rng)) for _ in range(n)]
    return values, statistics.median(values)
