"""Network builders: turn an architecture (plain data) into a PyTorch module.

Stand-alone children (one architecture, trained from scratch):
operations         the DARTS/NASNet op registry ``OPS``
cifar_network      NetworkCIFAR, the DARTS/NASNet evaluation network for a cell genotype
enas_macro         MacroNetwork, the ENAS macro (whole-network) child
enas_micro         ENASMicroNetwork, NetworkCIFAR with the ENAS search-time head
nas_rl_network     NASRLNetwork, the NAS-RL child CNN (Zoph & Le 2017)
bench_network      BenchNetwork, the NAS-Bench-201-style network of the mini tabular benchmark
recurrent          DARTSCell, the DARTS/ENAS recurrent cell
ptb_lm             RNNModel, the Penn Treebank language model around that cell

Supernets (every candidate's weights at once, for weight-sharing search):
darts_search       SearchNetwork, the DARTS CNN supernet of mixed ops
darts_rnn_search   RNNModelSearch, the DARTS recurrent supernet
enas_cnn_supernet  ENASMacroSupernet and ENASMicroSupernet
enas_rnn_supernet  ENASRNNSupernet
toy1d              SharedToyNet, the 1-D toy example of the ENAS lecture
"""
from nas_kit.models.cifar_network import AuxiliaryHeadCIFAR, Cell, NetworkCIFAR, count_parameters, drop_path
from nas_kit.models.bench_network import BenchNetwork
from nas_kit.models.enas_macro import MacroNetwork
from nas_kit.models.enas_micro import ENASMicroNetwork
from nas_kit.models.nas_rl_network import NASRLNetwork
from nas_kit.models.operations import OPS
from nas_kit.models.ptb_lm import LockedDropout, RNNModel, embedded_dropout
from nas_kit.models.recurrent import DARTSCell

__all__ = [
    "OPS", "Cell", "AuxiliaryHeadCIFAR", "NetworkCIFAR", "count_parameters", "drop_path",
    "MacroNetwork", "ENASMicroNetwork", "NASRLNetwork", "BenchNetwork",
    "DARTSCell", "RNNModel", "LockedDropout", "embedded_dropout",
]
