"""The one-shot model of the mini-benchmark space: ``BenchNetwork`` with every op on every edge, weights shared by
all 729 cells (Bender, Kindermans, Zoph, Vasudevan & Le 2018, "Understanding and Simplifying One-Shot
Architecture Search", section 3; the supernet of NAS-Bench-201's one-shot baselines, Dong & Yang 2020).

``forward(x, arch)`` runs the path of one cell (its op on each edge); all cells of the network share it, as a
stand-alone BenchNetwork does. The BatchNorms always normalise with the batch's statistics (no running
averages): the statistics of one path do not hold for another, and Bender et al. use batch statistics when
they evaluate the one-shot model (section 3).
"""
from __future__ import annotations

import torch.nn as nn

from nas_kit.spaces.bench import EDGES, MINI_BENCH_OPS


def _relu_conv_bn(C, k):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(C, C, k, padding=k // 2, bias=False),
                         nn.BatchNorm2d(C, track_running_stats=False))


CANDIDATES = {"skip_connect": lambda C: nn.Identity(), "nor_conv_1x1": lambda C: _relu_conv_bn(C, 1),
              "nor_conv_3x3": lambda C: _relu_conv_bn(C, 3),
              "avg_pool_3x3": lambda C: nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)}


class SuperCell(nn.Module):
    """Every candidate op on every edge; the path of ``arch`` is the op it names on each edge."""

    def __init__(self, C: int, ops: tuple):
        super().__init__()
        self.edges = nn.ModuleList(nn.ModuleDict({op: CANDIDATES[op](C) for op in ops}) for _ in EDGES)

    def forward(self, x, arch):
        nodes = [x]
        for j in range(1, 4):
            nodes.append(sum(edge[op](nodes[i]) for (i, to), edge, op in zip(EDGES, self.edges, arch) if to == j))
        return nodes[3]


class SuperReduction(nn.Module):
    """NAS-Bench-201's residual reduction (as in BenchNetwork), with batch-statistics BatchNorms."""

    def __init__(self, C_in, C_out):
        super().__init__()
        self.a = nn.Sequential(nn.ReLU(), nn.Conv2d(C_in, C_out, 3, 2, 1, bias=False),
                               nn.BatchNorm2d(C_out, track_running_stats=False))
        self.b = _relu_conv_bn(C_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(C_in, C_out, 1, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.shortcut(x)


class BenchSupernet(nn.Module):
    """stem -> N super-cells -> reduction -> N -> reduction -> N -> BN-ReLU-pool -> linear, channels C, 2C, 4C."""

    def __init__(self, ops: tuple = MINI_BENCH_OPS, C: int = 8, cells_per_stage: int = 1, num_classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C, track_running_stats=False))
        self.stages = nn.ModuleList()
        for stage, width in enumerate((C, 2 * C, 4 * C)):
            blocks = [SuperReduction(width // 2, width)] if stage else []
            self.stages.append(nn.ModuleList(blocks + [SuperCell(width, ops) for _ in range(cells_per_stage)]))
        self.head = nn.Sequential(nn.BatchNorm2d(4 * C, track_running_stats=False), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten())
        self.classifier = nn.Linear(4 * C, num_classes)

    def path_parameters(self, arch) -> list:
        """The parameters of ``arch``'s path, in the order of a stand-alone ``BenchNetwork(arch)``'s parameters
        (so that one can inherit the shared weights)."""
        params = list(self.stem.parameters())
        for blocks in self.stages:
            for block in blocks:
                if isinstance(block, SuperCell):
                    params += [p for edge, op in zip(block.edges, arch) for p in edge[op].parameters()]
                else:
                    params += list(block.parameters())
        return params + list(self.head.parameters()) + list(self.classifier.parameters())

    def forward(self, x, arch):
        x = self.stem(x)
        for blocks in self.stages:
            for block in blocks:
                x = block(x, arch) if isinstance(block, SuperCell) else block(x)
        return self.classifier(self.head(x))
