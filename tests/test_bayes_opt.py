"""Bayesian optimisation: TPE's proposals are Optuna's TPESampler's, and the GP's posterior interpolates its
training points (Rasmussen & Williams 2006, eq. 2.25 without noise) with expected improvement over a pool."""
import numpy as np
import pytest

from nas_kit.spaces import BenchSpace
from nas_kit.strategies import run_search
from nas_kit.strategies.gp_bo import GP, GPBayesOpt, expected_improvement
from nas_kit.strategies.tpe import TPE, optuna

SPACE = BenchSpace()


def reward(arch):
    return sum(op == "nor_conv_3x3" for op in arch) / 6 + 0.05 * (arch[0] == "skip_connect")


def test_tpe_proposes_what_optunas_tpe_sampler_proposes():
    history = run_search(TPE(SPACE, seed=3, n_startup_trials=5), reward, 25)
    study = optuna().create_study(direction="maximize", sampler=optuna().samplers.TPESampler(seed=3, n_startup_trials=5))
    names = [name for name, _ in SPACE.dimensions()]
    study.optimize(lambda t: reward(tuple(t.suggest_categorical(n, list(SPACE.ops)) for n in names)), n_trials=25)
    assert [r.arch for r in history] == [tuple(t.params[n] for n in names) for t in study.trials]
    assert history.best().reward >= 5 / 6                              # and it finds the convolutions


def test_the_gps_posterior_interpolates_its_training_points():
    X = np.array([[0, 1, 2, 0, 1, 2], [1, 1, 1, 1, 1, 1], [2, 0, 2, 0, 2, 0], [0, 0, 0, 0, 0, 1]])
    y = np.array([0.3, 0.8, 0.5, 0.1])
    gp = GP(X, y, length_scale=2.0, noise=1e-10)
    mean, sd = gp.posterior(X)
    assert np.allclose(mean, y, atol=1e-6) and np.all(sd < 1e-3)
    far_mean, far_sd = gp.posterior(np.array([[2, 2, 0, 2, 2, 2]]))
    assert far_sd[0] > 0.1                                             # unseen points stay uncertain
    assert expected_improvement(mean, sd, y.max())[1] == pytest.approx(0.0, abs=1e-4)


def test_gp_bayesian_optimisation_asks_unevaluated_cells_and_beats_its_random_start():
    strategy = GPBayesOpt(SPACE, n_init=8, pool_size=40, n_parents=4, seed=0)
    history = run_search(strategy, reward, 30)
    assert len({r.arch for r in history[8:]}) == 22 and not {r.arch for r in history[8:]} & {r.arch for r in history[:8]}
    assert history.best().reward > max(r.reward for r in history[:8])
