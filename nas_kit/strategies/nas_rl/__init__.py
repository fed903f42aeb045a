"""NAS with reinforcement learning (Zoph & Le 2017): the LSTM controller and REINFORCE on it.

controller  Controller: writes an architecture of a space one decision at a time (its decisions by space)
strategy    NASRLStrategy: REINFORCE with a moving-average baseline and the depth curriculum; its recipe
"""
from nas_kit.strategies.nas_rl.controller import Controller
from nas_kit.strategies.nas_rl.strategy import NASRLStrategy

__all__ = ["Controller", "NASRLStrategy"]
