"""ENAS as melodyguan/enas writes it: the controllers' penalties and squashing, the supernets' formulas."""
import math
import random

import pytest
import torch

from nas_kit.models.enas_cnn_supernet import ENASMacroSupernet
from nas_kit.models.enas_macro import MacroNetwork
from nas_kit.registry import space_of
from nas_kit.spaces import ENASMacroSpace
from nas_kit.strategies.enas import ENASController
from nas_kit.strategies.enas.recipe import RECIPES
from nas_kit.strategies.enas.run import controller_of


def _kl(p, q):
    return p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))


def test_the_macro_skip_penalty_is_the_mean_over_layers_of_the_per_layer_kl():
    """general_controller.py: skip_penaltys = tf.reduce_mean(per-layer KL(P(skip) || 0.4))."""
    torch.manual_seed(0)
    controller = ENASController(ENASMacroSpace(layers=12), tanh_constant=1.5)
    probs = []                                   # the skip probabilities of each layer, as the pass computes them
    original = torch.sigmoid
    def spy(x):
        out = original(x)
        probs.append(out.detach().tolist())
        return out
    torch.sigmoid = spy
    try:
        _, _, _, kl = controller.sample_with_log_prob(random.Random(3))
    finally:
        torch.sigmoid = original
    assert len(probs) == 11                      # layers 1..11 choose skips
    per_layer = [sum(_kl(p, 0.4) for p in layer) for layer in probs]
    assert kl.item() == pytest.approx(sum(per_layer) / 11, rel=1e-5)


@pytest.mark.parametrize("profile", [0, 1])
def test_only_the_micro_controller_divides_its_op_logits_by_op_tanh_reduce(profile):
    """general_controller.py has no op_tanh_reduce: macro op logits reach +-1.5; micro_controller.py: +-1.1 / 2.5."""
    for key, bound in (("enas_macro", 1.5), ("enas_micro", 1.1 / 2.5)):
        recipe = RECIPES[key][profile]
        controller = controller_of(space_of(key), recipe)
        with torch.no_grad():
            controller.op_head.weight.mul_(1e4)             # saturate the tanh
            logits = controller._squash(controller.op_head(torch.ones(100)), is_op=True)
        assert logits.abs().max().item() == pytest.approx(bound, rel=1e-4)


def test_the_macro_supernet_sums_the_chosen_skips_with_the_layers_output_then_applies_bn():
    """general_child.py _enas_layer: out = batch_norm(add_n(chosen prev_layers + [out])); no pooling at 2 layers."""
    torch.manual_seed(0)
    net = ENASMacroSupernet(layers=2, C=4).eval()
    for bn in net.skip_convs[1:]:
        bn.running_mean.uniform_(-1, 1), bn.running_var.uniform_(0.5, 2), bn.weight.data.uniform_(0.5, 2)
    arch = [("conv3x3", ()), ("sepconv5x5", (0,))]
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        h0 = net.ops[0]["conv3x3"](net.stem(x))
        h1 = net.skip_convs[1](net.ops[1]["sepconv5x5"](h0) + h0)
        expected = net.classifier(h1.mean(dim=(2, 3)))
        assert torch.allclose(net(x, arch), expected, atol=1e-6)


def test_the_macro_supernet_keeps_its_channels_at_the_pooling_layers_while_the_final_network_doubles_them():
    """general_child.py: ``out_filters *= 2`` only with a fixed architecture."""
    net = ENASMacroSupernet(layers=6, C=4)
    arch = [(op, tuple(range(i))) for i, op in enumerate(["conv3x3", "conv5x5"] * 3)]  # every skip on
    widths = []
    hooks = [bn.register_forward_hook(lambda m, i, o: widths.append(o.shape[1])) for bn in net.skip_convs[1:]]
    net(torch.randn(2, 3, 8, 8), arch)
    for h in hooks:
        h.remove()
    assert widths == [4] * 5 and net.classifier.in_features == 4
    assert MacroNetwork(arch, C=4).classifier.in_features == 16


def test_the_recurrent_controller_prefers_near_inputs_by_the_distance_prior_of_ptb_enas_controller():
    """ptb_enas_controller.py: logits -= (i - j)^2 / 6; with the attention at zero, P(j) = softmax(-(i - j)^2 / 6)."""
    from nas_kit.spaces import ENASRNNSpace
    space = ENASRNNSpace(nodes=5)
    controller = ENASController(space, temperature=5.0, tanh_constant=2.5)
    with torch.no_grad():
        controller.v.weight.zero_()                  # attention logits 0
        controller.op_head.weight.zero_()            # activations uniform
    for seed in range(3):
        cell, log_prob, _, _ = controller.sample_with_log_prob(random.Random(seed))
        expected = sum(torch.log_softmax(-(i - torch.arange(1, i).float()) ** 2 / 6, 0)[j - 1].item()
                       for i, (_, j) in enumerate(cell[1:], start=2)) + 5 * math.log(1 / 4)
        assert log_prob.item() == pytest.approx(expected, abs=1e-5)


def test_the_recurrent_supernet_normalises_each_node_and_the_output_as_ptb_enas_child():
    """_rhn_enas: ht = batch_norm(s_j W); s = s_j + sigmoid(t) (f(h) - s_j); h_t = batch_norm(mean(loose ends))."""
    from nas_kit.models.enas_rnn_supernet import ENASRNNSupernet
    from nas_kit.models.recurrent import ACTIVATIONS
    torch.manual_seed(0)
    net = ENASRNNSupernet(ntoken=10, nhid=3, nodes=2).eval()
    for bn in list(net.node_bns) + [net.output_bn]:
        bn.running_mean.uniform_(-1, 1), bn.running_var.uniform_(0.5, 2), bn.weight.data.uniform_(0.5, 2)
        assert bn.eps == 1.0 and bn.momentum == pytest.approx(0.001)
    cell = [("relu", 0), ("sigmoid", 1)]
    x, h_prev = torch.randn(4, 3), torch.randn(4, 3)
    c0, h0 = net.node_bns[0](torch.cat([x, h_prev], 1) @ net._W0).split(3, 1)
    s1 = h_prev + c0.sigmoid() * (torch.relu(h0) - h_prev)
    c1, h1 = net.node_bns[1](s1 @ net._Ws["2_1"]).split(3, 1)
    s2 = s1 + c1.sigmoid() * (ACTIVATIONS["sigmoid"](h1) - s1)
    with torch.no_grad():
        assert torch.allclose(net.cell_step(cell, x, h_prev, None, None), net.output_bn(s2), atol=1e-6)


def test_the_micro_controllers_op_prior_favours_the_two_separable_convolutions():
    """micro_controller.py: b_soft = [10, 10, 0, 0, 0] (learnable, before the tanh) and, in the normal cell only,
    b_soft_no_learn = [0.25, 0.25, -0.25, -0.25, -0.25] after it."""
    from nas_kit.spaces import ENASMicroSpace
    space = ENASMicroSpace(nodes=2)
    controller = ENASController(space, tanh_constant=1.1, op_tanh_reduce=2.5)
    assert controller.op_bias.requires_grad and controller.op_bias.tolist() == [10.0, 10.0, 0.0, 0.0, 0.0]
    with torch.no_grad():
        controller.v.weight.zero_()                   # uniform inputs
        controller.op_head.weight.zero_()             # op logits = C tanh(b_soft) (+ the fixed prior)
    c = 1.1 / 2.5
    reduce_logits = c * torch.tanh(torch.tensor([10.0, 10, 0, 0, 0]))
    normal_logits = reduce_logits + torch.tensor([0.25, 0.25, -0.25, -0.25, -0.25])
    genotype, log_prob, _, _ = controller.sample_with_log_prob(random.Random(0))
    expected = 0.0
    for cell, logits in ((genotype.normal, normal_logits), (genotype.reduce, reduce_logits)):
        for k, (op, _) in enumerate(cell):
            expected += torch.log_softmax(logits, 0)[space.cell_ops.index(op)].item() + math.log(1 / (k // 2 + 2))
    assert log_prob.item() == pytest.approx(expected, abs=1e-5)


def test_the_micro_search_trains_an_aux_head_weighted_04_after_the_second_reduction_and_drops_out_before_the_classifier():
    """cifar10_micro_search.sh --child_use_aux_heads --child_keep_prob=0.90; micro_child.py: loss + 0.4 aux loss."""
    from nas_kit.data import make_cifar_like
    from nas_kit.models.enas_cnn_supernet import ENASMicroSupernet
    from nas_kit.strategies.enas import CIFARTask
    full = RECIPES["enas_micro"][0]
    assert (full.auxiliary, full.keep_prob, full.eval_batch_size, full.batch_size) == (True, 0.9, 160, 160)
    torch.manual_seed(0)
    net = ENASMicroSupernet(C=4, layers=8, nodes=2, keep_prob=0.9, auxiliary=True, image_size=16)
    assert net.aux_index == 6 and net.cells[5].reduction and net.dropout.p == pytest.approx(0.1)
    arch = net.space.sample(0)
    x = torch.randn(4, 3, 16, 16)
    logits, aux = net.train()(x, arch)
    assert logits.shape == aux.shape == (4, 10)
    assert isinstance(net.eval()(x, arch), torch.Tensor)          # no aux head at evaluation
    data = make_cifar_like(n_train=60, n_test=10, seed=0)
    task = CIFARTask(data, net, n_valid=20, batch_size=40, eval_batch_size=20, epochs=1, image_size=16,
                     do_augment=False)
    seen = []
    original = torch.nn.functional.cross_entropy

    def spy(a, b, **kw):
        seen.append(original(a, b, **kw))
        return seen[-1]
    torch.nn.functional.cross_entropy = spy
    try:
        task.optimizer.step = lambda: None                      # look at one step's loss only
        mean = task.train_epoch(0, lambda: arch)
    finally:
        torch.nn.functional.cross_entropy = original
    assert len(seen) == 2 and mean == pytest.approx((seen[0] + 0.4 * seen[1]).item(), rel=1e-5)
