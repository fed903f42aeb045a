"""Search strategies (survey, Elsken et al. 2018, section 3): how to explore a space.

All share the ask/tell interface of ``base.Strategy`` and run with ``run_search``.

base           Strategy, run_search (the results it records are nas_kit.results.History)
random_search  RandomSearch: uniform samples
evolution      RegularizedEvolution: aging (Real et al. 2019) and non-aging tournament selection
nas_rl         Controller and NASRLStrategy: the LSTM controller and REINFORCE (Zoph & Le 2017)
toy_enas       ENAS on the 1-D toy example
"""
from nas_kit.strategies.base import Strategy, run_search
from nas_kit.strategies.evolution import RegularizedEvolution
from nas_kit.strategies.nas_rl import Controller, NASRLStrategy
from nas_kit.strategies.random_search import RandomSearch

__all__ = ["Strategy", "run_search", "RandomSearch", "RegularizedEvolution",
           "Controller", "NASRLStrategy"]
