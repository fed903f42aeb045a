"""The ``search --method enas`` runner: the supernet and task of a space, the controller and REINFORCE, the
search loop (nas_kit.strategies.enas.search) with a checkpoint and metrics.csv after every epoch, then the
derived architecture and its validation metric with the shared weights.
"""
from __future__ import annotations

from pathlib import Path

import torch

from nas_kit.config import from_settings
from nas_kit.data import images, text
from nas_kit.models.enas_cnn_supernet import ENASMacroSupernet, ENASMicroSupernet
from nas_kit.models.enas_rnn_supernet import ENASRNNSupernet
from nas_kit.spaces import ENASMacroSpace, ENASMicroSpace, ENASRNNSpace
from nas_kit.strategies.enas.controller import ENASController
from nas_kit.strategies.enas.recipe import ENASMacro, ENASMicro, ENASPTB
from nas_kit.strategies.enas.reinforce import REINFORCE
from nas_kit.strategies.enas.search import derive, enas_search
from nas_kit.strategies.enas.tasks import CIFARTask, PTBTask
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint
from nas_kit.training.progress import Progress


def _ptb_task(space: ENASRNNSpace, r: ENASPTB) -> PTBTask:
    corpus = text(r.data, r.data_root, r.n_train, r.n_valid, n_test=500)
    net = ENASRNNSupernet(len(corpus.vocab), r.nhid, nodes=space.nodes, **dict(zip(
        ("dropout", "dropouth", "dropoutx", "dropouti", "dropoute"), r.dropouts)))
    return PTBTask(corpus, net, batch_size=r.batch_size, eval_batch_size=r.eval_batch_size, bptt=r.bptt, lr=r.lr,
                   clip=r.clip, lr_decay=r.lr_decay, decay_start=r.decay_start)


def _cifar_task(net, r) -> CIFARTask:
    return CIFARTask(images(r.data, r.data_root, r.n_train, n_test=10), net, n_valid=r.n_valid,
                     batch_size=r.batch_size, eval_batch_size=r.eval_batch_size, lr_max=r.lr_max, lr_min=r.lr_min,
                     epochs=r.epochs, image_size=r.image_size, do_augment=r.augment, weight_decay=r.weight_decay,
                     lr_T0=r.lr_T0 or None, aux_weight=0.4)


# space -> (its recipe, its task, the validation metric derive reports)
TASKS = {
    ENASRNNSpace.key: (ENASPTB, _ptb_task, "valid_ppl"),
    ENASMacroSpace.key: (ENASMacro, lambda space, r: _cifar_task(
        ENASMacroSupernet(layers=space.layers, C=r.C, keep_prob=r.keep_prob), r), "valid_acc"),
    ENASMicroSpace.key: (ENASMicro, lambda space, r: _cifar_task(
        ENASMicroSupernet(C=r.C, layers=r.layers, nodes=space.nodes, keep_prob=r.keep_prob, auxiliary=r.auxiliary,
                          image_size=r.image_size), r), "valid_acc"),
}


def controller_of(space, r) -> ENASController:
    """The controller of a search of ``space`` with the recipe ``r``."""
    return ENASController(space, temperature=r.temperature or None, tanh_constant=r.tanh_constant,
                          op_tanh_reduce=r.op_tanh_reduce)


def _learners(task, r):
    controller = controller_of(task.space, r)
    return controller, REINFORCE(controller, **r.reinforce())


def run_enas(space, s: dict, run_dir, resume: bool = False, progress: str = "auto") -> dict:
    """Search ``space`` (ENAS recurrent, macro or micro) with the settings ``s``; the derived architecture."""
    recipe_class, make_task, metric = TASKS[space.key]
    r = from_settings(recipe_class, s)
    torch.manual_seed(s["seed"])
    task = make_task(space, r)
    controller, reinforce = _learners(task, r)
    path = Path(run_dir) / rd.CHECKPOINT

    def row(record):
        return dict({k: v for k, v in record.items() if k != "arch"}, epoch=record["epoch"] + 1,
                    arch=task.space.encode(record["arch"]))

    rows = [row(h) for h in load_checkpoint(path, restore_rng=False)["history"]] if resume and path.is_file() else []
    if rows:                                     # the checkpoint says what was trained
        rd.write_metrics(Path(run_dir) / rd.METRICS, rows)
    bar = Progress(r.epochs, done=len(rows), mode=progress)

    def on_epoch(record):
        rows.append(row(record))
        rd.write_metrics(Path(run_dir) / rd.METRICS, rows)
        bar.end_epoch(record["epoch"], {k: v for k, v in rows[-1].items() if k in ("train_loss", "reward", "valid")})

    enas_search(task, controller, reinforce, r.epochs, r.controller_steps, mode=r.mode, seed=s["seed"],
                checkpoint=path, resume=resume, on_epoch=on_epoch)
    best, scored = derive(task, controller, n_samples=r.n_samples, mode=r.mode, seed=s["seed"])
    return dict(arch=best, space=task.space, text=task.space.encode(best), reward=scored[0][0],
                **{metric: task.evaluate(best)})
