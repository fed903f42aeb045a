"""The ENAS recurrent cell space (Pham et al. 2018, section 2.2, Fig. 1).

N nodes, numbered 1..N as in the paper:

    node 1 = f_1(W x_t + W h_{t-1})             picks an activation only (input 0 = x_t, h_{t-1})
    node i = f_i(W node_{j_i}),  j_i in 1..i-1,  f_i in {tanh, relu, identity, sigmoid}
    h_t    = mean of the loose ends (nodes that no other node takes as input)

An architecture is a list of N ``(activation, input)`` pairs; the pair of node 1 has input 0.

Size: 4^N activations times (N-1)! input choices, 4^N * (N-1)!; for N = 12:
4^12 * 11! ~ 6.7e14. The paper states 4^N * N! ~ 1e15 (``paper_size()``), counting a choice
of input for node 1 as well.

``to_genotype`` gives the DARTS ``RNNGenotype`` (node 1 becomes DARTS's node 0, whose
combination of x_t and h_{t-1} the DARTS builder fixes), as in quark0/darts rnn/genotypes.py,
where ENAS's PTB cell is given this way.
"""
from __future__ import annotations

import itertools
import math
import re

from nas_kit.genotypes import RNNGenotype
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

ENAS_RNN_OPS = ("tanh", "relu", "identity", "sigmoid")
ENUMERATE_LIMIT = 10 ** 6


def loose_ends(cell):
    """The nodes (1..N) that no other node takes as input."""
    used = {inp for _, inp in cell[1:]}
    return [i for i in range(1, len(cell) + 1) if i not in used]


def to_genotype(cell):
    """An ENAS recurrent cell as a DARTS ``RNNGenotype``: node i >= 2 becomes DARTS node i-1."""
    return RNNGenotype(recurrent=[(act, inp - 1) for act, inp in cell[1:]],
                       concat=[i - 1 for i in loose_ends(cell)])


def from_genotype(genotype, first_activation="tanh"):
    """The inverse of ``to_genotype``; node 1's activation is not in the genotype, so it is given."""
    return [(first_activation, 0)] + [(act, inp + 1) for act, inp in genotype.recurrent]


class ENASRNNSpace(SearchSpace):
    """ENAS recurrent cells with ``nodes`` nodes (12 in the paper)."""

    key = "enas_rnn"
    name = "ENAS RNN"

    def __init__(self, nodes=12):
        self.nodes = nodes
        self.ops = ENAS_RNN_OPS

    def size(self) -> int:
        return len(self.ops) ** self.nodes * math.factorial(self.nodes - 1)

    def paper_size(self) -> int:
        """4^N * N!, as section 2.2 of the paper counts it."""
        return len(self.ops) ** self.nodes * math.factorial(self.nodes)

    def sample(self, seed=None):
        rng = as_rng(seed)
        return [(rng.choice(self.ops), 0)] + [(rng.choice(self.ops), rng.randrange(1, i))
                                             for i in range(2, self.nodes + 1)]

    def enumerate(self):
        if self.size() > ENUMERATE_LIMIT:
            return super().enumerate()
        choices = [[(op, 0) for op in self.ops]]
        choices += [[(op, j) for j in range(1, i) for op in self.ops] for i in range(2, self.nodes + 1)]
        return (list(cell) for cell in itertools.product(*choices))

    def validate(self, arch):
        if not isinstance(arch, list) or len(arch) != self.nodes:
            got = f"{len(arch)} nodes" if isinstance(arch, (list, tuple)) else f"a {type(arch).__name__}"
            raise InvalidArchitecture("cell", f"is {got}; the {self.name} space expects a list of "
                                      f"{self.nodes} (activation, input) pairs.")
        first = arch[0]
        if not (isinstance(first, (list, tuple)) and len(first) == 2 and first[1] == 0):
            raise InvalidArchitecture("cell[0].input", f"of {first!r} must be 0: node 1 reads x_t and h_(t-1).")
        if first[0] not in self.ops:
            raise InvalidArchitecture("cell[0].op", f"{first[0]!r} is not an activation of the {self.name} space "
                                      f"(choose from {', '.join(self.ops)}).")
        # node i (paper numbering) is arch[i-1] and may read nodes 1..i-1
        for i, pair in enumerate(arch[1:], start=2):
            field = f"cell[{i - 1}]"
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                raise InvalidArchitecture(field, f"is {pair!r}, not an (activation, input) pair.")
            op, inp = pair
            if op not in self.ops:
                raise InvalidArchitecture(f"{field}.op", f"{op!r} is not an activation of the {self.name} space "
                                          f"(choose from {', '.join(self.ops)}).")
            if isinstance(inp, bool) or not isinstance(inp, int):
                raise InvalidArchitecture(f"{field}.input", f"{inp!r} is not an integer node number.")
            if not 1 <= inp <= i - 1:
                why = f": node {i} cannot read itself or a later node (a cycle)" if inp >= i else ""
                raise InvalidArchitecture(f"{field}.input", f"{inp} is out of range 1..{i - 1}{why}.")

    def mutate(self, arch, rng=None):
        """Real et al. 2019: change the activation or the input of one node."""
        self.validate(arch)
        rng = as_rng(rng)
        cell = list(arch)
        i = rng.randrange(self.nodes)   # list index; paper node i+1
        op, inp = cell[i]
        inputs = [j for j in range(1, i + 1) if j != inp]
        if rng.random() < 0.5 or not inputs:
            cell[i] = (rng.choice([o for o in self.ops if o != op]), inp)
        else:
            cell[i] = (op, rng.choice(inputs))
        return cell

    # "tanh relu<1 tanh<2 ..."  (node 1 has no input)
    def encode(self, arch):
        self.validate(arch)
        return " ".join([arch[0][0]] + [f"{op}<{inp}" for op, inp in arch[1:]])

    def decode(self, text):
        toks = text.split()
        if not toks:
            raise InvalidArchitecture("text", "is empty.")
        cell = [(toks[0], 0)]
        for n, tok in enumerate(toks[1:], start=2):
            m = re.fullmatch(r"([a-z_]+)<(-?\d+)", tok)
            if not m:
                raise InvalidArchitecture(f"node {n}", f"{tok!r} should read 'activation<input'.")
            cell.append((m.group(1), int(m.group(2))))
        self.validate(cell)
        return cell

