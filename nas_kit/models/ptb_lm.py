"""The Penn Treebank language model around a searched cell (DARTS appendix A.1.2; quark0/darts rnn/model.py).

Embedding -> one recurrent cell -> tied decoder (Press & Wolf 2017), regularised as in
AWD-LSTM (Merity et al. 2018): embedding dropout on whole words (``dropoute``), variational
("locked") dropout on the embeddings (``dropouti``), on the cell's inputs and hidden
state (``dropoutx``, ``dropouth``) and on its outputs (``dropout``).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.models.recurrent import INITRANGE, DARTSCell


def embedded_dropout(embed, words, dropout=0.1, scale=None):
    """Drop whole rows of the embedding matrix (a word is dropped everywhere in the batch), scaling the rest."""
    weight = embed.weight
    if dropout:
        mask = torch.bernoulli(weight.new_full((weight.size(0), 1), 1 - dropout)) / (1 - dropout)
        weight = mask * weight
    if scale is not None:
        weight = scale.expand_as(weight) * weight
    return F.embedding(words, weight, embed.padding_idx, embed.max_norm, embed.norm_type,
                       embed.scale_grad_by_freq, embed.sparse)


class LockedDropout(nn.Module):
    """Variational dropout: one mask per sequence, shared across the time dimension (Gal & Ghahramani 2016)."""

    def forward(self, x, dropout=0.5):
        if not self.training or not dropout:
            return x
        mask = torch.bernoulli(x.new_full((1, x.size(1), x.size(2)), 1 - dropout)) / (1 - dropout)
        return mask * x


class RNNModel(nn.Module):
    """``forward(input (T, B) token ids, hidden)`` -> ``(log_probs (T, B, ntoken), new hidden)``.

    The recurrent cell is ``DARTSCell(genotype)``, or ``cell``, any module with the same
    ``forward(inputs, hidden)`` (the DARTS search cell, nas_kit.models.darts_rnn_search).
    """

    def __init__(self, ntoken, ninp, nhid, nhidlast, dropout=0.5, dropouth=0.5, dropoutx=0.5,
                 dropouti=0.5, dropoute=0.1, genotype=None, init_op="tanh", cell=None):
        super().__init__()
        if not ninp == nhid == nhidlast:
            raise ValueError(f"ninp, nhid and nhidlast must be equal for the tied decoder, got {ninp}, {nhid}, {nhidlast}.")
        if genotype is None and cell is None:
            raise ValueError("RNNModel needs a genotype, e.g. nas_kit.genotypes.DARTS_V2_RNN.")
        if genotype is not None and cell is not None:
            raise ValueError("RNNModel takes a genotype or a cell, not both.")
        self.lockdrop = LockedDropout()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnns = nn.ModuleList([cell if cell is not None else DARTSCell(ninp, nhid, dropouth, dropoutx, genotype, init_op)])
        self.decoder = nn.Linear(ninp, ntoken)
        self.decoder.weight = self.encoder.weight  # weight tying
        self.init_weights()
        self.ninp, self.nhid, self.nhidlast, self.ntoken = ninp, nhid, nhidlast, ntoken
        self.dropout, self.dropouti, self.dropoute = dropout, dropouti, dropoute

    def init_weights(self):
        self.encoder.weight.data.uniform_(-INITRANGE, INITRANGE)
        self.decoder.bias.data.fill_(0)

    def forward(self, input, hidden, return_h=False):
        batch_size = input.size(1)
        emb = embedded_dropout(self.encoder, input, dropout=self.dropoute if self.training else 0)
        raw_output = self.lockdrop(emb, self.dropouti)
        new_hidden, raw_outputs = [], []
        for l, rnn in enumerate(self.rnns):
            raw_output, new_h = rnn(raw_output, hidden[l])
            new_hidden.append(new_h)
            raw_outputs.append(raw_output)
        output = self.lockdrop(raw_output, self.dropout)
        logit = self.decoder(output.view(-1, self.ninp))
        log_prob = F.log_softmax(logit, dim=-1).view(-1, batch_size, self.ntoken)
        if return_h:
            return log_prob, new_hidden, raw_outputs, [output]
        return log_prob, new_hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return [weight.new_zeros(1, bsz, self.nhid)]
