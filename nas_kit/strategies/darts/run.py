"""The ``search --method darts`` runner: the supernet of a space, its data, the search loop
(nas_kit.strategies.darts.search) with a checkpoint and metrics.csv after every epoch, and the genotype of the
last epoch; ``seconds`` is the whole search's (the sum of its epochs', a resumed search's included).
"""
from __future__ import annotations

from pathlib import Path

import torch

from nas_kit.config import from_settings, resolve_device
from nas_kit.data import batchify, images, text
from nas_kit.models.darts_rnn_search import RNNModelSearch
from nas_kit.models.darts_search import SearchNetwork
from nas_kit.spaces import DARTSSpace, DartsRNNSpace
from nas_kit.strategies.darts import search
from nas_kit.strategies.darts.recipe import DARTSCells, DARTSRecurrent
from nas_kit.training import run_dir as rd
from nas_kit.training.cifar import resized
from nas_kit.training.progress import Progress


def _metrics(run_dir):
    """on_epoch: metrics.csv after every epoch, so a killed search keeps its rows."""
    def write(history):
        rd.write_metrics(Path(run_dir) / rd.METRICS,
                         [dict({k: v for k, v in e.items() if k not in ("alphas", "genotype", "genotype_text")},
                               epoch=e["epoch"] + 1, genotype=e["genotype_text"]) for e in history])
    return write


def _search_cells(space: DARTSSpace, s: dict, device, run_dir, resume, bar) -> list:
    r = from_settings(DARTSCells, s)
    if r.layers < 3:
        raise ValueError(f"layers={r.layers} leaves the search network without a normal cell, so alpha_normal "
                         f"gets no gradient: use layers >= 3.")
    data = images(r.data, r.data_root, r.n_train, n_test=10)
    x, y = resized(data.x_train, r.image_size), torch.as_tensor(data.y_train)
    model = SearchNetwork(C=r.C, layers=r.layers, steps=space.nodes, multiplier=space.nodes).to(device)
    return search.search_cnn(
        model, x, y, epochs=r.epochs, batch_size=r.batch_size, lr=r.lr, lr_min=r.lr_min, momentum=r.momentum,
        weight_decay=r.weight_decay, grad_clip=r.grad_clip, arch_lr=r.arch_lr, arch_weight_decay=r.arch_weight_decay,
        unrolled=r.unrolled, crop_padding=r.image_size // 8, seed=s["seed"], run_dir=run_dir, resume=resume,
        log=bar.note, on_epoch=_metrics(run_dir))


def _search_recurrent(space: DartsRNNSpace, s: dict, device, run_dir, resume, bar) -> list:
    r = from_settings(DARTSRecurrent, s)
    corpus = text(r.data, r.data_root, r.n_train, r.n_valid, n_test=500)
    model = RNNModelSearch(len(corpus.vocab), r.nhid, r.nhid, r.nhid, *r.dropouts, steps=space.steps).to(device)
    train = batchify(corpus.train, r.batch_size).to(device)
    valid = batchify(corpus.valid, r.batch_size).to(device)
    return search.search_rnn(
        model, train, valid, epochs=r.epochs, bptt=r.bptt, lr=r.lr, weight_decay=r.weight_decay, clip=r.clip,
        arch_lr=r.arch_lr, arch_weight_decay=r.arch_weight_decay, unrolled=r.unrolled, beta=r.beta,
        variable_bptt=r.variable_bptt, seed=s["seed"], run_dir=run_dir,
        resume=resume, log=bar.note, on_epoch=_metrics(run_dir))


SEARCHES = {DARTSSpace.key: (_search_cells, "valid_acc"), DartsRNNSpace.key: (_search_recurrent, "valid_ppl")}


def run_darts(space, s: dict, run_dir, resume: bool = False, progress: str = "auto") -> dict:
    """Search ``space`` (DARTS cells or DARTS recurrent cells) with the settings ``s``; the derived genotype."""
    run, metric = SEARCHES[space.key]
    bar = Progress(s["epochs"], mode=progress)
    torch.manual_seed(s["seed"])
    history = run(space, s, resolve_device(s["device"]), run_dir, resume, bar)
    return dict(arch=history[-1]["genotype"], space=space, text=history[-1]["genotype_text"],
                seconds=sum(e["seconds"] for e in history), **{metric: history[-1][metric]})
