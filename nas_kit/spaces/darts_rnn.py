"""The DARTS recurrent cell space (Liu et al. 2019, section 3.1; quark0/darts rnn/genotypes.py).

    node 0 = f(x_t, h_{t-1})                      (fixed: a highway combination)
    node i = op_i(node_{j_i}),  j_i in 0..i-1,  op_i in {tanh, relu, sigmoid, identity}
    h_t    = mean(node 1, ..., node 8)            (concat = range(1, 9))

'none' is a candidate during the search only; a derived cell never contains it.

Size: node i picks one of i earlier nodes and one of 4 ops, so 4^N * N! cells;
for N = 8 nodes: 4^8 * 8! = 2,642,411,520.
An architecture is an ``RNNGenotype(recurrent, concat)``.
"""
from __future__ import annotations

import itertools
import math
import re

from nas_kit.genotypes import RNN_PRIMITIVES, RNNGenotype
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

ENUMERATE_LIMIT = 10 ** 6


def validate_recurrent(space_name, recurrent, ops, first_input=0):
    """Check a list of one ``(op, input)`` pair per node; node i (from 1) takes 0..i-1."""
    if not isinstance(recurrent, (list, tuple)):
        raise InvalidArchitecture("recurrent", f"is a {type(recurrent).__name__}, not a list of (op, input) pairs.")
    for i, pair in enumerate(recurrent):
        field = f"recurrent[{i}]"
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise InvalidArchitecture(field, f"is {pair!r}, not an (op, input) pair.")
        op, inp = pair
        if op == "none":
            raise InvalidArchitecture(f"{field}.op", f"'none' is the zero op of the search; a derived {space_name} "
                                      "cell never contains it.")
        if op not in ops:
            raise InvalidArchitecture(f"{field}.op", f"{op!r} is not an op of the {space_name} space "
                                      f"(choose from {', '.join(ops)}).")
        node = i + 1
        if isinstance(inp, bool) or not isinstance(inp, int):
            raise InvalidArchitecture(f"{field}.input", f"{inp!r} is not an integer node index.")
        if not first_input <= inp <= node - 1:
            why = f": node {node} cannot take itself or a later node as input (a cycle)" if inp >= node else ""
            raise InvalidArchitecture(f"{field}.input", f"{inp} is out of range {first_input}..{node - 1}{why}.")


class DartsRNNSpace(SearchSpace):
    """DARTS recurrent cells with ``steps`` nodes (8 in the paper)."""

    key = "darts_rnn"
    name = "DARTS RNN"

    def __init__(self, steps=8):
        self.steps = steps
        self.ops = tuple(op for op in RNN_PRIMITIVES if op != "none")

    def size(self) -> int:
        return len(self.ops) ** self.steps * math.factorial(self.steps)

    def _genotype(self, recurrent):
        return RNNGenotype(recurrent=recurrent, concat=list(range(1, self.steps + 1)))

    def sample(self, seed=None):
        rng = as_rng(seed)
        return self._genotype([(rng.choice(self.ops), rng.randrange(i)) for i in range(1, self.steps + 1)])

    def enumerate(self):
        if self.size() > ENUMERATE_LIMIT:
            return super().enumerate()
        choices = [[(op, j) for j in range(i) for op in self.ops] for i in range(1, self.steps + 1)]
        return (self._genotype(list(rec)) for rec in itertools.product(*choices))

    def validate(self, arch):
        if not (isinstance(arch, tuple) and getattr(arch, "_fields", None) == RNNGenotype._fields):
            raise InvalidArchitecture("genotype", f"is a {type(arch).__name__}; the {self.name} space expects an "
                                      "RNNGenotype(recurrent, concat).")
        if len(arch.recurrent) != self.steps:
            raise InvalidArchitecture("recurrent", f"has {len(arch.recurrent)} nodes; the {self.name} space has "
                                      f"{self.steps}.")
        validate_recurrent(self.name, arch.recurrent, self.ops)
        if list(arch.concat) != list(range(1, self.steps + 1)):
            raise InvalidArchitecture("concat", f"{list(arch.concat)} should be range(1, {self.steps + 1}): DARTS "
                                      "averages every node.")

    def mutate(self, arch, rng=None):
        """Real et al. 2019: change the op or the input of one node."""
        self.validate(arch)
        rng = as_rng(rng)
        rec = list(arch.recurrent)
        i = rng.randrange(self.steps)
        op, inp = rec[i]
        inputs = [j for j in range(i + 1) if j != inp]
        if rng.random() < 0.5 or not inputs:
            rec[i] = (rng.choice([o for o in self.ops if o != op]), inp)
        else:
            rec[i] = (op, rng.choice(inputs))
        return self._genotype(rec)

    # "relu(0) relu(1) tanh(2) ..."
    def encode(self, arch):
        self.validate(arch)
        return " ".join(f"{op}({inp})" for op, inp in arch.recurrent)

    def decode(self, text):
        rec = []
        for n, tok in enumerate(text.split()):
            m = re.fullmatch(r"([a-z_]+)\((-?\d+)\)", tok)
            if not m:
                raise InvalidArchitecture(f"node {n + 1}", f"{tok!r} should read 'op(input)'.")
            rec.append((m.group(1), int(m.group(2))))
        arch = self._genotype(rec)
        self.validate(arch)
        return arch
