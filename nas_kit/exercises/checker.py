"""Checkers for the exercises the student writes: one line that says passed, or what is wrong.

A notebook's exercise is a function the student writes (a cell tagged ``solution``; see
``nas_kit.exercises.edition``), and the cell after it hands that function to a checker:

    check_reinforce_update(reinforce_update)

The checker runs the student's function and the kit's reference on the same cases, random ones and edge
cases, each on its own copy of the inputs, and prints exactly one line:

    exercise "the REINFORCE update with a baseline": passed (12 cases)

or the first case that failed, what was expected, what came back, and a hint:

    exercise "the REINFORCE update with a baseline": not passed. Case "reward below the baseline":
    expected tensor([0.1, -0.1]), got tensor([-0.1, 0.1]). Hint: the advantage is R - b, not b - R.

It never raises (a student's unfinished notebook runs on to its end) and returns True or False. The cases
are drawn from fixed seeds, so the line is the same on every machine.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch

from nas_kit.claims import check


@dataclass(frozen=True)
class Case:
    """One input the student's function is run on: a name a student can read, and the arguments."""
    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def close(got, want, rtol: float = 1e-5, atol: float = 1e-7) -> str | None:
    """None when ``got`` equals ``want`` (floats and tensors to rtol/atol); otherwise what differs, briefly."""
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"a {type(got).__name__} where a tensor was expected"
        if tuple(got.shape) != tuple(want.shape):
            return f"shape {tuple(got.shape)} where {tuple(want.shape)} was expected"
        equal = torch.allclose(got.detach().double(), want.detach().double(), rtol=rtol, atol=atol, equal_nan=True)
        return None if equal else "different values"
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return None if got == want and type(got) is type(want) else "a different value"
    if isinstance(want, (int, float)):
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return f"a {type(got).__name__} where a number was expected"
        return None if math.isclose(got, want, rel_tol=rtol, abs_tol=atol) else "a different value"
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return "different keys" if isinstance(got, dict) else f"a {type(got).__name__} where a dict was expected"
        return next((f"at key {k!r}: {d}" for k in want if (d := close(got[k], want[k], rtol, atol))), None)
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"a {type(got).__name__} where a {type(want).__name__} was expected"
        if len(got) != len(want):
            return f"{len(got)} items where {len(want)} were expected"
        return next((f"at item {i}: {d}" for i, (g, w) in enumerate(zip(got, want))
                     if (d := close(g, w, rtol, atol))), None)
    return None if got == want else "a different value"


def shown(value, width: int = 160) -> str:
    """A short, readable form of a value for the failure line (tensors rounded, long texts cut)."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        text = f"tensor({[round(v, 4) for v in value.flatten().tolist()][:12]}, shape={tuple(value.shape)})"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def run_exercise(title: str, fn: Callable, reference: Callable, cases: Sequence[Case], hint: str,
                 compare: Callable[[Any, Any], str | None] = close, hints: dict | None = None) -> bool:
    """Run ``fn`` and ``reference`` on every case (each on its own deep copy); print one line; True if all agree.

    ``hints`` may give a case its own hint (by case name); ``hint`` is the general one."""
    head = f'exercise "{title}"'
    if not callable(fn):
        return _say(f"{head}: not passed. Give the checker your function itself, not {shown(fn)}.")
    for case in cases:
        want = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        try:
            got = fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except NotImplementedError:
            return _say(f"{head}: not written yet. Replace the line `raise NotImplementedError(...)` in the "
                        "solution cell with your code, run that cell, then this one (a hint comes with a wrong answer).")
        except Exception as e:              # the student's code failed: say where, in one line
            return _say(f'{head}: not passed. Case "{case.name}": your function raised '
                        f"{type(e).__name__}: {' '.join(str(e).split())}. Hint: {hint}")
        difference = compare(got, want)
        if difference is not None:
            extra = " Your function returned None: is a `return` missing?" if got is None else ""
            return _say(f'{head}: not passed. Case "{case.name}": expected {shown(want)}, got {shown(got)} '
                        f"({difference}).{extra} Hint: {(hints or {}).get(case.name, hint)}")
    return _say(f"{head}: passed ({len(cases)} cases)", passed=True)


def _say(line: str, passed: bool = False) -> bool:
    print(line)
    return passed


def same_as_library(title: str, mine, library, compare: Callable[[Any, Any], str | None] = close) -> None:
    """For the notebooks' from-scratch cells: check that the plain version ``mine`` equals the kit's ``library``
    on the same inputs. Prints ``check: <title> written from scratch equals the library's (holds)``, or stops
    the cell saying what differs (nas_kit.claims.check)."""
    difference = compare(mine, library)
    seen = "" if difference is None else f"{difference}: mine {shown(mine)}, library {shown(library)}"
    check(difference is None, f"{title} written from scratch equals the library's", seen)
