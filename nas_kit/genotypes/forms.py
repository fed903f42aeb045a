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

ENAS macro network (``MacroGenotype``, not a DARTS form): ``layers`` holds one ``(op, skips)`` pair per layer,
layer i applying ``op`` to layer i-1 (the stem for layer 0) and joining the outputs of the earlier layers
``skips`` (Pham et al. 2018, section 2.3; the architectures of ``nas_kit.spaces.enas_macro``).

``validate_genotype`` and ``validate_rnn_genotype`` check what any builder needs (known ops, inputs
that exist, a concat of existing states); a search space (``nas_kit.spaces``) adds its own rules on
top (its op vocabulary, its number of nodes, what it concatenates).
"""
import numbers
from collections import namedtuple

from nas_kit.genotypes.ops import CNN_OPS, MACRO_OPS, RNN_ACTIVATIONS

Genotype = namedtuple('Genotype', 'normal normal_concat reduce reduce_concat')
RNNGenotype = namedtuple('RNNGenotype', 'recurrent concat')
MacroGenotype = namedtuple('MacroGenotype', 'layers')


class InvalidArchitecture(ValueError):
    """An architecture that does not belong to its space; the message names the bad field."""

    def __init__(self, field: str, problem: str):
        self.field = field
        super().__init__(f"invalid architecture: {field} {problem}")


def form(genotype) -> str:
    """'recurrent' for an RNNGenotype, 'macro' for a MacroGenotype, 'cell' for a Genotype: the genotype's form,
    which decides what it trains as (cells and macro networks on CIFAR-10, recurrent cells on Penn Treebank)."""
    if isinstance(genotype, RNNGenotype):
        return "recurrent"
    return "macro" if isinstance(genotype, MacroGenotype) else "cell"


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


def validate_macro_genotype(genotype):
    """Raise ``InvalidArchitecture`` naming the first malformed layer of an ENAS macro genotype."""
    layers = list(genotype.layers)
    if not layers:
        raise InvalidArchitecture("genotype.layers", "is empty; the network needs at least one layer.")
    for i, layer in enumerate(layers):
        if not (isinstance(layer, (tuple, list)) and len(layer) == 2 and isinstance(layer[1], (tuple, list))):
            raise InvalidArchitecture(f"genotype.layers[{i}]", f"is {layer!r}; expected an (op, skips) pair.")
        op, skips = layer
        if op not in MACRO_OPS:
            raise InvalidArchitecture(f"genotype.layers[{i}]", f"uses unknown op {op!r}; known are "
                                      f"{', '.join(MACRO_OPS)}.")
        if list(skips) != sorted(set(skips)) or not all(isinstance(j, numbers.Integral) and 0 <= j < i for j in skips):
            raise InvalidArchitecture(f"genotype.layers[{i}]", f"skips {skips!r}; layer {i} reads earlier layers "
                                      f"0..{i - 1}, sorted, each once.")


def validate(genotype):
    """Check a genotype of any form (``validate_genotype``, ``validate_rnn_genotype``, ``validate_macro_genotype``)."""
    check = {"recurrent": validate_rnn_genotype, "macro": validate_macro_genotype, "cell": validate_genotype}
    check[form(genotype)](genotype)
