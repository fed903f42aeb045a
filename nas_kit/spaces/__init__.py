"""Search spaces: what can be built (survey, section 2). Each space is one module that owns its grammar
(its ops, its architecture format, its size) and knows its registry key (``space.key``); how to build,
draw and count its architectures is in ``nas_kit.registry``.

toy1d       the 1-D toy example of the ENAS lecture (4 architectures)
nas_rl      NAS-RL's chain CNNs with skip connections (Zoph & Le 2017)
enas_macro  ENAS's whole networks, layer by layer (Pham et al. 2018, section 2.3)
enas_rnn    ENAS's recurrent cells (section 2.2)
cell        NASNet-style cells (Zoph et al. 2018) and their ENAS micro, DARTS and NASNet/AmoebaNet variants
pnas        PNAS's one-cell space of blocks (Liu et al. 2018)
darts_rnn   DARTS's recurrent cells (Liu et al. 2019)
bench       the NAS-Bench-201-style cells of the kit's mini tabular benchmark
chain       plain chain CNNs, the space that network morphisms grow in (Net2Net, NASH)
"""
from nas_kit.spaces.base import InvalidArchitecture, SearchSpace
from nas_kit.spaces.bench import BenchSpace
from nas_kit.spaces.chain import ChainSpace
from nas_kit.spaces.cell import CellSpace, DARTSSpace, ENASMicroSpace, NASNetSpace, darts, enas_micro, nasnet
from nas_kit.spaces.darts_rnn import DartsRNNSpace
from nas_kit.spaces.enas_macro import ENASMacroSpace
from nas_kit.spaces.enas_rnn import ENASRNNSpace
from nas_kit.spaces.nas_rl import NASRLSpace
from nas_kit.spaces.pnas import PNASSpace, pnas
from nas_kit.spaces.toy1d import Toy1DSpace

__all__ = ["InvalidArchitecture", "SearchSpace", "BenchSpace", "ChainSpace", "CellSpace", "DARTSSpace", "ENASMicroSpace",
           "NASNetSpace", "PNASSpace", "darts", "enas_micro", "nasnet", "pnas", "DartsRNNSpace", "ENASMacroSpace",
           "ENASRNNSpace", "NASRLSpace", "Toy1DSpace"]
