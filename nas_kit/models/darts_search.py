"""The DARTS supernet for CNN cells (Liu et al. 2019, section 2.2; quark0/darts cnn/model_search.py).

Every edge (i, j) of a cell carries all candidate ops at once, mixed by a softmax over
the architecture parameters alpha^(i,j) (eq. 2):

    o_bar^(i,j)(x) = sum_o  exp(alpha_o^(i,j)) / sum_o' exp(alpha_o'^(i,j))  *  o(x)

'none' (the zero op) is one of the candidates.  Intermediate node j sums the mixed edges
from the two cell inputs and every earlier node; the cell concatenates its ``steps`` nodes.
All normal cells share ``alphas_normal`` and all reduction cells ``alphas_reduce``, each of
shape (edges, ops) with edges = 2 + 3 + ... + (steps + 1) = 14 for 4 nodes.
BatchNorm has no affine parameters during the search (section 3.3 / A.1.1), so that the
scale of an op cannot hide in its BN and alpha alone weighs the ops.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.genotypes import DARTS_PRIMITIVES
from nas_kit.models.cifar_network import build_stack
from nas_kit.models.operations import OPS, FactorizedReduce, ReLUConvBN


class MixedOp(nn.Module):
    """One edge of the supernet: the alpha-weighted sum of every candidate op (eq. 2)."""

    def __init__(self, C, stride, primitives=DARTS_PRIMITIVES):
        super().__init__()
        ops = []
        for name in primitives:
            op = OPS[name](C, stride, False)
            if "pool" in name:  # as in the DARTS code: a BN after pooling, so all ops have comparable scale
                op = nn.Sequential(op, nn.BatchNorm2d(C, affine=False))
            ops.append(op)
        self._ops = nn.ModuleList(ops)

    def forward(self, x, weights):
        return sum(w * op(x) for w, op in zip(weights, self._ops))


class SearchCell(nn.Module):
    """A normal or reduction cell in which every edge is a MixedOp."""

    def __init__(self, steps, multiplier, C_prev_prev, C_prev, C, reduction, reduction_prev, primitives=DARTS_PRIMITIVES):
        super().__init__()
        self.reduction = reduction
        self.preprocess0 = FactorizedReduce(C_prev_prev, C, affine=False) if reduction_prev else ReLUConvBN(C_prev_prev, C, 1, 1, 0, affine=False)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0, affine=False)
        self._steps = steps
        self.multiplier = multiplier
        self._ops = nn.ModuleList()
        for i in range(steps):
            for j in range(2 + i):
                stride = 2 if reduction and j < 2 else 1
                self._ops.append(MixedOp(C, stride, primitives))

    def forward(self, s0, s1, weights):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        offset = 0
        for i in range(self._steps):
            s = sum(self._ops[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[-self.multiplier:], dim=1)


def num_edges(steps):
    """Edges of a cell with ``steps`` intermediate nodes: 2 + 3 + ... + (steps + 1)."""
    return sum(2 + i for i in range(steps))


class SearchNetwork(nn.Module):
    """The search network: stem, ``layers`` cells (reductions at 1/3 and 2/3), classifier; returns logits.

    The paper's search network has C=16 and 8 cells (section 3.1.1).  ``weights()`` are w,
    ``arch_parameters()`` are alpha = (alphas_normal, alphas_reduce), initialised to
    1e-3 * N(0, 1) as in the DARTS code.
    """

    def __init__(self, C=16, num_classes=10, layers=8, steps=4, multiplier=4, stem_multiplier=3,
                 primitives=DARTS_PRIMITIVES):
        super().__init__()
        self.C, self.num_classes, self.layers = C, num_classes, layers
        self.steps, self.multiplier, self.primitives = steps, multiplier, list(primitives)
        self.stem, self.cells, channels = build_stack(
            C, layers, lambda *shape: SearchCell(steps, multiplier, *shape, self.primitives), stem_multiplier)
        C_prev = channels[-1]
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)
        k, n = num_edges(steps), len(self.primitives)
        self.alphas_normal = nn.Parameter(1e-3 * torch.randn(k, n))
        self.alphas_reduce = nn.Parameter(1e-3 * torch.randn(k, n))

    def arch_parameters(self):
        return [self.alphas_normal, self.alphas_reduce]

    def named_weights(self):
        """(name, parameter) for every network weight w, alpha excluded."""
        return [(n, p) for n, p in self.named_parameters() if not n.startswith("alphas_")]

    def weights(self):
        return [p for _, p in self.named_weights()]

    def forward(self, x):
        w_normal = F.softmax(self.alphas_normal, dim=-1)
        w_reduce = F.softmax(self.alphas_reduce, dim=-1)
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, w_reduce if cell.reduction else w_normal)
        out = self.global_pooling(s1)
        return self.classifier(out.view(out.size(0), -1))
