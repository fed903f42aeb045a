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

A cell computes eq. 2 in one of two ways, which give the same numbers (``tests/test_fast_path.py``):
the plain one, edge by edge (``MixedOp``), as the paper writes it and the DARTS code runs it, and the
fast one, the default, source by source (``SearchCell.forward_fast``): the edges that leave one state
share what they can (one ReLU, and one max-pool, avg-pool and skip, whose outputs do not depend on
the edge), 'none' is not run, the ReLU that begins the two cells reading a cell's output is computed
once, and on the CPU the network runs channels-last (oneDNN's fast kernels) with its dilated
convolutions made undilated (``operations.atrous``).
``operations.set_fast_path(net, False)`` selects the plain way.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.genotypes import DARTS_PRIMITIVES
from nas_kit.models.cifar_network import build_stack
from nas_kit.models.operations import OPS, FactorizedReduce, ReLUConvBN, on_cpu_channels_last, relu_of


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

    fast = True

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
        self._kinds = [[_kind(name, op) for name, op in zip(primitives, mixed._ops)] for mixed in self._ops]

    def forward(self, s0, s1, weights):
        """``weights``: softmax(alpha), one row per edge (eq. 2)."""
        return self.forward_fast(s0, s1, weights) if self.fast else self.forward_plain(s0, s1, weights)

    def forward_plain(self, s0, s1, weights):
        """Edge by edge: node j = sum over its inputs i of MixedOp_(i,j)(state i)."""
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        offset = 0
        for i in range(self._steps):
            s = sum(self._ops[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[-self.multiplier:], dim=1)

    def forward_fast(self, s0, s1, weights):
        """Source by source: as soon as state i is known, add the mixed op of every edge (i, j) to node j's sum;
        node j is complete once state j + 1 has been sent. The last node feeds no edge."""
        states, _ = self._states(self.preprocess0(s0), self.preprocess1(s1), weights)
        return torch.cat(states[-self.multiplier:], dim=1)

    def forward_relu(self, r0, r1, weights, output=False):
        """ReLU(the cell's output) from ReLU(s0) and ReLU(s1), and the output itself too if ``output``: the fast
        path of SearchNetwork, where the ReLU that starts both cells reading an output is computed once, as
        concat(ReLU(nodes)) = ReLU(concat(nodes)), with the nodes' ReLUs that their edges used already."""
        states, relus = self._states(self.preprocess0.after_relu(r0), self.preprocess1.after_relu(r1), weights)
        last = range(len(states) - self.multiplier, len(states))
        relu_out = torch.cat([relu_of(states, relus, k) for k in last], dim=1)
        return (relu_out, torch.cat(states[-self.multiplier:], dim=1)) if output else relu_out

    def _states(self, p0, p1, weights):
        """The states of ``forward_fast`` (the preprocessed inputs, then the nodes) and the ReLUs of those computed."""
        states, relus, nodes = [p0, p1], {}, [None] * self._steps
        for i in range(self._steps + 1):
            self._send(i, states, relus, weights, nodes)
            if i >= 1:
                states.append(nodes[i - 1])
        return states, relus

    def _send(self, i, states, relus, weights, nodes):
        """Add w_o^(i,j) o(h) to nodes[j] for every edge (i, j) and op o, h = states[i], with one ReLU of h for all
        the ops that start with one, and each parameter-free op (pools with their BN, identity) run once for all edges."""
        h, shared = states[i], {}                                     # shared[o] = (the op that ran, its output)
        for j in range(max(0, i - 1), self._steps):
            e = 2 * j + j * (j - 1) // 2 + i                          # the edges into nodes 0..j-1 come first
            for o, (kind, op) in enumerate(zip(self._kinds[e], self._ops[e]._ops)):
                if kind == "none":                                    # adds zero, and so does its weight's gradient
                    continue
                if kind == "free" and o in shared:                    # the same input, no weights: the same output
                    first, y = shared[o]
                    if self.training:                                 # and the same BN statistics
                        _copy_buffers(first, op)
                elif kind == "free":
                    y = op(h)
                    shared[o] = op, y
                elif kind == "relu":
                    y = op.after_relu(relu_of(states, relus, i))
                else:
                    y = op(h)
                nodes[j] = weights[e, o] * y if nodes[j] is None else torch.addcmul(nodes[j], weights[e, o], y)


def _kind(name, op):
    """How the fast path runs an op: 'none' not at all, 'free' (no parameters) once for all edges leaving a state,
    'relu' on the ReLU those edges share (ops with ``after_relu``), 'other' as it is."""
    if name == "none":
        return "none"
    if not any(True for _ in op.parameters()):
        return "free"
    return "relu" if hasattr(op, "after_relu") else "other"


@torch.no_grad()
def _copy_buffers(source, target):
    for a, b in zip(source.buffers(), target.buffers()):
        b.copy_(a)


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

    fast = True

    def forward(self, x):
        if self.fast:
            return self.forward_fast(x)
        w_normal = F.softmax(self.alphas_normal, dim=-1)
        w_reduce = F.softmax(self.alphas_reduce, dim=-1)
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, w_reduce if cell.reduction else w_normal)
        out = self.global_pooling(s1)
        return self.classifier(out.view(out.size(0), -1))

    def forward_fast(self, x):
        """``forward``, channels-last on the CPU, each cell output's ReLU computed once for the two cells that read it."""
        w_normal = F.softmax(self.alphas_normal, dim=-1)
        w_reduce = F.softmax(self.alphas_reduce, dim=-1)
        r0 = r1 = F.relu(self.stem(on_cpu_channels_last(x)))
        for i, cell in enumerate(self.cells):
            last = i == len(self.cells) - 1
            out = cell.forward_relu(r0, r1, w_reduce if cell.reduction else w_normal, output=last)
            r0, r1 = r1, out[0] if last else out
        pooled = self.global_pooling(out[1])
        return self.classifier(pooled.view(pooled.size(0), -1))

