"""The DARTS search loop (Liu et al. 2019, Alg. 1; quark0/darts cnn/train_search.py and rnn/train_search.py).

    while not converged:
        1. update alpha by descending grad_alpha L_val(w - xi grad_w L_train(w, alpha), alpha)   (xi = 0: first order)
        2. update w by descending grad_w L_train(w, alpha)

CNN: the CIFAR-10 training set is split in half, one half for w, the other for alpha
(section 3.1.1); w by SGD (lr 0.025 cosine to 0.001, momentum 0.9, weight decay 3e-4,
gradient clip 5), alpha by Adam (lr 3e-4, betas (0.5, 0.999), weight decay 1e-3), 50 epochs,
batch 64, random crop and flip.  RNN: w on PTB's training text, alpha on its validation
text, as in the DARTS code; SGD lr 20, weight decay 5e-7, clip 0.25, batch 256, BPTT 35 (17 one step in 20,
the lr scaled by the length), temporal activation regularisation 1e-3; alpha by Adam lr 3e-3, weight decay 1e-3
(A.1.2, rnn/train_search.py).

After every epoch the loop records softmax(alpha), the derived genotype and the accuracy
(or perplexity) in ``history``, given ``run_dir`` writes a checkpoint from which ``resume=True``
continues exactly (same batches, same numbers), and calls ``on_epoch(history)`` when given (also once on
resume, so that what the caller writes catches up with the checkpoint). An epoch whose loss, alphas or weights
are not finite stops the search with a FloatingPointError, before its checkpoint: the last one is finite, and
no genotype is derived from NaN alphas.

"""
from __future__ import annotations

import math
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from nas_kit.data import augment, get_batch, normalize
from nas_kit.genotypes import to_darts_string
from nas_kit.strategies.darts.architect import Architect
from nas_kit.strategies.darts.derive import cnn_genotype, rnn_genotype
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.divergence import non_finite, stop_if_diverged

CHECKPOINT = "darts_search.pt"


def split_half(n, seed=0):
    """Indices of the two halves of a training set of size n (a seeded permutation): (for w, for alpha)."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return perm[: n // 2], perm[n // 2:]


def cnn_loss(forward, batch):
    x, y = batch
    return F.cross_entropy(forward(x), y)


def rnn_loss(forward, batch):
    """Mean negative log-likelihood of the next word; returns (loss, hidden) so the hidden state carries on."""
    x, y, hidden = batch
    log_prob, hidden = forward(x, hidden)
    return F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1)), hidden


@torch.no_grad()
def perplexity(model, data, bptt=35):
    """exp(mean next-word negative log-likelihood) of a language model over a batchified stream, in eval mode."""
    model.eval()
    hidden, total, count = model.init_hidden(data.size(1)), 0.0, 0
    for i in range(0, data.size(0) - 1, bptt):
        x, y = get_batch(data, i, bptt)
        loss, hidden = rnn_loss(model, (x, y, hidden))
        total, count = total + float(loss) * len(x), count + len(x)
    return math.exp(total / count)


def _alpha_probs(model):
    return [F.softmax(a.detach().float().cpu(), dim=-1).tolist() for a in model.arch_parameters()]


def _run(model, architect, w_optimizer, scheduler, epochs, train_epoch, evaluate, derive, run_dir, resume, log,
         on_epoch=None):
    """The shared epoch loop: train, evaluate, derive the genotype, record, checkpoint, then ``on_epoch(history)``;
    resume from ``run_dir`` when asked."""
    history, start = [], 0
    path = Path(run_dir) / CHECKPOINT if run_dir is not None else None
    if resume and path is not None and path.is_file():
        try:
            payload = load_checkpoint(path, model=model, w_optimizer=w_optimizer, scheduler=scheduler,
                                      architect=architect)
        except (RuntimeError, KeyError, ValueError):
            raise ValueError(f"the checkpoint {path} does not fit this search (it was made with other settings): "
                             f"resume with the run's own config.json, or start a new run directory.") from None
        history, start = payload["history"], payload["epoch"] + 1
        log(f"resumed after epoch {payload['epoch']}")
        if on_epoch is not None and history:
            on_epoch(history)
    for epoch in range(start, epochs):
        t0 = time.time()
        stats = train_epoch(epoch)
        scheduler.step()
        stats.update(evaluate())
        check_finite(model, stats, epoch, path if epoch else None)
        genotype = derive(model)
        history.append(dict(epoch=epoch, alphas=_alpha_probs(model), genotype=genotype,
                            genotype_text=to_darts_string(genotype), seconds=time.time() - t0, **stats))
        log(" ".join([f"epoch {epoch}"] + [f"{k} {v:.3f}" for k, v in stats.items()]))
        if path is not None:
            save_checkpoint(path, model=model, w_optimizer=w_optimizer, scheduler=scheduler, architect=architect,
                            history=history, epoch=epoch)
        if on_epoch is not None:
            on_epoch(history)
    return history


def check_finite(model, stats: dict, epoch: int, kept) -> None:
    """FloatingPointError (one sentence) when an epoch's numbers, alphas or weights (batch-norm statistics too)
    are not finite; ``kept``: the checkpoint of the last finite epoch, or None."""
    weights = [t for t in model.state_dict().values() if t.is_floating_point()]
    bad = non_finite({k: float(v) for k, v in stats.items()}, alpha=model.arch_parameters(), weights=weights)
    stop_if_diverged(bad, "DARTS", epoch, kept, "genotype", "--set lr=... or arch_lr=...")


# ---------------------------------------------------------------- CNN cells on images
def search_cnn(model, x, y, epochs=50, batch_size=64, lr=0.025, lr_min=0.001, momentum=0.9, weight_decay=3e-4,
               grad_clip=5.0, arch_lr=3e-4, arch_betas=(0.5, 0.999), arch_weight_decay=1e-3, unrolled=False,
               crop_padding=4, seed=0, run_dir=None, resume=False, log=print, on_epoch=None):
    """Search on (N,3,H,W) images ``x`` in [0, 1] (``nas_kit.data.to_tensor``) and labels ``y``: the
    training set, split here in half.  Training batches of both halves are cropped and flipped, then
    normalised: cnn/train_search.py's valid_queue (alpha's batches) reads the training set with the training
    transform.  The epoch's accuracy on the alpha half (``evaluate``) uses the images as they are.

    Returns the history: one dict per epoch with train_loss, train_acc, valid_acc (the supernet on the
    alpha half), alphas (softmax per edge, normal then reduce), genotype and genotype_text.
    """
    device = next(model.parameters()).device
    idx_w, idx_a = split_half(len(x), seed)
    w_optimizer = torch.optim.SGD(model.weights(), lr, momentum=momentum, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(w_optimizer, epochs, eta_min=lr_min)
    architect = Architect(model, w_optimizer, cnn_loss, arch_lr, arch_betas, arch_weight_decay, unrolled)
    gen = torch.Generator().manual_seed(seed)

    def batch(idx, train=False):
        xb = x[idx].to(device)
        if train and crop_padding:
            xb = augment(xb, padding=crop_padding, generator=None if xb.is_cuda else gen)
        return normalize(xb), y[idx].to(device)

    def train_epoch(epoch):
        gen.manual_seed(seed * 1000 + epoch)  # batches depend on (seed, epoch) only, so a resumed run repeats them
        perm_w, perm_a = idx_w[torch.randperm(len(idx_w), generator=gen)], idx_a[torch.randperm(len(idx_a), generator=gen)]
        model.train()
        total, correct, loss_sum = 0, 0, 0.0
        xi = w_optimizer.param_groups[0]["lr"]
        for s in range(len(perm_w) // batch_size):
            xb, yb = batch(perm_w[s * batch_size:(s + 1) * batch_size], train=True)
            valid = batch(perm_a[s * batch_size:(s + 1) * batch_size], train=True)
            architect.step((xb, yb), valid, xi)                       # 1. alpha
            w_optimizer.zero_grad()                                   # 2. w
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.weights(), grad_clip)
            w_optimizer.step()
            total += len(yb)
            correct += int((logits.argmax(1) == yb).sum())
            loss_sum += float(loss.detach()) * len(yb)
        return dict(train_loss=loss_sum / max(total, 1), train_acc=correct / max(total, 1))

    def evaluate():
        model.eval()
        with torch.no_grad():
            correct = 0
            for i in range(0, len(idx_a), 256):
                xb, yb = batch(idx_a[i:i + 256])
                correct += int((model(xb).argmax(1) == yb).sum())
        return dict(valid_acc=correct / len(idx_a))

    return _run(model, architect, w_optimizer, scheduler, epochs, train_epoch, evaluate, cnn_genotype, run_dir, resume, log,
                on_epoch)


# ---------------------------------------------------------------- recurrent cells on text
def sequence_length(rng: random.Random, bptt: int, variable_bptt: bool = True) -> int:
    """rnn/train_search.py's BPTT length: ``bptt`` with probability 0.95, else ``int(bptt / 2)`` (its N(bptt, 5)
    draw is commented out in the search); always ``bptt`` without ``variable_bptt``."""
    return bptt if not variable_bptt or rng.random() < 0.95 else int(bptt / 2.0)


def temporal_activation_regularisation(rnn_hs, beta: float):
    """TAR (Merity et al. 2018), as rnn/train_search.py: beta * mean((h_{t+1} - h_t)^2) over the last layer."""
    return sum(beta * (h[1:] - h[:-1]).pow(2).mean() for h in rnn_hs[-1:])


def search_rnn(model, train_data, search_data, epochs=50, bptt=35, lr=20.0, weight_decay=5e-7, clip=0.25,
               arch_lr=3e-3, arch_weight_decay=1e-3, unrolled=False, beta=1e-3, variable_bptt=True, seed=0,
               run_dir=None, resume=False, log=print, on_epoch=None):
    """Search on batchified token streams (``nas_kit.data.batchify``): w on ``train_data``, alpha on ``search_data``.

    As rnn/train_search.py: each step's sequence length is ``sequence_length`` (35, or 17 one time in 20), the
    learning rate of that step (w's, and the xi of the unrolled alpha step) is scaled by length / bptt, and w's
    loss adds the temporal activation regularisation with ``beta`` = 1e-3 (alpha's loss is the plain NLL).
    The lengths of epoch e are drawn from ``random.Random`` seeded by (seed, e), so a resumed search repeats them.

    Returns the history: one dict per epoch with train_ppl, valid_ppl (the supernet on ``search_data``),
    alphas, genotype and genotype_text.
    """
    w_optimizer = torch.optim.SGD(model.weights(), lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(w_optimizer, lambda e: 1.0)   # DARTS keeps lr 20 in the search
    architect = Architect(model, w_optimizer, rnn_loss, arch_lr, (0.9, 0.999), arch_weight_decay, unrolled, clip=clip)
    batch_size = train_data.size(1)

    def detach(hidden):
        return [h.detach() for h in hidden]

    def train_epoch(epoch):
        model.train()
        rng = random.Random(seed * 100_003 + epoch)
        hidden, hidden_valid = model.init_hidden(batch_size), model.init_hidden(search_data.size(1))
        loss_sum, steps, i, j = 0.0, 0, 0, 0
        while i < train_data.size(0) - 1 - 1:
            seq_len = sequence_length(rng, bptt, variable_bptt)
            x, y = get_batch(train_data, i, seq_len)
            xv, yv = get_batch(search_data, j, bptt)
            i, j = i + seq_len, (j + bptt if j + bptt < search_data.size(0) - 1 else 0)
            if len(xv) < 2 or len(x) < 2:
                continue
            lr_epoch = w_optimizer.param_groups[0]["lr"]
            w_optimizer.param_groups[0]["lr"] = lr_epoch * seq_len / bptt                            # lr scaling
            hidden_valid = detach(architect.step((x, y, detach(hidden)), (xv, yv, hidden_valid)))   # 1. alpha
            w_optimizer.zero_grad()                                                                   # 2. w
            log_prob, hidden, rnn_hs, _ = model(x, detach(hidden), return_h=True)
            nll = F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1))
            (nll + temporal_activation_regularisation(rnn_hs, beta)).backward()
            torch.nn.utils.clip_grad_norm_(model.weights(), clip)
            w_optimizer.step()
            w_optimizer.param_groups[0]["lr"] = lr_epoch
            loss_sum, steps = loss_sum + float(nll.detach()), steps + 1
        return dict(train_ppl=math.exp(loss_sum / max(steps, 1)))

    def evaluate():
        return dict(valid_ppl=perplexity(model, search_data, bptt))

    return _run(model, architect, w_optimizer, scheduler, epochs, train_epoch, evaluate, rnn_genotype, run_dir, resume, log,
                on_epoch)
