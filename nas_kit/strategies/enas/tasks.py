"""The shared-weight tasks of ENAS (Pham et al. 2018, sections 3.1-3.2): a supernet, its optimizer and its data,
with one epoch of shared-weight training (one sampled architecture per minibatch) and the rewards of
architectures on validation minibatches. ``nas_kit.strategies.enas.search`` alternates them with the controller.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.data.cifar10 import augment, normalize
from nas_kit.data.ptb import batchify, get_batch
from nas_kit.training.cifar import resized


def _mode(net, training):
    """``net.train(training)``, skipped when the network is already there (it walks every module of the supernet)."""
    return net if net.training == training else net.train(training)


class PTBTask:
    """Shared-weight training and rewards on a word-level corpus (ENAS section 3.1).

    ``lr`` is SGD's (20 in the paper), multiplied by ``lr_decay`` every epoch from ``decay_start``
    (0.96 from epoch 15); gradients clipped to norm ``clip`` (0.25); reward = ``reward_c`` / ppl (c = 80).
    """

    def __init__(self, corpus, supernet, batch_size=64, eval_batch_size=10, bptt=35, lr=20.0, clip=0.25,
                 weight_decay=2e-7, lr_decay=0.96, decay_start=15, reward_c=80.0, max_batches=None):
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
        return float(torch.exp(F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1))))   # inf, not an error

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
        return math.exp(total / n) if total / n < 700 else math.inf      # exp overflows past ~709


def cosine_lr(epoch, lr_max, lr_min, T0, T_mul=2):
    """Cosine annealing with warm restarts (Loshchilov & Hutter 2017), per epoch, as ENAS's ``get_train_ops``:
    a cycle of ``T0`` epochs, then ``T0 * T_mul``, ...; within a cycle ``lr_min + (lr_max - lr_min)(1 + cos(pi t / T)) / 2``."""
    start, T = 0, T0
    while epoch - start >= T:
        start, T = start + T, T * T_mul
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * (epoch - start) / T))


class CIFARTask:
    """Shared-weight training and rewards on images (ENAS section 3.2).

    The last ``n_valid`` training images are held out as the validation set of the rewards (ENAS
    uses 5,000 of the 50,000).  SGD with Nesterov momentum 0.9, the cosine learning rate of
    ``cosine_lr`` from ``lr_max`` to ``lr_min`` (one cycle over ``epochs``, or warm restarts after
    ``lr_T0``, ``lr_T0 * lr_T_mul``, ... epochs: the ENAS scripts use 10 and 2), gradients clipped to
    norm 5.  Rewards and evaluation use batch statistics in BatchNorm, as micro_child.py does during the
    search (its ``_model`` forces ``is_training``): running averages would mix every architecture.
    general_child.py's macro rewards use the moving averages instead; the kit keeps batch statistics for both.  A supernet that returns ``(logits, aux_logits)``
    in training (the micro supernet with its aux head) is trained on CE + ``aux_weight`` CE(aux) (0.4,
    micro_child.py).  A reward is the accuracy on ``eval_batch_size`` validation images, not augmented
    (``build_valid_rl`` is called with ``shuffle=False``, so its crop and flip are not applied).
    """

    def __init__(self, data, supernet, n_valid=5000, batch_size=128, eval_batch_size=500, lr_max=0.05,
                 lr_min=0.0005, epochs=310, weight_decay=2.5e-4, image_size=32, do_augment=True, max_batches=None,
                 lr_T0=None, lr_T_mul=2, aux_weight=0.4):
        self.supernet, self.space = supernet, supernet.space
        x, y = resized(data.x_train, image_size), torch.as_tensor(data.y_train)
        self.x_train, self.y_train = x[:-n_valid], y[:-n_valid]
        self.x_valid, self.y_valid = normalize(x[-n_valid:]), y[-n_valid:]
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.lr_max, self.lr_min, self.epochs = lr_max, lr_min, epochs
        self.lr_T0, self.lr_T_mul = lr_T0 or epochs, lr_T_mul
        self.do_augment, self.max_batches, self.aux_weight = do_augment, max_batches, aux_weight
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
            out = net(x, sample())
            logits, aux = out if isinstance(out, tuple) else (out, None)
            loss = F.cross_entropy(logits, self.y_train[idx])
            if aux is not None:
                loss = loss + self.aux_weight * F.cross_entropy(aux, self.y_train[idx])
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
