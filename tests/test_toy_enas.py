"""Claims of the ENAS lecture's 1-D toy example (notebook 01)."""
import random

import pytest
import torch

from nas_kit.data.toy1d import make_toy_data
from nas_kit.models.toy1d import SharedToyNet
from nas_kit.spaces import InvalidArchitecture
from nas_kit.spaces.toy1d import ARCHITECTURES, Toy1DSpace, ToyArchitecture
from nas_kit.strategies.toy_enas import (ToyController, exact_policy_gradient, reinforce_estimates, reward,
                                         train_each_alone, train_toy_enas)


def test_the_space_has_four_architectures_that_round_trip():
    space = Toy1DSpace()
    assert space.size() == 4 and len(set(space.enumerate())) == 4
    for m in space.enumerate():
        assert space.decode(space.encode(m)) == m
    assert {space.sample(s) for s in range(50)} == set(ARCHITECTURES)


@pytest.mark.parametrize("bad, field", [(("sigmoid", True), "activation"), (("relu", "yes"), "skip"),
                                        ("relu", "architecture")])
def test_an_invalid_toy_architecture_is_refused_naming_the_field(bad, field):
    with pytest.raises(InvalidArchitecture) as err:
        Toy1DSpace().validate(bad)
    assert err.value.field == field and "\n" not in str(err.value)


def test_all_architectures_share_the_same_three_weights():
    net = SharedToyNet(generator=torch.Generator().manual_seed(0))
    assert sum(p.numel() for p in net.parameters()) == 3
    x = torch.linspace(-1, 1, 5, dtype=torch.float64)
    with torch.no_grad():
        net.w_xy.fill_(1.0), net.w_yz.fill_(2.0), net.w_xz.fill_(-0.5)
    assert torch.allclose(net(x, ToyArchitecture("relu", True)), 2 * torch.relu(x) - 0.5 * x)
    assert torch.allclose(net(x, ToyArchitecture("tanh", False)), 2 * torch.tanh(x))


def test_grad_log_prob_of_the_softmax_controller_matches_autograd():
    theta = torch.tensor([0.3, -1.0, 0.5, 0.0], dtype=torch.float64, requires_grad=True)
    controller = ToyController(theta.detach())
    for k in range(4):
        (g,) = torch.autograd.grad(torch.log_softmax(theta, 0)[k], theta)
        assert torch.allclose(controller.grad_log_prob(k), g)


def test_exact_policy_gradient_matches_autograd_of_the_expected_reward():
    theta = torch.tensor([0.5, 0.0, -0.5, 0.2], dtype=torch.float64, requires_grad=True)
    rewards = torch.tensor([-3.0, -2.9, -0.01, -0.7], dtype=torch.float64)
    (g,) = torch.autograd.grad(torch.dot(torch.softmax(theta, 0), rewards), theta)
    assert torch.allclose(exact_policy_gradient(ToyController(theta.detach()), rewards), g)


def test_reinforce_is_unbiased_and_a_baseline_only_reduces_its_variance():
    controller = ToyController([0.5, 0.0, -0.5, 0.2])
    rewards = torch.tensor([-3.0, -2.9, -0.01, -0.7], dtype=torch.float64)
    exact = exact_policy_gradient(controller, rewards)
    plain = reinforce_estimates(controller, rewards, 20000, baseline=0.0, seed=0)
    based = reinforce_estimates(controller, rewards, 20000, baseline=float(controller.probs() @ rewards), seed=0)
    for est in (plain, based):
        se = est.std(0) / len(est) ** 0.5
        assert ((est.mean(0) - exact).abs() < 4 * se).all()
    assert based.var(0).sum() < 0.5 * plain.var(0).sum()


def test_enas_finds_the_true_architecture_and_agrees_with_exhaustive_search():
    data = make_toy_data(seed=0)
    result = train_toy_enas(data, steps=1500, seed=0)
    true = ARCHITECTURES.index(data.true_arch)
    assert result.probs[-1][true] > 0.9
    alone = train_each_alone(data, steps=1500, seed=0)
    assert min(alone, key=alone.get) == data.true_arch
    assert -reward(result.net, data.x_valid, data.z_valid, data.true_arch) < 0.05  # noise variance is 0.01


def test_the_controller_samples_in_proportion_to_its_probabilities():
    controller = ToyController([2.0, 0.0, 0.0, 0.0])
    rng = random.Random(0)
    counts = [0] * 4
    for _ in range(4000):
        counts[controller.sample_index(rng)] += 1
    p = controller.probs().tolist()
    assert all(abs(c / 4000 - q) < 0.03 for c, q in zip(counts, p))
    hot = ToyController([2.0, 0.0, 0.0, 0.0]).probs(temperature=0.1)
    assert hot[0] > 0.99
