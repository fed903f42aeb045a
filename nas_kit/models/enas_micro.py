"""The ENAS micro child network as the search runs it (Pham et al. 2018, section 2.4;
melodyguan/enas src/cifar10/micro_child.py, ``_enas_layer`` and ``_model``).

The cells are those of ``NetworkCIFAR`` (stem, normal and reduction cells, each cell's inputs
preprocessed by ReLU -> 1x1 conv -> BN).  Only the head differs: in the ENAS search every cell's
loose ends pass through a ReLU -> 1x1 conv -> BN back to ``C`` channels ("final_conv"), and the
network ends with ReLU, global average pooling and a linear classifier without bias.  That
calibration matters under weight sharing: the loose ends a cell concatenates change from one
sampled cell to the next (so do their scales: chains of skip connections and pools add up), and a
classifier reading them directly gets confidently wrong logits for the next architecture.

``ENASMicroSupernet`` computes this function for every genotype; the derived cell is retrained
in the ordinary ``NetworkCIFAR`` (as ENAS retrains its fixed architecture without the final_conv).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.models.cifar_network import NetworkCIFAR
from nas_kit.models.operations import ReLUConvBN


class ENASAuxiliaryHead(nn.Module):
    """micro_child.py's aux head: ReLU, 5x5 average pooling with stride 3 (no padding), 1x1 conv to 128, BN, ReLU,
    a conv over the whole pooled map to 768, BN, ReLU, global pooling and a classifier without bias. ``size``
    is the side of the map it reads (8 on 32x32 images); a map smaller than 5 is pooled whole."""

    def __init__(self, C, size, num_classes=10):
        super().__init__()
        k = min(5, size)
        pooled = (size - k) // 3 + 1
        self.features = nn.Sequential(
            nn.ReLU(), nn.AvgPool2d(k, stride=3, padding=0),
            nn.Conv2d(C, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 768, pooled, bias=False), nn.BatchNorm2d(768), nn.ReLU())
        self.classifier = nn.Linear(768, num_classes, bias=False)

    def forward(self, x):
        return self.classifier(torch.mean(self.features(x), dim=(2, 3)))


class ENASMicroNetwork(NetworkCIFAR):
    """``NetworkCIFAR(C, num_classes, layers, False, genotype)``'s cells with ENAS's search-time head;
    ``forward`` returns ``(logits, None)`` like ``NetworkCIFAR``."""

    def __init__(self, C, num_classes, layers, genotype):
        super().__init__(C, num_classes, layers, False, genotype)
        C_last = self.classifier.in_features // self.cells[-1].multiplier    # the last cell's node width
        self.final_conv = ReLUConvBN(self.classifier.in_features, C_last, 1, 1, 0)
        self.classifier = nn.Linear(C_last, num_classes, bias=False)

    def forward(self, input):
        s0 = s1 = self.stem(input)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
        out = torch.mean(F.relu(self.final_conv(s1)), dim=(2, 3))
        return self.classifier(out), None
