"""The ENAS macro space: a whole CNN chosen layer by layer (Pham et al. 2018, section 2.3, Fig. 3).

Layer i (0-based) picks
    an op in {conv3x3, conv5x5, sepconv3x3, sepconv5x5, maxpool3x3, avgpool3x3}   (6 choices)
    skips:   any subset of the earlier layers 0..i-1                              (2^i choices)

An architecture is a list of L ``(op, skips)`` pairs, ``skips`` a sorted tuple, the format
that ``nas_kit.models.enas_macro`` builds.

Size: 6^L * 2^(L(L-1)/2); for L = 12 layers, 6^12 * 2^66 ~ 1.6e29 (section 2.3).
"""
from __future__ import annotations

import itertools
import re

from nas_kit.genotypes.forms import MacroGenotype
from nas_kit.genotypes.ops import MACRO_OPS
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng
ENUMERATE_LIMIT = 10 ** 6


class ENASMacroSpace(SearchSpace):
    """ENAS macro networks with ``layers`` layers (12 in the paper)."""

    key = "enas_macro"
    name = "ENAS macro"

    def __init__(self, layers=12):
        self.layers = layers
        self.ops = MACRO_OPS

    def size(self) -> int:
        L = self.layers
        return len(self.ops) ** L * 2 ** (L * (L - 1) // 2)

    def sample(self, seed=None):
        rng = as_rng(seed)
        return [(rng.choice(self.ops), tuple(j for j in range(i) if rng.random() < 0.5)) for i in range(self.layers)]

    def enumerate(self):
        if self.size() > ENUMERATE_LIMIT:
            return super().enumerate()
        per_layer = [[(op, tuple(j for j in range(i) if mask >> j & 1)) for op in self.ops for mask in range(2 ** i)]
                     for i in range(self.layers)]
        return (list(arch) for arch in itertools.product(*per_layer))

    def validate(self, arch):
        arch = list(arch.layers) if isinstance(arch, MacroGenotype) else arch     # as ``train`` reads it
        if not isinstance(arch, list) or len(arch) != self.layers:
            got = f"{len(arch)} layers" if isinstance(arch, (list, tuple)) else f"a {type(arch).__name__}"
            raise InvalidArchitecture("arch", f"is {got}; the {self.name} space expects a list of {self.layers} "
                                      "(op, skips) layers.")
        for i, layer in enumerate(arch):
            if not (isinstance(layer, (list, tuple)) and len(layer) == 2):
                raise InvalidArchitecture(f"arch[{i}]", f"is {layer!r}, not an (op, skips) pair.")
            op, skips = layer
            if op not in self.ops:
                raise InvalidArchitecture(f"arch[{i}].op", f"{op!r} is not an op of the {self.name} space "
                                          f"(choose from {', '.join(self.ops)}).")
            if not isinstance(skips, tuple):
                raise InvalidArchitecture(f"arch[{i}].skips", f"is a {type(skips).__name__}; use a sorted tuple.")
            for j in skips:
                if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < i:
                    why = f": layer {i} cannot skip from itself or a later layer (a cycle)" if isinstance(j, int) and j >= i else ""
                    raise InvalidArchitecture(f"arch[{i}].skips", f"contains {j!r}, out of range 0..{i - 1}{why}.")
            if list(skips) != sorted(set(skips)):
                raise InvalidArchitecture(f"arch[{i}].skips", f"{skips} must be sorted and without repeats.")

    def mutate(self, arch, rng=None):
        """Change the op of one layer, or add or remove one skip connection."""
        self.validate(arch)
        rng = as_rng(rng)
        arch = list(arch)
        i = rng.randrange(self.layers)
        op, skips = arch[i]
        if i == 0 or rng.random() < 0.5:
            arch[i] = (rng.choice([o for o in self.ops if o != op]), skips)
        else:
            arch[i] = (op, tuple(sorted(set(skips) ^ {rng.randrange(i)})))
        return arch

    # "conv3x3 | sepconv5x5<0 | maxpool3x3<0,1 | ..."
    def encode(self, arch):
        self.validate(arch)
        return " | ".join(op + ("<" + ",".join(map(str, skips)) if skips else "") for op, skips in arch)

    def decode(self, text):
        arch = []
        for i, tok in enumerate(text.split("|")):
            m = re.fullmatch(r"\s*([a-z0-9]+)(?:<([\d,]+))?\s*", tok)
            if not m:
                raise InvalidArchitecture(f"arch[{i}]", f"{tok.strip()!r} should read 'op' or 'op<j,k'.")
            arch.append((m.group(1), tuple(int(j) for j in m.group(2).split(",")) if m.group(2) else ()))
        self.validate(arch)
        return arch
