"""Checker for notebook 06's exercise: the log-probability and entropy of the architecture the ENAS controller
sampled (Pham et al. 2018, section 2.2: the REINFORCE step needs log pi(m), the entropy bonus H).

``check_log_prob_and_entropy(fn)``   fn(logits, choices) = (sum_d log softmax(logits_d)[choices_d],
                                                            sum_d -sum_k p_dk log p_dk)

one logit vector per decision (an input node, an activation, ...), the choices the controller drew. The
reference is the kit's own: the controller's ``_Pass.choose`` (nas_kit.strategies.enas.controller), which adds
each decision's log-probability and entropy, handed the given choices instead of drawing them.
"""
from __future__ import annotations

import torch

from nas_kit.exercises.checker import Case, run_exercise
from nas_kit.spaces import ENASRNNSpace
from nas_kit.strategies.enas.controller import ENASController, _Pass


class _Given:
    """An rng whose ``choices`` returns the given choices in turn (the controller's draws, fixed)."""

    def __init__(self, picks):
        self.picks = iter(picks)

    def choices(self, population, weights):
        return [next(self.picks)]


def _reference(logits, choices):
    p = _Pass(ENASController(ENASRNNSpace(2), lstm_size=2), _Given(choices), temperature=1.0)
    for logit in logits:
        p.choose(logit)
    zero = torch.zeros(())
    return sum(p.log_probs, zero), sum(p.entropies, zero)


def policy_cases() -> list[Case]:
    g = torch.Generator().manual_seed(0)
    sizes = [1, 4, 2, 4, 3, 4]                   # an ENAS cell's decisions: input of node l (l - 1 ways), activation
    logits = [torch.randn(k, generator=g) for k in sizes]
    choices = [int(torch.randint(k, (), generator=g)) for k in sizes]
    return [Case("an ENAS cell's six decisions", (logits, choices)),
            Case("one decision, uniform over 4", ([torch.zeros(4)], [2])),
            Case("a decision with one option: log p = 0, entropy 0", ([torch.zeros(1)], [0])),
            Case("a confident decision (logits 0 and 200), the unlikely choice",
                 ([torch.tensor([0.0, 200.0])], [0])),
            Case("two decisions of 5 ways", ([torch.randn(5, generator=g) for _ in range(2)], [4, 0]))]


def check_log_prob_and_entropy(fn) -> bool:
    """fn(logits: list of 1-D tensors, choices: list of ints) -> (log pi(m), entropy), two 0-d tensors."""
    return run_exercise(
        "the log-probability and entropy of a sampled architecture", fn, _reference, policy_cases(),
        hint="per decision, logp = torch.log_softmax(logits, 0); add logp[choice] to log pi and -(p * logp).sum() "
             "(p = logp.exp()) to the entropy; both are sums over the decisions.",
        hints={"a confident decision (logits 0 and 200), the unlikely choice":
               "softmax underflows to 0 for so unlikely a choice, and log(0) = -inf: take torch.log_softmax.",
               "a decision with one option: log p = 0, entropy 0":
               "a one-way decision has p = 1: its log-probability and its entropy are 0."})
