"""The DARTS recurrent search as quark0/darts rnn/train_search.py runs it: TAR on w's loss, variable-length
BPTT with the learning rate scaled by the length."""
import random

import pytest
import torch

from nas_kit.data import batchify
from nas_kit.models.darts_rnn_search import RNNModelSearch
from nas_kit.strategies.darts import recipe
from nas_kit.strategies.darts import search as darts_search
from nas_kit.strategies.darts.search import sequence_length, temporal_activation_regularisation


def test_the_bptt_length_is_35_nineteen_times_in_twenty_and_17_otherwise():
    """train_search.py: bptt = args.bptt if np.random.random() < 0.95 else args.bptt / 2.; seq_len = int(bptt)."""
    rng = random.Random(0)
    lengths = [sequence_length(rng, 35) for _ in range(20000)]
    assert set(lengths) == {35, 17} and abs(lengths.count(17) / len(lengths) - 0.05) < 0.005
    assert {sequence_length(rng, 35, variable_bptt=False) for _ in range(100)} == {35}


def test_tar_is_beta_times_the_mean_squared_change_of_the_last_layers_hidden_states():
    h = torch.tensor([[[0.0, 1.0]], [[2.0, 1.0]], [[2.0, 4.0]]])          # (T=3, B=1, 2)
    assert temporal_activation_regularisation([torch.zeros(3, 1, 2), h], 1e-3).item() == pytest.approx(
        1e-3 * (4 + 0 + 0 + 9) / 4)


def test_the_full_darts_recurrent_search_uses_tar_1e3_and_variable_bptt():
    full, quick = recipe.RECIPES["darts_rnn"]
    assert (full.beta, full.variable_bptt, full.bptt, full.lr) == (1e-3, True, 35, 20.0)
    assert (quick.beta, quick.variable_bptt) == (full.beta, full.variable_bptt)


def test_each_w_step_scales_the_learning_rate_by_its_length_and_adds_tar(monkeypatch):
    """Record, at each w step, the lr and the sequence length, and the loss that is differentiated."""
    torch.manual_seed(0)
    model = RNNModelSearch(20, 8, 8, 8, 0.0, 0.0, 0.0, 0.0, 0.0, steps=2)
    train, valid = batchify(torch.randint(20, (8 * 41,)), 8), batchify(torch.randint(20, (8 * 41,)), 8)
    steps = []
    original_step = torch.optim.SGD.step

    def step(self, *a, **k):
        steps.append(self.param_groups[0]["lr"])
        return original_step(self, *a, **k)
    monkeypatch.setattr(torch.optim.SGD, "step", step)
    lengths = []
    monkeypatch.setattr(darts_search, "sequence_length",
                        lambda rng, bptt, v=True: lengths.append(10 if len(lengths) % 2 else 5) or lengths[-1])
    tars = []
    original_tar = darts_search.temporal_activation_regularisation
    monkeypatch.setattr(darts_search, "temporal_activation_regularisation",
                        lambda hs, beta: tars.append(beta) or original_tar(hs, beta))
    darts_search.search_rnn(model, train, valid, epochs=1, bptt=10, lr=2.0, log=lambda *a: None)
    assert steps == [2.0 * n / 10 for n in lengths[:len(steps)]] and len(steps) >= 4
    assert tars == [1e-3] * len(steps)
