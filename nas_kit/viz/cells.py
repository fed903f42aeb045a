"""Drawing architectures as Graphviz DAGs, in the style of the DARTS plots (quark0/darts cnn/visualize.py
and rnn/visualize.py): one function per kind of architecture, each taking the architecture as data.

    CNN cell (Genotype)      c_{k-2}, c_{k-1} -> nodes 0..B-1 (op on each edge) -> c_{k}
                             c_{k} is fed by the ``*_concat`` nodes only (NASNet-A and
                             AmoebaNet-A leave some nodes out); normal and reduction cells are
                             two clusters of one drawing (one, when the cell is shared, as PNAS).
    RNN cell                 x_t, h_{t-1} -> node 0 (DARTS) or node 1 (ENAS) -> ... -> h_t,
                             h_t the average ('avg') of the concat nodes / the loose ends.
    ENAS macro network       a chain of layers labelled with their op, skip edges dashed.
    NAS-RL network           layers "HxW, F filters" with exactly the network's edges: each layer's inputs
                             (the image where it has none), every unread layer into the output.
    mini-benchmark cell      NAS-Bench-201 style: nodes 0..3, an op on every edge i -> j.
    toy 1-D architecture     nas_kit.viz.toy.toy_dag.

``nas_kit.registry.draw(arch, space)`` validates an architecture in its space and picks the drawing the
registry names for that space.
"""
from __future__ import annotations

import graphviz

from nas_kit.spaces.bench import EDGES
from nas_kit.spaces.enas_rnn import loose_ends as rnn_loose_ends

INPUT, NODE, OUTPUT = "darkseagreen2", "lightblue", "palegoldenrod"   # the DARTS plots' colours
NODE_ATTR = dict(style="filled", shape="rect", align="center", fontsize="14", height="0.5", width="0.5",
                 penwidth="2", fontname="Helvetica")
EDGE_ATTR = dict(fontsize="12", fontname="Helvetica")


def _digraph(name, title=None, rankdir="LR"):
    return graphviz.Digraph(name, graph_attr={"rankdir": rankdir, "label": title or "", "labelloc": "t",
                                              "fontname": "Helvetica"},
                            node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)


# ---------------------------------------------------------------- CNN cells
def _add_cell(g, cell, concat, prefix=""):
    """Add one DARTS-style cell to ``g``; node ids carry ``prefix`` so that two cells can share a drawing."""
    def nid(j):  # genotype input index -> node id
        return prefix + ("c_{k-2}" if j == 0 else "c_{k-1}" if j == 1 else str(j - 2))

    g.node(nid(0), "c_{k-2}", fillcolor=INPUT)
    g.node(nid(1), "c_{k-1}", fillcolor=INPUT)
    steps = len(cell) // 2
    for i in range(steps):
        g.node(prefix + str(i), str(i), fillcolor=NODE)
    for k, (op, j) in enumerate(cell):
        g.edge(nid(j), prefix + str(k // 2), label=op)
    g.node(prefix + "c_{k}", "c_{k}", fillcolor=OUTPUT)
    for j in concat:
        g.edge(nid(j), prefix + "c_{k}")


def draw_cell(cell, concat, title=None):
    """One cell: ``cell`` a list of 2 (op, input) pairs per node, ``concat`` the nodes feeding c_{k}."""
    g = _digraph("cell", title)
    _add_cell(g, list(cell), list(concat))
    return g


def draw_genotype(genotype, title=None):
    """The normal and the reduction cell of a ``Genotype`` as two clusters (one when they are the same cell)."""
    g = _digraph("genotype", title)
    shared = list(genotype.normal) == list(genotype.reduce) and list(genotype.normal_concat) == list(genotype.reduce_concat)
    parts = [("cell", "normal = reduction cell", genotype.normal, genotype.normal_concat)] if shared else [
        ("normal", "normal cell", genotype.normal, genotype.normal_concat),
        ("reduce", "reduction cell", genotype.reduce, genotype.reduce_concat)]
    for key, label, cell, concat in parts:
        with g.subgraph(name="cluster_" + key) as sub:
            sub.attr(label=label, style="rounded", color="grey60", fontname="Helvetica")
            _add_cell(sub, list(cell), list(concat), prefix=key + "_" if not shared else "")
    return g


# ---------------------------------------------------------------- RNN cells
def draw_rnn_genotype(genotype, title=None):
    """DARTS recurrent cell: node 0 combines x_t and h_{t-1}; node i applies op to node input; h_t = avg(concat)."""
    g = _digraph("rnn", title)
    g.node("x_{t}", fillcolor=INPUT)
    g.node("h_{t-1}", fillcolor=INPUT)
    steps = len(genotype.recurrent)
    for i in range(steps + 1):
        g.node(str(i), fillcolor=NODE)
    g.edge("x_{t}", "0")
    g.edge("h_{t-1}", "0")
    for i, (op, j) in enumerate(genotype.recurrent):
        g.edge(str(j), str(i + 1), label=op)
    g.node("h_{t}", fillcolor=OUTPUT)
    for j in genotype.concat:
        g.edge(str(j), "h_{t}", label="avg")
    return g


def draw_enas_rnn(cell, title=None):
    """ENAS recurrent cell (paper numbering 1..N): node 1 = f_1(W x_t + W h_{t-1}); h_t = avg(loose ends)."""
    g = _digraph("enas_cell", title)
    g.node("x_{t}", fillcolor=INPUT)
    g.node("h_{t-1}", fillcolor=INPUT)
    for i in range(1, len(cell) + 1):
        g.node(str(i), fillcolor=NODE)
    g.edge("x_{t}", "1", label=cell[0][0])
    g.edge("h_{t-1}", "1", label=cell[0][0])
    for i, (op, j) in enumerate(cell[1:], start=2):
        g.edge(str(j), str(i), label=op)
    g.node("h_{t}", fillcolor=OUTPUT)
    for j in rnn_loose_ends(cell):
        g.edge(str(j), "h_{t}", label="avg")
    return g


# ---------------------------------------------------------------- NAS-Bench-201-style cells
def draw_bench_cell(arch, title=None):
    """A mini-benchmark cell: node 0 is the input, node j sums op(node i) over i < j, node 3 is the output."""
    g = _digraph("bench", title)
    for j, color in enumerate((INPUT, NODE, NODE, OUTPUT)):
        g.node(str(j), fillcolor=color)
    for op, (i, j) in zip(arch, EDGES):
        g.edge(str(i), str(j), label=op)
    return g


# ---------------------------------------------------------------- whole networks
def draw_macro(arch, title=None):
    """ENAS macro network (section 2.3), as ``MacroNetwork`` builds it: layer i applies op_i to layer i-1 (the
    stem for layer 0; a solid edge), joins the outputs of the layers in its ``skips`` (dashed edges; a skip from
    layer i-1 is a second edge beside the op's), and the classifier reads the last layer."""
    g = _digraph("macro", title, rankdir="TB")
    g.node("image", fillcolor=INPUT)
    for i, (op, skips) in enumerate(arch):
        g.node(f"L{i}", f"{i}: {op}", fillcolor=NODE)
        g.edge("image" if i == 0 else f"L{i - 1}", f"L{i}", weight="10")
        for j in skips:
            g.edge(f"L{j}", f"L{i}", style="dashed", color="grey40", constraint="false" if j != i - 1 else "true")
    g.node("output", fillcolor=OUTPUT)
    if arch:
        g.edge(f"L{len(arch) - 1}", "output", weight="10")
    return g


def nas_rl_edges(arch) -> tuple[list, list]:
    """The edges of a NAS-RL network by section 3.3's rules: (source, layer) for each layer's inputs, the
    image where a layer has none; and the layers no later layer reads, which the output concatenates."""
    edges = [(j, i) for i, layer in enumerate(arch) for j in layer.inputs] + \
            [("image", i) for i, layer in enumerate(arch) if not layer.inputs]
    read = {j for layer in arch for j in layer.inputs}
    return sorted(edges, key=lambda e: (e[1], str(e[0]))), [i for i in range(len(arch)) if i not in read]


def draw_chain(arch, title=None):
    """A chain CNN (nas_kit.spaces.chain): layer i = kxk conv, F filters, then BN and ReLU."""
    g = _digraph("network", title, rankdir="TB")
    g.node("image", fillcolor=INPUT)
    for i, (k, f) in enumerate(arch):
        g.node(f"L{i}", f"{i}: {k}x{k} conv, {f} filters", fillcolor=NODE)
        g.edge("image" if i == 0 else f"L{i - 1}", f"L{i}")
    g.node("output", fillcolor=OUTPUT)
    g.edge(f"L{len(arch) - 1}" if arch else "image", "output")
    return g


def draw_nas_rl(arch, title=None):
    """NAS-RL CNN (Zoph & Le 2017, section 3.3 and Fig. 4): layer i = HxW filters, F of them (stride), with an
    edge from each layer it reads (from the image when it reads none), and an edge to the output from every
    layer that no later layer reads: exactly the edges ``NASRLNetwork`` builds."""
    g = _digraph("network", title, rankdir="TB")
    g.node("image", fillcolor=INPUT)
    for i, l in enumerate(arch):
        stride = (l.stride_height, l.stride_width)
        g.node(f"L{i}", f"{i}: {l.filter_height}x{l.filter_width}, {l.filters} filters"
               + (f", stride {stride[0]}x{stride[1]}" if stride != (1, 1) else ""), fillcolor=NODE)
    inputs, outputs = nas_rl_edges(arch)
    for j, i in inputs:
        g.edge("image" if j == "image" else f"L{j}", f"L{i}")
    g.node("output", fillcolor=OUTPUT)
    for i in outputs:
        g.edge(f"L{i}", "output")
    return g
