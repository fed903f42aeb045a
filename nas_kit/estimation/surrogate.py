"""The accuracy predictors of PNAS (Liu et al. 2018, section 3.3): read a cell, predict its accuracy.

A PNAS cell is a list of b blocks ``(in1, op1, in2, op2)`` (nas_kit.spaces.pnas.cell_to_blocks).
Both predictors embed the tokens: one shared table for the inputs I1, I2 and one for the ops O1, O2
(embedding size D = 100 in the paper), and both end in a fully connected layer and a sigmoid, so they
regress accuracies in [0, 1]. They differ in how they handle cells with different numbers of blocks:

* MLPPredictor: each block -> the 4D concatenation [e(I1), e(I2), e(O1), e(O2)]; the cell -> the
  mean over its blocks (so the order of the blocks does not matter); then an MLP.
* LSTMPredictor: an LSTM (hidden 100 in the paper) reads the 4b tokens I1, I2, O1, O2 of block 1,
  then of block 2, ...; its final hidden state -> the FC layer and the sigmoid.

An ensemble of 5 (``SurrogateEnsemble``), member m trained on the cells outside fold m (the paper:
"each trained on 4/5 of the data"), predicts the mean of its members. Loss: L1 on the accuracy; Adam,
learning rate 0.01 (both as the paper). Algorithm 1 trains the predictor from scratch once, on the one-block
cells (``pi = fit(S_1, A_1)``), and after each later step fine-tunes it on the cells just trained
(``pi = update-predictor(S_b, A_b, pi)``, "finetune predictor with new data"): ``fit`` and ``finetune`` below.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from nas_kit.genotypes import PNAS_PRIMITIVES
from nas_kit.spaces.pnas import cell_to_blocks


def spearman(x, y) -> float:
    """Spearman's rank correlation: the Pearson correlation of the ranks (ties get their mean rank)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(f"spearman needs two 1-D sequences of the same length >= 2, not shapes {x.shape} and {y.shape}.")
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt((rx ** 2).sum() * (ry ** 2).sum())
    return float((rx * ry).sum() / denom) if denom > 0 else 0.0


def _ranks(a):
    order = np.argsort(a, kind="stable")
    ranks = np.empty(len(a))
    ranks[order] = np.arange(len(a), dtype=float)
    for value in np.unique(a):  # ties share their mean rank
        tied = a == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def blocks_of(cell) -> list:
    """The blocks ``(in1, op1, in2, op2)`` of a PNAS Genotype, or ``cell`` itself if it is already blocks."""
    if hasattr(cell, "normal"):
        return cell_to_blocks(list(cell.normal))
    return [tuple(b) for b in cell]


def encode_tokens(cells, ops=PNAS_PRIMITIVES, max_blocks=5):
    """(LongTensor inputs (n, B, 2), LongTensor ops (n, B, 2), lengths (n,)): each cell's blocks as token
    indices, padded with zeros to the longest cell; ``lengths`` holds the number of blocks."""
    op_index = {op: i for i, op in enumerate(ops)}
    blocks = [blocks_of(c) for c in cells]
    lengths = np.array([len(b) for b in blocks])
    if lengths.max() > max_blocks:
        n = int(lengths.argmax())
        raise ValueError(f"cell {n} has {lengths[n]} blocks; the predictor was built for at most {max_blocks}.")
    inputs = np.zeros((len(cells), lengths.max(), 2), dtype=np.int64)
    opids = np.zeros((len(cells), lengths.max(), 2), dtype=np.int64)
    for n, cell in enumerate(blocks):
        for j, (in1, op1, in2, op2) in enumerate(cell):
            if op1 not in op_index or op2 not in op_index:
                bad = op1 if op1 not in op_index else op2
                raise ValueError(f"cell {n} uses op {bad!r}, which the predictor does not know ({', '.join(ops)}).")
            if not (0 <= in1 <= max_blocks and 0 <= in2 <= max_blocks):
                raise ValueError(f"cell {n}, block {j + 1} reads input {max(in1, in2)}; inputs run 0..{max_blocks}.")
            inputs[n, j] = in1, in2
            opids[n, j] = op_index[op1], op_index[op2]
    return torch.from_numpy(inputs), torch.from_numpy(opids), torch.from_numpy(lengths)


class _Embed(nn.Module):
    """Shared embeddings: one table for the inputs (0 .. max_blocks, as block b may read states 0..b)
    and one for the ops."""

    def __init__(self, n_ops, max_blocks, D):
        super().__init__()
        self.inputs = nn.Embedding(max_blocks + 1, D)
        self.ops = nn.Embedding(n_ops, D)

    def forward(self, inputs, ops):
        """(n, B, 2) inputs and ops -> (n, B, 4, D): the tokens I1, I2, O1, O2 of each block."""
        return torch.cat([self.inputs(inputs), self.ops(ops)], dim=2)


class MLPPredictor(nn.Module):
    """Mean over blocks of [e(I1), e(I2), e(O1), e(O2)], then an MLP and a sigmoid."""

    def __init__(self, n_ops=len(PNAS_PRIMITIVES), max_blocks=5, D=100, hidden=(100, 100)):
        super().__init__()
        self.embed = _Embed(n_ops, max_blocks, D)
        layers, width = [], 4 * D
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        self.mlp = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, inputs, ops, lengths):
        n, B = inputs.shape[:2]
        blocks = self.embed(inputs, ops).reshape(n, B, -1)                       # (n, B, 4D)
        mask = (torch.arange(B)[None, :] < lengths[:, None]).float()[..., None]   # padded blocks -> 0
        pooled = (blocks * mask).sum(1) / lengths[:, None].float()
        return torch.sigmoid(self.mlp(pooled)).squeeze(1)


class LSTMPredictor(nn.Module):
    """An LSTM over the 4b tokens I1, I2, O1, O2 of each block in turn; final hidden state -> FC -> sigmoid."""

    def __init__(self, n_ops=len(PNAS_PRIMITIVES), max_blocks=5, D=100, hidden=100):
        super().__init__()
        self.embed = _Embed(n_ops, max_blocks, D)
        self.lstm = nn.LSTM(D, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, inputs, ops, lengths):
        n, B = inputs.shape[:2]
        tokens = self.embed(inputs, ops).reshape(n, 4 * B, -1)                   # (n, 4B, D)
        packed = nn.utils.rnn.pack_padded_sequence(tokens, 4 * lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return torch.sigmoid(self.fc(h[-1])).squeeze(1)


PREDICTORS = {"mlp": MLPPredictor, "lstm": LSTMPredictor}


class SurrogateEnsemble:
    """``members`` predictors of one kind ('mlp' or 'lstm'), member m trained on the cells outside fold m.

    fit(cells, accuracies)   train on every cell seen so far (PNAS: the first fit, on the one-block cells)
    finetune(cells, accs)    keep the members' weights and train on these new cells only (Algorithm 1's
                             update-predictor)
    predict(cells)           the ensemble's mean prediction, a numpy array
    out_of_fold()            each seen cell predicted by the member that did not train on it, with the
                             accuracies: a held-out estimate of the rank correlation (needs members >= 2)
    """

    def __init__(self, kind="mlp", members=5, ops=PNAS_PRIMITIVES, max_blocks=5, lr=0.01, epochs=50,
                 batch_size=64, seed=0, **sizes):
        if kind not in PREDICTORS:
            raise ValueError(f"kind must be one of {', '.join(PREDICTORS)}, not {kind!r}.")
        if members < 1:
            raise ValueError(f"an ensemble needs at least one member, not {members}.")
        self.kind, self.ops, self.max_blocks = kind, tuple(ops), max_blocks
        self.lr, self.epochs, self.batch_size, self.seed = lr, epochs, batch_size, seed
        torch.manual_seed(seed)
        self.models = [PREDICTORS[kind](len(self.ops), max_blocks, **sizes) for _ in range(members)]
        self.optimizers = [torch.optim.Adam(m.parameters(), lr) for m in self.models]
        self.cells, self.accuracies, self.folds = [], [], []
        self._fold_rng = np.random.default_rng(seed)

    def _tokens(self, cells):
        return encode_tokens(cells, self.ops, self.max_blocks)

    def add(self, cells, accuracies):
        """Remember new (cell, accuracy) pairs; each gets a random fold."""
        if len(cells) != len(accuracies):
            raise ValueError(f"got {len(cells)} cells but {len(accuracies)} accuracies.")
        self.cells += list(cells)
        self.accuracies += [float(a) for a in accuracies]
        self.folds += list(self._fold_rng.integers(len(self.models), size=len(cells)))

    def fit(self, cells=(), accuracies=(), epochs=None):
        """Add the new pairs, then train every member for ``epochs`` passes over its 4/5 of all pairs (L1, Adam)."""
        self.add(cells, accuracies)
        if not self.cells:
            raise ValueError("the predictor has no (cell, accuracy) pairs to train on.")
        return self._train(np.arange(len(self.cells)), epochs)

    def finetune(self, cells, accuracies, epochs=None):
        """PNAS's ``update-predictor(S_b, A_b, pi)`` (Algorithm 1: "finetune predictor with new data"): add the
        new pairs and train every member, from the weights it has, on its 4/5 of the new pairs only."""
        start = len(self.cells)
        self.add(cells, accuracies)
        if len(self.cells) == start:
            raise ValueError("finetune needs new (cell, accuracy) pairs.")
        return self._train(np.arange(start, len(self.cells)), epochs)

    def _train(self, pairs, epochs):
        """``epochs`` passes of every member over the pairs ``pairs`` (indices) outside its fold."""
        inputs, ops, lengths = self._tokens([self.cells[i] for i in pairs])
        y = torch.tensor([self.accuracies[i] for i in pairs], dtype=torch.float32)
        folds = np.array(self.folds)[pairs]
        g = torch.Generator().manual_seed(self.seed + len(self.cells))
        for m, (model, opt) in enumerate(zip(self.models, self.optimizers)):
            idx = np.flatnonzero(folds != m) if len(self.models) > 1 else np.arange(len(y))
            idx = torch.as_tensor(idx if len(idx) else np.arange(len(y)))
            model.train()
            for _ in range(self.epochs if epochs is None else epochs):
                for batch in idx[torch.randperm(len(idx), generator=g)].split(self.batch_size):
                    loss = (model(inputs[batch], ops[batch], lengths[batch]) - y[batch]).abs().mean()
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        return self

    @torch.no_grad()
    def _member_predictions(self, cells, batch=4096):
        out = []
        for start in range(0, len(cells), batch):
            inputs, ops, lengths = self._tokens(cells[start:start + batch])
            out.append(torch.stack([m.eval()(inputs, ops, lengths) for m in self.models]))
        return torch.cat(out, dim=1).numpy()                                      # (members, n)

    def predict(self, cells) -> np.ndarray:
        """The mean prediction of the members for each cell."""
        cells = list(cells)
        return self._member_predictions(cells).mean(0) if cells else np.zeros(0)

    def out_of_fold(self):
        """(predictions, accuracies) of the seen cells, each predicted by the member that held its fold out."""
        if len(self.models) < 2:
            raise ValueError("out-of-fold predictions need an ensemble of at least 2 members.")
        preds = self._member_predictions(self.cells)
        return preds[np.array(self.folds), np.arange(len(self.cells))], np.array(self.accuracies)
