"""The ENAS search loop (Pham et al. 2018, section 2.2), its controls, derivation and retraining.

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

A task (``PTBTask`` or ``CIFARTask``) owns the supernet, its optimizer and the data; the loop is the
same for both.  ``checkpoint`` saves everything after each epoch (supernet, controller, both
optimizers, baseline, the Python/NumPy/torch RNG states and the history), and ``resume=True`` goes on
from there with the same result as an uninterrupted run.
"""
from __future__ import annotations

import math
import random
import statistics
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.data.cifar10 import augment, normalize, to_tensor
from nas_kit.data.ptb import batchify, get_batch
from nas_kit.models.cifar_network import NetworkCIFAR
from nas_kit.models.enas_macro import MacroNetwork
from nas_kit.models.ptb_lm import RNNModel
from nas_kit.spaces.enas_rnn import to_genotype
from nas_kit.registry import build_network
from nas_kit.training import ptb
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.cifar import Recipe, cosine, evaluate, resized, sgd, stream_draws
from nas_kit.training.cifar import epochs as train_epochs

MODES = ("enas", "random", "fixed")


# ---------------------------------------------------------------- tasks
def _mode(net, training):
    """``net.train(training)``, skipped when the network is already there (it walks every module of the supernet)."""
    return net if net.training == training else net.train(training)


class PTBTask:
    """Shared-weight training and rewards on a word-level corpus (ENAS section 3.1).

    ``lr`` is SGD's (20 in the paper), multiplied by ``lr_decay`` every epoch from ``decay_start``
    (0.96 from epoch 15); gradients clipped to norm ``clip`` (0.25); reward = ``reward_c`` / ppl (c = 80).
    """

    def __init__(self, corpus, supernet, batch_size=64, eval_batch_size=10, bptt=35, lr=20.0, clip=0.25,
                 weight_decay=1e-7, lr_decay=0.96, decay_start=15, reward_c=80.0, max_batches=None):
        self.supernet, self.space = supernet, supernet.space
        self.train_data = batchify(corpus.train, batch_size)
        self.valid_data = batchify(corpus.valid, eval_batch_size)
        self.batch_size, self.eval_batch_size, self.bptt = batch_size, eval_batch_size, bptt
        self.lr, self.clip, self.lr_decay, self.decay_start = lr, clip, lr_decay, decay_start
        self.reward_c, self.max_batches = reward_c, max_batches
        self.params = list(supernet.parameters())        # listed once: walking the module tree every step is slow
        self.optimizer = torch.optim.SGD(self.params, lr=lr, weight_decay=weight_decay)

    def train_epoch(self, epoch, sample):
        """One pass over the training data, a new architecture ``sample()`` per minibatch; mean loss."""
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr * self.lr_decay ** max(0, epoch - self.decay_start)
        net = _mode(self.supernet, True)
        hidden, losses = net.init_hidden(self.batch_size), []
        for b, i in enumerate(range(0, self.train_data.size(0) - 1, self.bptt)):
            if self.max_batches is not None and b >= self.max_batches:
                break
            x, y = get_batch(self.train_data, i, self.bptt)
            hidden = [h.detach() for h in hidden]
            log_prob, hidden = net(x, hidden, sample())
            loss = F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1))
            self.optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(self.params, self.clip)
            self.optimizer.step()
            losses.append(loss.item())
        return sum(losses) / len(losses)

    @torch.no_grad()
    def minibatch_ppl(self, arch, i):
        """Perplexity of ``arch`` on the validation minibatch starting at row ``i`` (fresh hidden state)."""
        net = _mode(self.supernet, False)
        x, y = get_batch(self.valid_data, i, self.bptt)
        log_prob, _ = net(x, net.init_hidden(self.eval_batch_size), arch)
        return math.exp(F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1)).item())

    def random_minibatch(self, rng):
        return rng.randrange(0, self.valid_data.size(0) - 1 - self.bptt)

    def reward(self, arch, i):
        return self.reward_c / self.minibatch_ppl(arch, i)

    @torch.no_grad()
    def evaluate(self, arch):
        """Validation perplexity of ``arch`` with the shared weights, over the whole validation set."""
        net = _mode(self.supernet, False)
        hidden, total, n = net.init_hidden(self.eval_batch_size), 0.0, 0
        for i in range(0, self.valid_data.size(0) - 1, self.bptt):
            x, y = get_batch(self.valid_data, i, self.bptt)
            log_prob, hidden = net(x, hidden, arch)
            total += F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1), reduction="sum").item()
            n += y.numel()
        return math.exp(total / n)


def cosine_lr(epoch, lr_max, lr_min, T0, T_mul=2):
    """Cosine annealing with warm restarts (Loshchilov & Hutter 2017), per epoch, as ENAS's ``get_train_ops``:
    a cycle of ``T0`` epochs, then ``T0 * T_mul``, ...; within a cycle ``lr_min + (lr_max - lr_min)(1 + cos(pi t / T)) / 2``."""
    start, T = 0, T0
    while epoch - start >= T:
        start, T = start + T, T * T_mul
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * (epoch - start) / T))


def image_tensors(x, image_size=32):
    """uint8 NHWC images -> float NCHW in [0, 1], average-pooled down to ``image_size`` (quick profile)."""
    x = to_tensor(x)
    if image_size != x.size(-1):
        x = F.adaptive_avg_pool2d(x, image_size)
    return x


class CIFARTask:
    """Shared-weight training and rewards on images (ENAS section 3.2).

    The last ``n_valid`` training images are held out as the validation set of the rewards (ENAS
    uses 5,000 of the 50,000).  SGD with Nesterov momentum 0.9, the cosine learning rate of
    ``cosine_lr`` from ``lr_max`` to ``lr_min`` (one cycle over ``epochs``, or warm restarts after
    ``lr_T0``, ``lr_T0 * lr_T_mul``, ... epochs: the ENAS scripts use 10 and 2), gradients clipped to
    norm 5.  Rewards and evaluation use batch statistics in BatchNorm, as the ENAS code does during the
    search: running averages would mix every architecture.
    """

    def __init__(self, data, supernet, n_valid=5000, batch_size=128, eval_batch_size=500, lr_max=0.05,
                 lr_min=0.0005, epochs=310, weight_decay=2.5e-4, image_size=32, do_augment=True, max_batches=None,
                 lr_T0=None, lr_T_mul=2):
        self.supernet, self.space = supernet, supernet.space
        x, y = image_tensors(data.x_train, image_size), torch.as_tensor(data.y_train)
        self.x_train, self.y_train = x[:-n_valid], y[:-n_valid]
        self.x_valid, self.y_valid = normalize(x[-n_valid:]), y[-n_valid:]
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.lr_max, self.lr_min, self.epochs = lr_max, lr_min, epochs
        self.lr_T0, self.lr_T_mul = lr_T0 or epochs, lr_T_mul
        self.do_augment, self.max_batches = do_augment, max_batches
        self.params = list(supernet.parameters())        # listed once: walking the module tree every step is slow
        self.optimizer = torch.optim.SGD(self.params, lr=lr_max, momentum=0.9, nesterov=True, weight_decay=weight_decay)

    def train_epoch(self, epoch, sample):
        for group in self.optimizer.param_groups:
            group["lr"] = cosine_lr(epoch, self.lr_max, self.lr_min, self.lr_T0, self.lr_T_mul)
        net = _mode(self.supernet, True)
        order, losses = torch.randperm(len(self.x_train)), []
        for b, start in enumerate(range(0, len(order), self.batch_size)):
            if self.max_batches is not None and b >= self.max_batches:
                break
            idx = order[start:start + self.batch_size]
            x = self.x_train[idx]
            x = normalize(augment(x) if self.do_augment else x)
            loss = F.cross_entropy(net(x, sample()), self.y_train[idx])
            self.optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(self.params, 5.0)
            self.optimizer.step()
            losses.append(loss.item())
        return sum(losses) / len(losses)

    def random_minibatch(self, rng):
        return rng.randrange(0, max(1, len(self.x_valid) - self.eval_batch_size + 1))

    @torch.no_grad()
    def reward(self, arch, i):
        """Accuracy of ``arch`` on the validation minibatch starting at image ``i``."""
        x, y = self.x_valid[i:i + self.eval_batch_size], self.y_valid[i:i + self.eval_batch_size]
        return (_mode(self.supernet, True)(x, arch).argmax(1) == y).float().mean().item()

    def evaluate(self, arch):
        """Validation accuracy of ``arch`` with the shared weights, over the held-out images."""
        accs = [(self.reward(arch, i), min(self.eval_batch_size, len(self.x_valid) - i))
                for i in range(0, len(self.x_valid), self.eval_batch_size)]
        return sum(a * n for a, n in accs) / sum(n for _, n in accs)


# ---------------------------------------------------------------- the loop
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
        record = {"epoch": epoch, "train_loss": task.train_epoch(epoch, sample)}
        if mode == "enas":
            stats = [reinforce.step(lambda m: task.reward(m, task.random_minibatch(rng)), rng)
                     for _ in range(controller_steps)]
            for key in ("reward", "baseline", "entropy"):
                record[key] = sum(s[key] for s in stats) / len(stats)
        record["arch"] = sample()
        if evaluate_every and (epoch + 1) % evaluate_every == 0:
            record["valid"] = task.evaluate(record["arch"])
        history.append(record)
        if checkpoint is not None:
            save_checkpoint(checkpoint, supernet=task.supernet, optimizer=task.optimizer, controller=controller,
                            reinforce=reinforce, history=history, epoch=epoch, rng=rng.getstate())
        if on_epoch is not None:
            on_epoch(record)
    return history


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


# ---------------------------------------------------------------- retraining from scratch
def retrain_ptb(cell, corpus, nhid, epochs, batch_size=64, eval_batch_size=10, bptt=35, lr=20.0, clip=0.25,
                dropouts=(0.5, 0.5, 0.5, 0.5, 0.1), max_batches=None, seed=0):
    """Train ``RNNModel`` for the ENAS cell from scratch, through the one training loop (plain SGD, weight decay
    1.2e-6, ``bptt``-long batches); return the validation perplexity after each epoch."""
    torch.manual_seed(seed)
    model = RNNModel(len(corpus.vocab), nhid, nhid, nhid, *dropouts, genotype=to_genotype(cell), init_op=cell[0][0])
    train, valid = batchify(corpus.train, batch_size), batchify(corpus.valid, eval_batch_size)
    recipe = ptb.Recipe(epochs=epochs, bptt=bptt, variable_bptt=False, lr=lr, clip=clip, weight_decay=1.2e-6,
                        beta=0.0, nonmono=0, eval_batch_size=eval_batch_size, max_batches=max_batches or 0, seed=seed)
    return [row["valid_ppl"] for row in ptb.epochs(model, train, valid, recipe, ptb.State(ptb.sgd(model, recipe)))]


def retrain_cifar(arch, data, space, C, epochs, layers=None, batch_size=128, lr_max=0.05, lr_min=0.0005,
                  image_size=32, max_batches=None, seed=0):
    """Train the network of ``arch`` in ``space`` (``MacroNetwork`` for a macro architecture, ``NetworkCIFAR`` with
    ``layers`` cells for a micro cell) from scratch on the training images, through the one training loop:
    SGD with Nesterov momentum 0.9, weight decay 3e-4, the cosine from ``lr_max`` to ``lr_min`` per epoch, crops
    padded by 4, gradients clipped to 5. Returns the test accuracy after each epoch."""
    torch.manual_seed(seed)
    model = build_network(arch, space, C, layers, 10)
    x_train, y_train = resized(data.x_train, image_size), torch.as_tensor(data.y_train)
    x_test, y_test = resized(data.x_test, image_size), torch.as_tensor(data.y_test)
    recipe = Recipe(epochs=epochs, batch_size=batch_size, lr=lr_max, lr_min=lr_min, nesterov=True,
                    weight_decay=3e-4, grad_clip=5.0, crop_padding=4, max_batches=max_batches or 0)
    optimizer = sgd(model, recipe)
    scheduler = cosine(optimizer, recipe, len(x_train))
    return [evaluate(model, x_test, y_test, 500)[1]
            for _ in train_epochs(model, x_train, y_train, recipe, stream_draws(seed, "cpu"), optimizer, scheduler)]
