"""The checkers of notebooks 06, 07, 09 and 10 (ENAS and DARTS): a right answer passes, and a plausible wrong one
is rejected in one line that names the case it fails and gives that case's hint."""
import contextlib
import io

import torch
import torch.nn.functional as F

from nas_kit.exercises.auxiliary_loss import check_auxiliary_loss
from nas_kit.exercises.drop_path import check_drop_path
from nas_kit.exercises.enas_node import check_highway_node
from nas_kit.exercises.enas_policy import check_log_prob_and_entropy
from nas_kit.exercises.macro_layer import check_macro_layer
from nas_kit.exercises.rnn_derivation import check_rnn_derivation
from nas_kit.exercises.rnn_mixed_node import check_mixed_node
from nas_kit.exercises.skip_penalty import check_skip_penalty

ACTS = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda v: v, "sigmoid": torch.sigmoid}


def _said(check, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = check(fn)
    said = out.getvalue()
    assert said.count("\n") == 1 and "Traceback" not in said
    return passed, said


def _rejected(check, fn, case, hint):
    passed, said = _said(check, fn)
    assert not passed and ": not passed." in said, said
    assert f'Case "{case}"' in said and hint in said.split("Hint: ", 1)[1], said


def _highway(inp, s_prev, W, activation, swapped=False):
    c, h = (inp @ W).split(s_prev.size(-1), dim=-1)
    gate = torch.sigmoid(c)
    if swapped:
        gate = 1 - gate
    return gate * ACTS[activation](h) + (1 - gate) * s_prev


def test_the_highway_node_with_its_gate_on_the_carried_state_is_rejected():
    assert _said(check_highway_node, _highway)[0]
    _rejected(check_highway_node, lambda *a: _highway(*a, swapped=True),
              "a closed gate (c = -30): the node carries s_prev", "not the other way round")


def _policy(logits, choices, stable=True):
    log_pi, entropy = torch.zeros(()), torch.zeros(())
    for logit, a in zip(logits, choices):
        logp = torch.log_softmax(logit, 0) if stable else torch.softmax(logit, 0).log()
        log_pi, entropy = log_pi + logp[a], entropy - torch.nan_to_num(logp.exp() * logp).sum()
    return log_pi, entropy


def test_a_log_prob_taken_as_the_log_of_the_softmax_is_rejected_where_it_underflows():
    assert _said(check_log_prob_and_entropy, _policy)[0]
    _rejected(check_log_prob_and_entropy, lambda l, c: _policy(l, c, stable=False),
              "a confident decision (logits 0 and 200), the unlikely choice", "torch.log_softmax")


def _kl(p, q):
    return p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))


def test_a_skip_penalty_averaged_over_skips_instead_of_layers_is_rejected():
    assert _said(check_skip_penalty, lambda probs, q: torch.stack([_kl(p, q).sum() for p in probs]).mean())[0]
    _rejected(check_skip_penalty, lambda probs, q: torch.cat([_kl(p, q) for p in probs]).mean(),
              "layers of 1 and 3 skips (a mean over layers, not over skips)", "average the layers' sums")


def _macro(op_out, outputs, skips, gamma, beta, unbiased=False):
    y = op_out + sum((outputs[j] for j in skips), torch.zeros_like(op_out))
    mean = y.mean(dim=(0, 2, 3), keepdim=True)
    var = y.var(dim=(0, 2, 3), keepdim=True, unbiased=unbiased)
    return (y - mean) / torch.sqrt(var + 1e-5) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)


def test_a_macro_layer_normalised_with_the_unbiased_variance_is_rejected():
    assert _said(check_macro_layer, _macro)[0]
    _rejected(check_macro_layer, lambda *a: _macro(*a, unbiased=True), "layer 4, skips from layers 0 and 2",
              "biased, as BatchNorm in training")


def _derive(alpha, primitives, steps, softmax=True):
    W = torch.softmax(alpha, dim=-1) if softmax else alpha
    allowed = [k for k, name in enumerate(primitives) if name != "none"]
    gene, start = [], 0
    for i in range(1, steps + 1):
        rows = W[start:start + i]
        best = max(range(i), key=lambda j: (max(float(rows[j, k]) for k in allowed), -j))
        k = max(allowed, key=lambda k: float(rows[best, k]))
        gene.append((primitives[k], best))
        start += i
    return gene


def test_a_derivation_that_compares_raw_alphas_across_edges_is_rejected():
    assert _said(check_rnn_derivation, _derive)[0]
    _rejected(check_rnn_derivation, lambda *a: _derive(*a, softmax=False),
              "large raw alpha but a flat softmax on one edge", "not by raw alpha")


def _mixed(states, W, probs, primitives, none_is_identity=False):
    s = torch.zeros_like(states[0])
    for j in range(states.size(0)):
        c, h = (states[j] @ W).split(states.size(-1), dim=-1)
        for k, name in enumerate(primitives):
            if name == "none" and not none_is_identity:
                continue
            f = ACTS.get(name, ACTS["identity"])
            s = s + probs[j, k] * (states[j] + torch.sigmoid(c) * (f(h) - states[j]))
    return s


def test_a_mixed_node_in_which_none_counts_is_rejected():
    assert _said(check_mixed_node, _mixed)[0]
    _rejected(check_mixed_node, lambda *a: _mixed(*a, none_is_identity=True),
              "all the weight on 'none': the node is zero", "the zero op")


def test_drop_path_that_forgets_to_rescale_or_drops_at_probability_zero_is_rejected():
    assert _said(check_drop_path, lambda x, p, mask: x / (1 - p) * mask.view(-1, 1, 1, 1) if p > 0 else x)[0]
    _rejected(check_drop_path, lambda x, p, mask: x * mask.view(-1, 1, 1, 1) if p > 0 else x,
              "drop_prob 0.2, two of four samples dropped", "scaled up")
    _rejected(check_drop_path, lambda x, p, mask: x / (1 - p) * mask.view(-1, 1, 1, 1),
              "drop_prob 0: the path is x itself (whatever the mask)", "return x")


def test_an_auxiliary_loss_that_ignores_a_missing_head_or_reweights_the_main_one_is_rejected():
    def loss(logits, aux, y, w):
        return F.cross_entropy(logits, y) + (w * F.cross_entropy(aux, y) if aux is not None else 0)
    assert _said(check_auxiliary_loss, loss)[0]
    _rejected(check_auxiliary_loss, lambda l, a, y, w: (1 - w) * F.cross_entropy(l, y) + w * F.cross_entropy(a, y)
              if a is not None else F.cross_entropy(l, y), "DARTS's weight 0.4, a batch of 8", "both heads")
    _rejected(check_auxiliary_loss, lambda l, a, y, w: F.cross_entropy(l, y) + w * F.cross_entropy(a, y),
              "no auxiliary head (logits_aux is None)", "alone")
