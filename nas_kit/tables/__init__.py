"""The tables the kit ships, read as package data (so an installed wheel has them too):

mini_bench.json          the mini tabular benchmark (nas_kit.estimation.tabular; made by scripts/make_mini_bench.py)
side_by_side_quick.json  the methods side by side in the quick profile (notebook 11; benchmarks/side_by_side.py)
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

TABLES = Path(str(resources.files(__name__)))


def path(name: str) -> Path:
    """Where the shipped table ``name`` lies (e.g. 'mini_bench.json')."""
    return TABLES / name


def load(name: str) -> dict:
    """The shipped table ``name``, parsed; one sentence saying how to make it when it is missing."""
    where = path(name)
    if not where.is_file():
        raise FileNotFoundError(f"no table {name} in {TABLES}: the README says which script makes it "
                                f"(scripts/make_mini_bench.py, benchmarks/side_by_side.py).")
    return json.loads(where.read_text())
