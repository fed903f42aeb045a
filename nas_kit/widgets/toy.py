"""Notebook 01's widget: train the toy ENAS controller with sliders, then sample architectures from it."""
from __future__ import annotations

import random

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import display

from nas_kit.spaces.toy1d import ARCHITECTURES, Toy1DSpace
from nas_kit.strategies.toy_enas import train_toy_enas
from nas_kit.viz.graphviz_tools import GraphvizNotFound, to_svg
from nas_kit.viz.toy import toy_dag


class ToyENASWidget:
    """Sliders for the learning rates and steps, a Train button that re-runs ENAS on the toy data,
    and a Sample button that draws m ~ p(m | theta) and renders its DAG."""

    def __init__(self, data, steps: int = 1500, lr_w: float = 0.1, lr_theta: float = 0.03, seed: int = 0):
        self.data, self.rng, self.space = data, random.Random(seed), Toy1DSpace()
        self.lr_w = W.FloatLogSlider(value=lr_w, base=10, min=-3, max=-0.5, step=0.1, description="lr w")
        self.lr_theta = W.FloatLogSlider(value=lr_theta, base=10, min=-3, max=0, step=0.1, description="lr theta")
        self.steps = W.IntSlider(value=steps, min=100, max=5000, step=100, description="steps")
        self.seed = W.IntText(value=seed, description="seed")
        self.train_button = W.Button(description="Train", button_style="primary")
        self.sample_button = W.Button(description="Sample architecture")
        self.plot, self.dag, self.text = W.Output(), W.HTML(), W.HTML()
        self.train_button.on_click(lambda _: self.train())
        self.sample_button.on_click(lambda _: self.sample())
        self.result = self.arch = self.svg = None
        self.train()
        self.sample()

    def train(self):
        """Re-run train_toy_enas with the sliders' settings and plot p(m | theta) over the steps."""
        self.result = train_toy_enas(self.data, steps=self.steps.value, lr_w=self.lr_w.value,
                                     lr_theta=self.lr_theta.value, seed=self.seed.value)
        self.rng = random.Random(self.seed.value)
        with self.plot:
            self.plot.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6, 3))
            for k, m in enumerate(ARCHITECTURES):
                ax.plot([p[k] for p in self.result.probs], label=self.space.encode(m))
            ax.set(xlabel="step", ylabel="p(m | theta)", ylim=(0, 1))
            ax.legend(loc="center right", fontsize=8)
            plt.show()
        return self.result

    def sample(self):
        """Draw m ~ p(m | theta) from the trained controller and render its DAG."""
        controller = self.result.controller
        self.arch = controller.sample(self.rng)
        p = controller.probs()[ARCHITECTURES.index(self.arch)]
        self.text.value = f"<b>sampled:</b> {self.space.encode(self.arch)} &nbsp; (p = {p:.3f})"
        try:
            self.svg = to_svg(toy_dag(self.arch))
            self.dag.value = self.svg
        except GraphvizNotFound as err:
            self.svg, self.dag.value = None, f"<pre>{err}</pre>"
        return self.arch

    def _ipython_display_(self):
        controls = W.VBox([self.lr_w, self.lr_theta, self.steps, self.seed, self.train_button])
        display(W.VBox([W.HBox([controls, self.plot]), W.HBox([self.sample_button, self.text]), self.dag]))
