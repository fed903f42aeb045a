"""The 1-D toy space of the ENAS lecture (Pham et al. 2018, as taught in the seeds' ENAS slides).

    y = phi(w_xy x),    z = w_yz y + [x -> z] w_xz x

Two decisions: the activation phi in {tanh, ReLU} and whether x connects to z.
That gives 4 architectures, indexed in the lecture's order theta_1..theta_4:
(tanh, connected), (tanh, disconnected), (ReLU, connected), (ReLU, disconnected).
"""
from __future__ import annotations

from nas_kit.data.toy1d import ToyArchitecture
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace, as_rng

ACTIVATIONS = ("tanh", "relu")
ARCHITECTURES = tuple(ToyArchitecture(a, s) for a in ACTIVATIONS for s in (True, False))


class Toy1DSpace(SearchSpace):
    """The four architectures of the toy example; size 2 activations x 2 connections = 4."""

    key = "toy1d"
    name = "toy1d"

    def sample(self, seed=None) -> ToyArchitecture:
        return as_rng(seed).choice(ARCHITECTURES)

    def encode(self, arch: ToyArchitecture) -> str:
        self.validate(arch)
        return arch.activation + ("+skip" if arch.skip else "")

    def decode(self, text: str) -> ToyArchitecture:
        activation, _, rest = text.strip().partition("+")
        if rest not in ("", "skip"):
            raise InvalidArchitecture("connection", f"'{rest}' is not understood (write e.g. 'relu+skip' or 'tanh')")
        arch = ToyArchitecture(activation, rest == "skip")
        self.validate(arch)
        return arch

    def validate(self, arch) -> None:
        if not isinstance(arch, tuple) or len(arch) != 2:
            raise InvalidArchitecture("architecture", f"{arch!r} is not an (activation, skip) pair")
        if arch[0] not in ACTIVATIONS:
            raise InvalidArchitecture("activation", f"'{arch[0]}' is not one of {', '.join(ACTIVATIONS)}")
        if not isinstance(arch[1], bool):
            raise InvalidArchitecture("skip", f"{arch[1]!r} must be True or False")

    def size(self) -> int:
        return len(ACTIVATIONS) * 2

    def enumerate(self):
        return iter(ARCHITECTURES)

    def index(self, arch: ToyArchitecture) -> int:
        """Position of ``arch`` in the lecture's order (theta_1..theta_4 are indices 0..3)."""
        self.validate(arch)
        return ARCHITECTURES.index(ToyArchitecture(*arch))
