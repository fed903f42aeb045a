"""Genotypes: architectures as plain data in the DARTS repository's format, and everything that is true of them
whatever space they come from (quark0/darts, cnn/genotypes.py and rnn/genotypes.py).

forms      Genotype (a CNN cell pair), RNNGenotype (a recurrent cell), MacroGenotype (an ENAS network)
ops        the op vocabularies of the papers' spaces (DARTS, ENAS, PNAS, NASNet, the recurrent cells)
published  the published cells: NASNet-A, AmoebaNet-A, DARTS V1/V2, ENAS, PNASNet-5, the RNN cells
text       the DARTS text of a genotype, written and parsed back
"""
from nas_kit.genotypes.forms import (Genotype, InvalidArchitecture, MacroGenotype, RNNGenotype, form, validate,
                                     validate_genotype, validate_macro_genotype, validate_rnn_genotype)
from nas_kit.genotypes.ops import (CNN_OPS, CONCAT, DARTS_PRIMITIVES, ENAS_PRIMITIVES, MACRO_OPS, NASNET_PRIMITIVES,
                                   PNAS_PRIMITIVES, PRIMITIVES, RNN_ACTIVATIONS, RNN_OPS, RNN_PRIMITIVES, STEPS)
from nas_kit.genotypes.published import (DARTS, DARTS_RNN, DARTS_V1, DARTS_V1_RNN, DARTS_V2, DARTS_V2_RNN, ENAS,
                                         ENAS_MACRO, ENAS_RNN, PUBLISHED, PUBLISHED_NETWORKS, AmoebaNet, NASNet,
                                         PNASNet)
from nas_kit.genotypes.text import parse_genotype, to_darts_string

__all__ = ["Genotype", "RNNGenotype", "MacroGenotype", "validate_macro_genotype", "MACRO_OPS", "ENAS_MACRO",
           "PUBLISHED_NETWORKS", "InvalidArchitecture", "form", "validate", "validate_genotype",
           "validate_rnn_genotype", "CNN_OPS", "CONCAT", "DARTS_PRIMITIVES", "ENAS_PRIMITIVES", "NASNET_PRIMITIVES",
           "PNAS_PRIMITIVES", "PRIMITIVES", "RNN_ACTIVATIONS", "RNN_OPS", "RNN_PRIMITIVES", "STEPS", "DARTS",
           "DARTS_RNN", "DARTS_V1", "DARTS_V1_RNN", "DARTS_V2", "DARTS_V2_RNN", "ENAS", "ENAS_RNN", "PUBLISHED",
           "AmoebaNet", "NASNet", "PNASNet", "parse_genotype", "to_darts_string"]
