"""The PNAS cell space (Liu et al. 2018, section 3.1): one cell of B blocks, shared by normal and reduction cells.

A block ``(in1, op1, in2, op2)`` adds two ops applied to two inputs (the two cell inputs or earlier blocks);
in the DARTS format of ``nas_kit.genotypes`` block b is node b+1's two ``(op, input)`` pairs. Size:
prod_{b=1}^{B} (b+1)^2 * 8^2, exactly 256 for B = 1 and ~5.6e14 for B = 5 (``nas_kit.spaces.cell``).
"""
from __future__ import annotations

from nas_kit.genotypes import PNAS_PRIMITIVES, Genotype
from nas_kit.spaces.cell import CellSpace


class PNASSpace(CellSpace):
    """PNAS space: 8 ops, ``blocks`` blocks, one cell for normal and reduction."""

    key, name = "pnas", "PNAS"

    def __init__(self, blocks=5):
        super().__init__(self.name, PNAS_PRIMITIVES, nodes=blocks, shared=True, concat="all")


pnas = PNASSpace        # the paper's space under its short name: pnas(blocks=5)


def blocks_to_cell(blocks):
    """PNAS blocks ``(in1, op1, in2, op2)`` -> DARTS-format ``(op, input)`` pairs."""
    return [pair for in1, op1, in2, op2 in blocks for pair in ((op1, in1), (op2, in2))]


def cell_to_blocks(cell):
    """DARTS-format pairs -> PNAS blocks ``(in1, op1, in2, op2)``."""
    return [(a, op_a, b, op_b) for (op_a, a), (op_b, b) in zip(cell[0::2], cell[1::2])]


def pnas_genotype(blocks):
    """The ``Genotype`` of a PNAS cell given as blocks (one cell for normal and reduction)."""
    cell = blocks_to_cell(blocks)
    concat = list(range(2, len(blocks) + 2))
    return Genotype(normal=cell, normal_concat=concat, reduce=list(cell), reduce_concat=list(concat))
