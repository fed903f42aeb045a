"""Rendering Graphviz digraphs, with one clear sentence when Graphviz's `dot` is missing."""
from __future__ import annotations

import shutil
import subprocess

import graphviz

DOT_TIMEOUT = 60.0      # seconds: a drawing that takes longer is given up (a warning where drawing is optional)

DOT_MISSING = ("Graphviz's `dot` program is not installed, so the DAG cannot be drawn: run `make setup` "
               "(or `apt-get install graphviz`, or `conda install -c conda-forge graphviz`); "
               "the DOT source is still available as `graph.source`.")


class GraphvizNotFound(RuntimeError):
    """Raised instead of graphviz's traceback when `dot` is not on the PATH."""

    def __init__(self):
        super().__init__(DOT_MISSING)


def dot_available() -> bool:
    return shutil.which("dot") is not None


def to_svg(graph: graphviz.Digraph, timeout: float | None = None) -> str:
    """The SVG text of ``graph``, from `dot -Tsvg` run for at most ``timeout`` seconds; GraphvizNotFound (one
    sentence) when `dot` is missing, RuntimeError (one sentence) when it fails or runs out of time
    (``timeout`` None: DOT_TIMEOUT)."""
    timeout = DOT_TIMEOUT if timeout is None else timeout
    if not dot_available():
        raise GraphvizNotFound()
    try:
        done = subprocess.run([graph.engine or "dot", "-Tsvg"], input=graph.source.encode(), capture_output=True,
                              timeout=timeout)
    except FileNotFoundError:
        raise GraphvizNotFound() from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"`dot` ran for more than {timeout:g} s") from None
    if done.returncode != 0:
        said = " ".join(done.stderr.decode(errors="replace").split())[:200]
        raise RuntimeError(f"`dot` exited with status {done.returncode}" + (f": {said}" if said else ""))
    return done.stdout.decode("utf-8")


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
