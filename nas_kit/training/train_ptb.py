"""Final training of a recurrent cell on Penn Treebank, as DARTS evaluates it (Liu et al. 2019,
appendix A.1.2 and A.2; quark0/darts rnn/train.py, which follows AWD-LSTM, Merity et al. 2018).

One recurrent layer with the cell, embedding and hidden size 850, tied weights; variational dropout
on the output (0.75), the hidden state (0.25), the cell's input (0.75) and the embeddings (0.2), and
embedding dropout of whole words (0.1).  SGD with learning rate 20, batch 64, weight decay 8e-7,
gradients clipped to norm 0.25, temporal activation regularisation (beta 1e-3); a BPTT length drawn
per batch as in AWD-LSTM (35, or 17.5 with probability 0.05, plus N(0, 5) noise, at least 5, at most
55), the learning rate scaled by length / 35.  When the validation loss has not improved on the best
of all but the last ``nonmono`` = 5 epochs, the optimiser switches to averaged SGD
(``torch.optim.ASGD`` with t0 = 0, lambda = 0, the average of every iterate since the switch), and
from then on the averaged weights are the ones evaluated.

The model with the best validation loss is kept; at the end it is evaluated on the test set with
batch size 1, the perplexity the papers report (DARTS: 55.7 with 23M parameters).

Each epoch draws its BPTT lengths and dropout masks from generators seeded by (seed, epoch), and a
checkpoint (weights, optimiser, best model, validation history) is written after every epoch, so a
killed run resumes with the same numbers, losing at most the epoch in progress.

A non-finite training loss rolls the run back, as DARTS's script does when its loss becomes NaN: the
weights and optimiser return to where the epoch began (DARTS reloads its best-model checkpoint, which
early in training is the same state) and training goes on with the next epoch's BPTT lengths and
dropout masks.  After ``MAX_ROLLBACKS`` such epochs in a row the run stops with a message.
"""
from __future__ import annotations

import copy
import math
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.data import batchify, get_batch, load_ptb, make_ptb_like
from nas_kit.models.ptb_lm import RNNModel
from nas_kit.models.recurrent import ACTIVATIONS
from nas_kit.config import SWITCH, override, resolve_device, switch
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress

# full: DARTS rnn/train.py's defaults (8000 epochs: "until convergence").  quick: the same recipe, shrunk
# (smaller model, fewer tokens and epochs) to run in seconds on a CPU on the kit's own corpus.
# init_op: the activation of node 0 (tanh in DARTS; an ENAS cell's node 1 has its own, which a search reports).
# amp is off by default here: the recurrence carries its state through 35 steps of small matrix products,
# where bf16 loses precision and gains little.
RECIPE = {
    "full": dict(epochs=8000, batch_size=64, bptt=35, max_seq_len_delta=20, lr=20.0, clip=0.25, weight_decay=8e-7,
                 emsize=850, dropout=0.75, dropouth=0.25, dropoutx=0.75, dropouti=0.2, dropoute=0.1, alpha=0.0,
                 beta=1e-3, nonmono=5, eval_batch_size=10, test_batch_size=1, init_op="tanh", data="ptb",
                 data_root="", n_train=0, n_valid=0, n_test=0, seed=0, device="auto", amp="off", threads=0),
    "quick": dict(epochs=10, batch_size=32, bptt=35, max_seq_len_delta=20, lr=20.0, clip=0.25, weight_decay=8e-7,
                  emsize=64, dropout=0.75, dropouth=0.25, dropoutx=0.75, dropouti=0.2, dropoute=0.1, alpha=0.0,
                  beta=1e-3, nonmono=5, eval_batch_size=10, test_batch_size=1, init_op="tanh", data="synthetic",
                  data_root="", n_train=20000, n_valid=2000, n_test=2000, seed=0, device="auto", amp="off", threads=1),
}
CHOICES = {"data": ("synthetic", "ptb"), "amp": SWITCH, "init_op": tuple(ACTIVATIONS)}
MAX_ROLLBACKS = 3     # non-finite epochs in a row before a run gives up


def recipe(profile: str = "quick", **overrides) -> dict:
    """The settings of ``profile`` with ``overrides`` applied (checked: an unknown key is an error)."""
    if profile not in RECIPE:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(RECIPE)}.")
    return override(RECIPE[profile], overrides, f"train on ptb ({profile} profile)", CHOICES)


def check(settings: dict) -> None:
    for key in ("epochs", "batch_size", "bptt", "emsize", "eval_batch_size", "test_batch_size", "nonmono"):
        if settings[key] < 1:
            raise ValueError(f"setting {key}={settings[key]} must be at least 1.")
    for key in ("dropout", "dropouth", "dropoutx", "dropouti", "dropoute"):
        if not 0 <= settings[key] < 1:
            raise ValueError(f"setting {key}={settings[key]} must be in [0, 1).")
    if settings["lr"] <= 0:
        raise ValueError(f"setting lr={settings['lr']} must be positive.")
    resolve_device(settings["device"])


def load_corpus(settings: dict):
    """The kit's synthetic corpus (``data=synthetic``) or Penn Treebank, cut to n_train / n_valid / n_test tokens when > 0."""
    n = settings["n_train"], settings["n_valid"], settings["n_test"]
    if settings["data"] == "synthetic":
        corpus = make_ptb_like(seed=0, **{k: v for k, v in zip(("n_train", "n_valid", "n_test"), n) if v})
    else:
        corpus = load_ptb(settings["data_root"] or None)
    return corpus._replace(train=corpus.train[:n[0] or None], valid=corpus.valid[:n[1] or None],
                           test=corpus.test[:n[2] or None])


def build(genotype, ntoken: int, settings: dict) -> RNNModel:
    """The language model, its weights drawn from ``settings['seed']``."""
    torch.manual_seed(settings["seed"])
    s = settings
    return RNNModel(ntoken, s["emsize"], s["emsize"], s["emsize"], s["dropout"], s["dropouth"], s["dropoutx"],
                    s["dropouti"], s["dropoute"], genotype=genotype, init_op=s["init_op"])


def count_parameters(model) -> int:
    """Every parameter once (the tied embedding and decoder are one matrix), as DARTS counts them."""
    return sum(p.numel() for p in model.parameters())


def _asgd(model, settings):
    """ASGD as DARTS and AWD-LSTM switch to it; on CUDA its step counters stay on the GPU (no host sync per step)."""
    on_cuda = next(model.parameters()).is_cuda
    return torch.optim.ASGD(model.parameters(), lr=settings["lr"], t0=0, lambd=0.0, weight_decay=settings["weight_decay"],
                            capturable=on_cuda)


def _sgd(model, settings):
    return torch.optim.SGD(model.parameters(), lr=settings["lr"], weight_decay=settings["weight_decay"])


@torch.no_grad()
def evaluate(model, data, batch_size, bptt, autocast=None) -> float:
    """The mean negative log-likelihood per token of a batchified stream (DARTS rnn/train.py's evaluate)."""
    model.eval()
    hidden = model.init_hidden(batch_size)
    total = torch.zeros((), device=data.device)
    for i in range(0, data.size(0) - 1, bptt):
        x, y = get_batch(data, i, bptt)
        with autocast or torch.autocast(data.device.type, enabled=False):
            log_prob, hidden = model(x, hidden)
        total += F.nll_loss(log_prob.float().view(-1, log_prob.size(-1)), y.reshape(-1)) * len(x)
    return total.item() / (len(data) - 1)


@contextmanager
def averaged_weights(model, optimizer):
    """Inside, the model holds ASGD's averaged weights (its 'ax' state); outside, its own again.  A no-op under SGD."""
    if not isinstance(optimizer, torch.optim.ASGD):
        yield
        return
    saved = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            if "ax" in optimizer.state[p]:
                p.copy_(optimizer.state[p]["ax"])
    try:
        yield
    finally:
        with torch.no_grad():
            for p, w in zip(model.parameters(), saved):
                p.copy_(w)


def train_epoch(model, optimizer, train_data, s: dict, epoch: int, bar, steps: int, autocast) -> float:
    """One epoch of AWD-LSTM training (variable BPTT, AR/TAR, clipping); the mean training loss, read once at the end."""
    device, bptt0 = train_data.device, s["bptt"]
    seed = s["seed"] * 100_003 + epoch
    torch.manual_seed(seed)                              # dropout masks
    rng = np.random.default_rng(seed)                    # BPTT lengths
    model.train()
    hidden = model.init_hidden(s["batch_size"])
    loss_sum, batches, i = torch.zeros((), device=device), 0, 0
    bar.start_epoch(epoch, steps)
    while i < train_data.size(0) - 1 - 1:
        bptt = bptt0 if rng.random() < 0.95 else bptt0 / 2
        seq_len = min(max(5, int(rng.normal(bptt, 5))), bptt0 + s["max_seq_len_delta"])
        lr = optimizer.param_groups[0]["lr"]
        optimizer.param_groups[0]["lr"] = lr * seq_len / bptt0
        x, y = get_batch(train_data, i, seq_len)
        hidden = [h.detach() for h in hidden]
        with autocast:
            log_prob, hidden, rnn_hs, dropped_rnn_hs = model(x, hidden, return_h=True)
            raw_loss = F.nll_loss(log_prob.float().view(-1, log_prob.size(-1)), y.reshape(-1))
            loss = raw_loss
            if s["alpha"]:                                           # activation regularisation
                loss = loss + s["alpha"] * dropped_rnn_hs[-1].float().pow(2).mean()
            if s["beta"]:                                            # temporal activation regularisation
                loss = loss + s["beta"] * (rnn_hs[-1][1:] - rnn_hs[-1][:-1]).float().pow(2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), s["clip"])
        optimizer.step()
        optimizer.param_groups[0]["lr"] = lr
        loss_sum += raw_loss.detach()
        bar.step(min(batches, steps - 1), lambda: {"ppl": math.exp(min(50.0, loss_sum.item() / (batches + 1)))})
        batches, i = batches + 1, i + seq_len
    return loss_sum.item() / max(batches, 1)                         # the epoch's one sync


def _snapshot(model, optimizer) -> dict:
    return {"model": copy.deepcopy(model.state_dict()), "optimizer": copy.deepcopy(optimizer.state_dict())}


def _restore(model, optimizer, snapshot: dict) -> None:
    model.load_state_dict(snapshot["model"])
    optimizer.load_state_dict(snapshot["optimizer"])


def _save(path, run_dir, model, optimizer, history, epoch, best_val, val_losses, best_state, s, rollbacks) -> None:
    """The checkpoint after ``epoch`` and the metrics so far (nothing without a run directory)."""
    if path is None:
        return
    save_checkpoint(path, model=model, optimizer=optimizer, asgd=isinstance(optimizer, torch.optim.ASGD),
                    history=history, epoch=epoch, best_val=best_val, val_losses=val_losses, best_state=best_state,
                    settings=s, rollbacks=rollbacks)
    rd.write_metrics(Path(run_dir) / rd.METRICS, history)


def train_ptb(genotype, settings: dict | None = None, run_dir=None, resume: bool = False, progress: str = "auto",
              corpus=None) -> dict:
    """Train the language model of ``genotype`` (an RNNGenotype) with ``settings`` (default: the quick recipe).

    run_dir, resume, progress: as ``nas_kit.training.train_cifar.train_cifar``; corpus: a Corpus to use
    instead of loading ``settings['data']``.  Results: valid_ppl and test_ppl of the best model (test with
    batch ``test_batch_size`` = 1), params_M, epochs, history (one dict per epoch).
    """
    s = dict(recipe("quick") if settings is None else settings)
    check(s)
    device = resolve_device(s["device"])
    amp = switch(s["amp"], device)
    if s["threads"]:
        torch.set_num_threads(s["threads"])
    corpus = load_corpus(s) if corpus is None else corpus
    train_data = batchify(corpus.train, s["batch_size"]).to(device)
    valid_data = batchify(corpus.valid, s["eval_batch_size"]).to(device)
    test_data = batchify(corpus.test, s["test_batch_size"]).to(device)
    if train_data.size(0) < 2 or valid_data.size(0) < 2:
        raise ValueError(f"the corpus is too small for batch_size={s['batch_size']} and eval_batch_size="
                         f"{s['eval_batch_size']}: use more tokens (n_train, n_valid) or smaller batches.")

    model = build(genotype, len(corpus.vocab), s).to(device)
    optimizer = _sgd(model, s)
    history, start, best_val, val_losses, best_state, rollbacks = [], 0, math.inf, [], None, 0
    path = Path(run_dir) / rd.CHECKPOINT if run_dir is not None else None
    if resume and path is not None and path.is_file():
        try:
            payload = load_checkpoint(path, model=model)
            if payload["asgd"]:
                optimizer = _asgd(model, s)
            optimizer.load_state_dict(payload["optimizer"])
        except (RuntimeError, KeyError, ValueError):
            raise ValueError(f"the checkpoint {path} does not fit this model (it was made with other settings): "
                             f"resume with the run's own config.json, or start a new run directory.") from None
        history, start = payload["history"], payload["epoch"] + 1
        best_val, val_losses, best_state = payload["best_val"], payload["val_losses"], payload["best_state"]
        rollbacks = payload.get("rollbacks", 0)

    epochs, bptt0 = s["epochs"], s["bptt"]
    steps = max(1, (train_data.size(0) - 2) // bptt0)
    bar = Progress(epochs, done=start, mode=progress)
    if start:
        bar.note(f"resumed after epoch {start} of {epochs} from {path}")
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)

    for epoch in range(start, epochs):
        t0 = time.perf_counter()
        before = _snapshot(model, optimizer)
        train_loss = train_epoch(model, optimizer, train_data, s, epoch, bar, steps, autocast)
        averaged = isinstance(optimizer, torch.optim.ASGD)
        if not math.isfinite(train_loss):                                 # DARTS's roll-back
            rollbacks += 1
            if rollbacks > MAX_ROLLBACKS:
                raise FloatingPointError(f"the training loss was not finite in {rollbacks} epochs in a row (epoch "
                                         f"{epoch + 1}: {train_loss}): train again with a smaller learning rate "
                                         f"(--set lr=...).")
            _restore(model, optimizer, before)
            last = history[-1] if history else {}
            history.append(dict(epoch=epoch + 1, optimizer="asgd" if averaged else "sgd", train_loss=train_loss,
                                train_ppl=math.nan, valid_loss=last.get("valid_loss", math.nan),
                                valid_ppl=last.get("valid_ppl", math.nan), best_valid_ppl=math.exp(min(best_val, 700)),
                                seconds=time.perf_counter() - t0, rolled_back=1))
            _save(path, run_dir, model, optimizer, history, epoch, best_val, val_losses, best_state, s, rollbacks)
            bar.end_epoch(epoch, {"ppl": math.nan})
            bar.note(f"the training loss became {train_loss} in epoch {epoch + 1}: rolled back to the weights "
                     f"it began with, going on with epoch {epoch + 2}")
            continue
        rollbacks = 0
        with averaged_weights(model, optimizer):
            val_loss = evaluate(model, valid_data, s["eval_batch_size"], bptt0, autocast)
            if val_loss < best_val:
                best_val = val_loss
                best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        switched = False
        if not averaged:
            if len(val_losses) > s["nonmono"] and val_loss > min(val_losses[:-s["nonmono"]]):
                optimizer, switched = _asgd(model, s), True
            val_losses.append(val_loss)
        row = dict(epoch=epoch + 1, optimizer="asgd" if averaged else "sgd", train_loss=train_loss,
                   train_ppl=math.exp(min(train_loss, 700)), valid_loss=val_loss, valid_ppl=math.exp(min(val_loss, 700)),
                   best_valid_ppl=math.exp(min(best_val, 700)), seconds=time.perf_counter() - t0, rolled_back=0)
        history.append(row)
        _save(path, run_dir, model, optimizer, history, epoch, best_val, val_losses, best_state, s, rollbacks)
        bar.end_epoch(epoch, {"ppl": row["train_ppl"], "valid_ppl": row["valid_ppl"]})
        if switched:
            bar.note(f"switched to averaged SGD after epoch {epoch + 1}")

    if best_state is None:
        raise FloatingPointError("the validation loss was never finite, so there is no model to test: "
                                 "train again with a smaller learning rate (--set lr=...).")
    final = copy.deepcopy(model)
    final.load_state_dict(best_state)
    test_loss = evaluate(final, test_data, s["test_batch_size"], bptt0, autocast)
    results = dict(valid_ppl=math.exp(best_val), test_ppl=math.exp(test_loss), params_M=count_parameters(model) / 1e6,
                   epochs=len(history), history=history)
    if run_dir is not None:
        rd.write_json(Path(run_dir) / rd.RESULTS, {k: v for k, v in results.items() if k != "history"})
    return results
