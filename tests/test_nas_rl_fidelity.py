"""NAS-RL as Zoph & Le 2017 write it (section 4.1): the reward, the child recipe, the strided space."""
import pytest
import torch

from nas_kit.data import make_cifar_like
from nas_kit.estimation import Budget, Evaluator
from nas_kit.estimation import evaluator as evaluator_module
from nas_kit.estimation.evaluator import reward_of
from nas_kit.methods import settings_for
from nas_kit.spaces import NASRLSpace


def test_the_nas_rl_reward_is_the_maximum_validation_accuracy_of_the_last_5_epochs_cubed():
    accuracies = [0.30, 0.90, 0.50, 0.60, 0.70, 0.65, 0.55]     # epoch 2's 0.90 is not among the last 5
    assert reward_of(accuracies, last=5, power=3) == pytest.approx(0.70 ** 3)
    assert reward_of(accuracies) == 0.55                          # the default: the final accuracy


def test_a_nas_rl_child_is_rewarded_with_the_cube_of_its_best_accuracy_in_its_last_5_epochs(monkeypatch):
    """train_and_evaluate measures the validation accuracy after each of the last 5 epochs and cubes the best."""
    torch.set_num_threads(1)
    per_epoch = iter([0.2, 0.4, 0.3, 0.5, 0.1])                  # epochs 3..7 of 7
    measured = []

    def fake_accuracy(*args, **kwargs):
        measured.append(next(per_epoch))
        return measured[-1]
    monkeypatch.setattr(evaluator_module, "accuracy", fake_accuracy)
    space = NASRLSpace(layers=2)
    budget = Budget(epochs=7, C=4, image_size=8, batch_size=64, reward_last=5, reward_power=3.0)
    evaluator = Evaluator(make_cifar_like(n_train=80, n_test=10, seed=0), budget, space=space)
    assert evaluator(space.sample(0)) == pytest.approx(0.5 ** 3) and len(measured) == 5


def test_the_full_nas_rl_search_trains_each_child_as_the_paper_does():
    """Section 4.1: 50 epochs, Momentum 0.9 with Nesterov, lr 0.1, weight decay 1e-4; reward max(last 5)^3."""
    s = settings_for("nas_rl", "nas_rl", "full")
    assert (s["child_epochs"], s["lr"], s["weight_decay"], s["nesterov"]) == (50, 0.1, 1e-4, True)
    assert (s["reward_last"], s["reward_power"]) == (5, 3.0)


def test_the_quick_nas_rl_search_differs_from_the_full_one_only_in_sizes_and_budgets():
    quick, full = settings_for("nas_rl", "nas_rl", "quick"), settings_for("nas_rl", "nas_rl", "full")
    for key in ("lr", "weight_decay", "nesterov", "reward_last", "reward_power", "controller_lr", "baseline_decay"):
        assert quick[key] == full[key], key


def test_the_strided_nas_rl_space_predicts_stride_height_and_width_separately():
    """Fig. 2 / section 4.1: stride height and stride width are two of the controller's decisions, each in {1, 2, 3}."""
    from nas_kit.models import NASRLNetwork
    from nas_kit.spaces.nas_rl import Layer
    from nas_kit.strategies.nas_rl.controller import Controller
    space = NASRLSpace(layers=2, predict_stride=True)
    assert {"stride_height", "stride_width"} <= set(Controller(space).heads)
    arch = [Layer(3, 3, 24, 1, 2, ()), Layer(3, 3, 24, 3, 1, (0,))]
    assert space.decode(space.encode(arch)) == arch and space.encode(arch).startswith("3x3/24/s1x2")
    hidden = []
    net = NASRLNetwork(arch)
    net.layers[1].register_forward_hook(lambda m, i, o: hidden.append(o.shape[-2:]))
    net(torch.randn(1, 3, 12, 12))
    assert tuple(hidden[0]) == (4, 6)          # 12x12 -> stride 1x2 -> 12x6 -> stride 3x1 -> 4x6
