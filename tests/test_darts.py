"""DARTS (Liu et al. 2019): supernet, bilevel step, derivation, genotype text, search loop."""
import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from nas_kit.genotypes import (DARTS_PRIMITIVES, DARTS_V2, DARTS_V2_RNN, PUBLISHED, RNN_PRIMITIVES, Genotype,
                               parse_genotype, to_darts_string)
from nas_kit.models.darts_rnn_search import RNNModelSearch
from nas_kit.models.darts_search import MixedOp, SearchNetwork, num_edges
from nas_kit.spaces import DartsRNNSpace, darts
from nas_kit.strategies.darts import Architect, derive_cnn, derive_rnn, rnn_genotype


def ce_loss(forward, batch):
    x, y = batch
    return F.cross_entropy(forward(x), y)


def tiny_problem(dtype=torch.float64, seed=0):
    torch.manual_seed(seed)
    model = SearchNetwork(C=4, num_classes=3, layers=3, steps=2, multiplier=2).to(dtype)
    with torch.no_grad():  # alphas away from uniform, so that the architecture matters
        for a in model.arch_parameters():
            a.normal_()
    x_t, x_v = torch.randn(6, 3, 8, 8, dtype=dtype), torch.randn(6, 3, 8, 8, dtype=dtype)
    y_t, y_v = torch.randint(0, 3, (6,)), torch.randint(0, 3, (6,))
    return model, (x_t, y_t), (x_v, y_v)


def exact_hypergradient(model, train, valid, xi, weight_decay):
    """d/d alpha of L_val(w - xi (grad_w L_train(w, alpha) + wd w), alpha) by autograd through the step."""
    names = [n for n, _ in model.named_weights()]
    w = [p for _, p in model.named_weights()]
    run = lambda ws, x: functional_call(model, dict(zip(names, ws)), (x,))
    g = torch.autograd.grad(F.cross_entropy(run(w, train[0]), train[1]), w, create_graph=True)
    w_prime = [p - xi * (gi + weight_decay * p) for p, gi in zip(w, g)]
    return torch.autograd.grad(F.cross_entropy(run(w_prime, valid[0]), valid[1]), model.arch_parameters())


def rel_error(a, b):
    a, b = torch.cat([t.flatten() for t in a]), torch.cat([t.flatten() for t in b])
    return float((a - b).norm() / b.norm())


def test_the_supernet_mixes_every_op_on_every_edge_including_zero():
    net = SearchNetwork(C=4, layers=3, steps=4)
    assert net.alphas_normal.shape == net.alphas_reduce.shape == (14, len(DARTS_PRIMITIVES)) == (num_edges(4), 8)
    assert "none" in net.primitives
    assert net(torch.randn(2, 3, 16, 16)).shape == (2, 10)
    # a MixedOp with all weight on one op is that op
    torch.manual_seed(0)
    mixed, x = MixedOp(4, 1), torch.randn(2, 4, 6, 6)
    one_hot = torch.zeros(8)
    one_hot[DARTS_PRIMITIVES.index("skip_connect")] = 1.0
    assert torch.equal(mixed(x, one_hot), x)
    one_hot.zero_(); one_hot[0] = 1.0
    assert float(mixed(x, one_hot).detach().abs().sum()) == 0.0


def test_second_order_matches_autograd_through_one_unrolled_step():
    """Eq. 7-8 vs the exact hypergradient (autograd through w'), float64: relative error < 1e-6.

    The difference step is r = 1e-5 instead of the paper's 1e-2: this tiny network has few weights,
    so a step of length 1e-2 crosses ReLU and max-pool kinks and the central difference is then off
    by more than the term itself; with 1e-5 only the formula is tested, not the step size."""
    model, train, valid = tiny_problem()
    xi, wd = 0.1, 3e-4
    model.train()
    exact = exact_hypergradient(model, train, valid, xi, wd)
    w_opt = torch.optim.SGD(model.weights(), lr=xi, momentum=0.9, weight_decay=wd)
    architect = Architect(model, w_opt, ce_loss, unrolled=True, r=1e-5)
    approx, _ = architect.arch_gradient(train, valid)
    first, _ = Architect(model, w_opt, ce_loss, unrolled=False).arch_gradient(train, valid)
    assert rel_error(approx, exact) < 1e-6
    assert rel_error(first, exact) > 100 * rel_error(approx, exact)  # the second-order term is not negligible


def test_first_order_is_the_plain_validation_gradient():
    model, train, valid = tiny_problem()
    w_opt = torch.optim.SGD(model.weights(), lr=0.1, momentum=0.9, weight_decay=3e-4)
    got, _ = Architect(model, w_opt, ce_loss, unrolled=False).arch_gradient(train, valid)
    plain = torch.autograd.grad(ce_loss(model, valid), model.arch_parameters())
    assert all(torch.allclose(g, p, rtol=1e-12, atol=1e-14) for g, p in zip(got, plain))


def test_architect_step_moves_alpha_only():
    model, train, valid = tiny_problem(torch.float32)
    w_before = [p.clone() for p in model.weights()]
    a_before = [a.clone() for a in model.arch_parameters()]
    w_opt = torch.optim.SGD(model.weights(), lr=0.1, momentum=0.9, weight_decay=3e-4)
    Architect(model, w_opt, ce_loss, unrolled=True, arch_lr=1e-2).step(train, valid)
    assert all(torch.equal(a, b) for a, b in zip(model.weights(), w_before))
    assert all(not torch.equal(a, b) for a, b in zip(model.arch_parameters(), a_before))


def _alpha(rows, n_ops, strong):
    """Hand-made alpha: zeros, with the entries strong[(edge, op)] = value."""
    a = torch.zeros(rows, n_ops)
    for (e, k), v in strong.items():
        a[e, k] = v
    return a


def test_derivation_keeps_two_strongest_edges_by_their_strongest_nonzero_op():
    P = DARTS_PRIMITIVES
    k = {name: i for i, name in enumerate(P)}
    # node 0: edges 0,1; node 1: edges 2,3,4; node 2: 5..8; node 3: 9..13
    normal = _alpha(14, 8, {(0, k["sep_conv_3x3"]): 2.0, (1, k["skip_connect"]): 1.0,
                            (2, k["none"]): 9.0, (2, k["max_pool_3x3"]): 0.5,   # 'none' wins edge 2 but never counts
                            (3, k["dil_conv_5x5"]): 3.0, (4, k["avg_pool_3x3"]): 1.0,
                            (5, k["sep_conv_5x5"]): 1.0, (8, k["dil_conv_3x3"]): 2.0,
                            (12, k["sep_conv_3x3"]): 4.0, (9, k["skip_connect"]): 3.0})
    reduce = torch.zeros(14, 8)
    g = derive_cnn(normal, reduce)
    assert g.normal == [("sep_conv_3x3", 0), ("skip_connect", 1),
                        ("dil_conv_5x5", 1), ("avg_pool_3x3", 2),
                        ("dil_conv_3x3", 3), ("sep_conv_5x5", 0),
                        ("sep_conv_3x3", 3), ("skip_connect", 0)]
    assert g.normal_concat == g.reduce_concat == [2, 3, 4, 5]
    assert all(op != "none" for op, _ in g.normal + g.reduce)
    darts().validate(g)  # a member of the DARTS space: two distinct inputs per node


def test_recurrent_derivation_keeps_the_single_strongest_edge():
    k = {name: i for i, name in enumerate(RNN_PRIMITIVES)}
    # node 1: edge 0; node 2: edges 1,2; node 3: edges 3,4,5
    a = _alpha(6, 5, {(0, k["relu"]): 1.0, (1, k["none"]): 5.0, (2, k["tanh"]): 2.0,
                      (3, k["sigmoid"]): 1.0, (4, k["identity"]): 3.0})
    g = derive_rnn(a, steps=3)
    assert g.recurrent == [("relu", 0), ("tanh", 1), ("identity", 1)]
    assert list(g.concat) == [1, 2, 3]
    DartsRNNSpace(steps=3).validate(g)


def test_genotype_text_round_trips_for_every_published_cell():
    for name, g in PUBLISHED.items():
        back = parse_genotype(to_darts_string(g))
        assert [tuple(p) for p in back[0]] == [tuple(p) for p in g[0]], name
        assert list(back[1]) == list(g[1]), name
    text = ("DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
            "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
            "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
            "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))")
    assert parse_genotype(text) == DARTS_V2._replace(reduce_concat=[2, 3, 4, 5])
    assert parse_genotype(to_darts_string(DARTS_V2_RNN)).recurrent == DARTS_V2_RNN.recurrent


@pytest.mark.parametrize("text, words", [
    ("Genotype(normal=[('sep_conv_3x3', 0)", "not valid Python"),
    ("Genome(normal=[])", "must be a call Genotype"),
    ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2])", "exactly the fields"),
    ("Genotype(normal=[('sep_conv_3x3', 0), ('conv_9x9', 1)], normal_concat=[2], reduce=[('skip_connect', 0), "
     "('skip_connect', 1)], reduce_concat=[2])", "unknown op"),
    ("Genotype(normal=__import__('os'), normal_concat=[2], reduce=[], reduce_concat=[2])", "only lists"),
])
def test_malformed_genotype_text_fails_with_one_sentence(text, words):
    with pytest.raises(ValueError) as err:
        parse_genotype(text)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_the_recurrent_supernet_runs_and_its_architect_steps():
    torch.manual_seed(0)
    model = RNNModelSearch(ntoken=20, ninp=8, nhid=8, nhidlast=8, steps=3, dropout=0.1, dropouth=0.1,
                           dropoutx=0.1, dropouti=0.1, dropoute=0.0)
    assert model.alphas.shape == (1 + 2 + 3, len(RNN_PRIMITIVES))
    x, y = torch.randint(0, 20, (5, 4)), torch.randint(0, 20, (5, 4))
    hidden = model.init_hidden(4)

    def loss_fn(forward, batch):
        inp, target, h = batch
        log_prob, h = forward(inp, h)
        return F.nll_loss(log_prob.view(-1, 20), target.view(-1)), h

    w_opt = torch.optim.SGD(model.weights(), lr=1.0, weight_decay=5e-7)
    before = model.alphas.clone()
    h = Architect(model, w_opt, loss_fn, arch_lr=3e-3, unrolled=True, clip=0.25).step((x, y, hidden), (x, y, hidden))
    assert h[0].shape == (1, 4, 8) and not torch.equal(before, model.alphas)
    assert len(rnn_genotype(model).recurrent) == 3


def test_a_killed_search_resumes_to_the_same_alphas(tmp_path):
    from nas_kit.strategies.darts.search import search_cnn
    torch.manual_seed(0)
    x, y = torch.rand(32, 3, 8, 8), torch.randint(0, 10, (32,))
    settings = dict(epochs=2, batch_size=8, crop_padding=1, arch_lr=1e-2, unrolled=True)

    def fresh():
        torch.manual_seed(1)
        return SearchNetwork(C=2, layers=3, steps=1, multiplier=1)

    straight = fresh()
    full = search_cnn(straight, x, y, log=lambda s: None, **settings)

    def kill_in_epoch_1(line):
        if line.startswith("epoch 1"):
            raise KeyboardInterrupt
    torch.manual_seed(5)
    with pytest.raises(KeyboardInterrupt):
        search_cnn(fresh(), x, y, run_dir=tmp_path, log=kill_in_epoch_1, **settings)
    resumed = fresh()
    torch.manual_seed(123)  # the checkpoint restores the RNG states, so this must not matter
    history = search_cnn(resumed, x, y, run_dir=tmp_path, resume=True, log=lambda s: None, **settings)
    assert [e["epoch"] for e in history] == [0, 1]
    assert torch.allclose(resumed.alphas_normal, straight.alphas_normal, atol=1e-6)
    assert history[-1]["genotype"] == full[-1]["genotype"]


def test_alpha_heatmaps_label_every_edge():
    import matplotlib
    matplotlib.use("Agg")
    from nas_kit.viz.alphas import alphas_figure, edge_labels
    assert len(edge_labels(4)) == num_edges(4) == 14 and edge_labels(4)[:3] == ["c_{k-2} -> 0", "c_{k-1} -> 0", "c_{k-2} -> 1"]
    assert len(edge_labels(8, first_inputs=1)) == 36 and edge_labels(3, first_inputs=1)[-1] == "2 -> 3"
    entry = {"epoch": 0, "alphas": [F.softmax(torch.randn(14, 8), -1).tolist()] * 2}
    fig = alphas_figure(entry, DARTS_PRIMITIVES, 4)
    assert len(fig.axes) == 3  # normal, reduce, colour bar


def test_alpha_animation_has_one_frame_per_epoch():
    import matplotlib
    matplotlib.use("Agg")
    from nas_kit.viz.alphas import alpha_animation
    history = [{"epoch": e, "alphas": [F.softmax(torch.randn(6, 5) * e, -1).tolist()]} for e in range(3)]
    import io
    from PIL import Image
    gif = Image.open(io.BytesIO(alpha_animation(history, RNN_PRIMITIVES, 3, first_inputs=1).data))
    assert gif.format == "GIF" and gif.n_frames == 3


def test_the_search_model_takes_its_cell_through_the_language_model_constructor():
    from nas_kit.models.darts_rnn_search import DARTSCellSearch
    from nas_kit.models.ptb_lm import RNNModel
    from nas_kit.models.recurrent import DARTSCell
    model = RNNModelSearch(ntoken=20, ninp=8, nhid=8, nhidlast=8, steps=3)
    cell = model.rnns[0]
    assert isinstance(cell, DARTSCellSearch) and cell.steps == 3 and len(cell._Ws) == 3 and cell.genotype is None
    assert model.decoder.weight is model.encoder.weight  # RNNModel's tied decoder, not a copy of its code
    with pytest.raises(ValueError, match="needs a genotype"):
        DARTSCell(8, 8, 0.1, 0.1)                          # only a subclass with its own cell() may omit the genotype
    with pytest.raises(ValueError, match="not both"):
        RNNModel(20, 8, 8, 8, genotype=DARTS_V2_RNN, cell=cell)


def test_compare_with_random_scores_every_cell_with_the_same_seeds():
    from nas_kit.strategies.comparison import compare_with_random
    space = darts(nodes=2)
    calls = []

    def score(genotype, seed):                            # a made-up recipe: 10 x (number of sep_conv_3x3) + seed
        calls.append((space.encode(genotype), seed))
        return 10 * sum(op == "sep_conv_3x3" for op, _ in genotype.normal + genotype.reduce) + seed

    derived = Genotype([("sep_conv_3x3", 0), ("sep_conv_3x3", 1)] * 2, [2, 3], [("sep_conv_3x3", 0), ("sep_conv_3x3", 1)] * 2, [2, 3])
    result = compare_with_random(derived, space, score, n_random=3, seeds=(1, 2))
    assert result["derived"] == 81.5 and result["derived_scores"] == [81.0, 82.0]
    assert [space.encode(g) for g, _ in result["random"]] == [space.encode(space.sample(k)) for k in range(3)]
    means = sorted(m for _, m in result["random"])
    assert result["median"] == means[1]
    assert len(calls) == 2 * 4 and {s for _, s in calls} == {1, 2}
