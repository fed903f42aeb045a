"""The DARTS steps as the benchmarks time them: the search network's weight and architecture steps (one home for
``speed.py`` and ``profile_darts.py``) and the DARTS_V2 evaluation network's training step (for ``vs_official.py``,
``profile_darts.py`` and ``fast_path_gains.py``).

The search network's steps (DARTS section 2.3, the official ``cnn/train_search.py``): a weight step (forward, backward,
gradient norm clipped at 5, SGD with momentum 0.9 and weight decay 3e-4 at learning rate 0.025) and the first- and
second-order architecture steps (eq. 6 and eq. 7-8).

The step of the official ``cnn/train.py`` (DARTS appendix A.2): train mode with drop-path 0.2, the loss plus 0.4 times
the auxiliary head's, backward, gradient norm clipped at 5, SGD with momentum 0.9 and weight decay 3e-4, on a batch
already in memory. It runs the kit's network and the official one alike (both return ``(logits, logits_aux)``).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def search_steps(device, batch_size):
    """{step name: a function taking that step} for the kit's DARTS search network (C=16, 8 cells, 4 nodes), seed 0,
    on a training and a validation batch of random 32x32 images."""
    from nas_kit.models.darts_search import SearchNetwork
    from nas_kit.strategies.darts import Architect
    from nas_kit.strategies.darts.search import cnn_loss

    torch.manual_seed(0)
    model = SearchNetwork(C=16, num_classes=10, layers=8).to(device)
    w_opt = torch.optim.SGD(model.weights(), 0.025, momentum=0.9, weight_decay=3e-4)
    train, valid = random_batch(batch_size, device), random_batch(batch_size, device)

    first = Architect(model, w_opt, cnn_loss, unrolled=False)
    second = Architect(model, w_opt, cnn_loss, unrolled=True)
    return {"weight step": weight_step(model, list(model.weights()), w_opt, train),
            "alpha step, 1st order": lambda: first.step(train, valid),
            "alpha step, 2nd order": lambda: second.step(train, valid, 0.025)}


def weight_step(model, params, optimizer, batch):
    """A function taking one weight step of a search network (the kit's or the official one) on ``batch``: the loss,
    backward, the gradient norm of ``params`` clipped at 5, the optimizer's step (train_search.py)."""
    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(batch[0]), batch[1]).backward()
        nn.utils.clip_grad_norm_(params, 5.0)
        optimizer.step()
    return step


def darts_v2_network(device="cpu"):
    """The kit's DARTS_V2 evaluation network of the paper's CIFAR-10 setting (C=36, 20 cells, auxiliary head), seed 0."""
    from nas_kit.genotypes import DARTS_V2
    from nas_kit.models.cifar_network import NetworkCIFAR
    torch.manual_seed(0)
    return NetworkCIFAR(36, 10, 20, True, DARTS_V2).to(device)


def sgd(model):
    return torch.optim.SGD(model.parameters(), 0.025, momentum=0.9, weight_decay=3e-4)


def training_step(model, batch, optimizer=None, drop_path_prob=0.2):
    """A function taking one training step of ``model`` on ``batch`` = (images, labels) with ``optimizer``
    (a fresh ``sgd(model)`` if None)."""
    optimizer = optimizer or sgd(model)
    model.train()
    model.drop_path_prob = drop_path_prob

    def step():
        optimizer.zero_grad()
        logits, logits_aux = model(batch[0])
        loss = F.cross_entropy(logits, batch[1]) + 0.4 * F.cross_entropy(logits_aux, batch[1])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
    return step


def random_batch(batch_size, device="cpu", size=32):
    return torch.randn(batch_size, 3, size, size, device=device), torch.randint(0, 10, (batch_size,), device=device)
