"""The DAG of a 1-D toy architecture: active edges solid, the inactive x -> z edge dashed and grey."""
from __future__ import annotations

import graphviz

from nas_kit.spaces.toy1d import ToyArchitecture

ACTIVATION_COLOURS = {"tanh": "#8fb9e8", "relu": "#f4b183"}


def toy_dag(m: ToyArchitecture, title: str | None = None) -> graphviz.Digraph:
    """x -> y = phi(w_xy x) -> z = w_yz y [+ w_xz x], with the chosen phi written and coloured on node y."""
    g = graphviz.Digraph("toy", graph_attr={"rankdir": "LR", "label": title or "", "labelloc": "t"},
                         node_attr={"shape": "circle", "fontname": "Helvetica", "style": "filled",
                                    "fillcolor": "white"},
                         edge_attr={"fontname": "Helvetica"})
    g.node("x", "x", fillcolor="#d9d9d9")
    g.node("y", f"y\n{m.activation}", fillcolor=ACTIVATION_COLOURS[m.activation])
    g.node("z", "z", fillcolor="#d9d9d9")
    g.edge("x", "y", label="w_xy", penwidth="2")
    g.edge("y", "z", label="w_yz", penwidth="2")
    if m.skip:
        g.edge("x", "z", label="w_xz", penwidth="2")
    else:
        g.edge("x", "z", label="w_xz (off)", style="dashed", color="grey70", fontcolor="grey60")
    return g
