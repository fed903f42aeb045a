"""Search spaces: what can be built (survey, section 2)."""
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace
from nas_kit.spaces.bench import BenchSpace
from nas_kit.spaces.cell import CellSpace, darts, enas_micro, nasnet, pnas
from nas_kit.spaces.darts_rnn import DartsRNNSpace
from nas_kit.spaces.enas_macro import ENASMacroSpace
from nas_kit.spaces.enas_rnn import ENASRNNSpace
from nas_kit.spaces.nas_rl import NASRLSpace
from nas_kit.spaces.toy1d import Toy1DSpace

# name -> factory; every factory's keyword arguments have the papers' defaults
SPACES = {
    "toy1d": Toy1DSpace,
    "nas_rl": NASRLSpace,
    "enas_rnn": ENASRNNSpace,
    "enas_macro": ENASMacroSpace,
    "enas_micro": enas_micro,
    "darts": darts,
    "pnas": pnas,
    "nasnet": nasnet,
    "darts_rnn": DartsRNNSpace,
    "mini_bench": BenchSpace,
}


def space_key(space: SearchSpace) -> str:
    """The name under which ``space``'s kind is listed in SPACES (e.g. pnas(blocks=3) -> 'pnas')."""
    for key, factory in SPACES.items():
        default = factory()
        if type(default) is type(space) and default.name == space.name:
            return key
    raise ValueError(f"the {space.name} space is not one of nas_kit.spaces.SPACES ({', '.join(SPACES)}).")

__all__ = ["InvalidArchitecture", "SearchSpace", "SPACES", "space_key", "BenchSpace", "CellSpace", "darts", "enas_micro", "nasnet", "pnas",
           "DartsRNNSpace", "ENASMacroSpace", "ENASRNNSpace", "NASRLSpace", "Toy1DSpace"]
