"""The DARTS_V2 evaluation network's training step as the benchmarks time it: one home for ``vs_official.py``,
``profile_darts.py`` and ``fast_path_gains.py``.

The step of the official ``cnn/train.py`` (DARTS appendix A.2): train mode with drop-path 0.2, the loss plus 0.4 times
the auxiliary head's, backward, gradient norm clipped at 5, SGD with momentum 0.9 and weight decay 3e-4, on a batch
already in memory. It runs the kit's network and the official one alike (both return ``(logits, logits_aux)``).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


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
