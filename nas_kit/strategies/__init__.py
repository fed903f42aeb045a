"""Search strategies (survey, Elsken et al. 2018, section 3): how to explore a space. Each method's strategy,
its search loop and the ``search`` command's recipe for it live together.

Black-box strategies share the ask/tell interface of ``base.Strategy`` and run with ``run_search``:

base           Strategy, run_search, SearchRecipe (the results they record are nas_kit.results.History)
random_search  RandomSearch: uniform samples
evolution      RegularizedEvolution: aging (Real et al. 2019) and non-aging tournament selection
nas_rl         Controller and NASRLStrategy: the LSTM controller and REINFORCE (Zoph & Le 2017)
pnas           PNAS: progressive search with a surrogate predictor (Liu et al. 2018)
tpe            TPE (Bergstra et al. 2011) through Optuna's ask/tell
gp_bo          GP Bayesian optimisation: Hamming kernel, expected improvement over a mutation pool (BANANAS)
hyperband      SuccessiveHalving and Hyperband (Li et al. 2018): epochs as the fidelity
bohb           BOHB (Falkner et al. 2018): Hyperband's budgets with TPE proposals
black_box      the ``search`` command's runner for all of them, with checkpoints
comparison     many runs of several strategies (Real et al. 2019, Fig. 3); a found cell against random cells

Weight-sharing methods, each a package with its own loop:

enas           ENAS (Pham et al. 2018): controller, REINFORCE, shared-weight tasks, search, retraining
darts          DARTS (Liu et al. 2019): architect, derivation, search
toy_enas       ENAS on the 1-D toy example of the lecture
"""
from nas_kit.strategies.base import SearchRecipe, Strategy, run_search
from nas_kit.strategies.evolution import RegularizedEvolution
from nas_kit.strategies.nas_rl import Controller, NASRLStrategy
from nas_kit.strategies.random_search import RandomSearch

__all__ = ["SearchRecipe", "Strategy", "run_search", "RandomSearch", "RegularizedEvolution", "Controller",
           "NASRLStrategy"]
