"""A notebook's claims about training results, as checks that hold on every machine.

Float32 training takes another path on another CPU's kernels after a few steps, so a notebook never
compares such numbers digit by digit. What its text claims about them is checked instead:

    check(derived > median, "the derived cell beats the median random cell",
          f"derived {derived:.3f}, median {median:.3f}")

prints one stable line, ``check: the derived cell beats the median random cell (holds)``, or stops the
cell with ``ClaimFailed`` and one sentence saying what did not hold. A claim is a check only when it
holds for seeds 0-4 under several CPU kernels; ``scripts/measure_claims.py`` runs a notebook that way
and commits what it measured to ``nas_kit/measurements/<notebook>.json``. A claim that holds less
often is shown as its committed fraction, which reads the same everywhere:

    report("enas beats the random control", "07_enas_cifar")
    # measured: enas beats the random control in 2 of 5 seeds with default kernels; ...

With ``NAS_KIT_RECORD=FILE`` set (the measuring script sets it), ``check`` and ``record`` also append what
they saw to FILE, one JSON object per line, and a failed check is recorded instead of raised, so that
the notebook runs to its end and every claim is measured.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

MEASUREMENTS = Path(__file__).resolve().parent / "measurements"


class ClaimFailed(Exception):
    """A claim of the notebook's text did not hold in this run; the message says which, and what was seen."""

    def _render_traceback_(self):
        """IPython shows this instead of a traceback: the one sentence is the whole story."""
        return [f"ClaimFailed: {self}"]


def _record(entry: dict) -> bool:
    """Append ``entry`` to $NAS_KIT_RECORD when set; True when recording."""
    path = os.environ.get("NAS_KIT_RECORD")
    if not path:
        return False
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
    return True


def _plain(value):
    """A JSON-friendly copy of ``value`` (numbers, strings, lists and dicts of them)."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def check(holds, claim: str, seen: str = "") -> None:
    """Print ``check: <claim> (holds)``; if it does not hold, raise ClaimFailed saying what was ``seen``."""
    holds = bool(holds)
    recording = _record({"kind": "check", "claim": claim, "holds": holds, "seen": seen})
    if holds:
        print(f"check: {claim} (holds)")
        return
    message = f"check failed: {claim} does not hold in this run" + (f" ({seen})" if seen else "") + "."
    if recording:
        print(message)
        return
    raise ClaimFailed(message + " The text above claims it for seeds 0-4; please report the seed "
                      "(NAS_KIT_SEED) and the machine.")


def record(name: str, value) -> None:
    """Note a measured value under ``name`` (for the multi-seed ranges the text quotes); prints nothing."""
    _record({"kind": "value", "name": name, "value": _plain(value)})


def measurement(notebook: str, path=None) -> dict:
    """The committed multi-seed measurement of ``notebook`` (e.g. '07_enas_cifar')."""
    path = Path(path) if path is not None else MEASUREMENTS / f"{notebook}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no committed measurement at {path}: make it with "
                                f"python scripts/measure_claims.py notebooks/{notebook}.ipynb")
    return json.loads(path.read_text())


def fraction(claim: str, notebook: str, path=None) -> tuple[int, int]:
    """(runs in which ``claim`` held, runs) over every seed and kernel of the committed measurement."""
    m = measurement(notebook, path)
    if claim not in m["checks"]:
        raise KeyError(f"the measurement of {notebook} has no claim {claim!r}; it has: {', '.join(m['checks'])}.")
    runs = [h for config in m["checks"][claim].values() for h in config if h is not None]
    return sum(runs), len(runs)


def report(claim: str, notebook: str, path=None) -> str:
    """Print (and return) the committed fraction of runs in which ``claim`` held, per kernel configuration."""
    if os.environ.get("NAS_KIT_RECORD") and not (Path(path) if path else MEASUREMENTS / f"{notebook}.json").is_file():
        return ""                           # the first measurement of a notebook: nothing committed yet
    m = measurement(notebook, path)
    if claim not in m["checks"]:
        raise KeyError(f"the measurement of {notebook} has no claim {claim!r}; it has: {', '.join(m['checks'])}.")
    parts = []
    for config, held in m["checks"][claim].items():
        runs = [h for h in held if h is not None]
        parts.append(f"{sum(runs)} of {len(runs)} seeds with {config} kernels")
    line = (f"measured: {claim} in {'; '.join(parts)} (nas_kit/measurements/{notebook}.json, "
            f"made by scripts/measure_claims.py)")
    print(line)
    return line


def value_range(name: str, notebook: str, path=None) -> tuple[float, float]:
    """(min, max) of a recorded value over every seed and kernel of the committed measurement."""
    m = measurement(notebook, path)
    values = [v for config in m["values"][name].values() for v in config if isinstance(v, (int, float))]
    return min(values), max(values)


def check_or_report(holds, claim: str, notebook: str, seen: str = "", path=None) -> None:
    """A claim that did not hold in every measured run: measured like a check while scripts/measure_claims.py runs
    the notebook, otherwise printed as the committed fraction of runs in which it held (``report``)."""
    if os.environ.get("NAS_KIT_RECORD"):
        check(holds, claim, seen)
    else:
        report(claim, notebook, path)
