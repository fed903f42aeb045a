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
SUBSCRIPT = str.maketrans("0123456789+-kt", "₀₁₂₃₄₅₆₇₈₉₊₋ₖₜ")


def _digraph(name, title=None, rankdir="LR"):
    return graphviz.Digraph(name, graph_attr={"rankdir": rankdir, "label": title or "", "labelloc": "t",
                                              "fontname": "Helvetica", "tooltip": title or " "},
                            node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)


def _label(name: str) -> str:
    """A node name as the drawing shows it: ``c_{k-2}`` as c with subscript k-2 (a Graphviz HTML label)."""
    if "_{" not in name:
        return name
    base, sub = name[:-1].split("_{")
    return f"<{base}<SUB>{sub.replace('-', '−')}</SUB>>"


def _plain(name: str) -> str:
    """A node name in a hover tooltip, which cannot hold markup: ``c_{k-2}`` as cₖ₋₂."""
    if "_{" not in name:
        return name
    base, sub = name[:-1].split("_{")
    return base + sub.translate(SUBSCRIPT)


def _node(g, nid, name, color, tip=None):
    """A node labelled ``name`` whose tooltip is ``tip`` (default: its name), never its Graphviz id."""
    g.node(nid, _label(name), fillcolor=color, tooltip=tip or _plain(name))


def _edge(g, tail, head, tail_name, head_name, op=None, **attrs):
    """An edge, labelled ``op`` where given, whose tooltip names its ends rather than their ids."""
    tip = f"{_plain(tail_name)} → {_plain(head_name)}" + (f": {op}" if op else "")
    if op:
        attrs["label"] = op
    g.edge(tail, head, tooltip=tip, **attrs)


# ---------------------------------------------------------------- CNN cells
def _add_cell(g, cell, concat, prefix=""):
    """Add one DARTS-style cell to ``g``; node ids carry ``prefix`` so that two cells can share a drawing."""
    def name(j):  # genotype input index -> node name
        return "c_{k-2}" if j == 0 else "c_{k-1}" if j == 1 else str(j - 2)

    _node(g, prefix + name(0), name(0), INPUT, "input cₖ₋₂: the output of the cell two back")
    _node(g, prefix + name(1), name(1), INPUT, "input cₖ₋₁: the output of the previous cell")
    steps = len(cell) // 2
    for i in range(steps):
        _node(g, prefix + str(i), str(i), NODE, f"node {i}: the sum of its two edges")
    for k, (op, j) in enumerate(cell):
        _edge(g, prefix + name(j), prefix + str(k // 2), name(j), str(k // 2), op)
    _node(g, prefix + "c_{k}", "c_{k}", OUTPUT, "output cₖ: its inputs concatenated")
    for j in concat:
        _edge(g, prefix + name(j), prefix + "c_{k}", name(j), "c_{k}")


def draw_cell(cell, concat, title=None):
    """One cell: ``cell`` a list of 2 (op, input) pairs per node, ``concat`` the nodes feeding c_{k}."""
    g = _digraph("cell", title)
    _add_cell(g, list(cell), list(concat))
    return g


def draw_genotype(genotype, title=None):
    """The normal and the reduction cell of a ``Genotype`` as two clusters (one when they are the same cell)."""
    g = _digraph("genotype", title)
    shared = list(genotype.normal) == list(genotype.reduce) and list(genotype.normal_concat) == list(genotype.reduce_concat)
    # left to right, Graphviz stacks the clusters bottom up: the reduction cell first puts the normal cell on top
    parts = [("cell", "normal = reduction cell", genotype.normal, genotype.normal_concat)] if shared else [
        ("reduce", "reduction cell", genotype.reduce, genotype.reduce_concat),
        ("normal", "normal cell", genotype.normal, genotype.normal_concat)]
    for key, label, cell, concat in parts:
        with g.subgraph(name="cluster_" + key) as sub:
            sub.attr(label=label, style="rounded", color="grey60", fontname="Helvetica", tooltip=label)
            _add_cell(sub, list(cell), list(concat), prefix=key + "_" if not shared else "")
    return g


# ---------------------------------------------------------------- RNN cells
def _rnn_inputs(g):
    """The two inputs of a recurrent cell, x_t and h_{t-1}."""
    _node(g, "x_{t}", "x_{t}", INPUT, "input xₜ: this step's input")
    _node(g, "h_{t-1}", "h_{t-1}", INPUT, "input hₜ₋₁: the previous step's output")


def draw_rnn_genotype(genotype, title=None):
    """DARTS recurrent cell: node 0 combines x_t and h_{t-1}; node i applies op to node input; h_t = avg(concat)."""
    g = _digraph("rnn", title)
    _rnn_inputs(g)
    steps = len(genotype.recurrent)
    for i in range(steps + 1):
        _node(g, str(i), str(i), NODE, f"node {i}")
    _edge(g, "x_{t}", "0", "x_{t}", "0")
    _edge(g, "h_{t-1}", "0", "h_{t-1}", "0")
    for i, (op, j) in enumerate(genotype.recurrent):
        _edge(g, str(j), str(i + 1), str(j), str(i + 1), op)
    _node(g, "h_{t}", "h_{t}", OUTPUT, "output hₜ: the average of its inputs")
    for j in genotype.concat:
        _edge(g, str(j), "h_{t}", str(j), "h_{t}", "avg")
    return g


def draw_enas_rnn(cell, title=None):
    """ENAS recurrent cell (paper numbering 1..N): node 1 = f_1(W x_t + W h_{t-1}); h_t = avg(loose ends)."""
    g = _digraph("enas_cell", title)
    _rnn_inputs(g)
    for i in range(1, len(cell) + 1):
        _node(g, str(i), str(i), NODE, f"node {i}")
    _edge(g, "x_{t}", "1", "x_{t}", "1", cell[0][0])
    _edge(g, "h_{t-1}", "1", "h_{t-1}", "1", cell[0][0])
    for i, (op, j) in enumerate(cell[1:], start=2):
        _edge(g, str(j), str(i), str(j), str(i), op)
    _node(g, "h_{t}", "h_{t}", OUTPUT, "output hₜ: the average of the loose ends")
    for j in rnn_loose_ends(cell):
        _edge(g, str(j), "h_{t}", str(j), "h_{t}", "avg")
    return g


# ---------------------------------------------------------------- NAS-Bench-201-style cells
def draw_bench_cell(arch, title=None):
    """A mini-benchmark cell: node 0 is the input, node j sums op(node i) over i < j, node 3 is the output."""
    g = _digraph("bench", title)
    for j, color in enumerate((INPUT, NODE, NODE, OUTPUT)):
        _node(g, str(j), str(j), color, ("input node 0", "node 1", "node 2", "output node 3")[j])
    for op, (i, j) in zip(arch, EDGES):
        _edge(g, str(i), str(j), str(i), str(j), op)
    return g


# ---------------------------------------------------------------- whole networks
def draw_macro(arch, title=None):
    """ENAS macro network (section 2.3), as ``MacroNetwork`` builds it: layer i applies op_i to layer i-1 (the
    stem for layer 0; a solid edge), joins the outputs of the layers in its ``skips`` (dashed edges; a skip from
    layer i-1 is a second edge beside the op's), and the classifier reads the last layer."""
    g = _digraph("macro", title, rankdir="TB")
    _node(g, "image", "image", INPUT)
    for i, (op, skips) in enumerate(arch):
        _node(g, f"L{i}", f"{i}: {op}", NODE, f"layer {i}: {op}")
        _edge(g, "image" if i == 0 else f"L{i - 1}", f"L{i}", "image" if i == 0 else f"layer {i - 1}",
              f"layer {i}", weight="10")
        for j in skips:
            _edge(g, f"L{j}", f"L{i}", f"layer {j}", f"layer {i} (skip)", style="dashed", color="grey40",
                  constraint="false" if j != i - 1 else "true")
    _node(g, "output", "output", OUTPUT)
    if arch:
        _edge(g, f"L{len(arch) - 1}", "output", f"layer {len(arch) - 1}", "output", weight="10")
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
    _node(g, "image", "image", INPUT)
    for i, (k, f) in enumerate(arch):
        _node(g, f"L{i}", f"{i}: {k}x{k} conv, {f} filters", NODE, f"layer {i}: {k}x{k} conv, {f} filters")
        _edge(g, "image" if i == 0 else f"L{i - 1}", f"L{i}", "image" if i == 0 else f"layer {i - 1}", f"layer {i}")
    _node(g, "output", "output", OUTPUT)
    _edge(g, f"L{len(arch) - 1}" if arch else "image", "output", f"layer {len(arch) - 1}" if arch else "image",
          "output")
    return g


def draw_nas_rl(arch, title=None):
    """NAS-RL CNN (Zoph & Le 2017, section 3.3 and Fig. 4): layer i = HxW filters, F of them (stride), with an
    edge from each layer it reads (from the image when it reads none), and an edge to the output from every
    layer that no later layer reads: exactly the edges ``NASRLNetwork`` builds."""
    g = _digraph("network", title, rankdir="TB")
    _node(g, "image", "image", INPUT)
    for i, l in enumerate(arch):
        stride = (l.stride_height, l.stride_width)
        text = f"{i}: {l.filter_height}x{l.filter_width}, {l.filters} filters" + (
            f", stride {stride[0]}x{stride[1]}" if stride != (1, 1) else "")
        _node(g, f"L{i}", text, NODE, f"layer {text}")
    inputs, outputs = nas_rl_edges(arch)
    for j, i in inputs:
        _edge(g, "image" if j == "image" else f"L{j}", f"L{i}", "image" if j == "image" else f"layer {j}",
              f"layer {i}")
    _node(g, "output", "output", OUTPUT, "output: the layers no later layer reads, concatenated")
    for i in outputs:
        _edge(g, f"L{i}", "output", f"layer {i}", "output")
    return g
