"""The ``search`` command's methods: thin wrappers that wire a space, a strategy and an estimator with
the papers' settings (``full``) or the same settings shrunk (``quick``), and keep a run directory.

    black-box  random, evolution, nas_rl, pnas: ``run_search`` (nas_kit.strategies.base) with a trained-child
               Evaluator (image spaces), a short PTB training (recurrent spaces, reward 80 / ppl as ENAS) or
               the mini benchmark's table (``mini_bench``); a checkpoint after every batch of children
    enas       nas_kit.training.enas_search (PTB or CIFAR-10), then derivation from the trained policy
    darts      nas_kit.training.darts_search (CIFAR-10 cells or PTB cells), the genotype of the last epoch

``defaults(method, space, profile)`` gives the settings; every one can be overridden.  Each wrapper
returns a dict with the best architecture (``arch``), its text and the numbers to report.
"""
from __future__ import annotations

import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import torch

from nas_kit.config import override, resolve_device
from nas_kit.registry import SPACES
from nas_kit.training import run_dir as rd
from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint
from nas_kit.training.progress import Progress

CELL_SPACES = ("darts", "nasnet", "enas_micro", "pnas")
IMAGE_SPACES = CELL_SPACES + ("nas_rl", "enas_macro")
RNN_SPACES = ("darts_rnn", "enas_rnn")
METHOD_SPACES = {
    "random": IMAGE_SPACES + RNN_SPACES + ("mini_bench",),
    "evolution": IMAGE_SPACES + RNN_SPACES + ("mini_bench",),
    "nas_rl": ("nas_rl", "enas_macro", "darts", "nasnet", "enas_micro", "mini_bench"),
    "pnas": ("pnas",),
    "enas": ("enas_micro", "enas_macro", "enas_rnn"),
    "darts": ("darts", "darts_rnn"),
}
DEFAULT_SPACE = {"random": "nasnet", "evolution": "nasnet", "nas_rl": "nas_rl", "pnas": "pnas", "enas": "enas_micro",
                 "darts": "darts"}
METHODS = tuple(METHOD_SPACES)

# The size of each space (the keyword of its factory in nas_kit.spaces.SPACES): (full, quick).
SPACE_SIZE = {"darts": ("nodes", 4, 2), "nasnet": ("nodes", 5, 2), "enas_micro": ("nodes", 5, 2),
              "nas_rl": ("layers", 15, 4), "enas_macro": ("layers", 12, 3), "darts_rnn": ("steps", 8, 4),
              "enas_rnn": ("nodes", 12, 4)}


def _pick(profile, quick, full):
    return quick if profile == "quick" else full


def defaults(method: str, space: str, profile: str) -> dict:
    """The settings of one search: method, space and profile (full = the paper's)."""
    if method not in METHOD_SPACES:
        raise ValueError(f"unknown search method {method!r}: choose one of {', '.join(METHODS)}.")
    if space not in METHOD_SPACES[method]:
        raise ValueError(f"the {method} search does not run on the {space!r} space: choose one of "
                         f"{', '.join(METHOD_SPACES[method])}.")
    p = lambda quick, full: _pick(profile, quick, full)  # noqa: E731
    s = dict(seed=0, device="auto", threads=p(1, 0))
    if space in SPACE_SIZE:
        key, full, quick = SPACE_SIZE[space]
        s[key] = p(quick, full)
    if method in ("random", "evolution", "nas_rl", "pnas"):
        s.update(_black_box_defaults(method, space, p))
    elif method == "enas":
        s.update(_enas_defaults(space, p))
    else:
        s.update(_darts_defaults(space, p))
    return s


def _black_box_defaults(method, space, p):
    s = {}
    if method == "random":                  # as the random baseline of Real et al. 2019 (Fig. 3): as many as evolution
        s.update(budget=p(8, 20000))
    elif method == "evolution":             # Real et al. 2019, section 4: P = 100, S = 25, 20,000 models
        s.update(budget=p(12, 20000), population=p(4, 100), sample_size=p(2, 25), aging=True)
    elif method == "nas_rl":                # Zoph & Le 2017, sections 3.3 and 4.1-4.2
        depth = space in ("nas_rl", "enas_macro")
        s.update(budget=p(8, 12800), m=p(4, 8), controller_lr=p(0.05, 6e-4), baseline_decay=0.95,
                 curriculum=p((2, 4, 1), (6, 1600, 2)) if depth else ())
    else:                                   # Liu et al. 2018 (PNAS), section 4.1
        s.update(B=p(2, 5), K=p(4, 256), predictor=p("mlp", "lstm"), first=p(24, 0), predictor_epochs=p(30, 50),
                 finetune_epochs=p(10, 20))
    s.update(parallel=p(4, 8))              # children evaluated per batch (and per checkpoint)
    if space in RNN_SPACES:                 # a short PTB training per child (nas_kit.training.darts_search.train_rnn_genotype)
        s.update(child_epochs=p(1, 10), nhid=p(32, 300), child_batch_size=p(16, 64), bptt=p(20, 35), lr=p(10.0, 20.0),
                 dropouts=(0.75, 0.25, 0.75, 0.2, 0.0), reward_c=80.0, data=p("synthetic", "ptb"), data_root="",
                 n_train=p(4000, 0), n_valid=p(1000, 0))
    elif space == "mini_bench":
        s.update(fidelity_epoch=0)
    else:                                   # a trained child (nas_kit.estimation.Evaluator); full: each paper's children
        epochs = {"nas_rl": 50, "pnas": 20}.get(method, 25)
        s.update(child_epochs=p(1, epochs), C=p(4, 24), child_batch_size=p(32, 128), image_size=p(8, 32), lr=p(0.05, 0.025),
                 weight_decay=3e-4, n_train=p(600, 0), valid_fraction=p(0.33, 0.1), data=p("synthetic", "cifar10"),
                 data_root="", pool=p("thread", "process"), workers=p(1, 1))
        if space in CELL_SPACES:
            s["layers"] = p(2, 8 if method == "pnas" else 11)      # PNAS N=2, Real et al. N=3 (x3 + 2 reductions)
    return s


def _enas_defaults(space, p):
    """Pham et al. 2018, section 3 and the melodyguan/enas scripts (as notebooks 06 and 07 use them)."""
    s = dict(mode="enas", controller_lr=p(3.5e-3, 3.5e-4), entropy_weight=1e-4, n_samples=p(6, 10))
    if space == "enas_rnn":
        s.update(epochs=p(3, 150), controller_steps=p(10, 2000), nhid=p(32, 720), batch_size=p(32, 64),
                 eval_batch_size=p(20, 10), bptt=p(10, 35), lr=p(10.0, 20.0), clip=0.25, lr_decay=0.96, decay_start=15,
                 baseline_decay=p(0.9, 0.999), temperature=5.0, tanh_constant=2.5, op_tanh_reduce=1.0,
                 dropouts=p((0.1, 0.1, 0.1, 0.1, 0.0), (0.75, 0.25, 0.75, 0.0, 0.25)),
                 data=p("synthetic", "ptb"), data_root="", n_train=p(6000, 0), n_valid=p(2000, 0))
    else:                                   # as notebook 07: the ENAS macro and micro search scripts
        macro = space == "enas_macro"
        s.update(epochs=p(6, 310) if macro else p(4, 150), controller_steps=p(10, 50) if macro else p(10, 30),
                 C=p(8, 36 if macro else 20), batch_size=p(32, 128 if macro else 160), eval_batch_size=p(100, 500),
                 n_valid=p(400, 5000), image_size=p(16, 32), augment=p(False, True), lr_max=0.05, lr_min=0.0005,
                 lr_T0=p(0, 10), weight_decay=2.5e-4 if macro else 1e-4, baseline_decay=p(0.9, 0.99),
                 controller_lr=1e-3 if macro else 3.5e-3, aggregate=p(1, 20 if macro else 10), temperature=0.0,
                 tanh_constant=1.5 if macro else 1.1, op_tanh_reduce=2.5, skip_weight=0.8 if macro else 0.0,
                 data=p("synthetic", "cifar10"), data_root="", n_train=p(1600, 0))
        if macro:
            s["keep_prob"] = p(1.0, 0.9)
        else:
            s["layers"] = p(3, 8)           # 6 normal cells and 2 reduction cells in the ENAS micro search
    return s


def _darts_defaults(space, p):
    """Liu et al. 2019, sections 3.1.1-3.1.2 and appendix A.1 (quark0/darts train_search.py)."""
    if space == "darts":
        # quick: as notebook 08 (larger steps, as there are only 48 of them)
        return dict(epochs=p(4, 50), batch_size=p(32, 64), lr=p(0.1, 0.025), lr_min=0.001, momentum=0.9,
                    weight_decay=3e-4, grad_clip=5.0, arch_lr=p(1e-2, 3e-4), arch_weight_decay=1e-3,
                    unrolled=p(False, True), C=p(4, 16), layers=p(3, 8), image_size=p(16, 32), n_train=p(800, 0),
                    data=p("synthetic", "cifar10"), data_root="")
    return dict(epochs=p(3, 50), batch_size=p(16, 256), bptt=p(20, 35), lr=p(10.0, 20.0), weight_decay=5e-7, clip=0.25,
                arch_lr=p(1e-2, 3e-3), arch_weight_decay=1e-3, unrolled=p(False, True), nhid=p(32, 300),
                dropouts=p((0.2, 0.1, 0.2, 0.1, 0.0), (0.75, 0.25, 0.75, 0.2, 0.0)),
                data=p("synthetic", "ptb"), data_root="", n_train=p(6000, 0), n_valid=p(3000, 0))


CHOICES = {"data": ("synthetic", "cifar10", "ptb"), "pool": ("thread", "process"), "predictor": ("mlp", "lstm"),
           "mode": ("enas", "random", "fixed")}


def settings_for(method: str, space: str, profile: str, overrides: dict | None = None) -> dict:
    return override(defaults(method, space, profile), overrides, f"search --method {method} --space {space} "
                    f"({profile} profile)", CHOICES)


def make_space(name: str, s: dict):
    if name in SPACE_SIZE:
        key = SPACE_SIZE[name][0]
        return SPACES[name](**{key: s[key]})
    return SPACES[name]()


# ---------------------------------------------------------------- data
def _images(s):
    from nas_kit.data import load_cifar10, make_cifar_like
    if s["data"] == "synthetic":
        return make_cifar_like(n_train=s["n_train"] or 5000, n_test=10, seed=0)
    if s["data"] != "cifar10":
        raise ValueError(f"data={s['data']!r} is not image data: use synthetic or cifar10.")
    images = load_cifar10(s["data_root"] or None)
    n = s["n_train"] or None
    return images._replace(x_train=images.x_train[:n], y_train=images.y_train[:n])


def _corpus(s):
    from nas_kit.data import load_ptb, make_ptb_like
    if s["data"] == "synthetic":
        return make_ptb_like(seed=0, n_train=s["n_train"] or 50000, n_valid=s["n_valid"] or 5000, n_test=500)
    if s["data"] != "ptb":
        raise ValueError(f"data={s['data']!r} is not text: use synthetic or ptb.")
    corpus = load_ptb(s["data_root"] or None)
    return corpus._replace(train=corpus.train[:s["n_train"] or None], valid=corpus.valid[:s["n_valid"] or None])


# ---------------------------------------------------------------- black-box methods
def _strategy(method, space, s):
    from nas_kit.strategies import NASRLStrategy, RandomSearch, RegularizedEvolution
    from nas_kit.strategies.pnas import PNAS
    if method == "random":
        return RandomSearch(space, seed=s["seed"])
    if method == "evolution":
        return RegularizedEvolution(space, s["population"], s["sample_size"], aging=s["aging"], seed=s["seed"])
    if method == "nas_rl":
        return NASRLStrategy(space, lr=s["controller_lr"], m=s["m"], baseline_decay=s["baseline_decay"],
                             curriculum=tuple(s["curriculum"]) or None, seed=s["seed"])
    return PNAS(B=s["B"], K=s["K"], predictor=s["predictor"], first=s["first"] or None, epochs=s["predictor_epochs"],
                finetune_epochs=s["finetune_epochs"], seed=s["seed"])


def _rnn_reward(space_name, s):
    """reward(arch) = reward_c / validation perplexity after a short PTB training (ENAS's reward, c = 80)."""
    from nas_kit.data import batchify
    from nas_kit.spaces.enas_rnn import to_genotype
    from nas_kit.estimation.rnn_child import train_rnn_genotype
    corpus = _corpus(s)
    train = batchify(corpus.train, s["child_batch_size"])
    valid = batchify(corpus.valid, 10)

    def reward(arch):
        genotype = to_genotype(arch) if space_name == "enas_rnn" else arch
        ppl = train_rnn_genotype(genotype, train, valid, len(corpus.vocab), epochs=s["child_epochs"], nhid=s["nhid"],
                                 bptt=s["bptt"], lr=s["lr"], dropouts=tuple(s["dropouts"]), seed=s["seed"])
        return s["reward_c"] / ppl
    return reward


def _evaluator(space_name, strategy, s):
    """The estimator and, for trained children, the executor to close at the end."""
    if space_name == "mini_bench":
        from nas_kit.estimation.tabular import MiniBench
        return MiniBench.load().oracle(seed=s["seed"], epoch=s["fidelity_epoch"] or None), None
    if space_name in RNN_SPACES:
        return _rnn_reward(space_name, s), None
    from nas_kit.estimation import Budget, Evaluator
    device = str(resolve_device(s["device"]))
    budget = Budget(epochs=s["child_epochs"], C=s["C"], layers=s.get("layers", 8), image_size=s["image_size"],
                    batch_size=s["child_batch_size"], lr=s["lr"], weight_decay=s["weight_decay"],
                    threads=s["threads"] or 1, device=device)
    workers = max(1, s["workers"])      # processes are spawned, so that each may start CUDA on its own
    pool = ThreadPoolExecutor(workers) if s["pool"] == "thread" else \
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    # the cache keys are the strategy's encodings (a NAS-RL curriculum samples networks shallower than the space)
    return Evaluator(_images(s), budget, space=strategy.space, encode=strategy.encode, executor=pool, seed=s["seed"],
                     valid_fraction=s["valid_fraction"]), pool


def run_black_box(method, space_name, s, run_dir, resume=False, progress="auto") -> dict:
    """``run_search`` in batches of ``parallel`` children, a checkpoint and metrics.csv after each batch."""
    from nas_kit.results import History
    from nas_kit.strategies import run_search
    space = make_space(space_name, s) if method != "pnas" else None
    strategy, history = _strategy(method, space, s), History()
    path = Path(run_dir) / rd.CHECKPOINT
    if resume and path.is_file():                     # the strategy's state and the history after the last batch
        payload = load_checkpoint(path)
        strategy, history = payload["search"]["strategy"], payload["search"]["history"]
    space = strategy.space
    total = strategy.total_evaluations() if method == "pnas" else s["budget"]
    evaluate, pool = _evaluator(space_name, strategy, s)
    batches = math.ceil(total / s["parallel"])
    bar = Progress(batches, done=len(history) // s["parallel"], unit="batch", mode=progress)
    try:
        while len(history) < total:
            k = len(history) // s["parallel"]
            run_search(strategy, evaluate, min(s["parallel"], total - len(history)), batch_size=s["parallel"],
                       history=history)
            save_checkpoint(path, search={"strategy": strategy, "history": history})
            rd.write_metrics(Path(run_dir) / rd.METRICS, _rows(history))
            rewards = [r for r in history.rewards() if r == r]
            bar.end_epoch(k, {"children": len(history), "best": max(rewards) if rewards else float("nan")})
    finally:
        if pool is not None:
            pool.shutdown()
    best = history.best()
    if method == "nas_rl" and strategy.controller.has_depth:       # the curriculum's depth, not the space's
        space = strategy.controller.space_at(len(best.arch))
    out = dict(arch=best.arch, space=space, text=best.encoding, reward=best.reward, evaluations=len(history),
               failures=len(history.failures()))
    if method == "pnas":
        out["space"] = strategy.spaces[len(best.arch.normal) // 2]     # the cell may have fewer blocks than B
        out["per_block"] = strategy.summary()
    return out


def _rows(history):
    rows, best = [], -math.inf
    for i, r in enumerate(history):
        if r.reward is not None:
            best = max(best, r.reward)
        rows.append(dict(child=i + 1, encoding=r.encoding, reward=r.reward, cost=r.cost, wall_time=r.wall_time,
                         status=r.status, best_so_far=best if best > -math.inf else None, error=r.error))
    return rows


# ---------------------------------------------------------------- ENAS
def run_enas(space_name, s, run_dir, resume=False, progress="auto") -> dict:
    from nas_kit.strategies.enas import REINFORCE, ENASController
    from nas_kit.training.enas_search import CIFARTask, PTBTask, derive, enas_search
    torch.manual_seed(s["seed"])
    if space_name == "enas_rnn":
        from nas_kit.models.enas_rnn_supernet import ENASRNNSupernet
        corpus = _corpus(s)
        net = ENASRNNSupernet(len(corpus.vocab), s["nhid"], nodes=s["nodes"], **dict(zip(
            ("dropout", "dropouth", "dropoutx", "dropouti", "dropoute"), s["dropouts"])))
        task = PTBTask(corpus, net, batch_size=s["batch_size"], eval_batch_size=s["eval_batch_size"], bptt=s["bptt"],
                       lr=s["lr"], clip=s["clip"], lr_decay=s["lr_decay"], decay_start=s["decay_start"])
    else:
        from nas_kit.models.enas_cnn_supernet import ENASMacroSupernet, ENASMicroSupernet
        data = _images(s)
        if space_name == "enas_macro":
            net = ENASMacroSupernet(layers=s["layers"], C=s["C"], keep_prob=s["keep_prob"])
        else:
            net = ENASMicroSupernet(C=s["C"], layers=s["layers"], nodes=s["nodes"])
        task = CIFARTask(data, net, n_valid=s["n_valid"], batch_size=s["batch_size"], eval_batch_size=s["eval_batch_size"],
                         lr_max=s["lr_max"], lr_min=s["lr_min"], epochs=s["epochs"], image_size=s["image_size"],
                         do_augment=s["augment"], weight_decay=s["weight_decay"], lr_T0=s["lr_T0"] or None)
    controller = ENASController(task.space, temperature=s["temperature"] or None, tanh_constant=s["tanh_constant"],
                                op_tanh_reduce=s["op_tanh_reduce"])
    reinforce = REINFORCE(controller, lr=s["controller_lr"], baseline_decay=s["baseline_decay"],
                          entropy_weight=s["entropy_weight"], skip_weight=s.get("skip_weight", 0.0),
                          aggregate=s.get("aggregate", 1))
    path = Path(run_dir) / rd.CHECKPOINT

    def row(record):
        return dict({k: v for k, v in record.items() if k != "arch"}, epoch=record["epoch"] + 1,
                    arch=task.space.encode(record["arch"]))

    rows = [row(r) for r in load_checkpoint(path, restore_rng=False)["history"]] if resume and path.is_file() else []
    bar = Progress(s["epochs"], done=len(rows), mode=progress)

    def on_epoch(record):
        rows.append(row(record))
        rd.write_metrics(Path(run_dir) / rd.METRICS, rows)
        bar.end_epoch(record["epoch"], {k: v for k, v in rows[-1].items() if k in ("train_loss", "reward", "valid")})

    enas_search(task, controller, reinforce, s["epochs"], s["controller_steps"], mode=s["mode"], seed=s["seed"],
                checkpoint=path, resume=resume, on_epoch=on_epoch)
    best, scored = derive(task, controller, n_samples=s["n_samples"], mode=s["mode"], seed=s["seed"])
    metric = task.evaluate(best)
    return dict(arch=best, space=task.space, text=task.space.encode(best), reward=scored[0][0],
                **{"valid_ppl" if space_name == "enas_rnn" else "valid_acc": metric})


# ---------------------------------------------------------------- DARTS
def run_darts(space_name, s, run_dir, resume=False, progress="auto") -> dict:
    from nas_kit.data import batchify, to_tensor
    from nas_kit.strategies.darts import search as darts_search
    device = resolve_device(s["device"])
    bar = Progress(s["epochs"], mode=progress)
    torch.manual_seed(s["seed"])
    t0 = time.perf_counter()

    def write_metrics(history):                     # after every epoch, so a killed search keeps its rows
        rd.write_metrics(Path(run_dir) / rd.METRICS,
                         [dict({k: v for k, v in e.items() if k not in ("alphas", "genotype", "genotype_text")},
                               epoch=e["epoch"] + 1, genotype=e["genotype_text"]) for e in history])

    if space_name == "darts":
        from nas_kit.models.darts_search import SearchNetwork
        if s["layers"] < 3:
            raise ValueError(f"layers={s['layers']} leaves the search network without a normal cell, so alpha_normal "
                             f"gets no gradient: use layers >= 3.")
        images = _images(s)
        x = torch.nn.functional.interpolate(to_tensor(images.x_train), size=(s["image_size"],) * 2, mode="area") \
            if s["image_size"] != 32 else to_tensor(images.x_train)
        y = torch.as_tensor(images.y_train)
        model = SearchNetwork(C=s["C"], layers=s["layers"], steps=s["nodes"], multiplier=s["nodes"]).to(device)
        history = darts_search.search_cnn(
            model, x, y, epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], lr_min=s["lr_min"],
            momentum=s["momentum"], weight_decay=s["weight_decay"], grad_clip=s["grad_clip"], arch_lr=s["arch_lr"],
            arch_weight_decay=s["arch_weight_decay"], unrolled=s["unrolled"], crop_padding=s["image_size"] // 8,
            seed=s["seed"], run_dir=run_dir, resume=resume, log=bar.note, on_epoch=write_metrics)
        metric = dict(valid_acc=history[-1]["valid_acc"])
        space = SPACES["darts"](nodes=s["nodes"])
    else:
        from nas_kit.models.darts_rnn_search import RNNModelSearch
        corpus = _corpus(s)
        model = RNNModelSearch(len(corpus.vocab), s["nhid"], s["nhid"], s["nhid"], *s["dropouts"],
                               steps=s["steps"]).to(device)
        train = batchify(corpus.train, s["batch_size"]).to(device)
        search = batchify(corpus.valid, s["batch_size"]).to(device)
        history = darts_search.search_rnn(
            model, train, search, epochs=s["epochs"], bptt=s["bptt"], lr=s["lr"], weight_decay=s["weight_decay"],
            clip=s["clip"], arch_lr=s["arch_lr"], arch_weight_decay=s["arch_weight_decay"], unrolled=s["unrolled"],
            run_dir=run_dir, resume=resume, log=bar.note, on_epoch=write_metrics)
        metric = dict(valid_ppl=history[-1]["valid_ppl"])
        space = SPACES["darts_rnn"](steps=s["steps"])
    genotype = history[-1]["genotype"]
    return dict(arch=genotype, space=space, text=history[-1]["genotype_text"], seconds=time.perf_counter() - t0, **metric)


def run(method: str, space_name: str, s: dict, run_dir, resume: bool = False, progress: str = "auto") -> dict:
    """Run (or resume) one search into ``run_dir``; return its result (see the module docstring)."""
    if s["threads"]:
        torch.set_num_threads(s["threads"])
    runner = {"enas": run_enas, "darts": run_darts}.get(method, lambda *a: run_black_box(method, *a))
    return runner(space_name, s, run_dir, resume, progress)
