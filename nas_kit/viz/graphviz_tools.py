"""Rendering Graphviz digraphs, with one clear sentence when Graphviz's `dot` is missing."""
from __future__ import annotations

import shutil

import graphviz

DOT_MISSING = ("Graphviz's `dot` program is not installed, so the DAG cannot be drawn: run `make setup` "
               "(or `apt-get install graphviz`, or `conda install -c conda-forge graphviz`); "
               "the DOT source is still available as `graph.source`.")


class GraphvizNotFound(RuntimeError):
    """Raised instead of graphviz's traceback when `dot` is not on the PATH."""

    def __init__(self):
        super().__init__(DOT_MISSING)


def dot_available() -> bool:
    return shutil.which("dot") is not None


def to_svg(graph: graphviz.Digraph) -> str:
    """The SVG text of ``graph``; GraphvizNotFound (one sentence) when `dot` is missing."""
    if not dot_available():
        raise GraphvizNotFound()
    try:
        return graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound() from None


class Drawing:
    """A digraph that shows itself as SVG in Jupyter, or as the one-sentence message when `dot` is missing."""

    def __init__(self, graph: graphviz.Digraph):
        self.graph = graph
        self.source = graph.source

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return {"image/svg+xml": to_svg(self.graph)}
        except GraphvizNotFound as err:
            return {"text/plain": str(err)}
