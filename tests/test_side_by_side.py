"""Notebook 11's side-by-side: one budget for every method, the committed table is what the code makes, and one
colour per strategy in every panel."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nas_kit import methods, tables  # noqa: E402
from nas_kit.estimation.tabular import MiniBench  # noqa: E402
from nas_kit.published_results import CIFAR10_RESULTS, PTB_RESULTS  # noqa: E402
from nas_kit.strategies.comparison import at_budget, incumbent_by_cost  # noqa: E402
from nas_kit.viz.colors import color_of  # noqa: E402
from nas_kit.viz.search import plot_cost_vs_error  # noqa: E402


def search_at_budget(method, overrides, epochs, seed=0):
    settings = methods.settings_for(method, "mini_bench", "quick", {**overrides, "seed": str(seed)})
    return at_budget(methods.history_of(method, "mini_bench", settings), epochs, MiniBench.load().test_accuracy)


def test_a_search_at_budget_stops_when_the_epochs_are_spent_and_its_curve_never_passes_them():
    run = search_at_budget("hyperband", {"budget": "200"}, 30)
    assert run["curve"][-1][0] <= 30 and all(a[0] < b[0] for a, b in zip(run["curve"], run["curve"][1:]))
    with pytest.raises(ValueError, match="spent 6 of the 30 epochs"):
        search_at_budget("random", {"budget": "2", "fidelity_epoch": "3"}, 30)


def test_the_committed_table_gives_random_search_seed_0_what_the_code_finds_now():
    side = tables.load("side_by_side_quick.json")
    row = next(r for r in side["rows"] if r["method"] == "random")
    run = search_at_budget("random", row["overrides"], side["epochs"], side["seeds"][0])
    assert round(run["final"], 4) == row["final"][0] and run["evaluations"] == row["evaluations"][0]


def test_incumbent_by_cost_adds_up_costs_and_keeps_the_best_through_a_failure():
    costs, best = incumbent_by_cost([(2, None), (3, 0.4), (1, 0.3), (6, None), (2, 0.5)])
    assert costs == [2, 5, 6, 12, 14] and best[1:] == [0.4, 0.4, 0.4, 0.5] and best[0] != best[0]


def test_a_strategy_has_one_colour_in_the_cifar_and_the_ptb_panels():
    fig, axes = plt.subplots(1, 2)
    for ax, results in zip(axes, (CIFAR10_RESULTS, PTB_RESULTS)):
        plot_cost_vs_error(results, ax)
    legends = [{t.get_text(): h.get_color() for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().get_lines())}
               for ax in axes]
    shared = set(legends[0]) & set(legends[1])
    assert shared == {"RL", "RL+WS", "random", "gradient"}
    assert all(legends[0][s] == legends[1][s] == color_of(s) for s in shared)
    assert color_of("random search") == color_of("random") and color_of("REINFORCE (NAS-RL)") == color_of("RL")
    plt.close(fig)


def test_every_published_label_stays_inside_its_axes():
    fig, ax = plt.subplots(figsize=(6, 4))
    plot_cost_vs_error(CIFAR10_RESULTS, ax)
    fig.canvas.draw()
    box = ax.get_window_extent()
    for text in ax.texts:
        t = text.get_window_extent()
        assert box.x0 <= t.x0 and t.x1 <= box.x1 and box.y0 <= t.y0 and t.y1 <= box.y1, text.get_text()
    plt.close(fig)


def test_an_unknown_strategy_has_no_colour_in_one_sentence():
    with pytest.raises(KeyError, match="no colour for the strategy 'magic'"):
        color_of("magic")
