"""PNAS (Liu et al. 2018): progressive expansion, the MLP and LSTM predictors, the held-out rank correlation."""
import random

import numpy as np
import pytest
import torch

from nas_kit.estimation.surrogate import (LSTMPredictor, MLPPredictor, SurrogateEnsemble, blocks_of, encode_tokens,
                                          spearman)
from nas_kit.spaces import pnas
from nas_kit.spaces.pnas import pnas_genotype
from nas_kit.strategies.base import run_search
from nas_kit.strategies.pnas import PNAS, expand, synthetic_reward

torch.set_num_threads(1)


def sep_conv_count(cell):
    """A known function of the cell for the predictors to learn: the share of its ops that are sep_conv_3x3,
    mapped into [0.5, 0.9] like an accuracy."""
    ops = [op for _, op1, _, op2 in blocks_of(cell) for op in (op1, op2)]
    return 0.5 + 0.4 * sum(op == "sep_conv_3x3" for op in ops) / len(ops)


def random_cells(n, blocks, seed):
    space, rng = pnas(blocks), random.Random(seed)
    return [space.sample(rng) for _ in range(n)]


def test_spearman_matches_the_definition():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # 1 - 6 sum d^2 / (n (n^2 - 1)) without ties: ranks (1,2,3,4,5) vs (2,1,4,3,5) -> d^2 = 4 -> 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert spearman([1, 1, 2], [1, 1, 2]) == pytest.approx(1.0)   # ties share their mean rank


def test_the_search_starts_from_all_256_one_block_cells():
    strategy = PNAS(B=2, K=4, epochs=1)
    first = strategy.ask(1000)
    assert len(first) == 256 == pnas(1).size()
    assert len({strategy.encode(c) for c in first}) == 256
    assert all(len(c.normal) == 2 for c in first)


def test_expansion_adds_one_block_to_each_of_the_K_beams_and_only_valid_cells():
    space2, space3 = pnas(2), pnas(3)
    beams = random_cells(3, 2, seed=0)
    for beam in beams:
        children = expand(beam, space2.cell_ops)
        assert len(children) == (4 * 8) ** 2                 # block 3 reads any of 4 states through any of 8 ops
        assert len({space3.encode(c) for c in children}) == len(children)
        for child in children:
            space3.validate(child)                           # raises on an invalid cell
            assert blocks_of(child)[:2] == blocks_of(beam)   # the beam's blocks, unchanged, then one more
    # inside the search: step 2 trains K cells, each a 1-block beam plus one block
    strategy = PNAS(B=2, K=5, predictor="mlp", epochs=2)
    run_search(strategy, synthetic_reward, 256, batch_size=256)
    second = strategy.ask(100)
    assert len(second) == 5 and strategy.candidates[2] == 5 * (3 * 8) ** 2
    beams = {strategy.encode(pnas_genotype(blocks_of(c)[:1])) for c in second}
    best5 = sorted(strategy.trained[1], key=lambda ar: -ar[1])[:5]
    assert beams <= {strategy.encode(a) for a, _ in best5}
    for c in second:
        pnas(2).validate(c)


def test_the_mlp_is_invariant_to_the_order_of_the_blocks():
    torch.manual_seed(0)
    mlp, lstm = MLPPredictor(), LSTMPredictor()
    blocks = [(0, "sep_conv_3x3", 1, "max_pool_3x3"), (2, "skip_connect", 0, "sep_conv_7x7"),
              (1, "avg_pool_3x3", 1, "conv_7x1_1x7")]
    swapped = [blocks[2], blocks[0], blocks[1]]
    a, b = encode_tokens([blocks]), encode_tokens([swapped])
    assert mlp(*a).item() == pytest.approx(mlp(*b).item(), abs=1e-6)   # mean pooling over blocks
    assert lstm(*a).item() != pytest.approx(lstm(*b).item(), abs=1e-6)  # the LSTM reads them in order


def test_padding_does_not_change_a_prediction():
    torch.manual_seed(0)
    short = [(0, "sep_conv_3x3", 1, "max_pool_3x3")]
    long = short + [(2, "skip_connect", 0, "sep_conv_7x7"), (1, "avg_pool_3x3", 3, "conv_7x1_1x7")]
    for model in (MLPPredictor(), LSTMPredictor()):
        alone = model(*encode_tokens([short])).item()
        padded = model(*encode_tokens([short, long]))[0].item()
        assert alone == pytest.approx(padded, abs=1e-6)


@pytest.mark.parametrize("kind", ["mlp", "lstm"])
def test_both_predictors_learn_a_known_function_of_the_cell(kind):
    train = random_cells(160, 2, seed=1) + random_cells(160, 3, seed=2)
    test = random_cells(100, 3, seed=3)
    ensemble = SurrogateEnsemble(kind, members=3, max_blocks=3, epochs=40, seed=0)
    ensemble.fit(train, [sep_conv_count(c) for c in train])
    rho = spearman(ensemble.predict(test), [sep_conv_count(c) for c in test])
    assert rho > 0.6


def test_the_search_returns_the_best_cell_per_block_count_and_a_positive_held_out_correlation():
    strategy = PNAS(B=3, K=8, predictor="lstm", epochs=30, finetune_epochs=10, holdout=24, seed=0)
    history = run_search(strategy, synthetic_reward, strategy.total_evaluations(), batch_size=64)
    assert len(history) == 256 + 2 * (8 + 24) == strategy.total_evaluations()
    best = strategy.best_per_block()
    assert sorted(best) == [1, 2, 3]
    for b, (cell, reward) in best.items():
        assert len(blocks_of(cell)) == b
        assert reward == max(r for _, r in strategy.trained[b])
    assert best[1][1] < best[2][1] < best[3][1]               # more blocks, better cells (the curriculum)
    assert best[3][1] == max(r for _, r in strategy.trained[3])
    assert strategy.correlation[1] > 0.5                      # out-of-fold on the 256 one-block cells
    assert all(strategy.holdout_correlation[b] > 0.3 for b in (2, 3))
    with pytest.raises(RuntimeError, match="finished"):
        strategy.ask(1)


def test_a_failed_child_is_skipped():
    strategy = PNAS(B=2, K=3, epochs=2)

    def sometimes_fails(cell):
        return None if blocks_of(cell)[0][1] == "skip_connect" else synthetic_reward(cell)

    history = run_search(strategy, sometimes_fails, strategy.total_evaluations(), batch_size=128)
    assert len(history.failures()) == 32                      # 1-block cells whose first op is skip_connect
    assert all(r is not None for _, r in strategy.trained[2])
    assert all(blocks_of(c)[0][1] != "skip_connect" for c, _ in strategy.trained[2])


def test_unknown_ops_and_kinds_are_refused_in_one_sentence():
    with pytest.raises(ValueError, match="does not know"):
        encode_tokens([[(0, "conv_3x3", 1, "skip_connect")]])
    with pytest.raises(ValueError, match="kind must be one of mlp, lstm"):
        SurrogateEnsemble("gru")
    assert np.isfinite(synthetic_reward(pnas(5).sample(0)))


def _fitted(cells, kind="mlp"):
    ensemble = SurrogateEnsemble(kind, members=3, max_blocks=3, epochs=5, seed=0)
    return ensemble.fit(cells, [sep_conv_count(c) for c in cells])


def test_algorithm_1_finetunes_the_predictor_with_new_data_from_the_weights_it_has():
    """Liu et al. 2018, Algorithm 1: pi = update-predictor(S_b, A_b, pi), "finetune predictor with new data"."""
    old, new, probe = random_cells(60, 2, seed=1), random_cells(30, 3, seed=2), random_cells(20, 3, seed=3)
    a, b = _fitted(old), _fitted(old)
    b.accuracies = [1 - y for y in b.accuracies]       # other old data: it must not enter the fine-tuning
    before = a.predict(probe)
    assert np.allclose(_fitted(old).finetune(new, [0.5] * 30, epochs=0).predict(probe), before)   # keeps weights
    a.finetune(new, [sep_conv_count(c) for c in new], epochs=3)
    b.finetune(new, [sep_conv_count(c) for c in new], epochs=3)
    refit = _fitted(old)
    refit.fit(new, [sep_conv_count(c) for c in new], epochs=3)                   # the other reading: all data
    assert not np.allclose(a.predict(probe), before)
    assert np.allclose(a.predict(probe), b.predict(probe), atol=1e-6)            # only the new pairs count
    assert not np.allclose(a.predict(probe), refit.predict(probe), atol=1e-4)


def test_pnas_fits_the_predictor_once_on_the_one_block_cells_then_finetunes_it_on_each_steps_k_cells():
    calls = []

    class Spy(SurrogateEnsemble):
        def fit(self, cells=(), accuracies=(), epochs=None):
            calls.append(("fit", len(cells), epochs))
            return super().fit(cells, accuracies, epochs)

        def finetune(self, cells, accuracies, epochs=None):
            calls.append(("finetune", len(cells), epochs))
            return super().finetune(cells, accuracies, epochs)

    strategy = PNAS(B=3, K=4, predictor=Spy("mlp", members=2, max_blocks=3, seed=0), first=20, epochs=2,
                    finetune_epochs=1, seed=0)
    run_search(strategy, synthetic_reward, strategy.total_evaluations(), batch_size=64)
    assert calls == [("fit", 20, 2), ("finetune", 4, 1), ("finetune", 4, 1)]


def test_finetune_without_new_pairs_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="finetune needs new"):
        _fitted(random_cells(10, 1, seed=0)).finetune([], [])
