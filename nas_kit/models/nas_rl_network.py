"""The NAS-RL child CNN (Zoph & Le 2017, sections 3.3 and 4.1, Fig. 4 and 7).

Architecture format: a list of ``nas_kit.spaces.nas_rl.Layer(filter_height, filter_width,
filters, stride, inputs)``, as the controller writes it. Layer ``i`` is

    conv(filter_height x filter_width, filters, stride_height x stride_width) -> batch norm -> ReLU

applied to the depth-concatenation of the layers named by its anchor point (``inputs``). The
paper's three rules for skip connections (section 3.3):

1. a layer with no input takes the image;
2. all layers whose output no later layer reads are concatenated into the final hidden state,
   which goes to the classifier (here: global average pooling, then a linear softmax layer);
3. inputs of different spatial sizes (after strides) are padded with zeros to the largest size
   before concatenation. Padding goes at the bottom and right: a strided "same" convolution puts
   its output pixel (0, 0) on input pixel (0, 0), so the maps stay aligned at the top-left corner.

Convolutions use "same" padding (filter_size // 2), so only strides change the size.
``width`` scales every layer's number of filters (a cheaper proxy, survey section 4):
``child_width`` takes it from a child's C as C / 24, so C = 24 builds the paper's filter
counts 24, 36, 48, 64 and C = 6 a network a quarter as wide.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.spaces.base import InvalidArchitecture
from nas_kit.spaces.nas_rl import NUM_FILTERS, NASRLSpace


def pad_to(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Zero-pad a (N, C, h, w) map at the bottom and right to (N, C, height, width) (section 3.3)."""
    return F.pad(x, (0, width - x.shape[-1], 0, height - x.shape[-2]))


def concat(maps: list[torch.Tensor]) -> torch.Tensor:
    """Depth-concatenation of feature maps, the smaller ones zero-padded to the largest."""
    if len(maps) == 1:
        return maps[0]
    height, width = max(m.shape[-2] for m in maps), max(m.shape[-1] for m in maps)
    return torch.cat([pad_to(m, height, width) for m in maps], dim=1)


class NASRLNetwork(nn.Module):
    """A NAS-RL CNN; ``forward(images)`` returns logits."""

    def __init__(self, arch, num_classes: int = 10, width: float = 1.0, in_channels: int = 3):
        super().__init__()
        if not isinstance(arch, list) or not arch:
            raise InvalidArchitecture("arch", "must be a non-empty list of Layer(filter_height, filter_width, "
                                      "filters, stride_height, stride_width, inputs).")
        NASRLSpace(layers=len(arch), predict_stride=True).validate(arch)
        if width <= 0:
            raise ValueError(f"width must be positive, not {width}.")
        self.arch = list(arch)
        self.channels = [max(1, round(layer.filters * width)) for layer in arch]
        self.layers = nn.ModuleList()
        for layer in arch:
            c_in = sum(self.channels[j] for j in layer.inputs) if layer.inputs else in_channels
            c_out = self.channels[len(self.layers)]
            kernel = (layer.filter_height, layer.filter_width)
            self.layers.append(nn.Sequential(
                nn.Conv2d(c_in, c_out, kernel, (layer.stride_height, layer.stride_width),
                          (kernel[0] // 2, kernel[1] // 2), bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=False)))
        read = {j for layer in arch for j in layer.inputs}
        self.outputs = [i for i in range(len(arch)) if i not in read]     # layers no later layer reads
        self.classifier = nn.Linear(sum(self.channels[i] for i in self.outputs), num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        states = []
        for layer, op in zip(self.arch, self.layers):
            x = concat([states[j] for j in layer.inputs]) if layer.inputs else images
            states.append(op(x))
        hidden = concat([states[i] for i in self.outputs])
        return self.classifier(F.adaptive_avg_pool2d(hidden, 1).flatten(1))


def child_width(C: int) -> float:
    """The width of a NAS-RL child trained with ``C`` channels: C / 24 (24 = the smallest filter count the
    controller can choose), so C = 24 builds the paper's filter counts."""
    return C / NUM_FILTERS[0]


def build_nas_rl_child(arch, budget, num_classes: int) -> NASRLNetwork:
    """An Evaluator ``build_fn`` for NAS-RL architectures: width ``child_width(budget.C)`` (budget.layers is
    unused, the arch sets the depth). The registry builds NAS-RL children the same way."""
    return NASRLNetwork(arch, num_classes, width=child_width(budget.C))
