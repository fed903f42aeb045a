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

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
STYLE = {"description_width": "initial"}
STYLES = ("-", "--", "-.", ":")     # one line style per architecture: curves that lie on each other stay apart
NOT_SAMPLED = "<i>trained: press <b>Sample architecture</b> to draw m ~ p(m | theta) from this controller</i>"


def rate_slider(value: float, description: str) -> W.SelectionSlider:
    """A slider over the rates 0.001 ... 1 (and ``value``) whose value is exactly the rate shown: a log slider
    would snap 0.03 to 10^-1.5 = 0.0316."""
    rates = sorted(set(LEARNING_RATES) | {float(value)})
    return W.SelectionSlider(options=[(f"{r:g}", r) for r in rates], value=float(value), description=description,
                             style=STYLE, continuous_update=False)


class ToyENASWidget:
    """Sliders for the learning rates and steps, a Train button that re-runs ENAS on the toy data,
    and a Sample button that draws m ~ p(m | theta) and renders its DAG."""

    def __init__(self, data, steps: int = 1500, lr_w: float = 0.1, lr_theta: float = 0.03, seed: int = 0):
        self.data, self.rng, self.space = data, random.Random(seed), Toy1DSpace()
        self.lr_w = rate_slider(lr_w, "lr w")
        self.lr_theta = rate_slider(lr_theta, "lr theta")
        self.steps = W.IntSlider(value=steps, min=100, max=5000, step=100, description="steps", style=STYLE)
        self.seed = W.IntText(value=seed, description="seed", style=STYLE)
        self.train_button = W.Button(description="Train", button_style="primary")
        self.sample_button = W.Button(description="Sample architecture", layout=W.Layout(width="auto"))
        self.plot, self.dag, self.text = W.Output(), W.HTML(), W.HTML()
        self.train_button.on_click(lambda _: self.train())
        self.sample_button.on_click(lambda _: self.sample())
        self.result = self.arch = self.svg = None
        self.draws = []                 # the architectures sampled from the current controller, in order
        self.train()
        self.sample()

    def train(self):
        """Re-run train_toy_enas with the sliders' settings, plot p(m | theta) over the steps, and clear the
        architecture sampled from the previous controller."""
        self.result = train_toy_enas(self.data, steps=self.steps.value, lr_w=self.lr_w.value,
                                     lr_theta=self.lr_theta.value, seed=self.seed.value)
        self.rng, self.draws = random.Random(self.seed.value), []
        self.arch = self.svg = None
        self.text.value, self.dag.value = NOT_SAMPLED, ""
        with self.plot:
            self.plot.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6, 3))
            for k, m in enumerate(ARCHITECTURES):
                ax.plot([p[k] for p in self.result.probs], STYLES[k], lw=2 if k % 2 else 1.2,
                        label=self.space.encode(m))
            ax.set(xlabel="step", ylabel="p(m | theta)", ylim=(-0.03, 1.03))
            ax.legend(loc="center right", fontsize=8)
            plt.show()
        return self.result

    def sample(self):
        """Draw m ~ p(m | theta) from the trained controller, render its DAG, and say when it repeats a draw."""
        controller = self.result.controller
        self.arch = controller.sample(self.rng)
        self.draws.append(self.arch)
        p = controller.probs()[ARCHITECTURES.index(self.arch)]
        n, name = len(self.draws), self.space.encode(self.arch)
        again = (f" &nbsp; <b>the same architecture again</b> ({self.draws.count(self.arch)} of {n} draws)"
                 if n > 1 and self.draws[-2] == self.arch else "")
        self.text.value = f"<b>sampled</b> (draw {n}): {name} &nbsp; (p = {p:.3f}){again}"
        try:
            self.svg = to_svg(toy_dag(self.arch))
            self.dag.value = self.svg
        except GraphvizNotFound as err:
            self.svg, self.dag.value = None, f"<pre>{err}</pre>"
        return self.arch

    def _ipython_display_(self):
        controls = W.VBox([self.lr_w, self.lr_theta, self.steps, self.seed, self.train_button])
        display(W.VBox([W.HBox([controls, self.plot]), W.HBox([self.sample_button, self.text]), self.dag]))
