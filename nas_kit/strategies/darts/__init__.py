"""DARTS (Liu et al. 2019): the bilevel step, the derivation, the search loop and the search command's recipes.

architect  Architect: the first- and second-order architecture step (section 2.3, eq. 6-8)
derive     derive_cnn, derive_rnn, cnn_genotype, rnn_genotype: the discrete cell from alpha (section 2.4)
search     search_cnn, search_rnn: the alternating loop (Alg. 1), checkpointed every epoch
recipe     the papers' settings (CNN and recurrent), full and quick; run: the ``search --method darts`` runner
"""
from nas_kit.strategies.darts.architect import Architect
from nas_kit.strategies.darts.derive import cnn_genotype, derive_cell, derive_cnn, derive_rnn, rnn_genotype
from nas_kit.strategies.darts.search import cnn_loss, rnn_loss, search_cnn, search_rnn

__all__ = ["Architect", "cnn_genotype", "derive_cell", "derive_cnn", "derive_rnn", "rnn_genotype", "cnn_loss",
           "rnn_loss", "search_cnn", "search_rnn"]
