"""Drawings follow the DARTS plots: inputs c_{k-2}, c_{k-1}, nodes 0..B-1, op labels, and c_{k}
fed by the concat nodes only."""
import html
import re
import shutil

import pytest

from nas_kit import genotypes as G
from nas_kit.registry import SPACES, draw
from nas_kit.spaces import ENASMacroSpace
from nas_kit.viz import DOT_MISSING, Drawing, GraphvizNotFound, draw_rnn_genotype, inline_svg, svg_text_labels, to_svg

EDGE = re.compile(r'^\s*("?[^"\s]+"?) -> ("?[^"\s]+"?)(?: \[(.*)\])?$', re.M)


def edges(source):
    """(tail, head, attributes) of every edge in a DOT text, quotes removed."""
    return [(a.strip('"'), b.strip('"'), attrs or "") for a, b, attrs in EDGE.findall(source)]


def test_darts_v2_has_8_op_edges_per_cell_and_4_concat_edges_per_cell():
    es = edges(draw(G.DARTS_V2, "darts").source)
    for cell, genotype_cell in (("normal", G.DARTS_V2.normal), ("reduce", G.DARTS_V2.reduce)):
        ops = [(a, b, attrs) for a, b, attrs in es if a.startswith(cell) and "label=" in attrs]
        concat = [(a, b) for a, b, attrs in es if b == f"{cell}_c_{{k}}"]
        assert len(ops) == 8 and len(concat) == 4
        assert sorted(re.search(r"label=(\S+)", attrs).group(1) for _, _, attrs in ops) == sorted(op for op, _ in genotype_cell)
    assert len(es) == 2 * (8 + 4)
    # node 3 of the normal cell: skip_connect from c_{k-2} and dil_conv_3x3 from node 0 (input 2)
    assert ("normal_c_{k-2}", "normal_3", "label=skip_connect") in es
    assert ("normal_0", "normal_3", "label=dil_conv_3x3") in es


@pytest.mark.parametrize("name", ["NASNet", "AmoebaNet"])
def test_nodes_left_out_of_concat_have_no_edge_to_the_output(name):
    genotype = G.PUBLISHED[name]
    es = edges(draw(genotype, "nasnet").source)
    for cell, concat in (("normal", genotype.normal_concat), ("reduce", genotype.reduce_concat)):
        feeding = {a for a, b, _ in es if b == f"{cell}_c_{{k}}"}
        assert feeding == {f"{cell}_{j - 2}" for j in concat}
    # NASNet-A's reduction cell concatenates nodes 2, 3, 4 only (inputs 4, 5, 6)
    if name == "NASNet":
        assert {a for a, b, _ in es if b == "reduce_c_{k}"} == {"reduce_2", "reduce_3", "reduce_4"}


def test_pnas_shares_one_cell_so_it_is_drawn_once():
    source = draw(G.PNASNet, "pnas").source
    assert "normal = reduction cell" in source and len(edges(source)) == 10 + 5


@pytest.mark.parametrize("arch, space", [(G.DARTS_V2_RNN, "darts_rnn"), (SPACES["enas_rnn"]().sample(0), "enas_rnn")],
                         ids=["DARTS_V2_RNN", "ENAS_RNN"])
def test_rnn_cell_is_drawn_from_x_t_and_h_t_minus_1_to_h_t(arch, space):
    g = draw(arch, space)
    labels = svg_text_labels(to_svg(g))
    assert {"x_{t}", "h_{t-1}", "h_{t}"} <= set(labels)
    into_h = [attrs for a, b, attrs in edges(g.source) if b == "h_{t}"]
    assert into_h and all(attrs == "label=avg" for attrs in into_h)


def test_darts_v2_rnn_averages_all_8_nodes_and_enas_rnn_only_its_loose_ends():
    assert len([e for e in edges(draw(G.DARTS_V2_RNN, "darts_rnn").source) if e[1] == "h_{t}"]) == 8
    assert {a for a, b, _ in edges(draw_rnn_genotype(G.ENAS_RNN).source) if b == "h_{t}"} == {"2", "5", "6", "9", "10", "11"}


def test_macro_and_nas_rl_networks_are_layer_chains_with_skip_edges():
    macro = [("conv3x3", ()), ("maxpool3x3", (0,)), ("sepconv5x5", (0,))]
    es = edges(draw(macro, ENASMacroSpace(3)).source)
    assert ("L0", "L2", 'color=grey40 constraint=false style=dashed') in es
    assert "0: conv3x3" in draw(macro, ENASMacroSpace(3)).source
    arch = SPACES["nas_rl"](layers=3).sample(1)
    source = draw(arch, SPACES["nas_rl"](layers=3)).source
    assert f"{arch[0].filter_height}x{arch[0].filter_width}, {arch[0].filters} filters" in source


@pytest.mark.parametrize("name", list(SPACES))
def test_every_space_samples_are_drawn_from_the_space_or_its_name(name):
    space = SPACES[name]()
    arch = space.sample(3)
    assert draw(arch, space).source == draw(arch, name).source
    assert "<svg" in inline_svg(draw(arch, space))


def test_a_bad_architecture_is_named_before_drawing():
    with pytest.raises(ValueError, match="normal has 10 .op, input. pairs; the DARTS space needs 8"):
        draw(G.NASNet, "darts")


def test_missing_dot_says_one_sentence_and_the_source_survives(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setenv("PATH", "")
    g = draw(G.DARTS_V2, "darts")
    with pytest.raises(GraphvizNotFound) as err:
        to_svg(g)
    assert str(err.value) == DOT_MISSING and str(err.value).count(". ") == 0 and str(err.value).endswith(".")
    assert "sep_conv_3x3" in g.source
    assert Drawing(g)._repr_mimebundle_() == {"text/plain": DOT_MISSING}
    assert html.unescape(inline_svg(g)) == f"<pre>{DOT_MISSING}</pre>"
