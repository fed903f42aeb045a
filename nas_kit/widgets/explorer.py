"""ArchitectureExplorer: sample architectures from any space (or from a controller) and see them.

    explorer = ArchitectureExplorer()                                   # a dropdown of every space
    explorer = ArchitectureExplorer(controller=ToyController(theta))    # samples m ~ p(m | theta) / T
    explorer = ArchitectureExplorer(controller=strategy.controller)     # the NAS-RL or ENAS controller
                                    # (a controller has space_name, its space's key, and space_at(), the
                                    # space of what it samples now)
    explorer = ArchitectureExplorer(snapshots={"after 8 children": copy.deepcopy(strategy.controller), ...})
                                    # a slider over copies of a controller taken as it learned
    explorer = ArchitectureExplorer(..., builder=lambda arch: build_nas_rl_child(arch, budget, 4),
                                    network="the child network of the search")
                                    # count the parameters of the network a notebook builds (for spaces
                                    # with no published evaluation size, as NAS-RL's)

Shows the DAG (inline SVG), the encoding, the size of the space and the parameter count of the
network the architecture builds. The logic lives in plain methods (``sample``, ``render``) and
attributes (``arch``, ``encoding``, ``svg``, ``size_text``, ``params_text``), so tests drive it
without a browser; ``widget`` (also shown by displaying the explorer) is the ipywidgets box.
"""
from __future__ import annotations

import html
import random

import ipywidgets as W
import torch

from nas_kit.models import count_parameters
from nas_kit.registry import SPACES, count_parameters_of, draw, network_of
from nas_kit.spaces import DARTSSpace
from nas_kit.viz.gallery import inline_svg

DASH = "\u2014"


def format_size(n: int) -> str:
    """``1.6e29 (160489808068608...)``: two significant digits, then the exact count; small counts as is."""
    if n < 10 ** 6:
        return f"{n:,}"
    mantissa, exponent = f"{n:.1e}".split("e")
    return f"{mantissa}e{int(exponent)} (exactly {n:,})"


class ArchitectureExplorer:
    """A dropdown of spaces (or one controller), a seed, a Sample button, a temperature slider
    (controllers only), a slider over ``snapshots`` {label: controller} when given, and an HTML view
    of the sampled architecture."""

    def __init__(self, space: str = DARTSSpace.key, controller=None, seed: int = 0, temperature: float = 1.0,
                 snapshots: dict | None = None, builder=None, network: str | None = None):
        self.snapshots = dict(snapshots or {})
        self.builder, self.network = builder, network
        if self.snapshots and controller is None:
            controller = list(self.snapshots.values())[-1]
        self.controller = controller
        if controller is not None:
            space = controller.space_name
        if space not in SPACES:
            raise ValueError(f"unknown space {space!r}: choose one of {', '.join(SPACES)}.")
        self._params_cache = {}
        self.space_dropdown = W.Dropdown(options=list(SPACES), value=space, description="space",
                                         disabled=controller is not None)
        self.seed_box = W.IntText(value=seed, description="seed")
        self.sample_button = W.Button(description="Sample", button_style="primary")
        self.temperature_slider = W.FloatSlider(value=temperature, min=0.1, max=5.0, step=0.1,
                                                description="temperature", style={"description_width": "initial"},
                                                layout=W.Layout(display=None if controller is not None else "none"))
        labels = list(self.snapshots) or [""]
        self.snapshot_slider = W.SelectionSlider(options=labels, value=labels[-1], description="controller",
                                                 style={"description_width": "initial"},
                                                 layout=W.Layout(display=None if self.snapshots else "none",
                                                                 width="60%"))
        self.output = W.HTML()
        self.output.add_class("nas-kit-explorer-output")
        self.sample_button.add_class("nas-kit-explorer-sample")
        self.space_dropdown.observe(lambda change: self.resample(), names="value")
        self.seed_box.observe(lambda change: self.resample(), names="value")
        self.temperature_slider.observe(lambda change: self.resample(), names="value")
        self.snapshot_slider.observe(lambda change: self.use_snapshot(change["new"]), names="value")
        self.sample_button.on_click(lambda button: self.sample())
        self.widget = W.VBox([W.HBox([self.space_dropdown, self.seed_box, self.sample_button]),
                              self.temperature_slider, self.snapshot_slider, self.output])
        self.rng = None
        self.resample()

    # ------------------------------------------------------------ logic
    @property
    def space_name(self) -> str:
        return self.space_dropdown.value

    @property
    def space(self):
        """The controller's own space (its depth and block count), or the dropdown's space at the papers' sizes."""
        if self.controller is not None:
            return self.controller.space_at()
        return SPACES[self.space_name]()

    def use_snapshot(self, label):
        """Sample from the controller as it was at ``label`` (the stream restarts from the seed)."""
        self.controller = self.snapshots[label]
        if self.snapshot_slider.value != label:
            self.snapshot_slider.value = label          # observe() calls back here, and resamples
        else:
            self.resample()

    def resample(self):
        """Restart the random stream from the seed and draw the first architecture."""
        self.rng = random.Random(self.seed_box.value)
        return self.sample()

    def sample(self):
        """Draw the next architecture (from the space, or from the controller at the slider's temperature)."""
        if self.controller is not None:
            self.arch = self.controller.sample(self.rng, self.temperature_slider.value)
        else:
            self.arch = self.space.sample(self.rng)
        self.render()
        return self.arch

    def render(self):
        """Fill ``encoding``, ``svg``, ``size_text``, ``params_text`` and the HTML view from ``arch``."""
        space = self.space
        self.encoding = space.encode(self.arch)
        self.svg = inline_svg(draw(self.arch, space))
        self.size_text = format_size(space.size())
        key = (self.space_name, self.encoding)
        if key not in self._params_cache:
            self._params_cache[key] = self.count_parameters(self.arch)
        n = self._params_cache[key]
        self.params_text = DASH if n is None else f"{n:,}"
        network = self.network or (network_of(self.space_name) if self.builder is None else "the builder's network")
        self.output.value = (f"<div>{self.svg}</div>"
                             f"<p><b>encoding</b> <code>{html.escape(self.encoding)}</code><br>"
                             f"<b>size of the {html.escape(space.name)} space</b> {self.size_text}<br>"
                             f"<b>parameters</b> {self.params_text} ({html.escape(network)})</p>")

    def count_parameters(self, arch) -> int | None:
        """Parameters of the network ``builder(arch)`` makes when a builder was given, else of the network at the
        space's published evaluation size (None where there is none); the caller's RNG is left alone."""
        if self.builder is None:
            return count_parameters_of(self.space_name, arch)
        state = torch.random.get_rng_state()
        try:
            return count_parameters(self.builder(arch))
        finally:
            torch.random.set_rng_state(state)

    # ------------------------------------------------------------ display
    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)
