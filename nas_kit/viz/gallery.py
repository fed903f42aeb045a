"""Several drawings side by side as one HTML block (for notebooks and the explorer widget)."""
from __future__ import annotations

import html
import re

import graphviz

from nas_kit.viz.graphviz_tools import GraphvizNotFound, to_svg


def inline_svg(graph: graphviz.Digraph, max_width: str = "100%") -> str:
    """The SVG of ``graph`` without its XML prologue, scaled to fit ``max_width``; the one-sentence
    GraphvizNotFound message (as text) when `dot` is missing."""
    try:
        svg = to_svg(graph)
    except GraphvizNotFound as err:
        return f"<pre>{html.escape(str(err))}</pre>"
    svg = svg[svg.index("<svg"):]
    return svg.replace("<svg ", f'<svg style="max-width:{max_width}; height:auto" ', 1)


class Gallery:
    """``Gallery({'DARTS_V2': draw(G.DARTS_V2), ...})`` shows each drawing under its name, side by side."""

    def __init__(self, graphs: dict, width: str = "48%"):
        self.graphs = dict(graphs)
        self.width = width

    def _repr_html_(self):
        boxes = [f'<div style="display:inline-block; vertical-align:top; width:{self.width}; margin:4px">'
                 f"<b>{html.escape(name)}</b><br>{inline_svg(g)}</div>" for name, g in self.graphs.items()]
        return "<div>" + "".join(boxes) + "</div>"


def svg_text_labels(svg: str) -> list[str]:
    """The texts written in an SVG (node and edge labels), in order: what a test or reader compares."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
