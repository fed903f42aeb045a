"""Network morphisms keep the function (Chen, Goodfellow & Shlens 2016, section 2): the same logits before and
after Net2WiderNet and Net2DeeperNet, in eval mode, on random inputs; NASH climbs with them (Elsken et al. 2017)."""
import random

import pytest
import torch

from nas_kit.estimation.evaluator import Budget
from nas_kit.models.chain_cnn import ChainCNN
from nas_kit.models.morphisms import net2deeper, net2wider
from nas_kit.spaces import ChainSpace
from nas_kit.strategies.nash import NASH, apply_net_morphs, morphisms

ARCH = ((3, 8), (5, 16), (1, 8))


def trained_looking(arch, seed=0):
    """A network whose BatchNorms have non-trivial statistics and affine parameters, in eval mode."""
    torch.manual_seed(seed)
    model = ChainCNN(arch)
    for layer in model.layers:
        bn = layer[1]
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.5, 0.5)
    return model.eval()


@pytest.mark.parametrize("layer, width", [(0, 16), (1, 64), (2, 32), (2, 8)])
def test_net2wider_keeps_the_logits(layer, width):
    model, x = trained_looking(ARCH), torch.randn(5, 3, 10, 10)
    wider = net2wider(model, layer, width, rng=random.Random(1)).eval()
    assert wider.arch[layer] == (ARCH[layer][0], width) and wider.layers[layer][0].out_channels == width
    torch.testing.assert_close(wider(x), model(x), rtol=1e-5, atol=1e-5)
    assert model.arch == ARCH and model.layers[layer][0].out_channels == ARCH[layer][1]    # the old one untouched


@pytest.mark.parametrize("layer, kernel", [(0, 3), (1, 5), (2, 1)])
def test_net2deeper_keeps_the_logits(layer, kernel):
    model, x = trained_looking(ARCH), torch.randn(5, 3, 10, 10)
    deeper = net2deeper(model, layer, kernel).eval()
    assert len(deeper.layers) == 4 and deeper.arch[layer + 1] == (kernel, ARCH[layer][1])
    torch.testing.assert_close(deeper(x), model(x), rtol=1e-5, atol=1e-5)


def test_a_chain_of_random_morphisms_keeps_the_logits_and_stays_in_the_space():
    space, rng = ChainSpace(layers=6), random.Random(0)
    model, x = trained_looking(((3, 8),)), torch.randn(3, 3, 8, 8)
    for _ in range(6):
        grown = apply_net_morphs(model, space, 2, rng).eval()
        space.validate(grown.arch)
        torch.testing.assert_close(grown(x), model(x), rtol=1e-4, atol=1e-5)
        model = grown
    assert len(model.arch) > 1 and ("wider", 0, 16) in morphisms(space, ((3, 8),))


def test_a_nash_step_trains_n_neigh_networks_and_keeps_the_best():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    data = (torch.randint(0, 256, (64, 8, 8, 3), generator=g, dtype=torch.uint8).numpy(),
            torch.randint(0, 3, (64,), generator=g).numpy(),
            torch.randint(0, 256, (32, 8, 8, 3), generator=g, dtype=torch.uint8).numpy(),
            torch.randint(0, 3, (32,), generator=g).numpy())
    climber = NASH(ChainSpace(4), data, Budget(epochs=1, image_size=8, batch_size=16), ((3, 8),), start_epochs=1,
                   n_neigh=3, n_nm=2, seed=0)
    row = climber.step()
    assert row["children"] == 3 and climber.cost == 1 + 3 * 1 and row["valid_acc"] == climber.best_acc
    ChainSpace(4).validate(climber.best.arch)
