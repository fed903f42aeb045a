"""Rendering Graphviz digraphs, with one clear sentence when Graphviz's `dot` is missing.

The SVG is made for a reader: a name written with a TeX-style subscript (``c_{k-2}``, ``h_{t-1}``) is shown with
Unicode subscripts (cₖ₋₂, hₜ₋₁), and each node, edge and cell has a tooltip in words (its label; "cₖ₋₂ → 0: sep_conv_3x3";
"normal cell") where Graphviz would show its internal ids (``cluster_normal``, ``normal_c_{k-2}->normal_0``).
"""
from __future__ import annotations

import html
import re
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
    return readable_svg(done.stdout.decode("utf-8"))


SUBSCRIPTS = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
BRACED = re.compile(r"_\{([^{}]*)\}")
GROUP = re.compile(r'(<g id="[^"]*" class="(node|edge|cluster)">\s*<title>)(.*?)(</title>)(.*?</g>)', re.S)
TEXT = re.compile(r"(<text[^>]*>)([^<]*)(</text>)")


def subscripted(name: str) -> str:
    """``c_{k-2}`` -> ``cₖ₋₂``: a braced TeX subscript written in Unicode subscripts (kept as is where one has none)."""
    def sub(m):
        low = m.group(1).translate(SUBSCRIPTS)
        return low if all(c not in low for c in m.group(1) if c.isalnum()) else m.group(0)
    return BRACED.sub(sub, name)


def readable_svg(svg: str) -> str:
    """Graphviz's SVG with subscripted labels and tooltips (``<title>``) in words instead of ids."""
    def texts(body):
        return [subscripted(html.unescape(t)) for t in TEXT.findall(body) for t in [t[1]]]

    labels = {m.group(3): " ".join(texts(m.group(5))) for m in GROUP.finditer(svg) if m.group(2) == "node"}

    def tooltip(m):
        kind, ident, body = m.group(2), m.group(3), m.group(5)
        if kind == "edge" and "&#45;&gt;" in ident:
            tail, head = ident.split("&#45;&gt;", 1)
            said = " ".join(texts(body))
            words = f"{labels.get(tail, tail)} → {labels.get(head, head)}" + (f": {said}" if said else "")
        else:
            words = " ".join(texts(body)) or html.unescape(ident)
        return m.group(1) + html.escape(words, quote=False) + m.group(4) + m.group(5)

    svg = GROUP.sub(tooltip, svg)
    svg = re.sub(r'(<g id="graph0" class="graph"[^>]*>\s*)<title>[^<]*</title>', r"\1", svg)   # the graph's own id
    return TEXT.sub(lambda m: m.group(1) + html.escape(subscripted(html.unescape(m.group(2))), quote=False)
                    + m.group(3), svg)


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
