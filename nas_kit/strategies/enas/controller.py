"""The ENAS controller (Pham et al. 2018, sections 2.1-2.4); its REINFORCE step is ``reinforce``.

The controller is one LSTM layer of 100 hidden units that writes an architecture one decision
at a time; the decision just taken is the next step's input (the embedding of an op, or the
controller's state at the node chosen as input). Decisions, per space:

* ENAS RNN cell (section 2.1), node i = 1..N:  [input j < i, with ptb_enas_controller.py's distance prior
  -(i - j)^2 / 6 on its logits]  then activation (4-way softmax: the paper's four; the code samples two)
* ENAS macro (section 2.3), layer i:  op (6-way), then for each earlier layer j a sigmoid
  P(j -> i) = sigmoid(v^T tanh(W_prev h_j + W_curr h_i)); the next input is the mean of the chosen
  anchors' states (melodyguan/enas general_controller.py). The paper's sigmoid both samples the skips and
  enters their KL; general_controller.py samples from softmax([-q, q]), i.e. sigmoid(2q), while its KL uses
  sigmoid(q): the kit follows the paper.
* ENAS micro (section 2.4), normal then reduction cell, node j: input 1, input 2 (attention over
  the two cell inputs and earlier nodes), op 1, op 2 (5-way)

Input choices are pointer attention over the earlier nodes' states: logits_j = v^T tanh(W_prev h_j +
W_curr h), where h_j is the controller's state when node j was decided.  Every logit goes through
the temperature and the tanh constant of the ENAS code, ``logits = C tanh(logits / T)``; the ENAS
scripts use (T, C) = (5.0, 2.5) for PTB and C = 1.5 (macro) / 1.1 (micro) for CIFAR-10. Only the micro
controller (micro_controller.py) divides its op logits' C by ``op_tanh_reduce`` = 2.5; the general (macro)
controller has no such setting (the macro script passes the flag, general_controller.py ignores it).

Which sequence it writes is looked up by the space's registry key (``WRITERS``).
"""
from __future__ import annotations

import random

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.spaces import ENASMacroSpace, ENASMicroSpace, ENASRNNSpace
from nas_kit.spaces.base import as_rng


# micro_controller.py, ops in ENAS's order (sep 3x3, sep 5x5, avg pool, max pool, identity): b_soft, learnable
# and added before the tanh, and b_soft_no_learn, fixed and added after it in the normal cell only
MICRO_OP_BIAS = [10.0, 10.0, 0.0, 0.0, 0.0]
MICRO_NORMAL_OP_PRIOR = [0.25, 0.25, -0.25, -0.25, -0.25]


class ENASController(nn.Module):
    """An LSTM (100 units) that samples ENAS architectures; ``sample(rng, temperature)`` gives one (no gradients)."""

    def __init__(self, space, lstm_size=100, temperature=None, tanh_constant=None, op_tanh_reduce=1.0,
                 skip_target=0.4, init_range=0.1):
        super().__init__()
        if space.key not in WRITERS:
            raise ValueError(f"the ENAS controller writes ENAS RNN, macro and micro architectures, not {space.name!r} ones.")
        self.space = space
        self.space_name = space.key                      # its name in the registry (for the explorer)
        n_ops = len(space.ops)
        self.temperature, self.tanh_constant, self.op_tanh_reduce = temperature, tanh_constant, op_tanh_reduce
        self.skip_target = skip_target
        H = lstm_size
        self.go = nn.Parameter(torch.empty(H))                       # the first input (g_emb in the ENAS code)
        self.lstm = nn.LSTMCell(H, H)
        self.op_embed = nn.Embedding(n_ops, H)                        # w_emb
        self.op_head = nn.Linear(H, n_ops, bias=False)                # w_soft
        self.w_prev = nn.Linear(H, H, bias=False)                     # w_attn_1
        self.w_curr = nn.Linear(H, H, bias=False)                     # w_attn_2
        self.v = nn.Linear(H, 1, bias=False)                          # v_attn
        for p in self.parameters():
            nn.init.uniform_(p, -init_range, init_range)
        if space.key == ENASMicroSpace.key:       # micro_controller.py's op prior, favouring the two sep convs
            self.op_bias = nn.Parameter(torch.tensor(MICRO_OP_BIAS))       # b_soft: learnable, before the tanh

    # ------------------------------------------------------------ logits
    def _squash(self, logits, is_op):
        """ENAS's ``logits / T`` then ``C tanh(logits)`` (op logits: C / op_tanh_reduce)."""
        if self.temperature is not None:
            logits = logits / self.temperature
        if self.tanh_constant is not None:
            c = self.tanh_constant / (self.op_tanh_reduce if is_op else 1.0)
            logits = c * torch.tanh(logits)
        return logits

    def _attention(self, anchors_w, h):
        return self._squash(self.v(torch.tanh(anchors_w + self.w_curr(h))).view(-1), is_op=False)

    # ------------------------------------------------------------ one pass
    def _run(self, rng, temperature=1.0):
        """Sample one architecture; returns (arch, log pi, entropy, skip KL), all but arch differentiable.

        The skip KL is the mean over layers of each layer's KL(P(skip) || skip_target), as general_controller.py
        takes it (``tf.reduce_mean(skip_penaltys)``); zero where the space has no skips.

        ``temperature`` divides the final logits (1.0: the policy itself); it is the explorer's slider.
        """
        p = _Pass(self, rng, temperature)
        arch = WRITERS[self.space.key](p, self.space)
        zero = torch.zeros(())
        kl = skip_penalty(p.skip_probs, self.skip_target) if p.skip_probs else zero
        return arch, sum(p.log_probs, zero), sum(p.entropies, zero), kl

    # ------------------------------------------------------------ the public interface
    def space_at(self):
        """The space of the architectures it samples (for the explorer)."""
        return self.space

    def sample(self, rng: int | random.Random | None = None, temperature: float = 1.0):
        """An architecture m ~ pi(m) (``temperature`` > 1 flattens, < 1 sharpens the policy); no gradients."""
        with torch.no_grad():
            return self._run(as_rng(rng), temperature)[0]

    def sample_with_log_prob(self, rng: int | random.Random | None = None):
        """(arch, log pi(arch), entropy, skip KL) with gradients, for the REINFORCE step."""
        return self._run(as_rng(rng))


class _Pass:
    """One pass of the controller: the LSTM's state, its next input, the states of the nodes decided so far
    (the anchors the attention points at), and the log-probabilities, entropies and skip probabilities."""

    def __init__(self, controller: ENASController, rng, temperature: float):
        H = controller.go.numel()
        self.c, self.rng, self.temperature, self.H = controller, rng, temperature, H
        self.state = (torch.zeros(1, H), torch.zeros(1, H))
        self.x = controller.go.view(1, H)
        self.anchors, self.anchors_w = [], []            # states h_j and W_prev h_j of decided nodes
        self.log_probs, self.entropies, self.skip_probs = [], [], []

    def step(self):
        """Feed the next input to the LSTM; its new hidden state."""
        self.state = self.c.lstm(self.x, self.state)
        return self.state[0]

    def choose(self, logits) -> int:
        logp = F.log_softmax(logits / self.temperature, dim=0)
        p = logp.exp()
        a = self.rng.choices(range(len(p)), weights=p.tolist())[0]
        self.log_probs.append(logp[a])
        self.entropies.append(-(p * logp).sum())
        return a

    def pick_input(self, h, prior=None) -> int:
        """Attention over the anchors (plus ``prior``, added after the squashing); the chosen node's state is the
        next input."""
        logits = self.c._attention(torch.stack(self.anchors_w), h)
        j = self.choose(logits if prior is None else logits + prior)
        self.x = self.anchors[j].view(1, self.H)
        return j

    def pick_op(self, h, prior=None) -> int:
        """The op softmax (with the micro controller's learnable bias before the squashing, ``prior`` after it);
        the op's embedding is the next input."""
        logits = self.c.op_head(h).view(-1)
        if hasattr(self.c, "op_bias"):
            logits = logits + self.c.op_bias
        logits = self.c._squash(logits, is_op=True)
        a = self.choose(logits if prior is None else logits + prior)
        self.x = self.c.op_embed.weight[a].view(1, self.H)
        return a

    def add_anchor(self, h) -> None:
        self.anchors.append(h.view(self.H))
        self.anchors_w.append(self.c.w_prev(h).view(self.H))

    def pick_skips(self, h, i: int) -> tuple:
        """A sigmoid per earlier layer, P(j -> i) = sigmoid(attention) (kept for ``skip_penalty``); the mean
        of the chosen anchors is the next input (general_controller.py)."""
        logits = self.c._attention(torch.stack(self.anchors_w), h) / self.temperature
        p = torch.sigmoid(logits)
        bits = torch.tensor([1.0 if self.rng.random() < pj else 0.0 for pj in p.tolist()])
        self.log_probs.append(-F.binary_cross_entropy_with_logits(logits, bits, reduction="sum"))
        self.entropies.append(F.binary_cross_entropy_with_logits(logits, p, reduction="sum"))
        self.skip_probs.append(p)
        self.x = (bits @ torch.stack(self.anchors)).view(1, self.H) / (1.0 + bits.sum())
        return tuple(j for j in range(i) if bits[j] > 0)


def skip_penalty(skip_probs, skip_target: float) -> torch.Tensor:
    """Section 2.3's skip penalty: the mean over layers of sum_j KL(p_ij || q), ``skip_probs[i]`` holding layer i's
    skip probabilities p_ij and q = ``skip_target`` (general_controller.py: ``tf.reduce_mean(skip_penaltys)``)."""
    q = torch.tensor(skip_target)
    kls = [(p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))).sum() for p in skip_probs]
    return torch.stack(kls).mean()


def distance_prior(i: int) -> torch.Tensor:
    """ptb_enas_controller.py's prior on node i's input j = 1..i-1: logits_j -= (i - j)^2 / 6 (nearer nodes likelier)."""
    return -(i - torch.arange(1, i, dtype=torch.float32)) ** 2 / 6.0


def _rnn_cell(p: _Pass, space):
    """Section 2.1: node i picks its input j < i (node 1 reads x_t and h_{t-1}), then its activation.

    As ptb_enas_controller.py (the paper is silent on both): the input logits get ``distance_prior(i)``, and the
    chosen node's state, divided by 0.1 + (i - j), is the next input."""
    cell = []
    for i in range(1, space.nodes + 1):
        if i > 1:
            j = p.pick_input(p.step(), distance_prior(i)) + 1     # anchors[0] is node 1
            p.x = p.x / (0.1 + (i - j))
        else:
            j = 0
        h = p.step()
        a = p.pick_op(h)
        p.add_anchor(h)
        cell.append((space.ops[a], j))
    return cell


def _macro_network(p: _Pass, space):
    """Section 2.3: layer i picks its op, then which earlier layers it skips from."""
    arch = []
    for i in range(space.layers):
        a = p.pick_op(p.step())
        h = p.step()
        if i > 0:
            skips = p.pick_skips(h, i)
        else:
            skips, p.x = (), torch.zeros(1, p.H)
        p.add_anchor(h)
        arch.append((space.ops[a], skips))
    return arch


def _micro_cells(p: _Pass, space):
    """Section 2.4: the normal cell, then the reduction cell; node j picks two inputs, then two ops (with
    micro_controller.py's op prior: ``op_bias`` in both cells, ``MICRO_NORMAL_OP_PRIOR`` in the normal cell)."""
    cells = []
    for k in range(2):
        prior = torch.tensor(MICRO_NORMAL_OP_PRIOR) if k == 0 else None
        p.anchors.clear()
        p.anchors_w.clear()
        p.x = p.c.go.view(1, p.H)                            # each cell starts from g_emb (micro_controller.py)
        for _ in range(2):                                   # anchors of the two cell inputs: attention keys from
            p.add_anchor(p.step())                           # the LSTM, but a zero state as the next input
            p.anchors[-1] = torch.zeros(p.H)
        cell = []
        for _ in range(space.nodes):
            in1, in2 = p.pick_input(p.step()), p.pick_input(p.step())
            op1 = p.pick_op(p.step(), prior)
            h = p.step()
            op2 = p.pick_op(h, prior)
            p.add_anchor(h)
            cell += [(space.cell_ops[op1], in1), (space.cell_ops[op2], in2)]
        cells.append(cell)
    return space._genotype(cells[0], cells[1])


# What the controller writes for each space, by the space's key: ENAS's recurrent cells, macro networks, micro cells.
WRITERS = {ENASRNNSpace.key: _rnn_cell, ENASMacroSpace.key: _macro_network, ENASMicroSpace.key: _micro_cells}
