"""A run directory: what a long run leaves behind, every file written atomically.

    config.json     the command, profile and every setting (enough to resume or repeat the run)
    metrics.csv     one row per epoch (or per evaluated architecture for a black-box search)
    checkpoint.pt   the state after the last complete epoch (nas_kit.training.checkpoint)
    genotype.txt    the architecture as text (the DARTS repository's form for cell and RNN genotypes)
    genotype.gv     its Graphviz source; genotype.svg the drawing, when Graphviz's `dot` is installed
    results.json    the final numbers, as the papers report them
"""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from nas_kit.files import write_text
from nas_kit.viz import dot_available, to_svg

CONFIG, METRICS, CHECKPOINT, RESULTS = "config.json", "metrics.csv", "checkpoint.pt", "results.json"


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, default=_plain) + "\n")


def read_json(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {path.name} in {path.parent}: is it a run directory of nas_kit?")
    return json.loads(path.read_text())


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

    Returns None, or one sentence saying that only the .gv source was written."""
    run_dir = Path(run_dir)
    write_text(run_dir / f"{name}.txt", text + "\n")
    write_text(run_dir / f"{name}.gv", graph.source)
    if not dot_available():
        return (f"Graphviz's `dot` is not installed, so {run_dir / name}.gv holds the drawing's source only "
                f"(install graphviz and run `dot -Tsvg {name}.gv -o {name}.svg`).")
    write_text(run_dir / f"{name}.svg", to_svg(graph))
    return None
