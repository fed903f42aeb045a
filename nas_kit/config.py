"""Profiles, seeds and threads: what every notebook and command sets first.

Two profiles, one code path: ``quick`` shrinks sizes (channels, cells, image size, data) so a notebook
runs in under a minute on a 2-core CPU with data the kit makes; ``full`` uses the papers' settings on
a GPU with the real data. Choose with the environment variable NAS_KIT_PROFILE (default ``quick``).

The seed and the thread count of a notebook come from NAS_KIT_SEED (default 0) and NAS_KIT_THREADS
(default 1), so that the same notebook can be re-run with another seed, or more threads, without an
edit: that is how the kit checks that a notebook's claims hold on every machine (README, Tests).
"""
from __future__ import annotations

import os
import random
from collections import namedtuple

import numpy as np
import torch

PROFILES = ("quick", "full")

Setup = namedtuple("Setup", "profile seed")
Setup.__doc__ = "What ``setup`` chose: the profile ('quick' or 'full') and the seed."


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
    """The quick or the full value of a setting, for the current profile."""
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
