"""The NASNet-style cell space (Zoph et al. 2018, section 3) and its variants in ENAS, DARTS
and PNAS.

A cell has two inputs (0 = output of cell k-2, 1 = output of cell k-1) and B intermediate
nodes. Node j (numbered j+2) takes two ``(op, input)`` pairs from the inputs and earlier
nodes and adds them. An architecture is a ``Genotype`` (nas_kit.genotypes, the DARTS
format): ``normal`` and ``reduce`` hold 2*B pairs each, in node order.

    inputs:   0 (c_{k-2})   1 (c_{k-1})
    node 2 <- op(a) + op(b),  a, b in {0, 1}
    node 3 <- op(a) + op(b),  a, b in {0, 1, 2}
    ...
    output  = concat(nodes in *_concat)

Counting (node j may use j+2 inputs, |O| ops):

* ENAS micro (Pham et al. 2018, section 2.4), |O| = 5, B = 5 nodes ("7 nodes" with the two
  inputs). The paper counts (5 x (B-2)!)^2 per cell and (5 x (B-2)!)^4 ~ 1.3e11 for both
  cells with B = 7: ``paper_size()``. Counting every ordered (input, op) choice exactly gives
  prod_{j=0}^{B-1} ((j+2) * 5)^2 per cell, ~ 2.6e25 for the pair: ``size()``.
* PNAS (Liu et al. 2018, section 3.1), |O| = 8, one cell for normal and reduction:
  prod_{b=1}^{B} (b+1)^2 * 8^2, exactly 256 for B = 1 and 2^2 3^2 4^2 5^2 6^2 8^10 ~ 5.6e14
  ("~1e14" in the lecture) for B = 5.
* DARTS (Liu et al. 2019, section 2.4): the derived cell keeps, per node, the 2 strongest
  non-zero ops from 2 distinct inputs, so per node C(j+2, 2) * 7^2 choices and
  (prod_{j=0}^{3} C(j+2, 2) * 7^2)^2 ~ 1.1e18 for the normal and reduction pair.
* NASNet/AmoebaNet (Real et al. 2019, section 2): AmoebaNet's 8 ops, B = 5, like ENAS.

ENAS and NASNet concatenate the "loose ends" (nodes no other node uses); PNAS and DARTS
concatenate every node. (ENAS's code, micro_child.py ``_fixed_combine``, would also
concatenate a cell input that no node uses; here, as in the DARTS format, concat lists
intermediate nodes only. Every published cell uses both inputs, so nothing changes for them.)
"""
from __future__ import annotations

import itertools
import math
import re

from nas_kit.genotypes import DARTS_PRIMITIVES, ENAS_PRIMITIVES, NASNET_PRIMITIVES, Genotype
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

ENUMERATE_LIMIT = 10 ** 6


def loose_ends(cell, n_nodes):
    """The nodes (numbered 2..n_nodes+1) that no pair of ``cell`` takes as input."""
    used = {inp for _, inp in cell}
    return [j for j in range(2, n_nodes + 2) if j not in used]


class CellSpace(SearchSpace):
    """A cell space; see the module docstring.

    ops:             the op vocabulary (may include 'none', which derived cells never use)
    nodes:           B, the number of intermediate nodes
    shared:          one cell used for normal and reduction (PNAS)
    distinct_inputs: the two inputs of a node differ and the pair is unordered (DARTS)
    concat:          'all' or 'loose' (loose ends, as ENAS and NASNet)
    """

    _variants = {}      # the papers' variants (subclasses) by their name, for __setstate__

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        CellSpace._variants[cls.name] = cls

    def __init__(self, name, ops, nodes=5, shared=False, distinct_inputs=False, concat="all"):
        if concat not in ("all", "loose"):
            raise ValueError(f"concat must be 'all' or 'loose', not {concat!r}.")
        self.name = name
        self.ops = tuple(ops)
        self.nodes = nodes
        self.shared = shared
        self.distinct_inputs = distinct_inputs
        self.concat = concat
        # the ops a derived cell may use: 'none' (the zero op) is for search only
        self.cell_ops = tuple(op for op in self.ops if op != "none")

    def __setstate__(self, state):
        """A cell space pickled before each variant had its own class (a search checkpoint written before
        issue 13) comes back as that class, so that it knows its registry key."""
        self.__dict__.update(state)
        if type(self) is CellSpace:
            self.__class__ = CellSpace._variants.get(self.name, CellSpace)

    # ------------------------------------------------------------ counting
    def _node_choices(self, j):
        n_in, n_op = j + 2, len(self.cell_ops)
        return math.comb(n_in, 2) * n_op ** 2 if self.distinct_inputs else (n_in * n_op) ** 2

    def cell_size(self) -> int:
        """The number of distinct cells: the product over nodes of the choices of one node."""
        return math.prod(self._node_choices(j) for j in range(self.nodes))

    def size(self) -> int:
        return self.cell_size() if self.shared else self.cell_size() ** 2

    def paper_size(self) -> int:
        """The size as ENAS section 2.4 counts it: (|O| x (B-2)!)^2 per cell, squared for two
        cells, with B counting the 2 inputs; (5 x 5!)^4 ~ 1.3e11 for ENAS's B = 7."""
        B = self.nodes + 2
        per_cell = (len(self.cell_ops) * math.factorial(B - 2)) ** 2
        return per_cell if self.shared else per_cell ** 2

    # ------------------------------------------------------------ sampling
    def _node_options(self, j):
        n_in = j + 2
        if self.distinct_inputs:
            pairs = itertools.combinations(range(n_in), 2)
        else:
            pairs = itertools.product(range(n_in), repeat=2)
        for a, b in pairs:
            for op_a, op_b in itertools.product(self.cell_ops, repeat=2):
                yield [(op_a, a), (op_b, b)]

    def _sample_cell(self, rng):
        cell = []
        for j in range(self.nodes):
            if self.distinct_inputs:
                a, b = rng.sample(range(j + 2), 2)
            else:
                a, b = rng.randrange(j + 2), rng.randrange(j + 2)
            cell += [(rng.choice(self.cell_ops), a), (rng.choice(self.cell_ops), b)]
        return cell

    def _concat_of(self, cell):
        return loose_ends(cell, self.nodes) if self.concat == "loose" else list(range(2, self.nodes + 2))

    def _genotype(self, normal, reduce):
        return Genotype(normal=normal, normal_concat=self._concat_of(normal),
                        reduce=reduce, reduce_concat=self._concat_of(reduce))

    def sample(self, seed=None):
        rng = as_rng(seed)
        normal = self._sample_cell(rng)
        reduce = list(normal) if self.shared else self._sample_cell(rng)
        return self._genotype(normal, reduce)

    def enumerate(self):
        if self.size() > ENUMERATE_LIMIT:
            return super().enumerate()
        return self._enumerate()

    def _enumerate(self):
        cells = [sum(nodes, []) for nodes in itertools.product(*(list(self._node_options(j)) for j in range(self.nodes)))]
        if self.shared:
            for cell in cells:
                yield self._genotype(cell, list(cell))
        else:
            for normal, reduce in itertools.product(cells, repeat=2):
                yield self._genotype(normal, reduce)

    def mutate(self, arch, rng=None):
        """Real et al. 2019, section 2: change one op ("op mutation") or one input ("hidden
        state mutation") of one node in the normal or the reduction cell."""
        self.validate(arch)
        rng = as_rng(rng)
        which = "normal" if self.shared else rng.choice(["normal", "reduce"])
        cell = list(getattr(arch, which))
        i = rng.randrange(len(cell))
        op, inp = cell[i]
        j = i // 2
        if rng.random() < 0.5 and len(self.cell_ops) > 1:
            cell[i] = (rng.choice([o for o in self.cell_ops if o != op]), inp)
        else:
            taken = {inp}
            if self.distinct_inputs:
                taken.add(cell[i ^ 1][1])
            choices = [k for k in range(j + 2) if k not in taken]
            if choices:
                cell[i] = (op, rng.choice(choices))
            else:  # node 0 of a DARTS cell: both inputs are fixed, so change the op
                cell[i] = (rng.choice([o for o in self.cell_ops if o != op]), inp)
        if self.shared:
            return self._genotype(cell, list(cell))
        other = list(arch.reduce if which == "normal" else arch.normal)
        return self._genotype(cell, other) if which == "normal" else self._genotype(other, cell)

    # ------------------------------------------------------------ checking
    def validate(self, arch):
        if not (isinstance(arch, tuple) and getattr(arch, "_fields", None) == Genotype._fields):
            raise InvalidArchitecture("genotype", f"is a {type(arch).__name__}; the {self.name} space expects a "
                                      "Genotype(normal, normal_concat, reduce, reduce_concat).")
        for which in ("normal", "reduce"):
            self._validate_cell(which, getattr(arch, which))
            expected = self._concat_of(list(getattr(arch, which)))
            concat = getattr(arch, which + "_concat")
            if list(concat) != expected:
                rule = "its loose ends" if self.concat == "loose" else "every intermediate node"
                raise InvalidArchitecture(f"{which}_concat", f"{list(concat)} should be {expected} "
                                          f"({rule}, as the {self.name} space concatenates).")
        if self.shared and list(arch.reduce) != list(arch.normal):
            raise InvalidArchitecture("reduce", f"differs from normal; the {self.name} space uses one cell for both.")

    def _validate_cell(self, which, cell):
        n_pairs = 2 * self.nodes
        if not isinstance(cell, (list, tuple)) or len(cell) != n_pairs:
            got = len(cell) if isinstance(cell, (list, tuple)) else type(cell).__name__
            raise InvalidArchitecture(which, f"has {got} (op, input) pairs; the {self.name} space needs "
                                      f"{n_pairs} (2 per node for {self.nodes} nodes).")
        for i, pair in enumerate(cell):
            field = f"{which}[{i}]"
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                raise InvalidArchitecture(field, f"is {pair!r}, not an (op, input) pair.")
            op, inp = pair
            if op == "none" and "none" in self.ops:
                raise InvalidArchitecture(f"{field}.op", "'none' is the zero op of the search; a derived "
                                          f"{self.name} cell keeps only non-zero ops.")
            if op not in self.cell_ops:
                raise InvalidArchitecture(f"{field}.op", f"{op!r} is not an op of the {self.name} space "
                                          f"(choose from {', '.join(self.cell_ops)}).")
            j = i // 2
            if isinstance(inp, bool) or not isinstance(inp, int):
                raise InvalidArchitecture(f"{field}.input", f"{inp!r} is not an integer node index.")
            if not 0 <= inp <= j + 1:
                why = ""
                if j + 2 <= inp <= self.nodes + 1:
                    why = f": node {j + 2} cannot take itself or a later node as input (a cycle)"
                raise InvalidArchitecture(f"{field}.input", f"{inp} is out of range 0..{j + 1}{why}.")
            if self.distinct_inputs and i % 2 == 1 and inp == cell[i - 1][1]:
                raise InvalidArchitecture(f"{field}.input", f"{inp} repeats {which}[{i - 1}].input; a {self.name} "
                                          "node takes its two edges from distinct inputs.")

    # ------------------------------------------------------------ text
    # "normal: sep_conv_3x3(0)+sep_conv_3x3(1) | ... ; reduce: ..."   (shared: "cell: ...")
    @staticmethod
    def _encode_cell(cell):
        return " | ".join(f"{a}({i})+{b}({k})" for (a, i), (b, k) in zip(cell[0::2], cell[1::2]))

    def encode(self, arch):
        self.validate(arch)
        if self.shared:
            return "cell: " + self._encode_cell(arch.normal)
        return f"normal: {self._encode_cell(arch.normal)} ; reduce: {self._encode_cell(arch.reduce)}"

    _PAIR = re.compile(r"^\s*([A-Za-z0-9_]+)\((-?\d+)\)\s*$")

    def _decode_cell(self, which, text):
        cell = []
        for n, node in enumerate(text.split("|")):
            halves = node.split("+")
            if len(halves) != 2:
                raise InvalidArchitecture(f"{which} node {n}", f"{node.strip()!r} should read 'op(input)+op(input)'.")
            for half in halves:
                m = self._PAIR.match(half)
                if not m:
                    raise InvalidArchitecture(f"{which} node {n}", f"{half.strip()!r} should read 'op(input)'.")
                cell.append((m.group(1), int(m.group(2))))
        return cell

    def decode(self, text):
        if self.shared:
            if not text.startswith("cell:"):
                raise InvalidArchitecture("text", f"should start with 'cell:' for the {self.name} space.")
            cell = self._decode_cell("cell", text[len("cell:"):])
            arch = self._genotype(cell, list(cell))
        else:
            m = re.fullmatch(r"\s*normal:(.*);\s*reduce:(.*)", text)
            if not m:
                raise InvalidArchitecture("text", "should read 'normal: ... ; reduce: ...'.")
            arch = self._genotype(self._decode_cell("normal", m.group(1)), self._decode_cell("reduce", m.group(2)))
        self.validate(arch)
        return arch


# ------------------------------------------------------------ the variants
class ENASMicroSpace(CellSpace):
    """ENAS micro space: 5 ops, B = 5 nodes (7 counting the two inputs), loose ends concatenated."""

    key, name = "enas_micro", "ENAS micro"

    def __init__(self, nodes=5):
        super().__init__(self.name, ENAS_PRIMITIVES, nodes=nodes, concat="loose")


class DARTSSpace(CellSpace):
    """DARTS space: 8 ops incl. 'none' for the search, 4 nodes, 2 distinct inputs per node."""

    key, name = "darts", "DARTS"

    def __init__(self, nodes=4):
        super().__init__(self.name, DARTS_PRIMITIVES, nodes=nodes, distinct_inputs=True, concat="all")


class NASNetSpace(CellSpace):
    """The NASNet cell space with AmoebaNet's 8 ops, in which NASNet-A and AmoebaNet-A live."""

    key, name = "nasnet", "NASNet"

    def __init__(self, nodes=5):
        super().__init__(self.name, NASNET_PRIMITIVES, nodes=nodes, concat="loose")


# the papers' spaces under their short names: enas_micro(nodes=5), darts(nodes=4), nasnet(nodes=5)
enas_micro, darts, nasnet = ENASMicroSpace, DARTSSpace, NASNetSpace
