"""The ENAS recurrent supernet: every (node, input) weight of the cell exists once (Pham et al. 2018, section 2.1).

Node 1 of the cell mixes ``x_t`` and ``h_{t-1}`` through ``W0``; node ``i >= 2`` that reads node ``j``
uses its own matrix ``W[i, j]`` ("for each pair of nodes j < l there is an independent parameter
matrix W_{l,j}^{(h)}", section 2.1), with the highway gate of the DARTS/ENAS code:

    c, h = split(s_j W[i, j]);   s_i = s_j + sigmoid(c) * (f_i(h) - s_j),     h_t = mean(loose ends)

A sampled cell (``nas_kit.spaces.enas_rnn`` format, a list of ``(activation, input)`` pairs) runs as
the sub-graph that uses only its own ``W[i, j]``.  Embedding, tied decoder and dropouts are those of
``nas_kit.models.ptb_lm.RNNModel``, so ``to_standalone`` copies the chosen weights into an
``RNNModel`` that computes exactly the same function.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.models.ptb_lm import LockedDropout, RNNModel, embedded_dropout
from nas_kit.models.recurrent import ACTIVATIONS, INITRANGE, mask2d
from nas_kit.spaces.enas_rnn import ENASRNNSpace, loose_ends, to_genotype


class ENASRNNSupernet(nn.Module):
    """``forward(input (T, B), hidden, cell)`` -> ``(log_probs (T, B, ntoken), new hidden)`` for the sampled ``cell``."""

    def __init__(self, ntoken, nhid, nodes=12, dropout=0.5, dropouth=0.5, dropoutx=0.5, dropouti=0.5, dropoute=0.1):
        super().__init__()
        self.space = ENASRNNSpace(nodes)
        self.ntoken, self.nhid, self.nodes = ntoken, nhid, nodes
        self.dropout, self.dropouth, self.dropoutx, self.dropouti, self.dropoute = dropout, dropouth, dropoutx, dropouti, dropoute
        self.lockdrop = LockedDropout()
        self.encoder = nn.Embedding(ntoken, nhid)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight  # weight tying, as RNNModel
        self.encoder.weight.data.uniform_(-INITRANGE, INITRANGE)
        self.decoder.bias.data.fill_(0)
        self._W0 = nn.Parameter(torch.empty(2 * nhid, 2 * nhid).uniform_(-INITRANGE, INITRANGE))
        # W[i, j] for paper nodes i = 2..N and inputs j = 1..i-1, stored under the key "i_j"
        self._Ws = nn.ParameterDict({f"{i}_{j}": nn.Parameter(torch.empty(nhid, 2 * nhid).uniform_(-INITRANGE, INITRANGE))
                                     for i in range(2, nodes + 1) for j in range(1, i)})

    def init_hidden(self, bsz):
        return [self.encoder.weight.new_zeros(1, bsz, self.nhid)]

    def cell_step(self, cell, x, h_prev, x_mask, h_mask):
        """One time step of the sampled cell: h_t from x_t and h_{t-1}."""
        if self.training:
            xh = torch.cat([x * x_mask, h_prev * h_mask], dim=-1)
        else:
            xh = torch.cat([x, h_prev], dim=-1)
        c0, h0 = torch.split(xh.mm(self._W0), self.nhid, dim=-1)
        states = [h_prev + c0.sigmoid() * (ACTIVATIONS[cell[0][0]](h0) - h_prev)]   # states[k] is paper node k+1
        for i, (act, j) in enumerate(cell[1:], start=2):
            s_prev = states[j - 1]
            W = self._Ws[f"{i}_{j}"]
            ch = (s_prev * h_mask).mm(W) if self.training else s_prev.mm(W)
            c, h = torch.split(ch, self.nhid, dim=-1)
            states.append(s_prev + c.sigmoid() * (ACTIVATIONS[act](h) - s_prev))
        return torch.mean(torch.stack([states[k - 1] for k in loose_ends(cell)], -1), -1)

    def forward(self, input, hidden, cell):
        self.space.validate(cell)
        T, B = input.shape
        emb = embedded_dropout(self.encoder, input, dropout=self.dropoute if self.training else 0)
        x = self.lockdrop(emb, self.dropouti)
        if self.training:
            x_mask = mask2d(B, self.nhid, 1.0 - self.dropoutx, x)
            h_mask = mask2d(B, self.nhid, 1.0 - self.dropouth, x)
        else:
            x_mask = h_mask = None
        h = hidden[0][0]
        outputs = []
        for t in range(T):
            h = self.cell_step(cell, x[t], h, x_mask, h_mask)
            outputs.append(h)
        output = self.lockdrop(torch.stack(outputs), self.dropout)
        log_prob = F.log_softmax(self.decoder(output.view(-1, self.nhid)), dim=-1).view(T, B, self.ntoken)
        return log_prob, [h.unsqueeze(0)]


def to_standalone(supernet: ENASRNNSupernet, cell) -> RNNModel:
    """An ``RNNModel`` for ``cell`` holding copies of the supernet's weights for it (same function, own weights)."""
    supernet.space.validate(cell)
    s = supernet
    model = RNNModel(s.ntoken, s.nhid, s.nhid, s.nhid, s.dropout, s.dropouth, s.dropoutx, s.dropouti, s.dropoute,
                     genotype=to_genotype(cell), init_op=cell[0][0])
    with torch.no_grad():
        model.encoder.weight.copy_(s.encoder.weight)
        model.decoder.bias.copy_(s.decoder.bias)
        rnn = model.rnns[0]
        rnn._W0.copy_(s._W0)
        for i, (_, j) in enumerate(cell[1:], start=2):   # paper node i is DARTS node i-1, weight _Ws[i-2]
            rnn._Ws[i - 2].copy_(s._Ws[f"{i}_{j}"])
    return model
