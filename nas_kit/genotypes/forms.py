"""The two forms of a genotype in the DARTS repository (quark0/darts, cnn/genotypes.py and rnn/genotypes.py),
and the rules every genotype of each form obeys.

CNN cell (``Genotype``): ``normal`` and ``reduce`` are lists of ``(op, input)`` pairs, two
per intermediate node, in node order. Inputs 0 and 1 are the outputs of the cells k-2 and
k-1; input j >= 2 is intermediate node j-2 of this cell. ``normal_concat`` and
``reduce_concat`` list the nodes (same numbering) whose outputs are concatenated into the
cell's output.

RNN cell (``RNNGenotype``): ``recurrent`` holds one ``(op, input)`` pair per node; node 0
combines x_t and h_{t-1}, node i >= 1 applies ``op`` to node ``input``; ``concat`` lists the
nodes averaged into h_t.

``validate_genotype`` and ``validate_rnn_genotype`` check what any builder needs (known ops, inputs
that exist, a concat of existing states); a search space (``nas_kit.spaces``) adds its own rules on
top (its op vocabulary, its number of nodes, what it concatenates).
"""
import numbers
from collections import namedtuple

from nas_kit.genotypes.ops import CNN_OPS, RNN_ACTIVATIONS

Genotype = namedtuple('Genotype', 'normal normal_concat reduce reduce_concat')
RNNGenotype = namedtuple('RNNGenotype', 'recurrent concat')


class InvalidArchitecture(ValueError):
    """An architecture that does not belong to its space; the message names the bad field."""

    def __init__(self, field: str, problem: str):
        self.field = field
        super().__init__(f"invalid architecture: {field} {problem}")


def form(genotype) -> str:
    """'recurrent' for an RNNGenotype, 'cell' for a Genotype: the genotype's form, which decides the task
    it trains on (DARTS: cells on CIFAR-10, recurrent cells on Penn Treebank)."""
    return "recurrent" if isinstance(genotype, RNNGenotype) else "cell"


def validate_genotype(genotype):
    """Raise ``InvalidArchitecture`` (a ValueError) naming the first malformed field of a cell genotype."""
    for kind in ("normal", "reduce"):
        if not hasattr(genotype, kind) or not hasattr(genotype, kind + "_concat"):
            raise InvalidArchitecture(f"genotype.{kind}", "is missing; expected Genotype(normal, normal_concat, reduce, reduce_concat).")
        pairs = list(getattr(genotype, kind))
        if not pairs or len(pairs) % 2:
            raise InvalidArchitecture(f"genotype.{kind}", f"has {len(pairs)} (op, input) pairs; each node needs exactly two, so the count must be even and positive.")
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise InvalidArchitecture(f"genotype.{kind}[{i}]", f"is {pair!r}; expected an (op, input) pair.")
            name, index = pair
            if name not in CNN_OPS:
                raise InvalidArchitecture(f"genotype.{kind}[{i}]", f"uses unknown op {name!r}; known ops are {', '.join(sorted(CNN_OPS))}.")
            allowed = 2 + i // 2  # node i//2 sees the two cell inputs and the nodes before it
            if not isinstance(index, numbers.Integral) or not 0 <= index < allowed:
                raise InvalidArchitecture(f"genotype.{kind}[{i}]", f"takes input {index!r}, but it feeds state {i // 2 + 2}, which can only read states 0..{allowed - 1}.")
        states = 2 + len(pairs) // 2
        concat = list(getattr(genotype, kind + "_concat"))
        if not concat or any(not isinstance(j, numbers.Integral) or not 0 <= j < states for j in concat):
            raise InvalidArchitecture(f"genotype.{kind}_concat", f"is {concat!r}; it must name states in 0..{states - 1}.")


def validate_rnn_genotype(genotype):
    """Raise ``InvalidArchitecture`` (a ValueError) naming the first malformed field of an RNN genotype."""
    if not hasattr(genotype, "recurrent") or not hasattr(genotype, "concat"):
        raise InvalidArchitecture("genotype", "must have fields 'recurrent' and 'concat', as RNNGenotype(recurrent, concat).")
    recurrent = list(genotype.recurrent)
    if not recurrent:
        raise InvalidArchitecture("genotype.recurrent", "is empty; the cell needs at least one node.")
    for i, pair in enumerate(recurrent):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise InvalidArchitecture(f"genotype.recurrent[{i}]", f"is {pair!r}; expected an (activation, input) pair.")
        name, pred = pair
        if name not in RNN_ACTIVATIONS:
            raise InvalidArchitecture(f"genotype.recurrent[{i}]", f"uses unknown activation {name!r}; known are {', '.join(RNN_ACTIVATIONS)}.")
        if not isinstance(pred, numbers.Integral) or not 0 <= pred <= i:
            raise InvalidArchitecture(f"genotype.recurrent[{i}]", f"takes input {pred!r}, but node {i + 1} can only read nodes 0..{i}.")
    concat = list(genotype.concat)
    if not concat or any(not isinstance(j, numbers.Integral) or not 0 <= j <= len(recurrent) for j in concat):
        raise InvalidArchitecture("genotype.concat", f"is {concat!r}; it must name nodes in 0..{len(recurrent)}.")


def validate(genotype):
    """Check a genotype of either form (``validate_genotype`` or ``validate_rnn_genotype``)."""
    (validate_rnn_genotype if form(genotype) == "recurrent" else validate_genotype)(genotype)
