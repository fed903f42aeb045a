"""A run directory: what a long run leaves behind, every file written atomically.

    config.json     the command, profile and every setting (enough to resume or repeat the run)
    metrics.csv     one row per epoch (or per evaluated architecture for a black-box search)
    checkpoint.pt   the state after the last complete epoch (nas_kit.training.checkpoint)
    genotype.txt    the architecture as text (the DARTS repository's form for cell and RNN genotypes)
    genotype.gv     its Graphviz source; genotype.svg the drawing, when Graphviz's `dot` is installed
    results.json    the final numbers, as the papers report them
    lock            who holds the directory (nas_kit.training.lock): one process at a time

Resuming with ``--set`` may change only the settings of ``RESUMABLE``, which say where and how fast the run
goes, not what it computes; any other change is refused (``check_resume``) before config.json is touched.
"""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from nas_kit.files import remove_leftovers, write_text
from nas_kit.training import lock
from nas_kit.training.lock import release_all
from nas_kit.viz import dot_available, to_svg

CONFIG, METRICS, CHECKPOINT, RESULTS = "config.json", "metrics.csv", "checkpoint.pt", "results.json"
# Settings a resumed run may change: where it runs and how many threads or workers it uses, and where its data
# lies. Everything else would change the arithmetic of the epochs already trained (lr, epochs and the schedule
# they set, sizes, data, seeds) or mix two kinds of children in one history.
RESUMABLE = ("device", "threads", "data_root", "pool", "workers")


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, default=_plain) + "\n")


def read_json(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {path.name} in {path.parent}: is it a run directory of nas_kit?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} is not valid JSON ({e}): restore it, or start a new --run-dir.") from None


def read_config(run_dir) -> dict:
    """A run directory's config.json, checked to hold what a resume needs."""
    path = Path(run_dir) / CONFIG
    config = read_json(path)
    if not isinstance(config, dict) or not isinstance(config.get("settings"), dict) or "command" not in config:
        raise ValueError(f"{path} is not the config.json of a nas_kit run (it lacks command or settings): "
                         f"restore it, or start a new --run-dir.")
    return config


def check_resume(saved: dict, settings: dict, path) -> None:
    """Refuse (one sentence) a resume whose settings differ from the saved ones outside ``RESUMABLE``."""
    for key, value in settings.items():
        if key not in RESUMABLE and key in saved and _same(saved[key]) != _same(value):
            raise ValueError(f"{key} cannot change on resume ({saved[key]!r} in {path}, now {value!r}): the epochs "
                             f"already trained used the old value, so start a new --run-dir to try "
                             f"{key}={value!r} (only {', '.join(RESUMABLE)} may change on resume).")


def _same(value):
    return list(value) if isinstance(value, (tuple, list)) else value


def begin(run_dir) -> None:
    """Hold ``run_dir`` for this process (``nas_kit.training.lock``; one sentence when another holds it), then
    remove what killed atomic writes left in it (no writer of it is alive now)."""
    lock.hold(run_dir)
    remove_leftovers(run_dir, min_age=0.0)


def complete(run_dir, saved: dict, keys) -> dict:
    """The saved settings, checked to hold every one of ``keys`` (a config.json of another shape is refused)."""
    missing = [k for k in keys if k not in saved]
    if missing:
        raise ValueError(f"{Path(run_dir) / CONFIG} lacks the settings {', '.join(missing)}: restore it, or start a "
                         f"new --run-dir.")
    return saved


def _plain(value):
    if isinstance(value, (set, range)):
        return list(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def write_metrics(path, rows: list[dict]) -> None:
    """Rows (dicts of numbers and short strings) as CSV; the columns are the union of the rows' keys, in order."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    write_text(path, buffer.getvalue())


def _cell(value):
    if isinstance(value, float):
        return repr(value)
    return value if isinstance(value, (int, str)) or value is None else str(value)


def read_metrics(path) -> list[dict]:
    """A metrics.csv (or a run directory holding one) as a list of dicts, numbers parsed back."""
    path = Path(path)
    if path.is_dir():
        path = path / METRICS
    if not path.is_file():
        raise FileNotFoundError(f"no metrics file at {path}: point to a run directory or its metrics.csv.")
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _number(text):
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
        return value if math.isfinite(value) or text.lower() in ("nan", "inf", "-inf") else text
    except ValueError:
        return text


def write_genotype(run_dir, text: str, graph, name: str = "genotype") -> str | None:
    """Write ``name``.txt (``text``), ``name``.gv (``graph``'s DOT source) and, when Graphviz's `dot` is
    installed, ``name``.svg.

    Returns None, or one sentence saying that only the .gv source was written: drawing is optional, so a
    missing or failing `dot` is a warning, never a lost run."""
    run_dir = Path(run_dir)
    write_text(run_dir / f"{name}.txt", text + "\n")
    write_text(run_dir / f"{name}.gv", graph.source)
    if not dot_available():
        return (f"Graphviz's `dot` is not installed, so {run_dir / name}.gv holds the drawing's source only "
                f"(install graphviz and run `dot -Tsvg {name}.gv -o {name}.svg`).")
    try:
        svg = to_svg(graph)
    except Exception as e:  # noqa: BLE001 - dot's exit status, its timeout, a broken install: all only a warning
        reason = " ".join(str(e).split())[:200]
        return (f"warning: Graphviz's `dot` failed ({reason}), so {run_dir / name}.gv holds the drawing's source "
                f"only (run `dot -Tsvg {name}.gv -o {name}.svg` to see why).")
    write_text(run_dir / f"{name}.svg", svg)
    return None
