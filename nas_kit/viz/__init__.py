"""Pictures of data: the Graphviz DAG of an architecture (``viz.cells``, one function per kind; the
registry's ``nas_kit.registry.draw(arch, space)`` picks the one for a space), ``Drawing`` to show it in
Jupyter, ``Gallery`` to show several side by side.

The matplotlib pictures live in their own modules (imported on demand, so drawing a cell does not
load matplotlib): ``viz.alphas`` (DARTS's alpha heatmaps and their animation), ``viz.curves``
(training curves of a run), ``viz.search`` (search progress, strategy comparison, cost against error).
"""
from nas_kit.viz.cells import (draw_bench_cell, draw_chain, draw_cell, draw_enas_rnn, draw_genotype, draw_macro, draw_nas_rl,
                               draw_rnn_genotype)
from nas_kit.viz.gallery import Gallery, inline_svg, svg_text_labels
from nas_kit.viz.graphviz_tools import DOT_MISSING, Drawing, GraphvizNotFound, dot_available, to_svg
from nas_kit.viz.toy import toy_dag

__all__ = ["draw_bench_cell", "draw_cell", "draw_genotype", "draw_rnn_genotype", "draw_enas_rnn", "draw_macro", "draw_nas_rl",
           "toy_dag", "Drawing", "Gallery", "inline_svg", "svg_text_labels", "to_svg", "GraphvizNotFound",
           "DOT_MISSING", "dot_available"]
