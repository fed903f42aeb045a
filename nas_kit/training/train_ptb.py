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
dropout masks.  After ``MAX_ROLLBACKS`` = 3 such epochs in a row the run stops with a message. The loop
itself is ``nas_kit.training.ptb``'s; this module holds the command's settings and its run directory.
"""
from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch

from nas_kit.config import SWITCH, choice, override, resolve_device, switch
from nas_kit.data import TEXT_DATA, batchify, text
from nas_kit.genotypes import RNN_ACTIVATIONS
from nas_kit.models.ptb_lm import RNNModel
from nas_kit.training import ptb
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress


@dataclass(frozen=True)
class TrainPTB:
    """The settings of ``train`` on Penn Treebank; the defaults are DARTS rnn/train.py's (8000 epochs: "until
    convergence"). init_op: the activation of node 0 (tanh in DARTS; an ENAS cell's node 1 has its own, which
    a search reports). amp is off by default: the recurrence carries its state through 35 steps of small matrix
    products, where bf16 loses precision and gains little."""
    epochs: int = 8000
    batch_size: int = 64
    bptt: int = 35
    variable_bptt: bool = True         # AWD-LSTM's random lengths (DARTS); ENAS: every batch 35 long
    max_seq_len_delta: int = 20
    lr: float = 20.0
    clip: float = 0.25
    weight_decay: float = 8e-7
    emsize: int = 850
    dropout: float = 0.75
    dropouth: float = 0.25
    dropoutx: float = 0.75
    dropouti: float = 0.2
    dropoute: float = 0.1
    alpha: float = 0.0
    beta: float = 1e-3
    nonmono: int = 5                   # averaged SGD after 5 epochs without progress (DARTS); 0: SGD throughout
    lr_decay: float = 1.0              # ENAS: lr x 0.9991 every epoch from epoch 14, at least 0.001
    decay_start: int = 0
    lr_min: float = 0.0
    eval_batch_size: int = 10
    test_batch_size: int = 1
    init_op: str = choice("tanh", RNN_ACTIVATIONS)
    data: str = choice("ptb", TEXT_DATA)
    data_root: str = ""
    n_train: int = 0
    n_valid: int = 0
    n_test: int = 0
    seed: int = 0
    device: str = "auto"
    amp: str = choice("off", SWITCH)
    threads: int = 0

    SOURCES = {"amp": "the kit's choice (off: float32, as the scripts)",
               "dropoute": "in --recipe ENAS ENAS's e_keep 0.79 as word dropout (ENAS drops word positions)",
               "test_batch_size": "DARTS's test batch 1 (both recipes)"}

    def loop(self) -> ptb.Recipe:
        """The training loop's recipe (nas_kit.training.ptb)."""
        return ptb.Recipe(epochs=self.epochs, bptt=self.bptt, variable_bptt=self.variable_bptt,
                          max_seq_len_delta=self.max_seq_len_delta, lr=self.lr, clip=self.clip,
                          weight_decay=self.weight_decay, alpha=self.alpha, beta=self.beta, nonmono=self.nonmono,
                          lr_decay=self.lr_decay, decay_start=self.decay_start, lr_min=self.lr_min,
                          eval_batch_size=self.eval_batch_size, seed=self.seed)


# full: DARTS rnn/train.py.  quick: the same recipe, shrunk (smaller model, fewer tokens and epochs) to run
# in seconds on a CPU on the kit's own corpus.
FULL = TrainPTB()
_SHRINK = dict(epochs=10, batch_size=32, emsize=64, data="synthetic", n_train=20000, n_valid=2000, n_test=2000,
               threads=1)
QUICK = replace(FULL, **_SHRINK)
# ENAS's final model (melodyguan/enas scripts/ptb_final.sh): 748 units, batch 64, 2,000 epochs of plain SGD
# (lr 20, x 0.9991 per epoch from epoch 14, at least 0.001), BPTT 35, clip 0.25, l2 5e-7 (SGD weight decay 1e-6: utils.get_train_ops adds l2 * sum(w^2)), slowness (TAR) 1e-3;
# keep probabilities e 0.79 (words), x 0.25, h 0.75, o 0.24
ENAS_FULL = replace(FULL, epochs=2000, batch_size=64, bptt=35, variable_bptt=False, lr=20.0, clip=0.25,
                    weight_decay=1e-6, emsize=748, dropout=0.76, dropouth=0.25, dropoutx=0.75, dropouti=0.0,
                    dropoute=0.21, beta=1e-3, nonmono=0, lr_decay=0.9991, decay_start=14, lr_min=0.001)
RECIPES = {"DARTS": {"full": FULL, "quick": QUICK}, "ENAS": {"full": ENAS_FULL, "quick": replace(ENAS_FULL, **_SHRINK)}}
RECIPE = RECIPES["DARTS"]


def recipe(profile: str = "quick", paper: str = "DARTS", **overrides) -> TrainPTB:
    """The settings of ``profile`` of ``paper``'s final training (DARTS: rnn/train.py; ENAS: ptb_final.sh) with
    ``overrides`` applied (checked: an unknown key is an error)."""
    if paper not in RECIPES:
        raise ValueError(f"recipe {paper!r} is not one of {', '.join(RECIPES)}.")
    if profile not in RECIPES[paper]:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(RECIPES[paper])}.")
    return override(RECIPES[paper][profile], overrides, f"train on ptb ({profile} profile)")


def check(settings: TrainPTB) -> None:
    """One sentence for the first setting out of range."""
    for key in ("epochs", "batch_size", "bptt", "emsize", "eval_batch_size", "test_batch_size"):
        if getattr(settings, key) < 1:
            raise ValueError(f"setting {key}={getattr(settings, key)} must be at least 1.")
    if settings.nonmono < 0:
        raise ValueError(f"setting nonmono={settings.nonmono} must be 0 (SGD throughout) or more.")
    if not 0 < settings.lr_decay <= 1:
        raise ValueError(f"setting lr_decay={settings.lr_decay} must be in (0, 1].")
    for key in ("dropout", "dropouth", "dropoutx", "dropouti", "dropoute"):
        if not 0 <= getattr(settings, key) < 1:
            raise ValueError(f"setting {key}={getattr(settings, key)} must be in [0, 1).")
    if settings.lr <= 0:
        raise ValueError(f"setting lr={settings.lr} must be positive.")
    resolve_device(settings.device)


def load_corpus(settings: TrainPTB):
    """The kit's synthetic corpus (``data=synthetic``) or Penn Treebank, cut to n_train / n_valid / n_test tokens when > 0."""
    return text(settings.data, settings.data_root, settings.n_train, settings.n_valid, settings.n_test)


def build(genotype, ntoken: int, settings: TrainPTB) -> RNNModel:
    """The language model, its weights drawn from ``settings.seed``."""
    torch.manual_seed(settings.seed)
    s = settings
    return RNNModel(ntoken, s.emsize, s.emsize, s.emsize, s.dropout, s.dropouth, s.dropoutx, s.dropouti, s.dropoute,
                    genotype=genotype, init_op=s.init_op)


def count_parameters(model) -> int:
    """Every parameter once (the tied embedding and decoder are one matrix), as DARTS counts them."""
    return sum(p.numel() for p in model.parameters())


def train_ptb(genotype, settings: TrainPTB | None = None, run_dir=None, resume: bool = False, progress: str = "auto",
              corpus=None) -> dict:
    """Train the language model of ``genotype`` (an RNNGenotype) with ``settings`` (default: the quick recipe).

    run_dir, resume, progress: as ``nas_kit.training.train_cifar.train_cifar``; corpus: a Corpus to use
    instead of loading ``settings.data``.  Results: valid_ppl and test_ppl of the best model (test with
    batch ``test_batch_size`` = 1), params_M, epochs, history (one dict per epoch).
    """
    s = QUICK if settings is None else settings
    check(s)
    device = resolve_device(s.device)
    if s.threads:
        torch.set_num_threads(s.threads)
    corpus = load_corpus(s) if corpus is None else corpus
    train_data, valid_data, test_data = (batchify(split, size).to(device) for split, size in (
        (corpus.train, s.batch_size), (corpus.valid, s.eval_batch_size), (corpus.test, s.test_batch_size)))
    if train_data.size(0) < 2 or valid_data.size(0) < 2:
        raise ValueError(f"the corpus is too small for batch_size={s.batch_size} and eval_batch_size="
                         f"{s.eval_batch_size}: use more tokens (n_train, n_valid) or smaller batches.")
    model = build(genotype, len(corpus.vocab), s).to(device)
    loop = s.loop()
    path = Path(run_dir) / rd.CHECKPOINT if run_dir is not None else None
    state, start = ptb.State(ptb.sgd(model, loop)), 0
    if resume and path is not None and path.is_file():
        state, start = _resume(path, model, loop)
    bar = Progress(s.epochs, done=start, mode=progress)
    if start:
        bar.note(f"resumed after epoch {start} of {s.epochs} from {path}")
        rd.write_metrics(Path(run_dir) / rd.METRICS, state.history)     # the checkpoint says what was trained
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=switch(s.amp, device))
    for row in ptb.epochs(model, train_data, valid_data, loop, state, start, autocast, bar):
        if path is not None:
            _save(path, run_dir, model, state, row["epoch"] - 1, s)
        bar.end_epoch(row["epoch"] - 1, {"ppl": row["train_ppl"]} if row["rolled_back"] else
                      {"ppl": row["train_ppl"], "valid_ppl": row["valid_ppl"]})
        if state.note:
            bar.note(state.note)
    if state.best_state is None:
        raise FloatingPointError("the validation loss was never finite, so there is no model to test: "
                                 "train again in a new --run-dir with a smaller learning rate (--set lr=...).")
    final = copy.deepcopy(model)
    final.load_state_dict(state.best_state)
    test_loss = ptb.evaluate(final, test_data, s.test_batch_size, s.bptt, autocast)
    results = dict(valid_ppl=math.exp(state.best_val), test_ppl=math.exp(test_loss),
                   params_M=count_parameters(model) / 1e6, epochs=len(state.history), history=state.history)
    if run_dir is not None:
        rd.write_json(Path(run_dir) / rd.RESULTS, {k: v for k, v in results.items() if k != "history"})
    return results


def _save(path, run_dir, model, state: ptb.State, epoch: int, s: TrainPTB) -> None:
    """The checkpoint after ``epoch`` and the metrics so far."""
    save_checkpoint(path, model=model, optimizer=state.optimizer, asgd=isinstance(state.optimizer, torch.optim.ASGD),
                    history=state.history, epoch=epoch, best_val=state.best_val, val_losses=state.val_losses,
                    best_state=state.best_state, settings=asdict(s), rollbacks=state.rollbacks)
    rd.write_metrics(Path(run_dir) / rd.METRICS, state.history)


def _resume(path, model, loop: ptb.Recipe) -> tuple[ptb.State, int]:
    """The state of the checkpointed run (its weights loaded into ``model``) and the epoch to go on with."""
    try:
        payload = load_checkpoint(path, model=model)
        optimizer = ptb.asgd(model, loop) if payload["asgd"] else ptb.sgd(model, loop)
        optimizer.load_state_dict(payload["optimizer"])
    except (RuntimeError, KeyError, ValueError):
        raise ValueError(f"the checkpoint {path} does not fit this model (it was made with other settings): "
                         f"resume with the run's own config.json, or start a new run directory.") from None
    state = ptb.State(optimizer, payload["history"], payload["best_val"], payload["val_losses"], payload["best_state"],
                      payload.get("rollbacks", 0))
    return state, payload["epoch"] + 1
