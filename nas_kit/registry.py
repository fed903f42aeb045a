"""One registry keyed by the space's name: for every space, how to make it, build its networks, draw its
architectures and count their parameters. Every layer above asks here instead of guessing a kind from an
architecture's shape; a new space is one module in ``nas_kit.spaces`` and one entry below.

    SPACES["pnas"](blocks=2)                  # the space (an entry is called like the space's factory)
    draw(arch, "darts")                       # its drawing, after checking that arch belongs to the space
    count_parameters_of("darts", G.DARTS_V2)  # parameters at the paper's evaluation size: 3,349,342
    build_network(arch, space, C=16, layers=8, num_classes=10)   # the network a trained child uses

A space object knows its own key (``space.key``), so a space or its name can be passed wherever a space
is asked for.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import graphviz
import torch

from nas_kit.genotypes import MacroGenotype, to_darts_string
from nas_kit.models.chain_cnn import ChainCNN
from nas_kit.models import BenchNetwork, MacroNetwork, NASRLNetwork, NetworkCIFAR, RNNModel, count_parameters
from nas_kit.models.nas_rl_network import child_width
from nas_kit.spaces import (BenchSpace, ChainSpace, DARTSSpace, DartsRNNSpace, ENASMacroSpace, ENASMicroSpace, ENASRNNSpace, NASNetSpace,
                            NASRLSpace, PNASSpace, SearchSpace, Toy1DSpace)
from nas_kit.spaces.enas_rnn import to_genotype
from nas_kit.spaces.toy1d import ToyArchitecture
from nas_kit.viz import (draw_bench_cell, draw_chain, draw_enas_rnn, draw_genotype, draw_macro, draw_nas_rl, draw_rnn_genotype,
                         toy_dag)


@dataclass(frozen=True)
class Entry:
    """What the kit knows of one space, besides the space itself.

    factory:   makes the space; its keyword ``size`` (nodes, layers, steps, blocks) has the papers' default
    quick:     the size the quick profile searches (None: the space is searched at its size, or never)
    task:      what a child is judged on: 'images' (a trained CNN), 'text' (a trained language model),
               'table' (the mini benchmark's lookup) or 'toy'
    draw:      ``draw(arch, title)`` -> graphviz.Digraph
    build:     ``build(arch, C, layers, num_classes)`` -> the network of ``arch`` at that size (C channels or units,
               ``layers`` cells; an RNN's classes are its vocabulary), or None
    paper:     (C, layers, num_classes) of the paper's evaluation network, to count parameters at, or None
    network:   that network in words
    form:      'cell' or 'recurrent' when the architectures are DARTS genotypes of that form (``train`` reads them);
               'macro' when ``train`` reads them as MacroGenotypes (ENAS macro networks)
    genotype:  arch -> (its genotype, the settings ``train`` needs) for a space whose architectures have one
               without being one (ENAS's recurrent cells: a DARTS genotype; ENAS macro networks: a MacroGenotype)
    """
    factory: Callable[..., SearchSpace]
    size: str | None
    quick: int | None
    task: str
    draw: Callable[..., graphviz.Digraph]
    build: Callable | None = None
    paper: tuple | None = None
    network: str = "no evaluation network for this space"
    form: str | None = None
    genotype: Callable | None = None

    def __call__(self, **size) -> SearchSpace:
        return self.factory(**size)

    def paper_size(self) -> int | None:
        """The papers' value of the size keyword (the factory's default)."""
        return inspect.signature(self.factory).parameters[self.size].default if self.size else None

    def sized_to(self, genotype) -> SearchSpace:
        """The space with as many nodes (layers) as ``genotype`` has (spaces with a ``form`` only)."""
        n = (len(genotype.recurrent) if self.form == "recurrent" else len(genotype.layers) if self.form == "macro"
             else len(genotype.normal) // 2)
        return self.factory(**{self.size: n})

    def to_genotype(self, arch):
        """(the genotype of ``arch``, the settings ``train`` needs for it), or None if it has none."""
        if self.genotype is not None:
            return self.genotype(arch)
        return (arch, {}) if self.form is not None else None


def _cell_network(genotype, C, layers, num_classes):
    return NetworkCIFAR(C, num_classes, layers, False, genotype)


def _language_model(genotype, units, layers, vocabulary, init_op="tanh"):
    return RNNModel(vocabulary, units, units, units, genotype=genotype, init_op=init_op)


def _enas_rnn_genotype(cell):
    return to_genotype(cell), {"init_op": cell[0][0]}


def _macro_genotype(arch):
    """An ENAS macro network as the MacroGenotype ``train --recipe ENAS`` builds, all its layers."""
    return MacroGenotype([(op, tuple(skips)) for op, skips in arch]), {"layers": len(arch)}


CIFAR_EVALUATION = (36, 20, 10)
CIFAR_WORDS = "NetworkCIFAR, C=36, 20 cells, 10 classes, no auxiliary head"
PTB_EVALUATION = (850, 1, 10000)
PTB_WORDS = "RNNModel, 850 units, 10,000 words"

SPACES = {
    Toy1DSpace.key: Entry(Toy1DSpace, None, None, "toy", lambda arch, title=None: toy_dag(ToyArchitecture(*arch), title),
                          network="no builder for this space"),
    NASRLSpace.key: Entry(NASRLSpace, "layers", 4, "images", draw_nas_rl,
                          lambda arch, C, layers, n: NASRLNetwork(arch, n, width=child_width(C)),
                          network="no builder for this space"),
    ENASRNNSpace.key: Entry(ENASRNNSpace, "nodes", 4, "text", draw_enas_rnn,
                            lambda cell, C, layers, n: _language_model(to_genotype(cell), C, layers, n, cell[0][0]),
                            PTB_EVALUATION, PTB_WORDS, genotype=_enas_rnn_genotype),
    ENASMacroSpace.key: Entry(ENASMacroSpace, "layers", 3, "images", draw_macro,
                              lambda arch, C, layers, n: MacroNetwork(arch, C=C, num_classes=n),
                              (24, 12, 10), "MacroNetwork, C=24, 10 classes", form="macro", genotype=_macro_genotype),
    ENASMicroSpace.key: Entry(ENASMicroSpace, "nodes", 2, "images", draw_genotype, _cell_network, CIFAR_EVALUATION,
                              CIFAR_WORDS, form="cell"),
    DARTSSpace.key: Entry(DARTSSpace, "nodes", 2, "images", draw_genotype, _cell_network, CIFAR_EVALUATION,
                          CIFAR_WORDS, form="cell"),
    PNASSpace.key: Entry(PNASSpace, "blocks", None, "images", draw_genotype, _cell_network, CIFAR_EVALUATION,
                         CIFAR_WORDS, form="cell"),
    NASNetSpace.key: Entry(NASNetSpace, "nodes", 2, "images", draw_genotype, _cell_network, CIFAR_EVALUATION,
                           CIFAR_WORDS, form="cell"),
    DartsRNNSpace.key: Entry(DartsRNNSpace, "steps", 4, "text", draw_rnn_genotype, _language_model, PTB_EVALUATION,
                             PTB_WORDS, form="recurrent"),
    BenchSpace.key: Entry(BenchSpace, None, None, "table", draw_bench_cell,
                          lambda arch, C, layers, n: BenchNetwork(arch, C=C, cells_per_stage=layers, num_classes=n),
                          (16, 5, 10), "BenchNetwork, C=16, 5 cells per stage, as NAS-Bench-201"),
    ChainSpace.key: Entry(ChainSpace, "layers", 4, "images", draw_chain, lambda arch, C, layers, n: ChainCNN(arch, n),
                          network="no evaluation network for this space (each chain is its own network)"),
}


def entry(space: SearchSpace | str) -> Entry:
    """The registry's entry of a space or of its name (one sentence when the name is unknown)."""
    key = space if isinstance(space, str) else space.key
    if key not in SPACES:
        raise ValueError(f"unknown space {key!r}: choose one of {', '.join(SPACES)}.")
    return SPACES[key]


def space_of(space: SearchSpace | str) -> SearchSpace:
    """A space object: ``space`` itself, or the named space at the papers' size."""
    return entry(space)() if isinstance(space, str) else space


def draw(arch, space: SearchSpace | str, title: str | None = None) -> graphviz.Digraph:
    """The DAG of ``arch`` as a ``graphviz.Digraph`` (its ``.source`` is the DOT text), after checking
    that ``arch`` belongs to ``space`` (a space, or its name for the space at the papers' size)."""
    space = space_of(space)
    space.validate(arch)
    return entry(space).draw(arch, title=title)


def build_network(arch, space: SearchSpace | str, C: int, layers: int, num_classes: int) -> torch.nn.Module:
    """The network of ``arch`` with ``C`` channels (or units) and ``layers`` cells, as its space builds it."""
    build = entry(space).build
    if build is None:
        raise ValueError(f"the {entry(space).factory().name} space has no network to build.")
    return build(arch, C, layers, num_classes)


def count_parameters_of(space_name: str, arch) -> int | None:
    """Parameters of the network ``arch`` builds at its paper's evaluation size, or None (no such size).

    CNN cells: NetworkCIFAR(C=36, 20 cells, 10 classes), the DARTS evaluation network, without the
    auxiliary head (DARTS_V2: 3,349,342). RNN cells: RNNModel with 850 units and PTB's 10,000 words
    (DARTS_V2_RNN: 22,960,000, "23M"). ENAS macro: MacroNetwork at its default width. Mini-benchmark
    cells: BenchNetwork at NAS-Bench-201's size (C=16, 5 cells per stage).
    """
    e = entry(space_name)
    if e.paper is None:
        return None
    state = torch.random.get_rng_state()   # building initialises weights: leave the caller's RNG alone
    try:
        return count_parameters(e.build(arch, *e.paper))
    finally:
        torch.random.set_rng_state(state)


def network_of(space_name: str) -> str:
    """The network whose parameters ``count_parameters_of`` counts, in words."""
    return entry(space_name).network


def genotype_text(arch, space: SearchSpace | str) -> str:
    """The architecture as a run directory writes it: the DARTS repository's text for a space whose
    architectures have a DARTS genotype, else the space's encoding."""
    exported = entry(space).to_genotype(arch)
    return to_darts_string(exported[0]) if exported is not None else space_of(space).encode(arch)
