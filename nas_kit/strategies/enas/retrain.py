"""Retraining the architecture an ENAS search derived, from scratch (Pham et al. 2018, sections 3.1-3.2), through
the kit's one training loop per task (nas_kit.training.ptb and nas_kit.training.cifar) with ENAS's recipes.
"""
from __future__ import annotations

import torch

from nas_kit.data.ptb import batchify
from nas_kit.models.ptb_lm import RNNModel
from nas_kit.registry import build_network
from nas_kit.spaces.enas_rnn import to_genotype
from nas_kit.training import ptb
from nas_kit.training.cifar import Recipe, cosine, evaluate, resized, sgd, stream_draws
from nas_kit.training.cifar import epochs as train_epochs


def retrain_ptb(cell, corpus, nhid, epochs, batch_size=64, eval_batch_size=10, bptt=35, lr=20.0, clip=0.25,
                dropouts=(0.5, 0.5, 0.5, 0.5, 0.1), max_batches=None, seed=0):
    """Train ``RNNModel`` for the ENAS cell from scratch, through the one training loop (plain SGD, weight decay
    1.2e-6, ``bptt``-long batches); return the validation perplexity after each epoch."""
    torch.manual_seed(seed)
    model = RNNModel(len(corpus.vocab), nhid, nhid, nhid, *dropouts, genotype=to_genotype(cell), init_op=cell[0][0])
    train, valid = batchify(corpus.train, batch_size), batchify(corpus.valid, eval_batch_size)
    recipe = ptb.Recipe(epochs=epochs, bptt=bptt, variable_bptt=False, lr=lr, clip=clip, weight_decay=1.2e-6,
                        beta=0.0, nonmono=0, eval_batch_size=eval_batch_size, max_batches=max_batches or 0, seed=seed)
    return [row["valid_ppl"] for row in ptb.epochs(model, train, valid, recipe, ptb.State(ptb.sgd(model, recipe)))]


def retrain_cifar(arch, data, space, C, epochs, layers=None, batch_size=128, lr_max=0.05, lr_min=0.0005,
                  image_size=32, max_batches=None, seed=0):
    """Train the network of ``arch`` in ``space`` (``MacroNetwork`` for a macro architecture, ``NetworkCIFAR`` with
    ``layers`` cells for a micro cell) from scratch on the training images, through the one training loop:
    SGD with Nesterov momentum 0.9, weight decay 3e-4, the cosine from ``lr_max`` to ``lr_min`` per epoch, crops
    padded by 4, gradients clipped to 5. Returns the test accuracy after each epoch."""
    torch.manual_seed(seed)
    model = build_network(arch, space, C, layers, 10)
    x_train, y_train = resized(data.x_train, image_size), torch.as_tensor(data.y_train)
    x_test, y_test = resized(data.x_test, image_size), torch.as_tensor(data.y_test)
    recipe = Recipe(epochs=epochs, batch_size=batch_size, lr=lr_max, lr_min=lr_min, nesterov=True,
                    weight_decay=3e-4, grad_clip=5.0, crop_padding=4, max_batches=max_batches or 0)
    optimizer = sgd(model, recipe)
    scheduler = cosine(optimizer, recipe, len(x_train))
    return [evaluate(model, x_test, y_test, 500)[1]
            for _ in train_epochs(model, x_train, y_train, recipe, stream_draws(seed, "cpu"), optimizer, scheduler)]
