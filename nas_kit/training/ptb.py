"""The one training loop on a token stream, as DARTS trains its recurrent cells (rnn/train.py, after AWD-LSTM,
Merity et al. 2018): SGD, gradients clipped, a BPTT length drawn per batch (35, or 17.5 with probability
0.05, plus N(0, 5) noise, at least 5, at most 35 + ``max_seq_len_delta``) with the learning rate scaled by
length / 35, activation and temporal activation regularisation (``alpha``, ``beta``), and averaged SGD
once the validation loss has not improved on the best of all but the last ``nonmono`` epochs
(``torch.optim.ASGD`` with t0 = 0, lambda = 0: the average of every iterate since the switch, the weights
evaluated from then on). The final training of a genotype (``train_ptb``), the DARTS children
(``nas_kit.estimation.rnn_child``) and ENAS's retraining (``nas_kit.strategies.enas.retrain``) all train
through it, each with its recipe.

    state = State(sgd(model, recipe))
    for row in epochs(model, train_data, valid_data, recipe, state):
        ...                                   # checkpoint, record: whatever the caller needs

Each epoch draws its BPTT lengths and dropout masks from generators seeded by (seed, epoch), so a resumed
run repeats an uninterrupted one. A non-finite training loss rolls the epoch back, as DARTS's script does
when its loss becomes NaN: the weights and optimiser return to where the epoch began and training goes on
with the next epoch's draws; the ``MAX_ROLLBACKS``-th such epoch in a row stops the run with a message.
"""
from __future__ import annotations

import copy
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.data import get_batch

MAX_ROLLBACKS = 3     # non-finite epochs in a row that stop a run (the last one is not rolled back)


@dataclass(frozen=True)
class Recipe:
    """How a language model is trained; the defaults are DARTS rnn/train.py's."""
    epochs: int = 8000
    bptt: int = 35
    variable_bptt: bool = True       # AWD-LSTM's random BPTT lengths; False: every batch is ``bptt`` long
    max_seq_len_delta: int = 20
    lr: float = 20.0
    clip: float = 0.25
    weight_decay: float = 8e-7
    alpha: float = 0.0               # activation regularisation
    beta: float = 1e-3               # temporal activation regularisation
    nonmono: int = 5                 # epochs without improvement before averaged SGD; 0: plain SGD throughout
    lr_decay: float = 1.0            # lr * lr_decay ** (epoch - decay_start) from epoch decay_start (ENAS), ...
    decay_start: int = 0
    lr_min: float = 0.0              # ... never below lr_min
    eval_batch_size: int = 10
    max_batches: int = 0             # per epoch; 0: the whole stream
    seed: int = 0


@dataclass
class State:
    """What a run carries from epoch to epoch (and its checkpoint holds)."""
    optimizer: torch.optim.Optimizer
    history: list = field(default_factory=list)
    best_val: float = math.inf
    val_losses: list = field(default_factory=list)
    best_state: dict | None = None
    rollbacks: int = 0
    note: str = ""                   # what the last epoch did besides training (rolled back, switched to ASGD)


def sgd(model, recipe: Recipe) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)


def asgd(model, recipe: Recipe) -> torch.optim.ASGD:
    """ASGD as DARTS and AWD-LSTM switch to it; on CUDA its step counters stay on the GPU (no host sync per step)."""
    on_cuda = next(model.parameters()).is_cuda
    return torch.optim.ASGD(model.parameters(), lr=recipe.lr, t0=0, lambd=0.0, weight_decay=recipe.weight_decay,
                            capturable=on_cuda)


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


def steps_per_epoch(train_data, recipe: Recipe) -> int:
    steps = max(1, (train_data.size(0) - 2) // recipe.bptt)
    return min(steps, recipe.max_batches) if recipe.max_batches else steps


def epoch_lr(r: Recipe, epoch: int) -> float:
    """The learning rate of (0-based) ``epoch`` under ENAS's decay: lr * lr_decay ** max(0, epoch - decay_start),
    at least lr_min (src/ptb/ptb_enas_child.py: lr_dec_rate per epoch from lr_dec_start, floored at lr_dec_min)."""
    return max(r.lr_min, r.lr * r.lr_decay ** max(0, epoch - r.decay_start))


def _sequence_length(rng, r: Recipe) -> int:
    if not r.variable_bptt:
        return r.bptt
    bptt = r.bptt if rng.random() < 0.95 else r.bptt / 2
    return min(max(5, int(rng.normal(bptt, 5))), r.bptt + r.max_seq_len_delta)


def _loss(model, x, y, hidden, r: Recipe):
    log_prob, hidden, rnn_hs, dropped_rnn_hs = model(x, hidden, return_h=True)
    raw_loss = F.nll_loss(log_prob.float().view(-1, log_prob.size(-1)), y.reshape(-1))
    loss = raw_loss
    if r.alpha:                                           # activation regularisation
        loss = loss + r.alpha * dropped_rnn_hs[-1].float().pow(2).mean()
    if r.beta:                                            # temporal activation regularisation
        loss = loss + r.beta * (rnn_hs[-1][1:] - rnn_hs[-1][:-1]).float().pow(2).mean()
    return loss, raw_loss, hidden


def train_epoch(model, optimizer, train_data, r: Recipe, epoch: int, bar, steps: int, autocast) -> float:
    """One epoch of training (BPTT lengths, AR/TAR, clipping); the mean training loss, read once at the end."""
    seed = r.seed * 100_003 + epoch
    torch.manual_seed(seed)                              # dropout masks
    rng = np.random.default_rng(seed)                    # BPTT lengths
    model.train()
    if r.lr_decay != 1.0:                                # ENAS's decay (ptb_final.sh), set from the epoch alone
        optimizer.param_groups[0]["lr"] = epoch_lr(r, epoch)
    hidden = model.init_hidden(train_data.size(1))
    loss_sum, batches, i = torch.zeros((), device=train_data.device), 0, 0
    if bar is not None:
        bar.start_epoch(epoch, steps)
    while i < train_data.size(0) - 1 - 1 and not (r.max_batches and batches >= r.max_batches):
        seq_len = _sequence_length(rng, r)
        lr = optimizer.param_groups[0]["lr"]
        if r.variable_bptt:
            optimizer.param_groups[0]["lr"] = lr * seq_len / r.bptt
        x, y = get_batch(train_data, i, seq_len)
        with autocast or torch.autocast(train_data.device.type, enabled=False):
            loss, raw_loss, hidden = _loss(model, x, y, [h.detach() for h in hidden], r)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), r.clip)
        optimizer.step()
        optimizer.param_groups[0]["lr"] = lr
        loss_sum += raw_loss.detach()
        if bar is not None:
            bar.step(min(batches, steps - 1), lambda: {"ppl": math.exp(min(50.0, loss_sum.item() / (batches + 1)))})
        batches, i = batches + 1, i + seq_len
    return loss_sum.item() / max(batches, 1)                         # the epoch's one sync


def _ppl(loss: float) -> float:
    return math.exp(min(loss, 700))


def _rollback(model, state: State, before: dict, epoch: int, train_loss: float, t0: float) -> dict:
    """Return to the weights the epoch began with (DARTS reloads its best-model checkpoint, which early in
    training is the same state); the row of the rolled-back epoch."""
    state.rollbacks += 1
    if state.rollbacks >= MAX_ROLLBACKS:
        raise FloatingPointError(f"the training loss was not finite in {state.rollbacks} epochs in a row (epoch "
                                 f"{epoch + 1}: {train_loss}): train again in a new --run-dir with a smaller "
                                 f"learning rate (--set lr=...).")
    model.load_state_dict(before["model"])
    state.optimizer.load_state_dict(before["optimizer"])
    last = state.history[-1] if state.history else {}
    state.note = (f"the training loss became {train_loss} in epoch {epoch + 1}: rolled back to the weights "
                  f"it began with, going on with epoch {epoch + 2}")
    return dict(epoch=epoch + 1, optimizer=_name(state.optimizer), train_loss=train_loss, train_ppl=math.nan,
                valid_loss=last.get("valid_loss", math.nan), valid_ppl=last.get("valid_ppl", math.nan),
                best_valid_ppl=_ppl(state.best_val), seconds=time.perf_counter() - t0, rolled_back=1)


def _name(optimizer) -> str:
    return "asgd" if isinstance(optimizer, torch.optim.ASGD) else "sgd"


def _validate(model, valid_data, r: Recipe, state: State, autocast, epoch: int) -> float:
    """The validation loss (with ASGD's averaged weights once it runs), the best model kept, and the switch
    to ASGD when the loss has stalled."""
    averaged = isinstance(state.optimizer, torch.optim.ASGD)
    with averaged_weights(model, state.optimizer):
        val_loss = evaluate(model, valid_data, r.eval_batch_size, r.bptt, autocast)
        if val_loss < state.best_val:
            state.best_val = val_loss
            state.best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    if not averaged and r.nonmono:
        if len(state.val_losses) > r.nonmono and val_loss > min(state.val_losses[:-r.nonmono]):
            state.optimizer = asgd(model, r)
            state.note = f"switched to averaged SGD after epoch {epoch + 1}"
        state.val_losses.append(val_loss)
    return val_loss


def epochs(model, train_data, valid_data, recipe: Recipe, state: State, start: int = 0, autocast=None, bar=None):
    """Train from epoch ``start`` to ``recipe.epochs``, yielding after each epoch its row (also appended to
    ``state.history``; ``state.note`` says what else the epoch did). Without ``valid_data`` nothing is
    validated, and the optimiser stays SGD."""
    steps = steps_per_epoch(train_data, recipe)
    for epoch in range(start, recipe.epochs):
        t0 = time.perf_counter()
        before = {"model": copy.deepcopy(model.state_dict()), "optimizer": copy.deepcopy(state.optimizer.state_dict())}
        name, state.note = _name(state.optimizer), ""
        train_loss = train_epoch(model, state.optimizer, train_data, recipe, epoch, bar, steps, autocast)
        if not math.isfinite(train_loss):                                 # DARTS's roll-back
            row = _rollback(model, state, before, epoch, train_loss, t0)
        else:
            state.rollbacks = 0
            row = dict(epoch=epoch + 1, optimizer=name, train_loss=train_loss, train_ppl=_ppl(train_loss))
            if valid_data is not None:
                val_loss = _validate(model, valid_data, recipe, state, autocast, epoch)
                row.update(valid_loss=val_loss, valid_ppl=_ppl(val_loss), best_valid_ppl=_ppl(state.best_val))
            row.update(seconds=time.perf_counter() - t0, rolled_back=0)
        state.history.append(row)
        yield row
