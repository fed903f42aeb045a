"""Plain chain CNNs: a stack of conv-BN-ReLU layers, each a kernel size and a number of filters, then global
pooling and a linear classifier. The space the network morphisms of Net2Net (Chen, Goodfellow & Shlens 2016)
and NASH (Elsken, Metzen & Hutter 2017) grow in: a morphism widens a layer or inserts one.

An architecture is a tuple of (kernel, filters) per layer, written ``3x3:16-5x5:32``.
Size: sum over L = 1..layers of (|kernels| |filters|)^L.
"""
from __future__ import annotations

import re

from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

KERNELS = (1, 3, 5)
FILTERS = (8, 16, 32, 64)


class ChainSpace(SearchSpace):
    """Chains of 1..``layers`` conv layers."""

    key = "chain"
    name = "chain CNN"

    def __init__(self, layers: int = 6, kernels=KERNELS, filters=FILTERS):
        if layers < 1:
            raise ValueError(f"a chain CNN has at least one layer, not layers={layers}.")
        self.layers, self.kernels, self.filters = layers, tuple(kernels), tuple(filters)

    def size(self) -> int:
        per = len(self.kernels) * len(self.filters)
        return sum(per ** L for L in range(1, self.layers + 1))

    def sample(self, seed=None) -> tuple:
        """Uniform over the space: a depth L with probability proportional to the number of chains of L layers."""
        rng = as_rng(seed)
        per = len(self.kernels) * len(self.filters)
        depths = range(1, self.layers + 1)
        L = rng.choices(depths, weights=[per ** d for d in depths])[0]
        return tuple((rng.choice(self.kernels), rng.choice(self.filters)) for _ in range(L))

    def validate(self, arch) -> None:
        if not isinstance(arch, tuple) or not 1 <= len(arch) <= self.layers:
            raise InvalidArchitecture("arch", f"{arch!r} is not a tuple of 1..{self.layers} (kernel, filters) layers.")
        for i, layer in enumerate(arch):
            if not (isinstance(layer, tuple) and len(layer) == 2 and layer[0] in self.kernels
                    and layer[1] in self.filters):
                raise InvalidArchitecture(f"layer {i}", f"{layer!r} is not (kernel in {self.kernels}, filters in "
                                                        f"{self.filters}).")

    def mutate(self, arch, rng=None) -> tuple:
        """Change the kernel or the filters of one layer."""
        self.validate(arch)
        rng = as_rng(rng)
        i, which = rng.randrange(len(arch)), rng.randrange(2)
        options = (self.kernels, self.filters)[which]
        layer = list(arch[i])
        layer[which] = rng.choice([o for o in options if o != layer[which]])
        return arch[:i] + (tuple(layer),) + arch[i + 1:]

    def encode(self, arch) -> str:
        self.validate(arch)
        return "-".join(f"{k}x{k}:{f}" for k, f in arch)

    def decode(self, text: str) -> tuple:
        found = re.findall(r"(\d+)x\d+:(\d+)", text)
        if not found:
            raise InvalidArchitecture("arch", f"{text!r} should read like 3x3:16-5x5:32.")
        arch = tuple((int(k), int(f)) for k, f in found)
        self.validate(arch)
        return arch
