"""A search whose numbers turn non-finite stops with one sentence (issue 15): nothing is derived from NaN, and the
last finite checkpoint is kept. DARTS and ENAS both call it."""
from __future__ import annotations

import math

import torch


def non_finite(numbers: dict, **tensors) -> list[str]:
    """What is not finite: the float entries of ``numbers`` ('key value'), and each named group of ``tensors``
    ('<name> not finite') with a non-finite element."""
    bad = [f"{k} {v}" for k, v in numbers.items() if isinstance(v, float) and not math.isfinite(v)]
    return bad + [f"{name} not finite" for name, group in tensors.items()
                  if not all(bool(torch.isfinite(t).all()) for t in group)]


def stop_if_diverged(bad: list, search: str, epoch: int, kept, derived: str, retry: str) -> None:
    """FloatingPointError (one sentence) naming what was not finite, the checkpoint kept (``kept``: the last finite
    epoch's, or None) and the learning rates to lower (``retry``)."""
    if bad:
        where = f"the checkpoint of epoch {epoch} is kept in {kept}" if kept else "no checkpoint was written"
        raise FloatingPointError(f"the {search} search diverged in epoch {epoch + 1} ({', '.join(bad)}), so no "
                                 f"{derived} was derived: {where}; search again in a new --run-dir with a smaller "
                                 f"learning rate ({retry}).")
