"""Checkers for notebook 02: counting and enumerating a cell space (NASNet / ENAS / PNAS / DARTS style;
nas_kit.spaces.cell). Node j (0-based) reads two of the j + 2 earlier nodes and applies an op to each:

    |cells| = prod_j ((j + 2) |O|)^2        or, with two distinct inputs (DARTS),  prod_j C(j + 2, 2) |O|^2

and a space of a normal and a reduction cell holds |cells|^2 architectures (|cells| when one cell is shared, PNAS).
"""
from __future__ import annotations

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.spaces.cell import CellSpace


def _space(n_ops, nodes, distinct_inputs=False, shared=False) -> CellSpace:
    return CellSpace("exercise", [f"op{i}" for i in range(n_ops)], nodes=nodes, shared=shared,
                     distinct_inputs=distinct_inputs)


def _exact(got, want):
    if not isinstance(got, int) or isinstance(got, bool):
        return f"a {type(got).__name__} where an exact int was expected"
    return None if got == want else "a different count"


def check_cell_space_size(fn) -> bool:
    """fn(n_ops, nodes, distinct_inputs, shared) -> the number of architectures (an exact int)."""
    cases = [Case("ENAS micro: 5 ops, B = 5", (5, 5, False, False)),
             Case("NASNet / AmoebaNet: 8 ops, B = 5", (8, 5, False, False)),
             Case("PNAS, 1 block: 256 cells", (8, 1, False, True)),
             Case("PNAS: 8 ops, 5 blocks, one shared cell", (8, 5, False, True)),
             Case("DARTS: 7 ops, 4 nodes, distinct inputs", (7, 4, True, False)),
             Case("one node, one op", (1, 1, False, False)),
             Case("one node, distinct inputs, shared", (3, 1, True, True))]
    return run_exercise(
        "the size of a cell space", fn, lambda *a: _space(*a).size(), cases, compare=_exact,
        hint="node j has j + 2 inputs to choose from, for each of its two edges, and an op for each edge; multiply "
             "over the nodes, then square for the normal and the reduction cell unless the cell is shared.",
        hints={"DARTS: 7 ops, 4 nodes, distinct inputs": "with distinct inputs a node takes an unordered pair of two "
                                                         "different inputs, math.comb(j + 2, 2) of them, and an op "
                                                         "for each edge.",
               "PNAS: 8 ops, 5 blocks, one shared cell": "a shared cell is used as normal and as reduction cell: "
                                                         "do not square.",
               "ENAS micro: 5 ops, B = 5": "the exact count, not the paper's (5 x 5!)^4: each of a node's two edges "
                                           "picks any of the j + 2 inputs and any op."})


def _as_cells(value):
    return [tuple((op, int(j)) for op, j in cell) for cell in value]


def _same_cells(got, want):
    """The same set of cells, each once (the order of the list does not matter)."""
    if not isinstance(got, (list, tuple)):
        return f"a {type(got).__name__} where a list of cells was expected"
    try:
        got = _as_cells(got)
    except (TypeError, ValueError):
        return "items that are not cells (lists of (op, input) pairs)"
    want = _as_cells(want)
    if len(set(got)) != len(got):
        return f"{len(got) - len(set(got))} cells listed twice"
    extra, missing = set(got) - set(want), set(want) - set(got)
    if extra:
        return f"{len(extra)} cells not in the space, e.g. {sorted(extra)[0]}"
    return f"{len(missing)} cells missing, e.g. {sorted(missing)[0]}" if missing else None


def check_enumerate_cells(fn) -> bool:
    """fn(ops, nodes, distinct_inputs) -> every cell, each a list of two (op, input) pairs per node."""
    def reference(ops, nodes, distinct_inputs):
        space = CellSpace("exercise", ops, nodes=nodes, shared=True, distinct_inputs=distinct_inputs)
        return [genotype.normal for genotype in space.enumerate()]

    cases = [Case("1 node, 2 ops", (["conv", "pool"], 1, False)),
             Case("2 nodes, 2 ops", (["conv", "pool"], 2, False)),
             Case("1 node, 3 ops, distinct inputs", (["conv", "pool", "skip"], 1, True)),
             Case("3 nodes, 2 ops, distinct inputs", (["conv", "pool"], 3, True))]
    return run_exercise(
        "every cell of a small space", fn, reference, cases, compare=_same_cells,
        hint="for node j, loop over the inputs a and b in range(j + 2) (a < b when the inputs must be distinct) and "
             "over the ops of each edge; a cell is one choice per node, concatenated: itertools.product.",
        hints={"1 node, 3 ops, distinct inputs": "with distinct inputs the pair is unordered: (a, b) with a < b, "
                                                 "never a == b."})
