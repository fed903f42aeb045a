"""The fast path of the DARTS networks (the default) computes what the plain path, eq. 2 edge by edge, computes.

In float64 every loss, weight gradient and architecture gradient agrees to 1e-10 relative: the fast path
only reorders the sums (source by source, channels-last, undilated sub-image convolutions) and leaves out
terms that are exactly zero.
"""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.genotypes import DARTS_PRIMITIVES, DARTS_V2, AmoebaNet, NASNet
from nas_kit.models.cifar_network import NetworkCIFAR, drop_path, drop_path_scale, node_sum
from nas_kit.models.darts_search import SearchNetwork
from nas_kit.models import operations
from nas_kit.models.operations import DilConv, EvenOddPixels, SubImages, Zero, atrous, set_fast_path
from nas_kit.strategies.darts import Architect
from nas_kit.strategies.darts.search import cnn_loss

TOLERANCE = 1e-10


def rel_error(a, b):
    a, b = torch.cat([t.detach().flatten() for t in a]), torch.cat([t.detach().flatten() for t in b])
    return float((a - b).norm() / b.norm())


@pytest.fixture
def float64():
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(dtype)


def fast_and_plain(model):
    """The model (fast path) and a copy of it, weights, buffers and all, on the plain path."""
    plain = set_fast_path(copy.deepcopy(model), False)
    return model, plain


def search_problem(seed=0, batch=2, size=8):
    """A search network with both reduction cells (C=4, 5 cells, 3 nodes, 8x8 images), alphas away from uniform,
    two batches."""
    torch.manual_seed(seed)
    model = SearchNetwork(C=4, num_classes=10, layers=5, steps=3, multiplier=3)
    with torch.no_grad():
        for a in model.arch_parameters():
            a.normal_()
    batches = [(torch.randn(batch, 3, size, size), torch.randint(0, 10, (batch,))) for _ in range(2)]
    return model, batches


def loss_and_gradients(model, batch):
    loss = F.cross_entropy(model(batch[0]), batch[1])
    return loss, torch.autograd.grad(loss, list(model.weights()) + model.arch_parameters())


def test_the_fast_search_network_gives_the_loss_and_gradients_of_the_plain_one(float64):
    fast, plain = fast_and_plain(search_problem()[0])
    train, _ = search_problem()[1]
    (loss_f, grads_f), (loss_p, grads_p) = loss_and_gradients(fast, train), loss_and_gradients(plain, train)
    assert abs(float((loss_f - loss_p).detach())) <= TOLERANCE * abs(float(loss_p.detach()))
    assert rel_error(grads_f, grads_p) < TOLERANCE
    plain_state = plain.state_dict()
    for name, a in fast.state_dict().items():                    # the BN statistics of every edge too (means ~ 0)
        assert torch.allclose(a.double(), plain_state[name].double(), rtol=TOLERANCE, atol=1e-14), name
    fast.eval(), plain.eval()
    assert rel_error([fast(train[0])], [plain(train[0])]) < TOLERANCE


@pytest.mark.parametrize("unrolled", [False, True], ids=["first order", "second order"])
def test_the_fast_search_network_gives_the_architecture_gradient_of_the_plain_one(float64, unrolled):
    fast, plain = fast_and_plain(search_problem()[0])
    train, valid = search_problem()[1]
    gradients = []
    for model in (fast, plain):
        w_opt = torch.optim.SGD(model.weights(), 0.025, momentum=0.9, weight_decay=3e-4)
        w_opt.zero_grad()
        F.cross_entropy(model(train[0]), train[1]).backward()    # a weight step, so that momentum enters w'
        w_opt.step()
        gradients.append(Architect(model, w_opt, cnn_loss, unrolled=unrolled).arch_gradient(train, valid, 0.025)[0])
    assert rel_error(*gradients) < TOLERANCE


def test_the_fast_path_never_runs_the_zero_op():
    model, (train, _) = search_problem()
    calls = []
    for module in model.modules():
        if isinstance(module, Zero):
            module.register_forward_hook(lambda *args: calls.append(1))
    model(train[0])
    assert calls == []
    set_fast_path(model, False)(train[0])
    assert len(calls) == sum(len(cell._ops) for cell in model.cells)


@pytest.mark.parametrize("genotype", [DARTS_V2, AmoebaNet, NASNet], ids=["DARTS_V2", "AmoebaNet", "NASNet"])
def test_the_fast_evaluation_network_gives_the_loss_and_gradients_of_the_plain_one(float64, genotype):
    """Drop-path and the auxiliary head on; both reduction cells (FactorizedReduce after them, pools shared by
    edges that pool the same state alike: DARTS_V2 max-pools one state three times, AmoebaNet avg- and max-pools)."""
    torch.manual_seed(0)
    fast, plain = fast_and_plain(NetworkCIFAR(4, 10, 5, True, genotype, drop_path_prob=0.3))
    x, y = torch.randn(4, 3, 32, 32), torch.randint(0, 10, (4,))
    results = []
    for model in (fast, plain):
        torch.manual_seed(1)                                     # the same drop-path masks, drawn in the same order
        logits, logits_aux = model.train()(x)
        loss = F.cross_entropy(logits, y) + 0.4 * F.cross_entropy(logits_aux, y)
        results.append((loss, torch.autograd.grad(loss, list(model.parameters())), model.eval()(x)[0]))
    (loss_f, grads_f, eval_f), (loss_p, grads_p, eval_p) = results
    assert abs(float((loss_f - loss_p).detach())) <= TOLERANCE * abs(float(loss_p.detach()))
    assert rel_error(grads_f, grads_p) < TOLERANCE
    assert rel_error([eval_f], [eval_p]) < TOLERANCE
    torch.manual_seed(2)                                         # drop-path is on: other masks, another loss
    with torch.no_grad():
        assert abs(float(F.cross_entropy(fast.train()(x)[0], y) - F.cross_entropy(logits, y))) > 1e-6


def test_the_node_sum_is_drop_path_then_the_sum(float64):
    """node_sum applies drop_path's factor (the same random draw) with the sum, an unscaled term left as it is."""
    a, b = torch.randn(6, 3, 4, 4, requires_grad=True), torch.randn(6, 3, 4, 4, requires_grad=True)
    for drop_a, drop_b in [(True, True), (True, False), (False, True), (False, False)]:
        torch.manual_seed(0)
        plain = (drop_path(a, 0.5) if drop_a else a) + (drop_path(b, 0.5) if drop_b else b)
        torch.manual_seed(0)
        fast = node_sum(a, drop_path_scale(a, 0.5) if drop_a else None, b, drop_path_scale(b, 0.5) if drop_b else None)
        g = torch.randn_like(plain)
        assert rel_error([fast], [plain]) < 1e-15
        assert rel_error(torch.autograd.grad(fast, [a, b], g), torch.autograd.grad(plain, [a, b], g)) < 1e-15
    torch.manual_seed(0)
    assert (drop_path_scale(a, 0.5) == 0).any()                  # some samples dropped in this draw


@pytest.mark.parametrize("channels_last", [True, False])
def test_even_and_odd_pixels_are_the_two_slices(float64, channels_last):
    x = torch.randn(3, 5, 6, 8)
    x = (x.contiguous(memory_format=torch.channels_last) if channels_last else x).requires_grad_()
    even, odd = EvenOddPixels.apply(x)
    assert torch.equal(even, x[:, :, ::2, ::2]) and torch.equal(odd, x[:, :, 1::2, 1::2])
    assert even.is_contiguous(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    g_even, g_odd = torch.randn_like(even), torch.randn_like(odd)
    grad, = torch.autograd.grad([even, odd], [x], [g_even, g_odd])
    expected, = torch.autograd.grad([x[:, :, ::2, ::2], x[:, :, 1::2, 1::2]], [x], [g_even, g_odd])
    assert torch.equal(grad, expected)


@pytest.mark.parametrize("kernel, stride, size", [(3, 1, 8), (5, 1, 8), (3, 2, 8), (5, 2, 7), (3, 1, 7), (5, 1, 4)])
def test_a_dilated_convolution_on_sub_images_is_the_dilated_convolution(float64, kernel, stride, size):
    """Odd sizes at stride 1 have sub-images of unequal sizes: those run the dilated convolution itself."""
    torch.manual_seed(0)
    conv = nn.Conv2d(6, 6, kernel, stride=stride, padding=kernel - 1, dilation=2, groups=6, bias=False)
    x = torch.randn(3, 6, size, size, requires_grad=True)
    fast, plain = atrous(conv, x.contiguous(memory_format=torch.channels_last)), conv(x)
    assert fast.shape == plain.shape
    g = torch.randn_like(plain)
    assert rel_error(torch.autograd.grad(fast, [x, conv.weight], g), torch.autograd.grad(plain, [x, conv.weight], g)) < 1e-13
    assert rel_error([fast], [plain]) < 1e-13
    op = DilConv(6, 6, kernel, stride, kernel - 1, 2, affine=True)
    assert rel_error([op(x)], [set_fast_path(copy.deepcopy(op), False)(x)]) < 1e-13


def test_the_sub_images_gradient_is_the_inverse_permutation_in_channels_last_order(float64):
    """The dilated convolution's input gradient comes back channels-last, like every other gradient of the network
    (autograd's own backward of the view reshapes returns it in NCHW order)."""
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 8).contiguous(memory_format=torch.channels_last).requires_grad_()
    sub = SubImages.apply(x, 2)
    assert sub.shape == (8, 3, 4, 4)            # sub-image (a, b) of sample n at index (a * 2 + b) * 2 + n
    assert torch.equal(sub[6], x[0, :, 1::2, 1::2]) and torch.equal(sub[1], x[1, :, ::2, ::2])
    assert torch.equal(SubImages.apply(sub, 2, True), x)
    g = torch.randn_like(sub)
    grad, = torch.autograd.grad(sub, x, g)
    expected, = torch.autograd.grad(operations._sub_images(x, 2), x, g)
    assert torch.equal(grad, expected) and grad.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("stride", [1, 2])
def test_a_separable_convolution_takes_its_second_relu_in_place_on_the_first_bns_output_and_computes_the_same(
        float64, stride):
    """BN's backward reads its input, not its output, so the ReLU after the first BN may overwrite that output."""
    from nas_kit.models.operations import SepConv
    torch.manual_seed(0)
    fast = SepConv(6, 6, 3, stride, 1, affine=True)
    plain = set_fast_path(copy.deepcopy(fast), False)
    x = torch.randn(4, 6, 8, 8, requires_grad=True)
    pointers = {}
    for name, op in (("fast", fast), ("plain", plain)):
        bn1, dw2 = op.op[3], op.op[5]
        bn1.register_forward_hook(lambda m, i, out, name=name: pointers.update({(name, "bn1 out"): out.data_ptr()}))
        dw2.register_forward_pre_hook(lambda m, i, name=name: pointers.update({(name, "relu out"): i[0].data_ptr()}))
    y_fast, y_plain = fast(x), plain(x)
    assert pointers["fast", "relu out"] == pointers["fast", "bn1 out"]          # in place
    assert pointers["plain", "relu out"] != pointers["plain", "bn1 out"]        # a new feature map
    g = torch.randn_like(y_plain)
    assert rel_error([y_fast], [y_plain]) < TOLERANCE
    assert rel_error(torch.autograd.grad(y_fast, [x, *fast.parameters()], g),
                     torch.autograd.grad(y_plain, [x, *plain.parameters()], g)) < TOLERANCE
