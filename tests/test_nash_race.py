"""NASH against random search at equal cost (nas_kit.strategies.nash_race): the best-so-far bookkeeping, the cost
levels, and equal budgets for the two."""
from dataclasses import replace

from nas_kit.strategies.nash_race import FULL, QUICK, _so_far, at_cost, levels


def test_best_so_far_keeps_the_test_accuracy_of_the_best_validation_accuracy():
    curve = _so_far([(2, 0.3, 0.9), (4, 0.5, 0.4), (6, 0.45, 0.99)])
    assert curve == [(2, 0.3, 0.9), (4, 0.5, 0.4), (6, 0.5, 0.4)]
    assert at_cost(curve, 1) is None and at_cost(curve, 5) == (0.5, 0.4) and at_cost(curve, 6) == (0.5, 0.4)


def test_random_search_gets_no_more_epochs_than_nash_and_each_network_as_many_as_nash_s_lineage():
    for r in (QUICK, FULL, replace(QUICK, epoch_neigh=5)):
        assert r.lineage() == r.start_epochs + r.n_steps * r.epoch_neigh
        assert (r.total() // r.lineage()) * r.lineage() <= r.total()
        assert levels(r)[-1] == r.total()


def test_the_full_race_has_the_paper_s_values():
    assert (FULL.n_steps, FULL.n_neigh, FULL.n_nm, FULL.epoch_neigh, FULL.start_epochs) == (8, 8, 5, 17, 20)
