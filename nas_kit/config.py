"""Profiles, seeds and threads, and settings as plain values with overrides: what every run sets first.

Two profiles, one code path: ``quick`` shrinks sizes (channels, cells, image size, data) so a notebook
runs in under a minute on a 2-core CPU with data the kit makes; ``full`` uses the papers' settings on
a GPU with the real data. Choose with the environment variable NAS_KIT_PROFILE (default ``quick``).
The seed and the thread count of a notebook come from NAS_KIT_SEED (default 0) and NAS_KIT_THREADS
(default 1), so that the same notebook can be re-run with another seed, or more threads, without an
edit: that is how the kit checks that a notebook's claims hold on every machine (README, Tests).

A recipe is a frozen dataclass of plain values taken from a paper, in the manner of nanoGPT's
configurator: ``FULL`` holds the paper's values and ``QUICK = replace(FULL, ...)`` lists only what the
quick profile shrinks. ``override(recipe, {"lr": "0.1"})`` returns a copy with some values replaced,
each text parsed to the type of its default (``"0.1"`` -> 0.1, ``"true"`` -> True, ``"6,1600,2"`` ->
(6, 1600, 2)); an unknown key or a value that does not parse gives a ValueError of one sentence that
lists what is allowed. A field made with ``choice(default, options)`` only takes one of its options.
"""
from __future__ import annotations

import ast
import dataclasses
import os
import random
import sys
from collections import namedtuple

import numpy as np
import torch

PROFILES = ("quick", "full")
TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
SWITCH = ("auto", "on", "off")           # device-dependent options: 'auto' = on with CUDA, off on the CPU

Setup = namedtuple("Setup", "profile seed")
Setup.__doc__ = "What ``setup`` chose: the profile ('quick' or 'full') and the seed."


# ---------------------------------------------------------------- profiles, seeds, threads
def current_profile() -> str:
    """The profile named by NAS_KIT_PROFILE, ``quick`` when unset."""
    profile = os.environ.get("NAS_KIT_PROFILE", "quick").strip().lower()
    if profile not in PROFILES:
        raise ValueError(f"NAS_KIT_PROFILE={profile!r} is not a profile: set it to 'quick' or 'full'.")
    return profile


def _env_int(name: str, default: int, minimum: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not an integer: unset it or set it to e.g. 1.") from None
    if value < minimum:
        raise ValueError(f"{name}={value} must be at least {minimum}.")
    return value


def current_seed() -> int:
    """The seed named by NAS_KIT_SEED, 0 when unset."""
    return _env_int("NAS_KIT_SEED", 0, 0)


def current_threads() -> int:
    """The thread count named by NAS_KIT_THREADS, 1 when unset (one thread: results repeat exactly)."""
    return _env_int("NAS_KIT_THREADS", 1, 1)


def pick(quick, full, profile: str | None = None):
    """The quick or the full value of a setting, for ``profile`` (default: the current profile)."""
    return quick if (profile or current_profile()) == "quick" else full


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup(seed: int | None = None, threads: int | None = None) -> Setup:
    """Seed everything and fix the thread count; return ``(profile, seed)``.

    ``seed`` defaults to NAS_KIT_SEED (0 when unset) and ``threads`` to NAS_KIT_THREADS (1 when unset);
    pass them explicitly to override the environment (e.g. a loop over seeds)."""
    seed = current_seed() if seed is None else seed
    torch.set_num_threads(current_threads() if threads is None else threads)
    seed_everything(seed)
    return Setup(current_profile(), seed)


# ---------------------------------------------------------------- recipes and overrides
def choice(default: str, options) -> dataclasses.Field:
    """A recipe field that takes one of ``options`` (checked by ``override``)."""
    return dataclasses.field(default=default, metadata={"choices": tuple(options)})


def sources_of(*recipes) -> dict:
    """{setting: where its full-profile value comes from} for the settings of ``recipes`` whose value is not the
    paper's: a recipe class's ``SOURCES`` (a dict; a subclass adds to its bases'). ``--show-settings`` prints them."""
    out = {}
    for r in recipes:
        for cls in reversed(type(r).__mro__ if not isinstance(r, type) else r.__mro__):
            out.update(vars(cls).get("SOURCES", {}))
    return out


def print_sources(sources: dict) -> None:
    """On stderr, beside --show-settings's JSON: the settings whose full value is not the paper's, and whence."""
    if sources:
        print("full-profile values not from the paper (the others are the paper's):", file=sys.stderr)
        for key, note in sources.items():
            print(f"  {key}: {note}", file=sys.stderr)


def choices_of(*recipes) -> dict:
    """{field: its options} for the ``choice`` fields of recipe classes or instances."""
    return {f.name: f.metadata["choices"] for r in recipes for f in dataclasses.fields(r) if "choices" in f.metadata}


def _kind(default) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, (int, float)):
        return "a float" if isinstance(default, float) else "an integer"
    return "comma-separated values" if isinstance(default, (tuple, list)) else "a value"


def _parse_text(key, raw, default):
    if isinstance(default, bool):
        if raw.lower() not in TRUE + FALSE:
            raise ValueError
        return raw.lower() in TRUE
    if isinstance(default, (int, float)):
        return type(default)(raw)
    if isinstance(default, (tuple, list)):
        items = [s for s in raw.replace("(", "").replace(")", "").split(",") if s.strip()]
        kind = type(default[0]) if len(default) else str
        return tuple(parse_value(key, s, kind()) for s in items)
    if default is None:
        try:
            return ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return raw
    return raw


def parse_value(key, text, default, choices=None):
    """``text`` (a string from the command line, or already a value) as the type of ``default``."""
    if isinstance(text, str):
        try:
            value = _parse_text(key, text.strip(), default)
        except ValueError:
            raise ValueError(f"setting {key}={text!r} is not {_kind(default)} (its default is {default!r}).") from None
    else:
        value = text
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif default is not None and not isinstance(value, type(default)) and not (
                isinstance(default, (tuple, list)) and isinstance(value, (tuple, list))):
            raise ValueError(f"setting {key}={value!r} should be a {type(default).__name__} like its default {default!r}.")
    if choices and isinstance(value, str) and value.lower() not in choices:
        raise ValueError(f"setting {key}={value!r} is not one of {', '.join(choices)}.")
    return value.lower() if choices and isinstance(value, str) else value


def override(defaults, overrides: dict | None = None, what: str = "these settings", choices: dict | None = None):
    """A copy of ``defaults`` (a recipe or a dict) with ``overrides`` (key -> text or value) applied and checked.

    A recipe's ``choice`` fields bring their own options; ``choices`` adds more (key -> options)."""
    is_recipe = dataclasses.is_dataclass(defaults)
    values = dataclasses.asdict(defaults) if is_recipe else dict(defaults)
    choices = {**(choices_of(defaults) if is_recipe else {}), **(choices or {})}
    for key, text in (overrides or {}).items():
        if key not in values:
            raise ValueError(f"unknown setting {key!r} for {what}: valid keys are {', '.join(sorted(values))}.")
        values[key] = parse_value(key, text, values[key], choices.get(key))
    return dataclasses.replace(defaults, **values) if is_recipe else values


def parse_assignments(items) -> dict:
    """``["lr=0.1", "C=8"]`` -> ``{"lr": "0.1", "C": "8"}``; an item without '=' is an error."""
    out = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set {item!r} is not of the form key=value (for example --set epochs=2).")
        out[key.strip()] = value
    return out


def from_settings(recipe_class, settings: dict):
    """The recipe of class ``recipe_class`` read from a flat dict of settings (e.g. a run's config.json)."""
    return recipe_class(**{f.name: settings[f.name] for f in dataclasses.fields(recipe_class)})


# ---------------------------------------------------------------- devices
def switch(value, device) -> bool:
    """An 'auto'/'on'/'off' (or bool) option for a device: 'auto' is on with CUDA and off on the CPU."""
    if isinstance(value, bool):
        return value
    if value == "auto":
        return getattr(device, "type", str(device)).startswith("cuda")
    if value in SWITCH:
        return value == "on"
    raise ValueError(f"{value!r} is not one of {', '.join(SWITCH)}.")


def resolve_device(value: str) -> torch.device:
    """'auto' -> CUDA when available, else the CPU; otherwise the named device (an error if CUDA is absent)."""
    if value == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(value)
    except RuntimeError:
        raise ValueError(f"device={value!r} is not a device: use auto, cpu or cuda.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={value!r} asks for CUDA, but PyTorch sees no GPU here: use device=auto or cpu.")
    return device
