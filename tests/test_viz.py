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


TOOLTIP = re.compile(r' ?tooltip="[^"]*"')


def edges(source):
    """(tail, head, attributes) of every edge in a DOT text, quotes and hover tooltips removed."""
    return [(a.strip('"'), b.strip('"'), TOOLTIP.sub("", attrs or "")) for a, b, attrs in EDGE.findall(source)]


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
    labels = svg_text_labels(to_svg(g))                   # x with subscript t: the texts "x" and "t"
    assert {"x", "h", "t", "t−1"} <= set(labels) and "h_{t-1}" not in labels
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


# ---------------------------------------------------------------- DARTS's alpha pictures (nas_kit.viz.alphas)
def _search_entry(seed, steps=4):
    """A history entry as the DARTS search records it: softmax(alpha) of both cells and the genotype derived."""
    import torch.nn.functional as F
    from nas_kit.strategies.darts import derive_cnn
    g = torch.Generator().manual_seed(seed)
    alphas = [torch.randn(sum(2 + i for i in range(steps)), len(G.DARTS_PRIMITIVES), generator=g) * 2
              for _ in range(2)]
    alphas[0][3, G.DARTS_PRIMITIVES.index("none")] = 9.0            # 'none' the strongest op of an edge
    return {"epoch": seed, "alphas": [F.softmax(a, -1).tolist() for a in alphas], "genotype": derive_cnn(*alphas)}


def _boxed(ax):
    """(row, op column) of each red box of a heatmap."""
    return sorted((round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in ax.patches)


@pytest.mark.parametrize("seed", range(3))
def test_the_heatmaps_red_boxes_are_the_ops_of_the_derived_cell_and_never_none(seed):
    import matplotlib
    matplotlib.use("Agg")
    from nas_kit.viz.alphas import alphas_figure, taken_cells
    entry = _search_entry(seed)
    fig = alphas_figure(entry, G.DARTS_PRIMITIVES, 4)
    heatmaps = [ax for ax in fig.axes if ax.images]
    for ax, cell in zip(heatmaps, (entry["genotype"].normal, entry["genotype"].reduce)):
        starts = [0, 2, 5, 9]                                       # the first alpha row of each node's edges
        assert _boxed(ax) == sorted((starts[k // 2] + j, G.DARTS_PRIMITIVES.index(op)) for k, (op, j) in
                                    enumerate(cell))
        assert len(ax.patches) == 8 and all(col != G.DARTS_PRIMITIVES.index("none") for _, col in _boxed(ax))
    assert taken_cells(entry["genotype"].normal, 4)[:2] == [(r, op) for op, r in entry["genotype"].normal[:2]]


def test_the_recurrent_heatmap_boxes_one_op_per_node():
    import matplotlib
    matplotlib.use("Agg")
    from nas_kit.viz.alphas import alphas_figure
    fig = alphas_figure({"epoch": 0, "alphas": [[[0.2] * 5] * 36], "genotype": G.DARTS_V2_RNN}, G.RNN_PRIMITIVES, 8,
                        first_inputs=1)
    starts = [sum(1 + t for t in range(i)) for i in range(8)]
    assert _boxed(fig.axes[0]) == sorted((starts[i] + j, G.RNN_PRIMITIVES.index(op))
                                         for i, (op, j) in enumerate(G.DARTS_V2_RNN.recurrent))


def test_the_alpha_animation_is_a_gif_that_needs_no_trust_drawn_at_a_readable_size():
    import io
    import matplotlib
    matplotlib.use("Agg")
    from PIL import Image
    from nas_kit.viz.alphas import FONT, alpha_animation
    history = [_search_entry(seed) for seed in range(3)]
    shown = alpha_animation(history, G.DARTS_PRIMITIVES, 4)
    data, _ = shown._repr_mimebundle_()
    assert list(data) == ["image/gif"]                          # no text/html, no JavaScript
    gif = Image.open(io.BytesIO(shown.data))
    assert gif.n_frames == 3 and gif.info["loop"] == 0
    assert FONT * 100 / 72 >= 12 and gif.size[0] >= 900         # 9 pt labels at 100 dpi: 12 px high


def test_op_weight_curves_tick_whole_epochs_and_can_leave_the_legend_to_the_figure():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from nas_kit.viz.alphas import op_weight_curve
    history = [_search_entry(seed) for seed in range(4)]
    ax = op_weight_curve(history, G.DARTS_PRIMITIVES, ops=("skip_connect", "none"), ax=plt.figure().gca())
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks) and ax.get_legend() is not None
    shared = op_weight_curve(history, G.DARTS_PRIMITIVES, ax=plt.figure().gca(), legend=False)
    assert shared.get_legend() is None                         # panels side by side share one legend


@pytest.mark.parametrize("arch, space", [(G.DARTS_V2, "darts"), (NOTEBOOK_03, NASRLSpace(4, predict_stride=True)),
                                         (G.DARTS_V2_RNN, "darts_rnn")], ids=["DARTS_V2", "NAS-RL", "DARTS_V2_RNN"])
def test_hovering_shows_names_not_graphviz_ids_and_subscripts_are_drawn_as_subscripts(arch, space):
    svg = to_svg(draw(arch, space))
    tips = [html.unescape(t) for t in re.findall(r'xlink:title="([^"]*)"', svg)]
    shapes = len(re.findall(r'<g id="(?:node|edge|clust)\d+"', svg))
    assert len(tips) >= shapes                                   # every node, edge and cluster has its own
    assert not [t for t in tips if re.search(r"cluster_|normal_|reduce_|->|\bL\d|_\{", t)], tips
    assert "_{" not in "".join(svg_text_labels(svg))             # no raw c_{k-2} or h_{t-1}
    if space == "darts":
        assert "cₖ₋₂ → 3: skip_connect" in tips and 'baseline-shift="sub"' in svg


def test_a_gallery_keeps_wide_drawings_legible():
    from nas_kit.viz import Gallery
    from nas_kit.viz.gallery import MIN_SCALE, natural_width
    page = Gallery({"AmoebaNet": draw(G.AmoebaNet, "nasnet"), "PNASNet": draw(G.PNASNet, "pnas")})._repr_html_()
    widths = [float(w) for w in re.findall(r"min-width:min\(100%, (\d+)pt\)", page)]
    natural = [natural_width(to_svg(draw(g, s))) for g, s in ((G.AmoebaNet, "nasnet"), (G.PNASNet, "pnas"))]
    assert widths == [round(MIN_SCALE * w) for w in natural] and widths[0] > 500
