"""The cell space of the kit's mini tabular benchmark, in the style of NAS-Bench-201 (Dong & Yang 2020).

A cell is a DAG of 4 nodes; each of its 6 edges i -> j (i < j) carries one op. An architecture is a
tuple of 6 op names in the order of ``EDGES``, written in NAS-Bench-201's string form
``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` (``op~i`` is the edge from node i). ``BENCH_OPS`` are
NAS-Bench-201's five ops; the kit's table uses three of them (``MINI_BENCH_OPS``).

Size: |O|^6; 3^6 = 729 with the kit's ops (NAS-Bench-201's five ops give 5^6 = 15,625).
"""
from __future__ import annotations

import itertools
import re

from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))  # (from, to), in NAS-Bench-201's string order
BENCH_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
MINI_BENCH_OPS = ("skip_connect", "nor_conv_3x3", "avg_pool_3x3")


class BenchSpace(SearchSpace):
    """Six edges, one op each from ``ops``."""

    key = "mini_bench"
    name = "mini-bench"

    def __init__(self, ops=MINI_BENCH_OPS):
        unknown = [op for op in ops if op not in BENCH_OPS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a benchmark op: choose from {', '.join(BENCH_OPS)}.")
        self.ops = tuple(ops)

    def size(self) -> int:
        return len(self.ops) ** len(EDGES)

    def sample(self, seed=None) -> tuple:
        rng = as_rng(seed)
        return tuple(rng.choice(self.ops) for _ in EDGES)

    def enumerate(self):
        return itertools.product(self.ops, repeat=len(EDGES))

    def validate(self, arch) -> None:
        if not isinstance(arch, (tuple, list)) or len(arch) != len(EDGES):
            raise InvalidArchitecture("arch", f"{arch!r} is not a tuple of {len(EDGES)} edge ops.")
        for k, (op, (i, j)) in enumerate(zip(arch, EDGES)):
            if op not in self.ops:
                raise InvalidArchitecture(f"edge {i}->{j}", f"op {op!r} is not one of {', '.join(self.ops)}.")

    def mutate(self, arch, rng=None) -> tuple:
        """Change the op of one edge to another op (Real et al. 2019's op mutation)."""
        self.validate(arch)
        rng = as_rng(rng)
        k = rng.randrange(len(EDGES))
        arch = list(arch)
        arch[k] = rng.choice([op for op in self.ops if op != arch[k]])
        return tuple(arch)

    def dimensions(self) -> list[tuple[str, tuple]]:
        """The space as categorical choices, (name, options) per edge: what TPE, BOHB and the GP's kernel read.
        An architecture is the tuple of its values in this order (``values`` and ``from_values``)."""
        return [(f"edge {i}->{j}", self.ops) for i, j in EDGES]

    def values(self, arch) -> tuple:
        self.validate(arch)
        return tuple(arch)

    def from_values(self, values) -> tuple:
        arch = tuple(values)
        self.validate(arch)
        return arch

    def encode(self, arch) -> str:
        self.validate(arch)
        nodes = [[f"{op}~{i}" for op, (i, j) in zip(arch, EDGES) if j == to] for to in (1, 2, 3)]
        return "+".join("|" + "|".join(node) + "|" for node in nodes)

    def decode(self, text: str) -> tuple:
        found = re.findall(r"([a-z0-9_]+)~(\d)", text)
        if len(found) != len(EDGES):
            raise InvalidArchitecture("arch", f"{text!r} should read like |op~0|+|op~0|op~1|+|op~0|op~1|op~2|.")
        arch = tuple(op for op, _ in found)
        self.validate(arch)
        return arch
