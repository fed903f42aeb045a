"""The ENAS macro network: a whole CNN chosen layer by layer (Pham et al. 2018, section 2.3;
melodyguan/enas src/cifar10/general_child.py with ``whole_channels``, as the macro scripts run it).

Architecture format (plain data): a list of ``L`` layers, each ``(op_name, skips)``:

* ``op_name`` in ``nas_kit.spaces.enas_macro.MACRO_OPS``: conv3x3, conv5x5, sepconv3x3, sepconv5x5, maxpool3x3, avgpool3x3;
* ``skips``: a tuple of indices ``j < i`` of earlier layers whose outputs layer ``i`` also
  receives (layer ``i``'s main input is always layer ``i-1``, or the stem for layer 0).

Layer ``i`` computes ``out = op(layer_{i-1})``; for ``i > 0`` it then joins the skips in one of the two ways
of general_child.py:

* ``search=False`` (``_fixed_layer``, the final network): concatenate ``[layer_j for j in skips] + [out]``
  and map it back to the layer's channels with ReLU -> 1x1 conv -> BN; after layers ``L//3 - 1`` and
  ``2*(L//3) - 1`` (ENAS's ``pool_distance``) the channels double (``out_filters *= 2`` with a fixed arc);
* ``search=True`` (``_enas_layer``, the network the search trains): ``BN(out + sum_{j in skips} layer_j)``,
  and the channels stay ``C`` at the pooling layers.

At the pooling layers the stored layer outputs are halved in resolution by factorized reductions, so later
skips still fit (ENAS reduces every stored output; here only those a later layer reads, so that no
parameter is left without a gradient). The classifier has no bias, as in ENAS's ``fc``.
Then global average pooling, dropout and a linear classifier.
"""
import torch
import torch.nn as nn

from nas_kit.models.operations import FactorizedReduce, ReLUConvBN
from nas_kit.spaces.base import InvalidArchitecture
from nas_kit.spaces.enas_macro import ENASMacroSpace


def macro_op(name, C):
    """One layer's op, each starting with a 1x1 ReLU-conv-BN as in ENAS's branches."""
    if name in ("conv3x3", "conv5x5"):
        k = int(name[-1])
        return nn.Sequential(ReLUConvBN(C, C, 1, 1, 0), ReLUConvBN(C, C, k, 1, k // 2))
    if name in ("sepconv3x3", "sepconv5x5"):
        k = int(name[-1])
        return nn.Sequential(
            ReLUConvBN(C, C, 1, 1, 0),
            nn.ReLU(inplace=False),
            nn.Conv2d(C, C, k, padding=k // 2, groups=C, bias=False),  # depthwise
            nn.Conv2d(C, C, 1, bias=False),  # pointwise
            nn.BatchNorm2d(C),
        )
    pool = nn.MaxPool2d(3, 1, 1) if name == "maxpool3x3" else nn.AvgPool2d(3, 1, 1, count_include_pad=False)
    return nn.Sequential(ReLUConvBN(C, C, 1, 1, 0), pool)


def join_skips(skipped, out, search):
    """What the skip conv (``search=False``) or the skip BN (``search=True``) of a layer reads."""
    return sum(skipped, out) if search else torch.cat(skipped + [out], dim=1)


class MacroNetwork(nn.Module):
    """ENAS macro child network; ``forward(images)`` returns logits."""

    def __init__(self, arch, C=24, num_classes=10, keep_prob=1.0, search=False):
        super().__init__()
        self.search = search
        if not isinstance(arch, list) or not arch:
            raise InvalidArchitecture("arch", "must be a non-empty list of (op_name, skips) layers.")
        ENASMacroSpace(len(arch)).validate(arch)
        self.arch = [(name, tuple(skips)) for name, skips in arch]
        L = len(arch)
        pool_distance = L // 3
        self.pool_layers = [pool_distance - 1, 2 * pool_distance - 1] if pool_distance > 0 else []
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
        self.ops = nn.ModuleList()
        self.skip_convs = nn.ModuleList()  # layer 0 has no skip conv: nn.Identity keeps the indices aligned
        self.reductions = nn.ModuleDict()
        for i, (name, skips) in enumerate(self.arch):
            self.ops.append(macro_op(name, C))
            self.skip_convs.append(nn.Identity() if i == 0 else nn.BatchNorm2d(C) if search
                                   else ReLUConvBN((len(skips) + 1) * C, C, 1, 1, 0))
            if i in self.pool_layers:
                # Reduce the next layer's input and every output a later layer skips to.
                C_next = C if search else 2 * C
                for j in self._still_needed(i):
                    self.reductions[f"{i}_{j}"] = FactorizedReduce(C, C_next)
                C = C_next
        self.dropout = nn.Dropout(1.0 - keep_prob)
        self.classifier = nn.Linear(C, num_classes, bias=False)

    def _still_needed(self, i):
        """Layer outputs 0..i that are read after layer i: layer i itself and later skips."""
        return {i} | {j for _, skips in self.arch[i + 1:] for j in skips if j <= i}

    def forward(self, x):
        x = self.stem(x)
        outputs = []
        for i, (name, skips) in enumerate(self.arch):
            out = self.ops[i](x)
            if i > 0:
                out = self.skip_convs[i](join_skips([outputs[j] for j in skips], out, self.search))
            outputs.append(out)
            x = out
            if i in self.pool_layers:
                outputs = [self.reductions[f"{i}_{j}"](o) if j in self._still_needed(i) else None
                           for j, o in enumerate(outputs)]
                x = outputs[-1]
        x = torch.mean(x, dim=(2, 3))
        return self.classifier(self.dropout(x))
