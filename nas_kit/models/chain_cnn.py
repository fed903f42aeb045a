"""The network of a chain-CNN architecture (nas_kit.spaces.chain): conv-BN-ReLU layers at full resolution,
global average pooling, a linear classifier. Each layer is one ``nn.Sequential(conv, bn, relu)`` so that a
network morphism (nas_kit.models.morphisms) can widen it or insert another after it.
"""
from __future__ import annotations

import torch.nn as nn


def conv_layer(c_in: int, kernel: int, filters: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, filters, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(filters),
                         nn.ReLU())


class ChainCNN(nn.Module):
    """``arch`` = ((kernel, filters), ...); ``self.arch`` stays the architecture of the weights."""

    def __init__(self, arch, num_classes: int = 10, in_channels: int = 3):
        super().__init__()
        self.arch = tuple(arch)
        widths = [in_channels] + [f for _, f in arch]
        self.layers = nn.ModuleList(conv_layer(c, k, f) for c, (k, f) in zip(widths, arch))
        self.classifier = nn.Linear(widths[-1], num_classes)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.classifier(x.mean((2, 3)))
