"""Checker for notebook 10's exercise: the loss with DARTS's auxiliary classifier (Szegedy et al. 2015; DARTS
appendix A.2; quark0/darts cnn/train.py: ``loss += args.auxiliary_weight * loss_aux``).

``check_auxiliary_loss(fn)``   fn(logits, logits_aux, y, weight) = CE(logits, y) + weight * CE(logits_aux, y),
                               CE(logits, y) alone when logits_aux is None (no head, or the network in eval mode)

The reference is the kit's own training loss, ``nas_kit.training.cifar._loss``, given a network that returns these
logits and a recipe with ``auxiliary_weight = weight``.
"""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.training.cifar import Recipe, _loss


def _reference(logits, logits_aux, y, weight):
    network = (lambda xb: (logits, logits_aux)) if logits_aux is not None else (lambda xb: logits)
    return _loss(network, None, y, Recipe(auxiliary_weight=weight))[0]


def auxiliary_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def batch(n):
        return torch.randn(n, 10, generator=g), torch.randn(n, 10, generator=g), torch.randint(10, (n,), generator=g)

    logits, aux, y = batch(8)
    confident = torch.full((2, 10), -50.0)
    confident[0, 3] = confident[1, 7] = 50.0
    return [Case("DARTS's weight 0.4, a batch of 8", (logits, aux, y, 0.4)),
            Case("no auxiliary head (logits_aux is None)", (logits, None, y, 0.4)),
            Case("weight 0: the auxiliary head is ignored", (logits, aux, y, 0.0)),
            Case("weight 1", (*batch(3)[:2], y[:3], 1.0)),
            Case("confident logits (50 against -50)", (confident, confident, torch.tensor([3, 0]), 0.4))]


def check_auxiliary_loss(fn) -> bool:
    """fn(logits (N, classes), logits_aux (N, classes) or None, y (N,), weight: float) -> the loss, a 0-d tensor."""
    return run_exercise(
        "the loss with the auxiliary head", fn, _reference, auxiliary_cases(),
        hint="loss = F.cross_entropy(logits, y) + weight * F.cross_entropy(logits_aux, y): both heads are trained on "
             "the same labels, each cross-entropy a mean over the batch; without logits_aux, the first term alone.",
        hints={"no auxiliary head (logits_aux is None)":
               "the network returns no auxiliary logits in eval mode or without a head: then the loss is "
               "F.cross_entropy(logits, y) alone.",
               "confident logits (50 against -50)":
               "log(softmax(...)) of a very unlikely class is -inf in float32: F.cross_entropy takes the log-softmax "
               "stably."})
