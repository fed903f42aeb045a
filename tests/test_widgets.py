"""The architecture explorer, driven headlessly: the logic is in plain methods and attributes."""
import random

import pytest

from nas_kit import genotypes as G
from nas_kit.registry import SPACES, count_parameters_of
from nas_kit.spaces.toy1d import ARCHITECTURES
from nas_kit.strategies.toy_enas import ToyController
from nas_kit.viz import svg_text_labels
from nas_kit.widgets import ArchitectureExplorer, format_size


def test_size_is_shown_rounded_and_exact():
    assert format_size(6 ** 12 * 2 ** 66) == "1.6e29 (exactly 160,618,186,625,454,535,808,756,219,904)"
    assert format_size(4) == "4"


def test_darts_v2_counts_3349342_parameters_and_darts_v2_rnn_23m():
    assert count_parameters_of("darts", G.DARTS_V2) == 3_349_342      # DARTS Table 1: 3.3M
    assert count_parameters_of("darts_rnn", G.DARTS_V2_RNN) == 22_960_000  # DARTS Table 2: 23M
    assert count_parameters_of("nas_rl", SPACES["nas_rl"]().sample(0)) is None


def test_explorer_shows_svg_encoding_size_and_parameters_of_a_darts_cell():
    e = ArchitectureExplorer(space="darts", seed=0)
    assert e.arch == SPACES["darts"]().sample(random.Random(0))
    assert e.svg.startswith("<svg") and "k−2" in svg_text_labels(e.svg)     # c with subscript k−2
    assert e.encoding == SPACES["darts"]().encode(e.arch) and e.encoding in e.output.value
    assert e.size_text.startswith("1.1e18 (exactly ")
    assert int(e.params_text.replace(",", "")) == count_parameters_of("darts", e.arch)


def test_sample_button_and_seed_change_the_architecture_and_the_seed_repeats_it():
    e = ArchitectureExplorer(space="enas_macro", seed=0)
    first, first_svg = e.encoding, e.svg
    e.sample_button.click()
    assert e.encoding != first and e.svg != first_svg
    e.seed_box.value = 1
    assert e.encoding != first
    e.seed_box.value = 0
    assert e.encoding == first and e.size_text.startswith("1.6e29")


@pytest.mark.parametrize("name", list(SPACES))
def test_every_space_can_be_chosen_in_the_dropdown(name):
    e = ArchitectureExplorer(space="toy1d")
    e.space_dropdown.value = name
    SPACES[name]().validate(e.arch)
    assert "<svg" in e.svg and e.size_text
    no_paper_size = ("toy1d", "nas_rl", "chain")     # spaces with no published evaluation size to count at
    assert e.params_text == "\u2014" if name in no_paper_size else e.params_text[0].isdigit()


def test_a_controller_is_sampled_and_the_temperature_flattens_it():
    controller = ToyController(theta=[0.0, 0.0, 8.0, 0.0])   # p(relu, skip) ~ 0.999 at T = 1
    e = ArchitectureExplorer(controller=controller, seed=0)
    assert e.space_name == "toy1d" and e.space_dropdown.disabled
    picks = {e.sample() for _ in range(20)}
    assert picks == {ARCHITECTURES[2]}
    e.temperature_slider.value = 5.0                          # p ~ softmax([0, 0, 1.6, 0]): others appear
    picks = [e.sample() for _ in range(40)]
    assert len(set(picks)) > 1


def test_unknown_space_is_named():
    with pytest.raises(ValueError, match="unknown space 'dart'"):
        ArchitectureExplorer(space="dart")


def test_explorer_samples_from_a_nas_rl_controller_in_its_own_space():
    import copy

    from nas_kit.spaces import BenchSpace, pnas
    from nas_kit.strategies import NASRLStrategy

    strategy = NASRLStrategy(pnas(blocks=2), seed=0)
    e = ArchitectureExplorer(controller=strategy.controller, seed=3)
    assert e.space_dropdown.value == "pnas" and e.space_dropdown.disabled
    assert e.encoding == pnas(blocks=2).encode(strategy.controller.sample(random.Random(3)))

    bench = BenchSpace()
    untrained = NASRLStrategy(bench, seed=0).controller
    learned = copy.deepcopy(untrained)
    with __import__("torch").no_grad():
        learned.heads["op"].bias[:] = __import__("torch").tensor([0.0, 50.0, 0.0])   # always nor_conv_3x3
    e = ArchitectureExplorer(snapshots={"start": untrained, "end": learned}, seed=0)
    assert e.snapshot_slider.value == "end" and e.arch == ("nor_conv_3x3",) * 6
    e.snapshot_slider.value = "start"
    assert e.controller is untrained and e.arch == untrained.sample(random.Random(0))


def test_the_nas_rl_explorer_counts_the_parameters_of_the_network_its_builder_makes():
    from nas_kit.estimation import Budget
    from nas_kit.models import count_parameters
    from nas_kit.models.nas_rl_network import build_nas_rl_child
    from nas_kit.spaces import NASRLSpace
    from nas_kit.strategies import NASRLStrategy

    space, budget = NASRLSpace(layers=3, predict_stride=True), Budget(C=6)
    e = ArchitectureExplorer(controller=NASRLStrategy(space, seed=0).controller, seed=0,
                             builder=lambda arch: build_nas_rl_child(arch, budget, 4), network="the child network")
    assert e.params_text == f"{count_parameters(build_nas_rl_child(e.arch, budget, 4)):,}"
    assert "(the child network)" in e.output.value and "no builder" not in e.output.value


def test_explorer_labels_are_not_truncated():
    e = ArchitectureExplorer(controller=ToyController(), seed=0)
    assert e.temperature_slider.style.description_width == "initial"


def _toy_widget(**kwargs):
    from nas_kit.data.toy1d import make_toy_data
    from nas_kit.widgets.toy import ToyENASWidget
    return ToyENASWidget(make_toy_data(seed=0), steps=100, **kwargs)


def test_the_toy_widget_keeps_the_learning_rate_exactly_and_train_reproduces_the_notebooks_run():
    from nas_kit.strategies.toy_enas import train_toy_enas
    w = _toy_widget()
    assert w.lr_theta.value == 0.03 and w.lr_w.value == 0.1          # a log slider showed 0.0316
    assert w.lr_theta.label == "0.03"
    run = train_toy_enas(w.data, steps=100, lr_w=0.1, lr_theta=0.03, seed=0)
    w.train_button.click()
    assert w.result.probs == run.probs
    assert _toy_widget(lr_theta=0.05).lr_theta.value == 0.05         # a rate off the list is kept, exactly


def test_train_clears_the_old_sample_and_sample_says_when_it_repeats():
    w = _toy_widget()
    from nas_kit.widgets.toy import NOT_SAMPLED
    assert w.text.value.startswith("<b>sampled</b> (draw 1)") and "<svg" in w.dag.value
    w.train_button.click()
    assert w.text.value == NOT_SAMPLED and "(p = " not in w.text.value and w.dag.value == "" and w.arch is None
    draws = [w.sample() for _ in range(6)]
    repeated = [k for k in range(1, 6) if draws[k] == draws[k - 1]]
    assert repeated, "a controller after 100 steps repeats its favourite within 6 draws"
    w.rng = __import__("random").Random(0)
    w.draws = draws[:repeated[0]]
    again = w.sample()
    assert again == draws[repeated[0]] and "the same architecture again" in w.text.value
