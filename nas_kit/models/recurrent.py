"""The recurrent cell built from an RNN genotype (DARTS section 2.1 and appendix A.1.2; ENAS section 2.1; quark0/darts rnn/model.py).

``RNNGenotype(recurrent, concat)``: node 0 mixes ``x_t`` and ``h_{t-1}`` through ``W0``;
each entry ``(activation, pred)`` of ``recurrent`` adds node ``i+1`` computed from
node ``pred``, with its own highway gate:

    c, h = split(s_pred W_i);   s_{i+1} = s_pred + sigmoid(c) * (act(h) - s_pred)

and ``h_t`` is the mean of the nodes in ``concat``.  The ENAS cell (Pham et al. 2018,
section 2.1) is the same computation with ``concat`` = its loose ends, so DARTS and ENAS
share this one class, as in the DARTS code.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.genotypes import validate_rnn_genotype

INITRANGE = 0.04

ACTIVATIONS = {
    "tanh": torch.tanh,
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "identity": lambda x: x,
}


def mask2d(B, D, keep_prob, like):
    """A (B, D) dropout mask of 0 and 1/keep_prob, the same for every time step (variational dropout)."""
    return torch.bernoulli(like.new_full((B, D), keep_prob)) / keep_prob


class DARTSCell(nn.Module):
    """The recurrent cell; ``forward(inputs (T, B, ninp), hidden (1, B, nhid))`` returns all hiddens and the last.

    genotype: the ``RNNGenotype`` whose nodes ``cell`` computes.  A subclass that computes its own
              nodes (the DARTS search cell, nas_kit.models.darts_rnn_search) passes ``genotype=None``
              and ``steps``, and keeps this class's loop over time, node 0 and weights ``W0``, ``W_1..W_steps``.
    """

    def __init__(self, ninp, nhid, dropouth, dropoutx, genotype=None, init_op="tanh", steps=None):
        super().__init__()
        if genotype is not None:
            validate_rnn_genotype(genotype)
            steps = len(genotype.recurrent)
        elif type(self).cell is DARTSCell.cell or steps is None:
            raise ValueError("DARTSCell needs a genotype, e.g. nas_kit.genotypes.DARTS_V2_RNN "
                             "(only a subclass with its own cell() may pass genotype=None and steps).")
        self.nhid = nhid
        self.dropouth = dropouth
        self.dropoutx = dropoutx
        self.genotype = genotype
        self.init_op = init_op
        self.steps = steps
        self._W0 = nn.Parameter(torch.empty(ninp + nhid, 2 * nhid).uniform_(-INITRANGE, INITRANGE))
        self._Ws = nn.ParameterList(
            [nn.Parameter(torch.empty(nhid, 2 * nhid).uniform_(-INITRANGE, INITRANGE)) for _ in range(steps)]
        )

    def forward(self, inputs, hidden):
        T, B = inputs.size(0), inputs.size(1)
        if self.training:
            x_mask = mask2d(B, inputs.size(2), 1.0 - self.dropoutx, inputs)
            h_mask = mask2d(B, hidden.size(2), 1.0 - self.dropouth, hidden)
        else:
            x_mask = h_mask = None
        hidden = hidden[0]
        hiddens = []
        for t in range(T):
            hidden = self.cell(inputs[t], hidden, x_mask, h_mask)
            hiddens.append(hidden)
        hiddens = torch.stack(hiddens)
        return hiddens, hiddens[-1].unsqueeze(0)

    def _compute_init_state(self, x, h_prev, x_mask, h_mask):
        """Node 0: s0 = h_prev + c0 * (act(h0) - h_prev), with [c0, h0] = [x, h_prev] W0."""
        if self.training:
            xh_prev = torch.cat([x * x_mask, h_prev * h_mask], dim=-1)
        else:
            xh_prev = torch.cat([x, h_prev], dim=-1)
        c0, h0 = torch.split(xh_prev.mm(self._W0), self.nhid, dim=-1)
        return h_prev + c0.sigmoid() * (ACTIVATIONS[self.init_op](h0) - h_prev)

    def cell(self, x, h_prev, x_mask, h_mask):
        """One time step: h_t from x_t and h_{t-1}."""
        states = [self._compute_init_state(x, h_prev, x_mask, h_mask)]
        for i, (name, pred) in enumerate(self.genotype.recurrent):
            s_prev = states[pred]
            ch = (s_prev * h_mask).mm(self._Ws[i]) if self.training else s_prev.mm(self._Ws[i])
            c, h = torch.split(ch, self.nhid, dim=-1)
            states.append(s_prev + c.sigmoid() * (ACTIVATIONS[name](h) - s_prev))
        return torch.mean(torch.stack([states[i] for i in self.genotype.concat], -1), -1)
