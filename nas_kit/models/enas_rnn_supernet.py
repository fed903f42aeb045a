"""The ENAS recurrent supernet: every (node, input) weight of the cell exists once (Pham et al. 2018, section 2.1).

Node 1 of the cell mixes ``x_t`` and ``h_{t-1}`` through ``W0``; node ``i >= 2`` that reads node ``j``
uses its own matrix ``W[i, j]`` ("for each pair of nodes j < l there is an independent parameter
matrix W_{l,j}^{(h)}", section 2.1), with the highway gate of the DARTS/ENAS code:

    c, h = split(s_j W[i, j]);   s_i = s_j + sigmoid(c) * (f_i(h) - s_j),     h_t = mean(loose ends)

With ``batch_norm`` (the default) the search normalises as ptb_enas_child.py's ``_rhn_enas`` does: each node's
``s_j W[i, j]`` (and node 1's ``[x_t, h_{t-1}] W0``) goes through its own BatchNorm before the split, and so does
``h_t``, the mean of the loose ends (ENAS's ``batch_norm``: affine, epsilon 1.0, moving averages with decay
0.999). The paper does not mention it; the final network (``_rhn_fixed``) has none.

Where the paper and the code disagree the kit follows the paper: one matrix ``W[i, j]`` per pair of nodes
(section 2.1; the code keeps one per pair *and* activation), and all four activations tanh, ReLU, identity and
sigmoid (section 2.1; the code's controller samples only the first ``num_funcs`` = 2 of them, tanh and ReLU,
because src/ptb/main.py never sets ``num_funcs``).

A sampled cell (``nas_kit.spaces.enas_rnn`` format, a list of ``(activation, input)`` pairs) runs as
the sub-graph that uses only its own ``W[i, j]``.  Embedding, tied decoder and dropouts are those of
``nas_kit.models.ptb_lm.RNNModel``, so ``to_standalone`` copies the chosen weights into an
``RNNModel`` (around an ``ENASSearchCell`` when the supernet normalises) that computes exactly the same function.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.models.ptb_lm import LockedDropout, RNNModel, embedded_dropout
from nas_kit.models.recurrent import ACTIVATIONS, INITRANGE, DARTSCell, mask2d
from nas_kit.spaces.enas_rnn import ENASRNNSpace, loose_ends, to_genotype


def enas_batch_norm(features):
    """ENAS's ``batch_norm`` (src/ptb/ptb_ops.py): affine, epsilon 1.0, moving averages with decay 0.999."""
    return nn.BatchNorm1d(features, eps=1.0, momentum=0.001)


def highway(s_prev, ch, act, nhid, bn=None):
    """s = s_prev + sigmoid(c) * (act(h) - s_prev) with [c, h] = ch, normalised first by ``bn`` when given."""
    c, h = torch.split(bn(ch) if bn is not None else ch, nhid, dim=-1)
    return s_prev + c.sigmoid() * (ACTIVATIONS[act](h) - s_prev)


class ENASRNNSupernet(nn.Module):
    """``forward(input (T, B), hidden, cell)`` -> ``(log_probs (T, B, ntoken), new hidden)`` for the sampled ``cell``."""

    def __init__(self, ntoken, nhid, nodes=12, dropout=0.5, dropouth=0.5, dropoutx=0.5, dropouti=0.5, dropoute=0.1,
                 batch_norm=True):
        super().__init__()
        self.batch_norm = batch_norm
        # one BatchNorm per node (before its split) and one on h_t, as ptb_enas_child.py _rhn_enas
        self.node_bns = nn.ModuleList([enas_batch_norm(2 * nhid) for _ in range(nodes)]) if batch_norm else None
        self.output_bn = enas_batch_norm(nhid) if batch_norm else None
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
        bns = self.node_bns if self.batch_norm else [None] * self.nodes
        states = [highway(h_prev, xh.mm(self._W0), cell[0][0], self.nhid, bns[0])]   # states[k] is paper node k+1
        for i, (act, j) in enumerate(cell[1:], start=2):
            s_prev = states[j - 1]
            W = self._Ws[f"{i}_{j}"]
            ch = (s_prev * h_mask).mm(W) if self.training else s_prev.mm(W)
            states.append(highway(s_prev, ch, act, self.nhid, bns[i - 1]))
        h_t = torch.mean(torch.stack([states[k - 1] for k in loose_ends(cell)], -1), -1)
        return self.output_bn(h_t) if self.batch_norm else h_t

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


class ENASSearchCell(DARTSCell):
    """The ENAS cell as the search runs it (ptb_enas_child.py ``_rhn_enas``): ``DARTSCell``'s nodes with a
    BatchNorm on each node's ``s W`` before its split, and one on ``h_t``."""

    def __init__(self, nhid, dropouth, dropoutx, cell):
        super().__init__(nhid, nhid, dropouth, dropoutx, genotype=to_genotype(cell), init_op=cell[0][0])
        self.node_bns = nn.ModuleList([enas_batch_norm(2 * nhid) for _ in range(len(cell))])
        self.output_bn = enas_batch_norm(nhid)

    def cell(self, x, h_prev, x_mask, h_mask):
        xh = torch.cat([x * x_mask, h_prev * h_mask], dim=-1) if self.training else torch.cat([x, h_prev], dim=-1)
        states = [highway(h_prev, xh.mm(self._W0), self.init_op, self.nhid, self.node_bns[0])]
        for i, (act, pred) in enumerate(self.genotype.recurrent):
            s_prev = states[pred]
            ch = (s_prev * h_mask).mm(self._Ws[i]) if self.training else s_prev.mm(self._Ws[i])
            states.append(highway(s_prev, ch, act, self.nhid, self.node_bns[i + 1]))
        return self.output_bn(torch.mean(torch.stack([states[i] for i in self.genotype.concat], -1), -1))


def to_standalone(supernet: ENASRNNSupernet, cell) -> RNNModel:
    """An ``RNNModel`` for ``cell`` holding copies of the supernet's weights for it (same function, own weights);
    its cell an ``ENASSearchCell`` when the supernet normalises."""
    supernet.space.validate(cell)
    s = supernet
    search_cell = ENASSearchCell(s.nhid, s.dropouth, s.dropoutx, cell) if s.batch_norm else None
    model = RNNModel(s.ntoken, s.nhid, s.nhid, s.nhid, s.dropout, s.dropouth, s.dropoutx, s.dropouti, s.dropoute,
                     **(dict(cell=search_cell) if search_cell is not None else
                        dict(genotype=to_genotype(cell), init_op=cell[0][0])))
    with torch.no_grad():
        model.encoder.weight.copy_(s.encoder.weight)
        model.decoder.bias.copy_(s.decoder.bias)
        rnn = model.rnns[0]
        rnn._W0.copy_(s._W0)
        for i, (_, j) in enumerate(cell[1:], start=2):   # paper node i is DARTS node i-1, weight _Ws[i-2]
            rnn._Ws[i - 2].copy_(s._Ws[f"{i}_{j}"])
        if s.batch_norm:
            rnn.node_bns.load_state_dict(s.node_bns.state_dict())
            rnn.output_bn.load_state_dict(s.output_bn.state_dict())
    return model
