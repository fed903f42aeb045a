"""Profiles, seeds and threads: what every notebook and command sets first.

Two profiles, one code path: ``quick`` shrinks sizes (channels, cells, image size, data) so a notebook
runs in under a minute on a 2-core CPU with data the kit makes; ``full`` uses the papers' settings on
a GPU with the real data. Choose with the environment variable NAS_KIT_PROFILE (default ``quick``).
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch

PROFILES = ("quick", "full")


def current_profile() -> str:
    """The profile named by NAS_KIT_PROFILE, ``quick`` when unset."""
    profile = os.environ.get("NAS_KIT_PROFILE", "quick").strip().lower()
    if profile not in PROFILES:
        raise ValueError(f"NAS_KIT_PROFILE={profile!r} is not a profile: set it to 'quick' or 'full'.")
    return profile


def pick(quick, full, profile: str | None = None):
    """The quick or the full value of a setting, for the current profile."""
    return quick if (profile or current_profile()) == "quick" else full


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup(seed: int = 0, threads: int | None = 1) -> str:
    """Seed everything and fix the thread count (results then repeat exactly); return the profile."""
    if threads is not None:
        torch.set_num_threads(threads)
    seed_everything(seed)
    return current_profile()
