"""Network builders: turn an architecture (plain data) into a PyTorch module.

operations     the DARTS/NASNet op registry ``OPS``
cifar_network  NetworkCIFAR, the DARTS evaluation network for a cell genotype
enas_macro     MacroNetwork, the ENAS macro (whole-network) child
recurrent      DARTSCell, the DARTS/ENAS recurrent cell
ptb_lm         RNNModel, the Penn Treebank language model around that cell
"""
from nas_kit.models.cifar_network import AuxiliaryHeadCIFAR, Cell, NetworkCIFAR, count_parameters, drop_path, validate_genotype
from nas_kit.models.enas_macro import MACRO_OPS, MacroNetwork, validate_macro_arch
from nas_kit.models.operations import OPS
from nas_kit.models.ptb_lm import LockedDropout, RNNModel, embedded_dropout
from nas_kit.models.recurrent import DARTSCell, validate_rnn_genotype

__all__ = [
    "OPS", "Cell", "AuxiliaryHeadCIFAR", "NetworkCIFAR", "count_parameters", "drop_path", "validate_genotype",
    "MACRO_OPS", "MacroNetwork", "validate_macro_arch",
    "DARTSCell", "validate_rnn_genotype", "RNNModel", "LockedDropout", "embedded_dropout",
]
