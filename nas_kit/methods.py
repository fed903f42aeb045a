"""The ``search`` command's methods, one line each: the spaces it searches, its default space (the paper's), its
recipe and its runner. A method's settings are one flat dict (what config.json stores): the run's seed,
device and threads, the space's size, then the recipes the method names, each with the papers' values in the
full profile and the quick profile's replacements.

    settings = settings_for("darts", "darts", "quick", {"epochs": "2"})
    found = run("darts", "darts", settings, "runs/darts")      # arch, space, text, and the numbers to report
"""
from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import torch

from nas_kit.config import choices_of, from_settings, override, pick
from nas_kit.registry import SPACES
from nas_kit.strategies import bohb, evolution, gp_bo, hyperband, pnas, random_search, tpe
from nas_kit.strategies.black_box import recipes as black_box_recipes
from nas_kit.strategies.black_box import run_black_box
from nas_kit.strategies.darts.recipe import recipes as darts_recipes
from nas_kit.strategies.darts.run import run_darts
from nas_kit.strategies.enas.recipe import recipes as enas_recipes
from nas_kit.strategies.enas.run import run_enas
from nas_kit.strategies.nas_rl import strategy as nas_rl
from nas_kit.strategies.nash import recipes as nash_recipes
from nas_kit.strategies.nash import run_nash
from nas_kit.training.checkpoint import load_checkpoint
from nas_kit.training.run_dir import CHECKPOINT


@dataclass(frozen=True)
class Run:
    seed: int = 0
    device: str = "auto"
    threads: int = 0                   # 0: PyTorch's default


@dataclass(frozen=True)
class Method:
    spaces: tuple
    default_space: str
    recipes: Callable      # (space, profile) -> the recipes whose fields make the method's settings, in order
    run: Callable          # (space, settings, run_dir, resume, progress) -> what the search found


def _black_box(strategy_module):
    """A black-box method: its strategy's recipe, the black-box runner's and its children's (``recipes``), and the
    black-box runner with the strategy's recipe read back from the settings (``run``)."""
    def recipes(space: str, profile: str) -> list:
        return black_box_recipes(strategy_module.recipe(space, profile), space, profile)

    def run(space, s: dict, run_dir, resume, progress) -> dict:
        return run_black_box(from_settings(type(strategy_module.FULL), s), space, s, run_dir, resume, progress)
    return recipes, run


IMAGE_SPACES = ("darts", "nasnet", "enas_micro", "pnas", "nas_rl", "enas_macro", "chain")
METHODS = {
    "random": Method(IMAGE_SPACES + ("darts_rnn", "enas_rnn", "mini_bench"), "nasnet", *_black_box(random_search)),
    "evolution": Method(IMAGE_SPACES + ("darts_rnn", "enas_rnn", "mini_bench"), "nasnet", *_black_box(evolution)),
    "nas_rl": Method(("nas_rl", "enas_macro", "darts", "nasnet", "enas_micro", "mini_bench"), "nas_rl",
                     *_black_box(nas_rl)),
    "pnas": Method(("pnas",), "pnas", *_black_box(pnas)),
    # Bayesian optimisation on the spaces with categorical dimensions; multi-fidelity on those with epochs
    "tpe": Method(("mini_bench",), "mini_bench", *_black_box(tpe)),
    "bo": Method(("mini_bench",), "mini_bench", *_black_box(gp_bo)),
    "hyperband": Method(("mini_bench",) + IMAGE_SPACES, "mini_bench", *_black_box(hyperband)),
    "bohb": Method(("mini_bench",), "mini_bench", *_black_box(bohb)),
    "nash": Method(("chain",), "chain", nash_recipes, run_nash),
    "enas": Method(("enas_micro", "enas_macro", "enas_rnn"), "enas_micro", enas_recipes, run_enas),
    "darts": Method(("darts", "darts_rnn"), "darts", darts_recipes, run_darts),
}


def method(name: str, space: str) -> Method:
    """The method ``name``, checked to search ``space`` (one sentence otherwise)."""
    if name not in METHODS:
        raise ValueError(f"unknown search method {name!r}: choose one of {', '.join(METHODS)}.")
    if space not in METHODS[name].spaces:
        raise ValueError(f"the {name} search does not run on the {space!r} space: choose one of "
                         f"{', '.join(METHODS[name].spaces)}.")
    return METHODS[name]


def _size(space: str, profile: str) -> dict:
    """{the space's size keyword: the size searched}, for the spaces the quick profile shrinks."""
    e = SPACES[space]
    return {e.size: pick(e.quick, e.paper_size(), profile)} if e.quick is not None else {}


def defaults(name: str, space: str, profile: str) -> dict:
    """The settings of one search: method, space and profile (full = the paper's)."""
    flat = {**dataclasses.asdict(pick(replace(Run(), threads=1), Run(), profile)), **_size(space, profile)}
    for part in method(name, space).recipes(space, profile):
        for key, value in dataclasses.asdict(part).items():
            flat.setdefault(key, value)    # earlier parts win: a space of layers keeps its size over a child's cells
    return flat


def settings_for(name: str, space: str, profile: str, overrides: dict | None = None) -> dict:
    """``defaults`` with ``overrides`` (key -> text) parsed to the types of the defaults and checked."""
    return check(override(defaults(name, space, profile), overrides, f"search --method {name} --space {space} "
                          f"({profile} profile)", choices(name, space)))


# Sizes a search cannot do without (0 epochs, batches or children gives untrained results or a crash), and sizes
# for which 0 means "all" or "none" but a negative number means nothing.
AT_LEAST_ONE = ("epochs", "batch_size", "eval_batch_size", "child_epochs", "child_batch_size", "budget", "parallel",
                "workers", "population", "sample_size", "controller_steps", "n_samples", "B", "K", "m", "aggregate",
                "predictor_epochs", "finetune_epochs", "C", "layers", "nodes", "steps", "nhid", "bptt", "image_size")
AT_LEAST_ZERO = ("n_train", "n_valid", "threads", "seed", "first", "lr_T0", "decay_start", "fidelity_epoch")


def check(s: dict) -> dict:
    """``s`` when its sizes and learning rates are in range; otherwise one sentence for the first that is not."""
    for key in AT_LEAST_ONE:
        if key in s and s[key] < 1:
            raise ValueError(f"setting {key}={s[key]} must be at least 1.")
    for key in AT_LEAST_ZERO:
        if key in s and s[key] < 0:
            raise ValueError(f"setting {key}={s[key]} must be 0 or more.")
    for key in ("lr", "arch_lr", "controller_lr", "lr_max"):
        if key in s and not s[key] > 0:
            raise ValueError(f"setting {key}={s[key]} must be positive.")
    if "valid_fraction" in s and not 0 < s["valid_fraction"] < 1:
        raise ValueError(f"setting valid_fraction={s['valid_fraction']} must be in (0, 1).")
    return s


def choices(name: str, space: str) -> dict:
    """{setting: its options} of a search's settings."""
    return choices_of(*method(name, space).recipes(space, "full"))


def make_space(space: str, s: dict):
    """The space of a search, at the size its settings name."""
    e = SPACES[space]
    return e(**{e.size: s[e.size]}) if e.quick is not None else e()


def run(name: str, space: str, s: dict, run_dir, resume: bool = False, progress: str = "auto") -> dict:
    """Run (or resume) one search into ``run_dir``; what it found: ``arch``, its ``space`` (sized to it),
    ``text`` and the numbers to report."""
    if s["threads"]:
        torch.set_num_threads(s["threads"])
    return method(name, space).run(make_space(space, s), s, run_dir, resume, progress)


def history_of(name: str, space: str, s: dict):
    """Run one search as ``run`` does, in a temporary directory, and return every evaluation it made (the
    ``History`` of its checkpoint; black-box searches only): what a comparison at equal cost reads."""
    with tempfile.TemporaryDirectory() as run_dir:
        run(name, space, s, run_dir, progress="off")
        return load_checkpoint(Path(run_dir) / CHECKPOINT, restore_rng=False)["search"]["history"]
