"""The interface every search space shares (survey, Elsken et al. 2018, section 2).

A search space says what can be built. Each space in ``nas_kit.spaces`` is one small
module with one class implementing the methods below; architectures are plain data
(tuples, lists, namedtuples) so that any builder, renderer, strategy or test can read them.
"""
from __future__ import annotations

import random
from typing import Any, Iterator

from nas_kit.genotypes import InvalidArchitecture

__all__ = ["InvalidArchitecture", "SearchSpace", "as_rng"]   # InvalidArchitecture: what every space raises


class SearchSpace:
    """What every space implements.

    sample(seed)    -> an architecture drawn uniformly at random
    encode(arch)    -> a compact, readable string;  decode(text) -> the architecture back
    validate(arch)  -> raises InvalidArchitecture naming the bad field, else returns None
    size()          -> the exact number of architectures (a Python int)
    enumerate()     -> every architecture, for small spaces only

    ``key`` is the space's name in the registry (``nas_kit.registry.SPACES``), through which every layer
    of the kit learns how to build, draw and count its architectures; ``name`` is how the papers say it.
    """

    key: str = ""
    name: str = "space"

    def sample(self, seed: int | random.Random | None = None) -> Any:
        raise NotImplementedError

    def encode(self, arch: Any) -> str:
        raise NotImplementedError

    def decode(self, text: str) -> Any:
        raise NotImplementedError

    def validate(self, arch: Any) -> None:
        raise NotImplementedError

    def size(self) -> int:
        raise NotImplementedError

    def enumerate(self) -> Iterator[Any]:
        raise NotImplementedError(f"{self.name} has {self.size():.3g} architectures: too many to enumerate")


def as_rng(seed: int | random.Random | None) -> random.Random:
    """A ``random.Random`` from a seed, or the generator itself when one is passed."""
    return seed if isinstance(seed, random.Random) else random.Random(seed)
