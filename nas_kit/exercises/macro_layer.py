"""Checker for notebook 07's exercise: a layer of the ENAS macro search network (Pham et al. 2018, section 2.3;
melodyguan/enas general_child.py ``_enas_layer``): the op's output and the chosen skips summed, then BatchNorm.

``check_macro_layer(fn)``   fn(op_out, outputs, skips, gamma, beta) = BN(op_out + sum_{j in skips} outputs[j])

BN on batch statistics (training mode): per channel, the mean and the *biased* variance over the batch and the
pixels, (y - mean) / sqrt(var + 1e-5) * gamma + beta. The reference is the kit's own: ``join_skips``
(nas_kit.models.enas_macro) into an ``nn.BatchNorm2d`` in training mode, as ``ENASMacroSupernet`` runs a layer.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from nas_kit.exercises.checker import Case, close, run_exercise
from nas_kit.models.enas_macro import join_skips


def _reference(op_out, outputs, skips, gamma, beta):
    bn = nn.BatchNorm2d(op_out.size(1)).train()
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
        return bn(join_skips([outputs[j] for j in skips], op_out, search=True))


def layer_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def randn(*shape):
        return torch.randn(*shape, generator=g)

    C = 3
    outputs = [randn(4, C, 5, 5) + k for k in range(4)]        # layers 0-3, each with its own mean
    ones, zeros = torch.ones(C), torch.zeros(C)
    return [Case("layer 4, skips from layers 0 and 2", (randn(4, C, 5, 5), outputs, (0, 2), ones, zeros)),
            Case("no skips: BN of the op's output alone", (randn(4, C, 5, 5), outputs, (), ones, zeros)),
            Case("skips from every earlier layer, gamma and beta set",
                 (randn(4, C, 5, 5), outputs, (0, 1, 2, 3), randn(C), randn(C))),
            Case("a batch of 2 images of 1 pixel", (randn(2, C, 1, 1), [randn(2, C, 1, 1)], (0,), ones, zeros))]


def check_macro_layer(fn) -> bool:
    """fn(op_out (N, C, H, W), outputs: list of earlier layers' outputs, skips: tuple of indices, gamma, beta)."""
    return run_exercise(
        "the ENAS macro layer: skips summed, then BatchNorm", fn, _reference, layer_cases(),
        compare=lambda got, want: close(got, want, rtol=1e-4, atol=1e-5),     # BN's sums in another order
        hint="y = op_out + the outputs[j] for j in skips; per channel, mean and var = ((y - mean)**2).mean() over "
             "dims (0, 2, 3) (biased, as BatchNorm in training), then (y - mean) / sqrt(var + 1e-5) * gamma + beta "
             "(gamma and beta viewed as (1, C, 1, 1)).",
        hints={"a batch of 2 images of 1 pixel":
               "with 2 values per channel the unbiased variance (torch.var's default) is twice the biased one that "
               "BatchNorm uses: take unbiased=False."})
