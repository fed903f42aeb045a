"""Network morphisms: a larger network that computes the same function (Chen, Goodfellow & Shlens 2016,
"Net2Net: Accelerating Learning via Knowledge Transfer", section 2; Wei et al. 2016), on ``ChainCNN``.

Net2WiderNet (section 2.2, eq. 1): widen layer i from q to r filters with a random mapping g,
g(j) = j for j < q and g(j) drawn uniformly from {0..q-1} otherwise. The new filter j copies filter g(j) (its
BatchNorm parameters and running statistics too), and the next layer's weights on input j are the old ones on
g(j) divided by |{x : g(x) = g(j)}|, so the sum over the copies is the old sum.

Net2DeeperNet (section 2.3): insert after layer i a layer that is the identity, phi(I x) = x: a conv with the
identity kernel (1 at the centre, channel c to c), a BatchNorm that undoes its own normalisation (running
mean 0 and variance 1, affine weight sqrt(1 + eps) and bias 0), and a ReLU, which is the identity on the
non-negative outputs of the ReLU before it.

Both return a new network (the old one is untouched), the same function in eval mode.
"""
from __future__ import annotations

import copy
import random

import torch
import torch.nn as nn

from nas_kit.models.chain_cnn import ChainCNN, conv_layer


def _mapping(q: int, r: int, rng: random.Random) -> list[int]:
    """g: {0..r-1} -> {0..q-1}, the identity on the first q (eq. 1)."""
    return list(range(q)) + [rng.randrange(q) for _ in range(r - q)]


@torch.no_grad()
def net2wider(model: ChainCNN, i: int, width: int, rng=None, g=None) -> ChainCNN:
    """``model`` with layer i widened to ``width`` filters, the same function; ``g`` the mapping (drawn with
    ``rng`` when not given)."""
    rng = rng if isinstance(rng, random.Random) else random.Random(rng)
    k, q = model.arch[i]
    if width < q:
        raise ValueError(f"Net2WiderNet widens: layer {i} has {q} filters, more than {width}.")
    g = _mapping(q, width, rng) if g is None else list(g)
    if len(g) != width or g[:q] != list(range(q)) or not all(0 <= j < q for j in g):
        raise ValueError(f"the mapping g must send {width} filters to 0..{q - 1}, the first {q} to themselves.")
    counts = torch.bincount(torch.tensor(g), minlength=q).float()
    arch = model.arch[:i] + ((k, width),) + model.arch[i + 1:]
    new = copy.deepcopy(model)
    new.arch = arch
    old_conv, old_bn = model.layers[i][0], model.layers[i][1]
    new.layers[i] = conv_layer(old_conv.in_channels, k, width)
    new.layers[i][0].weight.copy_(old_conv.weight[g])
    for name in ("weight", "bias", "running_mean", "running_var"):
        getattr(new.layers[i][1], name).copy_(getattr(old_bn, name)[g])
    new.layers[i][1].num_batches_tracked.copy_(old_bn.num_batches_tracked)
    share = (1.0 / counts)[g]                                        # 1 / |{x : g(x) = g(j)}| for each new j
    if i + 1 < len(model.layers):
        old_next = model.layers[i + 1][0]
        nxt = nn.Conv2d(width, old_next.out_channels, old_next.kernel_size, padding=old_next.padding, bias=False)
        nxt.weight.copy_(old_next.weight[:, g] * share[None, :, None, None])
        new.layers[i + 1][0] = nxt
    else:
        fc = nn.Linear(width, model.classifier.out_features)
        fc.weight.copy_(model.classifier.weight[:, g] * share[None, :])
        fc.bias.copy_(model.classifier.bias)
        new.classifier = fc
    return new


@torch.no_grad()
def net2deeper(model: ChainCNN, i: int, kernel: int = 3) -> ChainCNN:
    """``model`` with an identity layer of ``kernel`` inserted after layer i, the same function."""
    filters = model.arch[i][1]
    layer = conv_layer(filters, kernel, filters)
    conv, bn = layer[0], layer[1]
    conv.weight.zero_()
    conv.weight[range(filters), range(filters), kernel // 2, kernel // 2] = 1.0
    bn.running_mean.zero_()                     # (x - 0) / sqrt(1 + eps) * sqrt(1 + eps) + 0 = x in eval mode
    bn.running_var.fill_(1.0)
    bn.weight.fill_(float(torch.sqrt(torch.tensor(1.0 + bn.eps))))
    bn.bias.zero_()
    new = copy.deepcopy(model)
    new.arch = model.arch[:i + 1] + ((kernel, filters),) + model.arch[i + 1:]
    new.layers.insert(i + 1, layer)
    return new
