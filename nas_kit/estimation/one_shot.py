"""One-shot evaluation on the mini benchmark: train the supernet (``BenchSupernet``) once with uniform path
sampling, then judge every cell by its shared weights, without training it (Bender et al. 2018, section 3;
random search with weight sharing, Li & Talwalkar 2019, section 4: one architecture drawn uniformly per
minibatch). ``ranking`` asks the question every weight-sharing method rests on: does the shared-weight
accuracy rank the cells as their stand-alone training (the table) does?

    net = train_supernet(data, BenchSpace(), epochs=6, seed=0)
    shared = {arch: shared_accuracy(net, arch, x_valid, y_valid) for arch in space.enumerate()}
"""
from __future__ import annotations

import random

import numpy as np
import torch
import torch.nn.functional as F

from nas_kit.estimation.ranking import spearman, top_k_overlap
from nas_kit.models.bench_supernet import BenchSupernet
from nas_kit.training.cifar import resized


def train_supernet(data, space, epochs=6, C=8, cells_per_stage=1, image_size=16, batch_size=64, lr=0.05,
                   weight_decay=5e-4, seed=0) -> BenchSupernet:
    """SGD (momentum 0.9, cosine) on (x_train, y_train, ...), each minibatch through one uniformly drawn path."""
    x_train, y_train = data[0], data[1]
    torch.manual_seed(seed)
    rng = random.Random(seed)
    net = BenchSupernet(space.ops, C, cells_per_stage, int(y_train.max()) + 1)
    x, y = resized(x_train, image_size), torch.as_tensor(y_train)
    steps = epochs * (-(-len(x) // batch_size))
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    net.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(x)).split(batch_size):
            arch = space.sample(rng)                                    # a path drawn uniformly per minibatch
            loss = F.cross_entropy(net(x[batch], arch), y[batch])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            schedule.step()
    return net


@torch.no_grad()
def shared_accuracy(net: BenchSupernet, arch, x, y, batch_size=250) -> float:
    """The accuracy of ``arch``'s path with the shared weights (batch statistics in every BatchNorm)."""
    correct = 0
    for i in range(0, len(x), batch_size):
        correct += (net(x[i:i + batch_size], arch).argmax(1) == y[i:i + batch_size]).sum().item()
    return correct / len(x)


def ranking(net, archs, x_valid, y_valid, truth, image_size=16, k=10) -> dict:
    """Shared-weight accuracies of ``archs`` against ``truth`` (a list, e.g. the table's accuracies): Spearman's
    rho and the top-k overlap."""
    x, y = resized(x_valid, image_size), torch.as_tensor(y_valid)
    shared = np.array([shared_accuracy(net, a, x, y) for a in archs])
    return dict(shared=shared, spearman=spearman(shared, truth), top_k=top_k_overlap(shared, truth, k))
