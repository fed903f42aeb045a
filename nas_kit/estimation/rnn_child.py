"""Performance estimation for recurrent cells: train the Penn Treebank language model of one cell briefly and
judge it by its validation perplexity (ENAS's reward is c / perplexity, c = 80; Pham et al. 2018, section 3.1).
"""
import math

import torch
import torch.nn.functional as F

from nas_kit.data import get_batch
from nas_kit.models.ptb_lm import RNNModel


def _nll(model, x, y, hidden):
    log_prob, hidden = model(x, hidden)
    return F.nll_loss(log_prob.view(-1, log_prob.size(-1)), y.reshape(-1)), hidden


@torch.no_grad()
def _perplexity(model, data, bptt):
    model.eval()
    hidden, total, count = model.init_hidden(data.size(1)), 0.0, 0
    for i in range(0, data.size(0) - 1, bptt):
        x, y = get_batch(data, i, bptt)
        loss, hidden = _nll(model, x, y, hidden)
        total, count = total + float(loss) * len(x), count + len(x)
    return math.exp(total / count)


def train_rnn_genotype(genotype, train_data, valid_data, ntoken, epochs=1, nhid=300, bptt=35, lr=20.0,
                       weight_decay=5e-7, clip=0.25, dropouts=(0.75, 0.25, 0.75, 0.2, 0.0), seed=0):
    """Train the evaluation language model (``RNNModel``) of one recurrent genotype from scratch and return
    its validation perplexity: the one recipe for the derived cell and for the random cells it is compared with.

    ``dropouts`` = (dropout, dropouth, dropoutx, dropouti, dropoute).
    """
    torch.manual_seed(seed)
    dropout, dropouth, dropoutx, dropouti, dropoute = dropouts
    model = RNNModel(ntoken, nhid, nhid, nhid, dropout, dropouth, dropoutx, dropouti, dropoute, genotype=genotype).to(train_data.device)
    opt = torch.optim.SGD(model.parameters(), lr, weight_decay=weight_decay)
    for _ in range(epochs):
        model.train()
        hidden = model.init_hidden(train_data.size(1))
        for i in range(0, train_data.size(0) - 1, bptt):
            x, y = get_batch(train_data, i, bptt)
            loss, hidden = _nll(model, x, y, [h.detach() for h in hidden])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
    return _perplexity(model, valid_data, bptt)
