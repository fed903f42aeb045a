"""Drawings follow the DARTS plots: inputs c_{k-2}, c_{k-1}, nodes 0..B-1, op labels, and c_{k}
fed by the concat nodes only."""
import html
import re
import shutil

import pytest
import torch

from nas_kit import genotypes as G
from nas_kit.models import MacroNetwork, NASRLNetwork
from nas_kit.registry import SPACES, draw
from nas_kit.spaces import ENASMacroSpace, NASRLSpace
from nas_kit.spaces.nas_rl import Layer
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
    assert {"xₜ", "hₜ₋₁", "hₜ"} <= set(labels)      # x_{t}, h_{t-1}, h_{t} with Unicode subscripts
    into_h = [attrs for a, b, attrs in edges(g.source) if b == "h_{t}"]
    assert into_h and all(attrs == "label=avg" for attrs in into_h)


def test_darts_v2_rnn_averages_all_8_nodes_and_enas_rnn_only_its_loose_ends():
    assert len([e for e in edges(draw(G.DARTS_V2_RNN, "darts_rnn").source) if e[1] == "h_{t}"]) == 8
    assert {a for a, b, _ in edges(draw_rnn_genotype(G.ENAS_RNN).source) if b == "h_{t}"} == {"2", "5", "6", "9", "10", "11"}


def test_a_macro_drawing_has_the_edges_of_its_macro_network():
    """MacroNetwork: op_i reads layer i-1 (solid), the skip conv joins the skipped layers (dashed), the classifier
    reads the last layer."""
    macro = [("conv3x3", ()), ("maxpool3x3", (0,)), ("sepconv5x5", (0, 1))]
    es = edges(draw(macro, ENASMacroSpace(3)).source)
    assert "0: conv3x3" in draw(macro, ENASMacroSpace(3)).source
    net = MacroNetwork(macro, C=4)
    for i, (_, skips) in enumerate(macro):
        solid = [a for a, b, attrs in es if b == f"L{i}" and "dashed" not in attrs]
        dashed = sorted(int(a[1:]) for a, b, attrs in es if b == f"L{i}" and "dashed" in attrs)
        assert solid == ["image" if i == 0 else f"L{i - 1}"] and dashed == list(skips)
        if i > 0:   # the skip conv reads the op's output and one map per dashed edge
            assert net.skip_convs[i].op[1].in_channels == (len(dashed) + 1) * net.skip_convs[i].op[1].out_channels
    assert [a for a, b, _ in es if b == "output"] == ["L2"]


def _network_edges(net, images):
    """The edges NASRLNetwork really computes: which states each layer's input and the classifier's are made of."""
    from nas_kit.models.nas_rl_network import concat
    seen = {}
    hooks = [op.register_forward_hook(lambda m, i, o, k=k: seen.__setitem__(k, (i[0], o))) for k, op in enumerate(net.layers)]
    hooks.append(net.classifier.register_forward_hook(lambda m, i, o: seen.__setitem__("out", (i[0], o))))
    net.eval()(images)
    for h in hooks:
        h.remove()
    outs = {k: o for k, (_, o) in seen.items() if k != "out"}

    def sources(x, pooled=False):     # the smallest set of states whose concatenation is x (in order)
        import itertools
        cands = ["image"] + sorted(outs)
        for n in range(1, len(cands) + 1):
            for combo in itertools.combinations(cands, n):
                maps = [images if c == "image" else outs[c] for c in combo]
                if sum(m.shape[1] for m in maps) != x.shape[1]:
                    continue
                y = concat(maps)
                y = y.mean(dim=(2, 3)) if pooled else y
                if y.shape == x.shape and torch.allclose(y, x, atol=1e-6):
                    return set(combo)
        raise AssertionError("no set of states makes this input")
    layer_edges = {(j, i) for i in sorted(outs) for j in sources(seen[i][0])}
    return layer_edges, sources(seen["out"][0], pooled=True)


NOTEBOOK_03 = [Layer(3, 3, 24, 1, 1, ()), Layer(5, 1, 36, 2, 2, (0,)), Layer(3, 5, 48, 1, 1, (0, 1)),
               Layer(1, 7, 64, 3, 3, ())]


@pytest.mark.parametrize("arch", [NOTEBOOK_03] + [NASRLSpace(4, predict_stride=True).sample(k) for k in range(4)],
                         ids=["notebook 03"] + [f"sample {k}" for k in range(4)])
def test_a_nas_rl_drawing_has_exactly_the_edges_of_the_network_it_builds(arch):
    """Section 3.3: a layer with no input reads the image; every layer that no later layer reads feeds the output."""
    torch.manual_seed(0)
    es = edges(draw(arch, NASRLSpace(4, predict_stride=True)).source)
    node = lambda name: "image" if name == "image" else int(name[1:])
    drawn = {(node(a), node(b)) for a, b, _ in es if b != "output"}
    drawn_out = {node(a) for a, b, _ in es if b == "output"}
    assert len(es) == len(drawn) + len(drawn_out)            # no edge drawn twice
    built, built_out = _network_edges(NASRLNetwork(arch, width=0.25), torch.randn(1, 3, 12, 12))
    assert drawn == built and drawn_out == built_out


def test_the_notebook_03_network_reads_the_image_at_layer_3_and_feeds_layers_2_and_3_to_the_output():
    es = edges(draw(NOTEBOOK_03, NASRLSpace(4, predict_stride=True)).source)
    assert ("image", "L3", "") in es and ("L2", "L3", "") not in es
    assert sorted(a for a, b, _ in es if b == "output") == ["L2", "L3"]


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


def test_the_svg_shows_subscripts_and_tooltips_in_words_not_graphviz_ids():
    svg = to_svg(draw(G.DARTS_V2, "darts"))
    titles = [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)]
    assert "cₖ₋₂" in svg_text_labels(svg) and "c_{k-2}" not in svg_text_labels(svg)
    assert titles[:2] == ["normal cell", "reduction cell"]                   # not cluster_normal, cluster_reduce
    assert "cₖ₋₂ → 0: sep_conv_3x3" in titles and "0 → 3: dil_conv_3x3" in titles
    assert not any("cluster_" in t or "normal_" in t or "->" in t or "_{" in t for t in titles), titles
    assert "sep_conv_3x3" in svg_text_labels(svg)                              # op names keep their underscores


def test_a_gallery_keeps_wide_drawings_legible():
    from nas_kit.viz import Gallery
    from nas_kit.viz.gallery import MIN_SCALE, natural_width
    page = Gallery({"AmoebaNet": draw(G.AmoebaNet, "nasnet"), "PNASNet": draw(G.PNASNet, "pnas")})._repr_html_()
    widths = [float(w) for w in re.findall(r"min-width:min\(100%, (\d+)pt\)", page)]
    natural = [natural_width(to_svg(draw(g, s))) for g, s in ((G.AmoebaNet, "nasnet"), (G.PNASNet, "pnas"))]
    assert widths == [round(MIN_SCALE * w) for w in natural] and widths[0] > 500
