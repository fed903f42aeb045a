"""The DARTS supernet for recurrent cells (Liu et al. 2019, section 2.1 and A.1.2; quark0/darts rnn/model_search.py).

Node 0 is fixed (the highway combination of x_t and h_{t-1}, nas_kit.models.recurrent).
Node i >= 1 sums, over every earlier node j and every candidate activation o, the
highway update of node j weighted by softmax(alpha^(j,i))_o (eq. 2):

    s_i = sum_{j<i} sum_o p_o^(j,i) * (s_j + sigmoid(c_j^i) * (o(h_j^i) - s_j)),   [c_j^i, h_j^i] = s_j W_i

'none' contributes zero.  One alpha row per edge: 1 + 2 + ... + steps rows (36 for 8 nodes).
As in the DARTS code, BatchNorm without affine parameters normalises every node during the
search, so that the alpha-weighted sums stay on one scale.  h_t is the mean of nodes 1..steps.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.genotypes import RNN_PRIMITIVES
from nas_kit.models.ptb_lm import RNNModel
from nas_kit.models.recurrent import ACTIVATIONS, DARTSCell


def mixed_node(states, W, probs, primitives, masked=None):
    """Eq. 2 for one node before its BatchNorm: sum over the earlier nodes j and the activations o of
    probs[j, o] * (s_j + sigmoid(c_j) * (o(h_j) - s_j)), [c_j, h_j] = s_j W ('none' adds nothing).

    ``states`` (j, B, nhid) are the earlier nodes, ``W`` (nhid, 2 nhid) this node's weight, ``probs`` (j, ops) the
    softmax(alpha) rows of its edges; ``masked``, the states after the hidden dropout, enter ``s_j W`` instead."""
    nhid = states.size(-1)
    masked = states if masked is None else masked
    ch = masked.reshape(-1, nhid).mm(W).view(states.size(0), -1, 2 * nhid)
    c, h = torch.split(ch, nhid, dim=-1)
    c = c.sigmoid()
    s = torch.zeros_like(states[0])
    for k, name in enumerate(primitives):
        if name != "none":
            s = s + torch.sum(probs[:, k].view(-1, 1, 1) * (states + c * (ACTIVATIONS[name](h) - states)), dim=0)
    return s


class DARTSCellSearch(DARTSCell):
    """The mixed recurrent cell.  It reuses DARTSCell's loop over time and node 0, and
    replaces the discrete cell body; ``probs`` = softmax(alpha) is set by the model that owns the cell."""

    def __init__(self, ninp, nhid, dropouth, dropoutx, steps=8, primitives=RNN_PRIMITIVES):
        super().__init__(ninp, nhid, dropouth, dropoutx, genotype=None, steps=steps)  # every genotype at once
        self.primitives = list(primitives)
        self.bn = nn.BatchNorm1d(nhid, affine=False)
        self.probs = None

    def cell(self, x, h_prev, x_mask, h_mask):
        s0 = self.bn(self._compute_init_state(x, h_prev, x_mask, h_mask))
        probs = self.probs
        states, offset = s0.unsqueeze(0), 0
        for i in range(self.steps):
            masked = states * h_mask.unsqueeze(0) if self.training else states
            s = mixed_node(states, self._Ws[i], probs[offset:offset + i + 1], self.primitives, masked)
            states = torch.cat([states, self.bn(s).unsqueeze(0)], 0)
            offset += i + 1
        return torch.mean(states[-self.steps:], dim=0)


class RNNModelSearch(RNNModel):
    """The PTB language model around the mixed cell; ``alphas`` has one row per edge and one column per op.

    The paper's search model: 300 units for embedding and hidden state, 8 nodes (A.1.2).
    """

    def __init__(self, ntoken, ninp=300, nhid=300, nhidlast=300, dropout=0.75, dropouth=0.25, dropoutx=0.75,
                 dropouti=0.2, dropoute=0.0, steps=8, primitives=RNN_PRIMITIVES):
        super().__init__(ntoken, ninp, nhid, nhidlast, dropout, dropouth, dropoutx, dropouti, dropoute,
                         cell=DARTSCellSearch(ninp, nhid, dropouth, dropoutx, steps, primitives))
        self.steps, self.primitives = steps, list(primitives)
        self.alphas = nn.Parameter(1e-3 * torch.randn(steps * (steps + 1) // 2, len(self.primitives)))

    def forward(self, input, hidden, return_h=False):
        self.rnns[0].probs = F.softmax(self.alphas, dim=-1)  # a plain tensor, not a second Parameter
        return super().forward(input, hidden, return_h)

    def arch_parameters(self):
        return [self.alphas]

    def named_weights(self):
        return [(n, p) for n, p in self.named_parameters() if n != "alphas"]

    def weights(self):
        return [p for _, p in self.named_weights()]
