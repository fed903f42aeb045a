"""The network of the kit's mini tabular benchmark, in the style of NAS-Bench-201 (Dong & Yang 2020).

A cell is a DAG of 4 nodes: node 0 is the cell's input, node j (1..3) sums op_{i->j}(node i) over
every i < j, and node 3 is the output. The six edge ops are the architecture. The network is
stem conv 3x3 -> N cells -> residual reduction -> N cells -> residual reduction -> N cells ->
BN-ReLU -> global average pool -> linear, channels C, 2C, 4C.
"""
from __future__ import annotations

import torch.nn as nn

from nas_kit.spaces.bench import EDGES


def _relu_conv_bn(C, k):
    return nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(C, C, k, padding=k // 2, bias=False), nn.BatchNorm2d(C))


class _Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


OPS = {  # the constructors of nas_kit.spaces.bench.BENCH_OPS
    "none": lambda C: _Zero(),
    "skip_connect": lambda C: nn.Identity(),
    "nor_conv_1x1": lambda C: _relu_conv_bn(C, 1),
    "nor_conv_3x3": lambda C: _relu_conv_bn(C, 3),
    "avg_pool_3x3": lambda C: nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
}


class BenchCell(nn.Module):
    def __init__(self, C: int, ops: tuple):
        super().__init__()
        if len(ops) != len(EDGES):
            raise ValueError(f"a benchmark cell has {len(EDGES)} edge ops, got {len(ops)}.")
        self.edges = nn.ModuleList(OPS[op](C) for op in ops)

    def forward(self, x):
        nodes = [x]
        for j in range(1, 4):
            nodes.append(sum(op(nodes[i]) for (i, to), op in zip(EDGES, self.edges) if to == j))
        return nodes[3]


class ResReduction(nn.Module):
    """NAS-Bench-201's residual reduction block: two 3x3 ReLU-conv-BN (the first with stride 2) plus a pooled 1x1 shortcut."""

    def __init__(self, C_in, C_out):
        super().__init__()
        self.a = nn.Sequential(nn.ReLU(), nn.Conv2d(C_in, C_out, 3, 2, 1, bias=False), nn.BatchNorm2d(C_out))
        self.b = _relu_conv_bn(C_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(C_in, C_out, 1, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.shortcut(x)


class BenchNetwork(nn.Module):
    def __init__(self, ops: tuple, C: int = 8, cells_per_stage: int = 1, num_classes: int = 10):
        super().__init__()
        layers = [nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C)]
        for stage, width in enumerate((C, 2 * C, 4 * C)):
            if stage:
                layers.append(ResReduction(width // 2, width))
            layers += [BenchCell(width, ops) for _ in range(cells_per_stage)]
        layers += [nn.BatchNorm2d(4 * C), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(4 * C, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x))
