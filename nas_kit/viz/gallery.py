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


MIN_SCALE = 0.75    # a drawing in a gallery is shown at no less than this fraction of its size (12 pt labels: 9 pt)


def natural_width(svg: str) -> float | None:
    """The width of an SVG in points, as Graphviz writes it (``<svg width="563pt" ...``), or None."""
    m = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    return float(m.group(1)) if m else None


class Gallery:
    """``Gallery({'DARTS_V2': draw(G.DARTS_V2), ...})`` shows each drawing under its name, side by side: each box
    takes ``width`` of the row, or more where that would shrink its drawing below MIN_SCALE of its size (then it
    takes the width its labels need to stay legible, up to the whole row, and the next drawing wraps below)."""

    def __init__(self, graphs: dict, width: str = "48%"):
        self.graphs = dict(graphs)
        self.width = width

    def _repr_html_(self):
        boxes = []
        for name, g in self.graphs.items():
            svg = inline_svg(g)
            points = natural_width(svg)
            legible = f" min-width:min(100%, {MIN_SCALE * points:.0f}pt);" if points else ""
            boxes.append(f'<div style="display:inline-block; vertical-align:top; width:{self.width};{legible} '
                         f'margin:4px"><b>{html.escape(name)}</b><br>{svg}</div>')
        return "<div>" + "".join(boxes) + "</div>"


def svg_text_labels(svg: str) -> list[str]:
    """The texts written in an SVG (node and edge labels), in order: what a test or reader compares."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
