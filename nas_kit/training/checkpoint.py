"""Checkpoints that let a killed run resume exactly: model(s), optimizers, RNG states and history.

Written atomically (``nas_kit.files.atomic``), so a kill during ``save`` leaves the previous checkpoint
intact and never a half file.
"""
from __future__ import annotations

import os
import pickle
import random
import types
from pathlib import Path

import numpy as np
import torch

from nas_kit.files import atomic

# Classes a search checkpoint pickles whole that moved in the redesign of issue 13: a checkpoint written before
# it names them by their old home, (module, name) -> their module now.
MOVED = {("nas_kit.strategies.base", "History"): "nas_kit.results",
         ("nas_kit.strategies.base", "Record"): "nas_kit.results"}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        return super().find_class(MOVED.get((module, name), module), name)


_PICKLE = types.SimpleNamespace(**{**vars(pickle), "Unpickler": _Unpickler})   # pickle, finding moved classes


def rng_state() -> dict:
    """The states of Python's, NumPy's and PyTorch's generators (CUDA's too when present)."""
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str | os.PathLike, **state) -> None:
    """Save ``state`` (modules and optimizers are stored by their state_dict) plus the RNG states, atomically."""
    payload = {k: (v.state_dict() if hasattr(v, "state_dict") else v) for k, v in state.items()}
    payload["_rng"] = rng_state()
    with atomic(path, "wb") as f:
        torch.save(payload, f)


def load_checkpoint(path: str | os.PathLike, restore_rng: bool = True, **targets) -> dict:
    """Load a checkpoint: each of ``targets`` (a module or optimizer) gets its state_dict back,
    the RNG states are restored, and the whole payload is returned (plain values under their names)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}: start the run without resume, or point to its run directory.")
    payload = torch.load(path, map_location="cpu", weights_only=False, pickle_module=_PICKLE)
    for name, target in targets.items():
        if name not in payload:
            raise KeyError(f"the checkpoint {path} has no '{name}' to restore.")
        target.load_state_dict(payload[name])
    if restore_rng:
        set_rng_state(payload["_rng"])
    return payload
