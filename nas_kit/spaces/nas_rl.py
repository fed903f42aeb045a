"""The NAS-RL CNN space (Zoph & Le 2017, section 3.1 and 3.3, Fig. 2 and 4).

For every layer the controller predicts
    filter height in {1, 3, 5, 7}, filter width in {1, 3, 5, 7}, number of filters in
    {24, 36, 48, 64}, optionally a stride height and a stride width, each in {1, 2, 3}
    (``predict_stride``; Fig. 2 and section 4.1), and
    skip connections: at the anchor point of layer i, any subset of layers 0..i-1 as inputs
    (a layer with no input takes the image).

An architecture is a list of ``Layer(filter_height, filter_width, filters, stride_height, stride_width,
inputs)``, ``inputs`` a sorted tuple.

Size: per layer 4 * 4 * 4 * (9 if predict_stride else 1) choices, and 2^i input sets for
layer i, so (64 s)^L * 2^(L(L-1)/2); e.g. 64^15 * 2^105 ~ 5.0e58 for L = 15 without strides.
"""
from __future__ import annotations

import itertools
import re
from collections import namedtuple

from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

Layer = namedtuple("Layer", "filter_height filter_width filters stride_height stride_width inputs")

FILTER_SIZES = (1, 3, 5, 7)
NUM_FILTERS = (24, 36, 48, 64)
STRIDES = (1, 2, 3)
ENUMERATE_LIMIT = 10 ** 6


class NASRLSpace(SearchSpace):
    """NAS-RL CNNs with ``layers`` layers; strides are predicted when ``predict_stride``."""

    key = "nas_rl"
    name = "NAS-RL"

    def __init__(self, layers=15, predict_stride=False):
        self.layers = layers
        self.predict_stride = predict_stride
        self.strides = STRIDES if predict_stride else (1,)

    def size(self) -> int:
        L = self.layers
        per_layer = len(FILTER_SIZES) ** 2 * len(NUM_FILTERS) * len(self.strides) ** 2
        return per_layer ** L * 2 ** (L * (L - 1) // 2)

    def sample(self, seed=None):
        rng = as_rng(seed)
        return [Layer(rng.choice(FILTER_SIZES), rng.choice(FILTER_SIZES), rng.choice(NUM_FILTERS),
                      rng.choice(self.strides), rng.choice(self.strides),
                      tuple(j for j in range(i) if rng.random() < 0.5))
                for i in range(self.layers)]

    def enumerate(self):
        if self.size() > ENUMERATE_LIMIT:
            return super().enumerate()
        per_layer = [[Layer(h, w, f, sh, sw, tuple(j for j in range(i) if mask >> j & 1))
                      for h, w, f, sh, sw in itertools.product(FILTER_SIZES, FILTER_SIZES, NUM_FILTERS, self.strides,
                                                               self.strides)
                      for mask in range(2 ** i)] for i in range(self.layers)]
        return (list(arch) for arch in itertools.product(*per_layer))

    def validate(self, arch):
        if not isinstance(arch, list) or len(arch) != self.layers:
            got = f"{len(arch)} layers" if isinstance(arch, (list, tuple)) else f"a {type(arch).__name__}"
            raise InvalidArchitecture("arch", f"is {got}; the {self.name} space expects a list of {self.layers} Layers.")
        for i, layer in enumerate(arch):
            if not isinstance(layer, Layer):
                raise InvalidArchitecture(f"arch[{i}]", f"is {layer!r}, not a Layer(filter_height, filter_width, "
                                          "filters, stride_height, stride_width, inputs).")
            for field, allowed in (("filter_height", FILTER_SIZES), ("filter_width", FILTER_SIZES),
                                   ("filters", NUM_FILTERS), ("stride_height", self.strides),
                                   ("stride_width", self.strides)):
                value = getattr(layer, field)
                if value not in allowed:
                    extra = " (strides are fixed to 1 unless predict_stride=True)" if field.startswith("stride") else ""
                    raise InvalidArchitecture(f"arch[{i}].{field}", f"{value!r} is not one of "
                                              f"{', '.join(map(str, allowed))}{extra}.")
            if not isinstance(layer.inputs, tuple):
                raise InvalidArchitecture(f"arch[{i}].inputs", f"is a {type(layer.inputs).__name__}; use a sorted tuple.")
            for j in layer.inputs:
                if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < i:
                    why = f": layer {i} cannot take itself or a later layer as input (a cycle)" if isinstance(j, int) and j >= i else ""
                    raise InvalidArchitecture(f"arch[{i}].inputs", f"contains {j!r}, out of range 0..{i - 1}{why}.")
            if list(layer.inputs) != sorted(set(layer.inputs)):
                raise InvalidArchitecture(f"arch[{i}].inputs", f"{layer.inputs} must be sorted and without repeats.")

    def mutate(self, arch, rng=None):
        """Change one hyperparameter of one layer, or add or remove one skip connection."""
        self.validate(arch)
        rng = as_rng(rng)
        arch = list(arch)
        i = rng.randrange(self.layers)
        fields = ["filter_height", "filter_width", "filters"] + (["stride_height", "stride_width"]
                                                                 if self.predict_stride else [])
        if i > 0:
            fields.append("inputs")
        field = rng.choice(fields)
        if field == "inputs":
            arch[i] = arch[i]._replace(inputs=tuple(sorted(set(arch[i].inputs) ^ {rng.randrange(i)})))
        else:
            allowed = {"filter_height": FILTER_SIZES, "filter_width": FILTER_SIZES, "filters": NUM_FILTERS,
                       "stride_height": self.strides, "stride_width": self.strides}[field]
            arch[i] = arch[i]._replace(**{field: rng.choice([v for v in allowed if v != getattr(arch[i], field)])})
        return arch

    # "3x5/36/s1x1 | 7x7/64/s2x1<0 | ...": filter height x width / filters / stride height x width
    def encode(self, arch):
        self.validate(arch)
        return " | ".join(f"{l.filter_height}x{l.filter_width}/{l.filters}/s{l.stride_height}x{l.stride_width}"
                          + ("<" + ",".join(map(str, l.inputs)) if l.inputs else "") for l in arch)

    def decode(self, text):
        arch = []
        for i, tok in enumerate(text.split("|")):
            m = re.fullmatch(r"\s*(\d+)x(\d+)/(\d+)/s(\d+)(?:x(\d+))?(?:<([\d,]+))?\s*", tok)
            if not m:
                raise InvalidArchitecture(f"arch[{i}]", f"{tok.strip()!r} should read 'HxW/filters/sHxW<j,k'.")
            h, w, f, sh = (int(g) for g in m.groups()[:4])
            sw = int(m.group(5)) if m.group(5) else sh             # "s2": the same stride both ways
            arch.append(Layer(h, w, f, sh, sw, tuple(int(j) for j in m.group(6).split(",")) if m.group(6) else ()))
        self.validate(arch)
        return arch
