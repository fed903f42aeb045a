"""The CIFAR evaluation network built from a cell genotype (DARTS section 3.3 / appendix A.2; quark0/darts cnn/model.py).

A genotype ``Genotype(normal, normal_concat, reduce, reduce_concat)`` lists, for each
intermediate node, two ``(op, input)`` pairs; inputs 0 and 1 are the outputs of the two
previous cells, input ``k >= 2`` is node ``k``.  The cell's output concatenates the
states named in ``*_concat`` (NASNet-A and AmoebaNet-A leave the consumed nodes out).
The network stacks ``layers`` cells, reduction cells at 1/3 and 2/3 of the depth, with an
auxiliary classifier at 2/3 depth (Szegedy et al. 2015) and drop-path (Zoph et al. 2018).

By default (the fast path; ``operations.set_fast_path(net, False)`` for the plain one) the network runs
channels-last on the CPU, a cell's ops that start with a ReLU share one ReLU of their input state,
dilated convolutions run undilated on sub-images (``operations.atrous``), drop-path is applied with the node's
sum in one pass (``node_sum``) and a state is pooled once for all the edges that pool it alike: the same
numbers, sooner.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.genotypes import validate_genotype
from nas_kit.models.operations import OPS, FactorizedReduce, Identity, ReLUConvBN, on_cpu_channels_last, relu_of


def drop_path(x, drop_prob):
    """Zero a whole sample's path with probability ``drop_prob`` and rescale the survivors."""
    if drop_prob > 0.0:
        keep_prob = 1.0 - drop_prob
        mask = torch.bernoulli(x.new_full((x.size(0), 1, 1, 1), keep_prob))
        x = x / keep_prob * mask
    return x


def drop_path_scale(x, drop_prob):
    """``drop_path``'s factor for each sample of x, mask / keep_prob, of shape (batch, 1, 1, 1): the same random
    draw, for the fast path to apply with the node's sum in one pass (``node_sum``)."""
    keep_prob = 1.0 - drop_prob
    return torch.bernoulli(x.new_full((x.size(0), 1, 1, 1), keep_prob)) / keep_prob


def node_sum(a, scale_a, b, scale_b):
    """A node, a * scale_a + b * scale_b, a scale None meaning none (an identity edge, or no drop-path): one pass
    over the maps (two with both scaled) where drop_path and the sum take up to five, and as few backward."""
    if scale_a is None and scale_b is None:
        return a + b
    if scale_a is None:
        return torch.addcmul(a, b, scale_b)
    if scale_b is None:
        return torch.addcmul(b, a, scale_a)
    return torch.addcmul(a * scale_a, b, scale_b)


class Cell(nn.Module):
    """One normal or reduction cell: preprocess both inputs to ``C`` channels, then sum two ops per node."""

    fast = True

    def __init__(self, genotype, C_prev_prev, C_prev, C, reduction, reduction_prev):
        super().__init__()
        # The cell two back is at twice our resolution when the previous cell reduced.
        self.preprocess0 = FactorizedReduce(C_prev_prev, C) if reduction_prev else ReLUConvBN(C_prev_prev, C, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0)
        pairs = genotype.reduce if reduction else genotype.normal
        self._concat = list(genotype.reduce_concat if reduction else genotype.normal_concat)
        self.multiplier = len(self._concat)
        self._steps = len(pairs) // 2
        self._indices = [index for _, index in pairs]
        self._ops = nn.ModuleList(OPS[name](C, 2 if reduction and index < 2 else 1, True) for name, index in pairs)

    def forward(self, s0, s1, drop_prob):
        states, _ = self._states(self.preprocess0(s0), self.preprocess1(s1), drop_prob)
        return torch.cat([states[i] for i in self._concat], dim=1)

    def forward_relu(self, r0, r1, drop_prob, output=False):
        """ReLU(the cell's output) from ReLU(s0) and ReLU(s1), and the output itself too if ``output``: the fast
        path of NetworkCIFAR, where the ReLU that starts both cells reading an output is computed once, as
        concat(ReLU(nodes)) = ReLU(concat(nodes)), with the nodes' ReLUs that the cell's own ops used already."""
        states, relus = self._states(self.preprocess0.after_relu(r0), self.preprocess1.after_relu(r1), drop_prob)
        relu_out = torch.cat([relu_of(states, relus, i) for i in self._concat], dim=1)
        return (relu_out, torch.cat([states[i] for i in self._concat], dim=1)) if output else relu_out

    def _states(self, p0, p1, drop_prob):
        """The cell's states (its two preprocessed inputs, then its nodes) and, on the fast path, the ReLUs of those
        that ops starting with a ReLU read: each computed once however many ops read it."""
        states, relus, pooled = [p0, p1], {}, {}
        for i in range(self._steps):
            h = []
            for op, index in zip(self._ops[2 * i: 2 * i + 2], self._indices[2 * i: 2 * i + 2]):
                dropped = self.training and drop_prob > 0.0 and not isinstance(op, Identity)
                if not self.fast:
                    h.append(drop_path(op(states[index]), drop_prob) if dropped else op(states[index]))
                    continue
                x = self._edge_fast(op, index, states, relus, pooled)
                h += [x, drop_path_scale(x, drop_prob) if dropped else None]
            states.append(node_sum(*h) if self.fast else h[0] + h[1])
        return states, relus

    @staticmethod
    def _edge_fast(op, index, states, relus, pooled):
        """op(states[index]), an op starting with a ReLU run on the state's shared ReLU, and a pooling run once
        for all the edges that pool the same state alike (it has no parameters: its output is the same)."""
        if hasattr(op, "after_relu"):
            return op.after_relu(relu_of(states, relus, index))
        if isinstance(op, (nn.MaxPool2d, nn.AvgPool2d)):
            key = (index, repr(op))
            if key not in pooled:
                pooled[key] = op(states[index])
            return pooled[key]
        return op(states[index])


class AuxiliaryHeadCIFAR(nn.Module):
    """The auxiliary classifier on the 8x8 feature map at 2/3 depth (DARTS appendix A.2, weight 0.4 in the loss)."""

    def __init__(self, C, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),  # 8x8 -> 2x2
            nn.Conv2d(C, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(inplace=True),
            nn.Conv2d(128, 768, 2, bias=False),
            nn.BatchNorm2d(768),
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.view(x.size(0), -1))

    def after_relu(self, x):
        """The head on an input that has been through its first ReLU already."""
        for layer in list(self.features)[1:]:
            x = layer(x)
        return self.classifier(x.view(x.size(0), -1))


def build_stack(C, layers, make_cell, stem_multiplier=3):
    """The stack of DARTS's networks (NASNet's, Zoph et al. 2018, section 3): a 3x3 conv stem with
    ``stem_multiplier * C`` channels, then ``layers`` cells, the ones at 1/3 and 2/3 of the depth reduction
    cells that halve the resolution and double the channels. Each cell reads the outputs of the two cells
    before it. ``make_cell(C_prev_prev, C_prev, C, reduction, reduction_prev)`` builds one cell, whose
    ``multiplier`` is the number of its nodes that it concatenates. Returns (stem, cells, the channels each cell outputs)."""
    C_curr = stem_multiplier * C
    stem = nn.Sequential(nn.Conv2d(3, C_curr, 3, padding=1, bias=False), nn.BatchNorm2d(C_curr))
    C_prev_prev, C_prev, C_curr = C_curr, C_curr, C
    cells, channels, reduction_prev = nn.ModuleList(), [], False
    for i in range(layers):
        reduction = i in (layers // 3, 2 * layers // 3)
        if reduction:
            C_curr *= 2
        cell = make_cell(C_prev_prev, C_prev, C_curr, reduction, reduction_prev)
        cells.append(cell)
        reduction_prev = reduction
        C_prev_prev, C_prev = C_prev, cell.multiplier * C_curr
        channels.append(C_prev)
    return stem, cells, channels


class NetworkCIFAR(nn.Module):
    """Stem (3 -> 3C channels), ``layers`` cells, global pooling, classifier; returns ``(logits, logits_aux)``.

    ``logits_aux`` is None unless ``auxiliary`` and the network is in train mode.
    ``drop_path_prob`` is a plain attribute; DARTS raises it linearly over training. ``dropout`` before the
    classifier is 0 in DARTS (ENAS's final micro network: 0.2, ``--child_keep_prob=0.80``).
    """

    def __init__(self, C, num_classes, layers, auxiliary, genotype, drop_path_prob=0.0, dropout=0.0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        validate_genotype(genotype)
        self._layers = layers
        self._auxiliary = auxiliary
        self.drop_path_prob = drop_path_prob

        self.stem, self.cells, channels = build_stack(
            C, layers, lambda *shape: Cell(genotype, *shape))
        C_prev, C_to_auxiliary = channels[-1], channels[2 * layers // 3]

        if auxiliary:
            self.auxiliary_head = AuxiliaryHeadCIFAR(C_to_auxiliary, num_classes)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)

    fast = True

    def forward(self, input):
        if self.fast:
            return self.forward_fast(input)
        logits_aux = None
        s0 = s1 = self.stem(input)
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == 2 * self._layers // 3 and self._auxiliary and self.training:
                logits_aux = self.auxiliary_head(s1)
        out = self.global_pooling(s1)
        logits = self.classifier(self.dropout(out.view(out.size(0), -1)))
        return logits, logits_aux

    def forward_fast(self, input):
        """``forward``, channels-last on the CPU, with each cell output's ReLU computed once for the two cells
        (and the auxiliary head) that read it; only the last cell's output itself is needed, by the classifier."""
        logits_aux = None
        r0 = r1 = F.relu(self.stem(on_cpu_channels_last(input)))
        for i, cell in enumerate(self.cells):
            last = i == len(self.cells) - 1
            out = cell.forward_relu(r0, r1, self.drop_path_prob, output=last)
            r0, r1 = r1, out[0] if last else out
            if i == 2 * self._layers // 3 and self._auxiliary and self.training:
                logits_aux = self.auxiliary_head.after_relu(r1)
        pooled = self.global_pooling(out[1])
        return self.classifier(pooled.view(pooled.size(0), -1)), logits_aux


def count_parameters(model):
    """Parameters as DARTS reports them (utils.count_parameters_in_MB): the auxiliary head is not counted."""
    return sum(p.numel() for name, p in model.named_parameters() if "auxiliary" not in name)
