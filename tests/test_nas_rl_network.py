"""The NAS-RL child CNN follows Zoph & Le 2017, section 3.3: concatenated skip inputs, zero padding
of smaller maps, the image for layers without input, every unread layer into the classifier."""
import pytest
import torch

from nas_kit.estimation import Budget, Evaluator
from nas_kit.models.nas_rl_network import NASRLNetwork, build_nas_rl_child, concat, pad_to
from nas_kit.spaces.base import InvalidArchitecture
from nas_kit.spaces.nas_rl import Layer, NASRLSpace
from nas_kit.strategies.nas_rl import NASRLStrategy


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_a_two_layer_chain_has_the_hand_counted_parameters():
    # layer 0: 3x3 conv 3->24 (648) + BN (48); layer 1 reads layer 0: 1x1 conv 24->36 (864) + BN (72);
    # only layer 1 is unread, so the classifier is 36*10 + 10 = 370.  648+48+864+72+370 = 2,002.
    arch = [Layer(3, 3, 24, 1, 1, ()), Layer(1, 1, 36, 1, 1, (0,))]
    assert n_params(NASRLNetwork(arch, num_classes=10)) == 2002


def test_two_layers_without_input_both_read_the_image_and_both_reach_the_classifier():
    # layer 1 has no input -> image: 1x1 conv 3->36 (108) + BN (72); both layers unread -> 24+36 = 60 features.
    arch = [Layer(3, 3, 24, 1, 1, ()), Layer(1, 1, 36, 1, 1, ())]
    net = NASRLNetwork(arch, num_classes=10)
    assert net.outputs == [0, 1]
    assert net.layers[1][0].in_channels == 3
    assert n_params(net) == (648 + 48) + (108 + 72) + (60 * 10 + 10) == 1486


def test_rectangular_filters_keep_the_size_and_strides_shrink_it():
    arch = [Layer(7, 1, 24, 1, 1, ()), Layer(1, 5, 36, 2, 2, (0,)), Layer(3, 3, 48, 3, 3, (1,))]
    net = NASRLNetwork(arch).eval()
    sizes = []
    net.layers[0].register_forward_hook(lambda m, i, o: sizes.append(tuple(o.shape[1:])))
    net.layers[1].register_forward_hook(lambda m, i, o: sizes.append(tuple(o.shape[1:])))
    net.layers[2].register_forward_hook(lambda m, i, o: sizes.append(tuple(o.shape[1:])))
    net(torch.randn(2, 3, 16, 16))
    assert sizes == [(24, 16, 16), (36, 8, 8), (48, 3, 3)]


def test_smaller_maps_are_zero_padded_at_the_bottom_right_before_concatenation():
    big, small = torch.ones(1, 2, 6, 6), torch.full((1, 3, 3, 3), 2.0)
    out = concat([big, small])
    assert out.shape == (1, 5, 6, 6)
    assert torch.equal(out[:, 2:, :3, :3], small)
    assert out[:, 2:, 3:, :].abs().sum() == 0 and out[:, 2:, :, 3:].abs().sum() == 0
    assert torch.equal(pad_to(small, 3, 3), small)


def test_a_skip_across_a_stride_concatenates_maps_of_different_sizes():
    # layer 2 reads layer 0 (16x16) and layer 1 (8x8, stride 2): input 24+36 channels at 16x16;
    # layer 3 reads layer 1 with stride 3 (3x3); layers 2 and 3 are unread, so the final state is
    # layer 2 (16x16) and layer 3 zero-padded from 3x3 to 16x16.
    arch = [Layer(3, 3, 24, 1, 1, ()), Layer(3, 3, 36, 2, 2, (0,)), Layer(5, 3, 48, 1, 1, (0, 1)), Layer(1, 1, 64, 3, 3, (1,))]
    net = NASRLNetwork(arch, num_classes=10)
    assert net.layers[2][0].in_channels == 24 + 36
    assert net.layers[3][0].in_channels == 36
    assert net.outputs == [2, 3]
    assert net.classifier.in_features == 48 + 64
    torch.manual_seed(0)
    x = torch.randn(4, 3, 16, 16)
    logits = net(x)
    assert logits.shape == (4, 10)
    logits.logsumexp(1).sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


def test_every_sampled_architecture_of_the_space_builds_and_runs():
    space = NASRLSpace(layers=5, predict_stride=True)
    for seed in range(10):
        net = NASRLNetwork(space.sample(seed), num_classes=3, width=0.25).eval()
        assert net(torch.randn(1, 3, 16, 16)).shape == (1, 3)


def test_the_budget_width_scales_the_filters_from_the_paper_counts():
    arch = [Layer(3, 3, 24, 1, 1, ()), Layer(1, 1, 64, 1, 1, (0,))]
    assert build_nas_rl_child(arch, Budget(C=24), 10).channels == [24, 64]
    assert build_nas_rl_child(arch, Budget(C=6), 10).channels == [6, 16]


def test_a_malformed_architecture_names_the_layer():
    with pytest.raises(InvalidArchitecture, match=r"arch\[1\]\.inputs"):
        NASRLNetwork([Layer(3, 3, 24, 1, 1, ()), Layer(3, 3, 24, 1, 1, (1,))])
    with pytest.raises(InvalidArchitecture, match="non-empty list"):
        NASRLNetwork([])


def test_the_evaluator_trains_controller_samples_with_this_builder():
    from nas_kit.data import make_cifar_like
    space = NASRLSpace(layers=2)
    arch = NASRLStrategy(space, seed=0).ask(1)[0]
    data = make_cifar_like(n_train=120, n_test=10, seed=0)
    budget = Budget(epochs=1, C=4, image_size=16, batch_size=32)
    evaluator = Evaluator(data, budget, space=space, build_fn=build_nas_rl_child)
    reward = evaluator(arch)
    assert 0.0 <= reward <= 1.0 and evaluator.cache[space.encode(arch)].status == "ok"
