"""The ENAS convolutional supernets: the macro space (section 2.3) and the micro cell space (section 2.4).

Every op of every layer (macro) or every (node, edge, input, op) of every cell (micro) exists once;
a sampled architecture runs as the sub-graph of its chosen ops.  The macro supernet is general_child.py's
``_enas_layer`` with whole channels (the macro search script): layer i's output is
``BN_i(op(layer_{i-1}) + sum of the chosen skips)`` and every layer keeps C channels, also after the pooling
layers (channels double only in the final network). Skip j of layer i is layer j's output, as in the paper
(section 2.3); general_child.py indexes its list of outputs with the stem first, so its skip bit j is layer j-1's
output (the stem for j = 0) and a layer cannot skip from the layer just before it.  In the micro supernet the number of channels entering a
cell depends on the loose ends the previous cells concatenate, so the 1x1 convolution after them is stored
for *all* possible inputs and sliced to the chosen ones, as micro_child.py does (``tf.gather`` on the weight).  ``macro_to_standalone`` and ``micro_to_standalone`` copy the
chosen weights into ``MacroNetwork`` and ``ENASMicroNetwork`` (``NetworkCIFAR``'s cells with ENAS's
search-time head), which then compute the same function.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.models.enas_macro import MacroNetwork, join_skips, macro_op
from nas_kit.models.enas_micro import ENASAuxiliaryHead, ENASMicroNetwork
from nas_kit.models.operations import OPS, FactorizedReduce
from nas_kit.spaces.cell import enas_micro
from nas_kit.spaces.enas_macro import ENASMacroSpace


class SlicedReLUConvBN(nn.Module):
    """ReLU -> 1x1 conv -> BN over the concatenation of some of ``slots`` inputs of ``C_slot`` channels each."""

    def __init__(self, slots, C_slot, C_out):
        super().__init__()
        self.C_slot = C_slot
        self.weight = nn.Parameter(torch.empty(C_out, slots * C_slot, 1, 1))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)            # nn.Conv2d's default initialisation
        self.bn = nn.BatchNorm2d(C_out)

    def sliced(self, slots):
        return torch.cat([self.weight[:, s * self.C_slot:(s + 1) * self.C_slot] for s in slots], dim=1)

    def forward(self, x, slots):
        return self.bn(F.conv2d(F.relu(x), self.sliced(slots)))


class SlicedFactorizedReduce(nn.Module):
    """``FactorizedReduce`` over the concatenation of some of ``slots`` inputs of ``C_slot`` channels each."""

    def __init__(self, slots, C_slot, C_out):
        super().__init__()
        self.C_slot = C_slot
        self.weight_1 = nn.Parameter(torch.empty(C_out // 2, slots * C_slot, 1, 1))
        self.weight_2 = nn.Parameter(torch.empty(C_out // 2, slots * C_slot, 1, 1))
        for w in (self.weight_1, self.weight_2):
            nn.init.kaiming_uniform_(w, a=5 ** 0.5)
        self.bn = nn.BatchNorm2d(C_out)

    def sliced(self, weight, slots):
        return torch.cat([weight[:, s * self.C_slot:(s + 1) * self.C_slot] for s in slots], dim=1)

    def forward(self, x, slots):
        x = F.relu(x)
        out = torch.cat([F.conv2d(x, self.sliced(self.weight_1, slots), stride=2),
                         F.conv2d(x[:, :, 1:, 1:], self.sliced(self.weight_2, slots), stride=2)], dim=1)
        return self.bn(out)


def _copy_bn(dst, src):
    dst.load_state_dict(src.state_dict())


# ---------------------------------------------------------------- macro
class ENASMacroSupernet(nn.Module):
    """``forward(images, arch)`` -> logits of the macro child ``arch`` (a list of ``(op, skips)``), i.e. of
    ``MacroNetwork(arch, C, search=True)``: skips summed, then BN; C channels throughout (general_child.py)."""

    def __init__(self, layers=12, C=24, num_classes=10, keep_prob=1.0):
        super().__init__()
        self.space = ENASMacroSpace(layers)
        self.C, self.num_classes, self.keep_prob = C, num_classes, keep_prob
        pool_distance = layers // 3
        self.pool_layers = [pool_distance - 1, 2 * pool_distance - 1] if pool_distance > 0 else []
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
        self.ops = nn.ModuleList()
        self.skip_convs = nn.ModuleList()                # the BN after the sum (general_child.py "skip")
        self.reductions = nn.ModuleDict()
        for i in range(layers):
            self.ops.append(nn.ModuleDict({name: macro_op(name, C) for name in self.space.ops}))
            self.skip_convs.append(nn.BatchNorm2d(C) if i > 0 else nn.Identity())
            if i in self.pool_layers:
                for j in range(i + 1):
                    self.reductions[f"{i}_{j}"] = FactorizedReduce(C, C)
        self.dropout = nn.Dropout(1.0 - keep_prob)
        self.classifier = nn.Linear(C, num_classes, bias=False)

    @staticmethod
    def still_needed(arch, i):
        """Layer outputs 0..i read after layer i (as MacroNetwork._still_needed)."""
        return {i} | {j for _, skips in arch[i + 1:] for j in skips if j <= i}

    def forward(self, x, arch):
        self.space.validate(arch)
        x = self.stem(x)
        outputs = []
        for i, (name, skips) in enumerate(arch):
            out = self.ops[i][name](x)
            if i > 0:
                out = self.skip_convs[i](join_skips([outputs[j] for j in skips], out, search=True))
            outputs.append(out)
            x = out
            if i in self.pool_layers:
                needed = self.still_needed(arch, i)
                outputs = [self.reductions[f"{i}_{j}"](o) if j in needed else None for j, o in enumerate(outputs)]
                x = outputs[-1]
        return self.classifier(self.dropout(torch.mean(x, dim=(2, 3))))


def macro_to_standalone(supernet: ENASMacroSupernet, arch) -> MacroNetwork:
    """A search-time ``MacroNetwork`` (``search=True``) for ``arch`` holding copies of the supernet's weights."""
    supernet.space.validate(arch)
    s = supernet
    net = MacroNetwork(arch, s.C, s.num_classes, s.keep_prob, search=True)
    with torch.no_grad():
        net.stem.load_state_dict(s.stem.state_dict())
        for i, (name, skips) in enumerate(arch):
            net.ops[i].load_state_dict(s.ops[i][name].state_dict())
            if i > 0:
                _copy_bn(net.skip_convs[i], s.skip_convs[i])
        for key, module in net.reductions.items():
            module.load_state_dict(s.reductions[key].state_dict())
        net.classifier.weight.copy_(s.classifier.weight)
    return net


# ---------------------------------------------------------------- micro
class ENASMicroCell(nn.Module):
    """One supernet cell: both preprocessings sliced, and an op for every (node, edge, input, op)."""

    def __init__(self, space, in0, in1, C, reduction, reduction_prev):
        super().__init__()
        self.space, self.reduction = space, reduction
        (slots0, C0), (slots1, C1) = in0, in1
        self.preprocess0 = (SlicedFactorizedReduce if reduction_prev else SlicedReLUConvBN)(slots0, C0, C)
        self.preprocess1 = SlicedReLUConvBN(slots1, C1, C)
        self.edges = nn.ModuleDict()
        for j in range(space.nodes):
            for edge in range(2):
                for inp in range(j + 2):
                    for op in space.cell_ops:
                        stride = 2 if reduction and inp < 2 else 1
                        self.edges[f"{j}_{edge}_{inp}_{op}"] = OPS[op](C, stride, True)

    def forward(self, s0, slots0, s1, slots1, pairs, concat):
        states = [self.preprocess0(s0, slots0), self.preprocess1(s1, slots1)]
        for j in range(self.space.nodes):
            (op1, in1), (op2, in2) = pairs[2 * j], pairs[2 * j + 1]
            states.append(self.edges[f"{j}_0_{in1}_{op1}"](states[in1]) + self.edges[f"{j}_1_{in2}_{op2}"](states[in2]))
        return torch.cat([states[k] for k in concat], dim=1)


class ENASMicroSupernet(nn.Module):
    """``forward(images, genotype)`` -> logits of ``ENASMicroNetwork(C, num_classes, layers, genotype)``'s function.

    After the last cell, ENAS's "final_conv" (ReLU -> 1x1 conv -> BN, sliced to the cell's loose
    ends), ReLU, global average pooling, dropout (``keep_prob``; 0.9 in cifar10_micro_search.sh) and a linear
    classifier (micro_child.py ``_enas_layer``, ``_model``). With ``auxiliary`` (the script's
    ``--child_use_aux_heads``), ENAS's aux head reads the cell after the second reduction, and in training
    ``forward`` returns ``(logits, aux_logits)``; the loss adds 0.4 times the aux head's (micro_child.py).
    ``image_size`` sizes the aux head.
    """

    def __init__(self, C=20, num_classes=10, layers=6, nodes=5, keep_prob=1.0, auxiliary=False, image_size=32):
        super().__init__()
        self.space = enas_micro(nodes)
        self.C, self.num_classes, self.layers, self.keep_prob = C, num_classes, layers, keep_prob
        C_stem = 3 * C
        self.stem = nn.Sequential(nn.Conv2d(3, C_stem, 3, padding=1, bias=False), nn.BatchNorm2d(C_stem))
        # an input is (number of slots, channels per slot): the stem is one slot, a cell `nodes` slots of C_curr
        in0 = in1 = (1, C_stem)
        C_curr, reduction_prev, size = C, False, image_size
        self.cells = nn.ModuleList()
        self.aux_index = 2 * layers // 3 + 1 if auxiliary and 2 * layers // 3 + 1 < layers else None
        self.aux_head = None
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                C_curr, size = C_curr * 2, size // 2
            self.cells.append(ENASMicroCell(self.space, in0, in1, C_curr, reduction, reduction_prev))
            if i == self.aux_index:      # the aux head reads the cell's output through a sliced final_conv
                self.aux_conv = SlicedReLUConvBN(nodes, C_curr, C_curr)
                self.aux_head = ENASAuxiliaryHead(C_curr, size, num_classes)
            reduction_prev = reduction
            in0, in1 = in1, (nodes, C_curr)
        self.final_conv = SlicedReLUConvBN(nodes, C_curr, C_curr)
        self.dropout = nn.Dropout(1.0 - keep_prob)
        self.classifier = nn.Linear(C_curr, num_classes, bias=False)

    def forward(self, x, genotype):
        self.space.validate(genotype)
        s0 = s1 = self.stem(x)
        slots0 = slots1 = [0]
        aux = None
        for i, cell in enumerate(self.cells):
            pairs, concat = (genotype.reduce, genotype.reduce_concat) if cell.reduction else (genotype.normal, genotype.normal_concat)
            out = cell(s0, slots0, s1, slots1, pairs, concat)
            s0, slots0, s1, slots1 = s1, slots1, out, [k - 2 for k in concat]
            if i == self.aux_index and self.training:
                aux = self.aux_head(self.aux_conv(s1, slots1))
        out = torch.mean(F.relu(self.final_conv(s1, slots1)), dim=(2, 3))
        logits = self.classifier(self.dropout(out))
        return (logits, aux) if aux is not None else logits


def micro_to_standalone(supernet: ENASMicroSupernet, genotype) -> ENASMicroNetwork:
    """An ``ENASMicroNetwork`` for ``genotype`` holding copies of the supernet's weights for it."""
    supernet.space.validate(genotype)
    s = supernet
    net = ENASMicroNetwork(s.C, s.num_classes, s.layers, genotype)
    with torch.no_grad():
        net.stem.load_state_dict(s.stem.state_dict())
        slots0 = slots1 = [0]
        for cell, scell in zip(net.cells, s.cells):
            pairs, concat = (genotype.reduce, genotype.reduce_concat) if scell.reduction else (genotype.normal, genotype.normal_concat)
            if isinstance(cell.preprocess0, FactorizedReduce):
                cell.preprocess0.conv_1.weight.copy_(scell.preprocess0.sliced(scell.preprocess0.weight_1, slots0))
                cell.preprocess0.conv_2.weight.copy_(scell.preprocess0.sliced(scell.preprocess0.weight_2, slots0))
                _copy_bn(cell.preprocess0.bn, scell.preprocess0.bn)
            else:
                cell.preprocess0.op[1].weight.copy_(scell.preprocess0.sliced(slots0))
                _copy_bn(cell.preprocess0.op[2], scell.preprocess0.bn)
            cell.preprocess1.op[1].weight.copy_(scell.preprocess1.sliced(slots1))
            _copy_bn(cell.preprocess1.op[2], scell.preprocess1.bn)
            for p, (op, inp) in enumerate(pairs):
                cell._ops[p].load_state_dict(scell.edges[f"{p // 2}_{p % 2}_{inp}_{op}"].state_dict())
            slots0, slots1 = slots1, [k - 2 for k in concat]
        net.final_conv.op[1].weight.copy_(s.final_conv.sliced(slots1))
        _copy_bn(net.final_conv.op[2], s.final_conv.bn)
        net.classifier.weight.copy_(s.classifier.weight)
    return net
