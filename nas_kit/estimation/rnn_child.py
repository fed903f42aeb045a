"""Performance estimation for recurrent cells: train the Penn Treebank language model of one cell briefly and
judge it by its validation perplexity (ENAS's reward is c / perplexity, c = 80; Pham et al. 2018, section 3.1).
"""
import math

import torch

from nas_kit.models.ptb_lm import RNNModel
from nas_kit.training import ptb


def train_rnn_genotype(genotype, train_data, valid_data, ntoken, epochs=1, nhid=300, bptt=35, lr=20.0,
                       weight_decay=5e-7, clip=0.25, dropouts=(0.75, 0.25, 0.75, 0.2, 0.0), seed=0):
    """Train the evaluation language model (``RNNModel``) of one recurrent genotype from scratch and return
    its validation perplexity: the one recipe for the derived cell and for the random cells it is compared with.

    Batchified streams in (``nas_kit.data.batchify``); the one training loop (nas_kit.training.ptb) with plain
    SGD, ``bptt``-long batches and no activation regularisation. ``dropouts`` = (dropout, dropouth, dropoutx,
    dropouti, dropoute). A cell whose training loss diverges raises FloatingPointError (a failed candidate).
    """
    torch.manual_seed(seed)
    model = RNNModel(ntoken, nhid, nhid, nhid, *dropouts, genotype=genotype).to(train_data.device)
    recipe = ptb.Recipe(epochs=epochs, bptt=bptt, variable_bptt=False, lr=lr, clip=clip, weight_decay=weight_decay,
                        beta=0.0, nonmono=0, seed=seed)
    rows = list(ptb.epochs(model, train_data, None, recipe, ptb.State(ptb.sgd(model, recipe))))
    if any(row["rolled_back"] for row in rows):
        raise FloatingPointError(f"the training loss of this cell became {rows[-1]['train_loss']} in {len(rows)} "
                                 f"epochs of training")
    return math.exp(ptb.evaluate(model, valid_data, valid_data.size(1), bptt))
