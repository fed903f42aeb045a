"""The shipped mini tabular benchmark: complete, made by the kit's own evaluator, and the comparison of
Real et al. (2019, Fig. 3) on it: evolution and REINFORCE beat random search at the same budget."""
import numpy as np
import pytest
import torch

from nas_kit.estimation.tabular import RECIPES, MiniBench, bench_data, train_bench_cell
from nas_kit.spaces import BenchSpace
from nas_kit.strategies import NASRLStrategy, RandomSearch, RegularizedEvolution, run_search
from nas_kit.results import summary
from nas_kit.strategies.comparison import compare, incumbent_curve

ALL_SKIP = ("skip_connect",) * 6


@pytest.fixture(scope="module")
def bench():
    return MiniBench.load()


def test_the_table_holds_every_cell_of_the_space_for_at_least_two_seeds(bench):
    assert len(bench.archs()) == BenchSpace().size() == 729
    assert len(bench.seeds) >= 2 and bench.epochs == RECIPES["quick"].budget.epochs
    for text, row in bench.cells.items():
        assert len(row["valid"]) == len(row["test"]) == len(bench.seeds)
        assert all(len(run) == bench.epochs and all(0 <= a <= 1 for a in run) for run in row["valid"]), text
    accs = [bench.valid_accuracy(a) for a in bench.archs()]
    assert max(accs) - min(accs) > 0.2          # the space holds good and bad cells: search has something to find


def test_a_row_of_the_table_is_what_the_kits_evaluator_gives_again():
    torch.set_num_threads(1)
    bench = MiniBench.load()
    recipe = RECIPES[bench.table["recipe_name"]]
    row = train_bench_cell(ALL_SKIP, bench_data(recipe), recipe.budget, seed=bench.seeds[0])
    assert row["valid"] == bench.cells[bench.space.encode(ALL_SKIP)]["valid"][0]
    assert row["test"] == bench.cells[bench.space.encode(ALL_SKIP)]["test"][0]


def test_the_oracle_answers_with_one_seeds_run_at_the_cost_of_its_epochs(bench):
    arch = bench.space.sample(0)
    runs = {bench.valid_accuracy(arch, i) for i in range(len(bench.seeds))}
    oracle = bench.oracle(seed=0)
    assert {oracle(arch) for _ in range(40)} <= runs
    (outcome,) = oracle.evaluate_many([arch])
    assert outcome.status == "ok" and outcome.reward in runs and outcome.cost == bench.epochs == outcome.fidelity
    assert bench.oracle(seed=0, epoch=1)(arch) in {bench.valid_accuracy(arch, i, epoch=1) for i in range(len(bench.seeds))}
    with pytest.raises(ValueError, match="epoch must be"):
        bench.valid_accuracy(arch, epoch=bench.epochs + 1)


def test_the_incumbent_curve_scores_the_architecture_with_the_best_reward_so_far(bench):
    history = run_search(RandomSearch(bench.space, seed=1), bench.oracle(1), 30)
    test_curve = incumbent_curve(history, bench.test_accuracy)
    best = np.argmax(history.rewards())
    assert test_curve[-1] == bench.test_accuracy(history[int(best)].arch)
    assert np.array_equal(incumbent_curve(history), history.best_so_far())


def test_evolution_and_reinforce_beat_random_search_over_twenty_seeds(bench):
    """Real et al. (2019) Fig. 3 on the mini benchmark: 20 runs each, 100 evaluations (14% of the space).
    P=20, S=5 for evolution (the paper's P=100, S=25 scaled to a 729-cell space); REINFORCE with m=5 and
    lr 0.05 (the paper's 0.0006 was set for a 12,800-sample search)."""
    space = bench.space
    factories = {"random": lambda s: RandomSearch(space, seed=s),
                 "evolution": lambda s: RegularizedEvolution(space, 20, 5, seed=s),
                 "reinforce": lambda s: NASRLStrategy(space, lr=0.05, m=5, seed=s)}
    curves = compare(factories, bench.oracle, budget=100, seeds=range(20))
    final = {name: summary(c)["mean"][-1] for name, c in curves.items()}
    assert final["evolution"] > final["random"], final
    assert final["reinforce"] > final["random"], final


def test_the_comparison_plot_draws_the_mean_of_the_runs_and_the_summary_is_over_runs():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nas_kit.viz.search import plot_strategy_curves

    curves = {"a": np.array([[0.1, 0.5, 0.5], [0.3, 0.3, 0.7]]), "b": np.array([[0.2, 0.2, 0.2], [0.2, 0.4, 0.4]])}
    s = summary(curves["a"])
    assert np.allclose(s["mean"], [0.2, 0.4, 0.6]) and np.allclose(s["sem"], [0.1, 0.1, 0.1])
    ax = plot_strategy_curves(curves, plt.figure().gca())
    assert np.allclose(ax.lines[0].get_ydata(), [0.2, 0.4, 0.6]) and np.allclose(ax.lines[1].get_ydata(), [0.2, 0.3, 0.3])
    plt.close("all")
