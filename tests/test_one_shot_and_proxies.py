"""One-shot evaluation and zero-cost proxies: the supernet's path of a cell is that cell's stand-alone network
(Bender et al. 2018), rank correlation as Spearman defines it, and each proxy as its paper states it."""
import random

import numpy as np
import pytest
import torch
import torch.nn as nn

from nas_kit.estimation.one_shot import ranking, shared_accuracy, train_supernet
from nas_kit.estimation.ranking import ranks, spearman, top_k_overlap
from nas_kit.estimation.zero_cost import PROXIES, grad_norm, naswot, score_all, snip, synflow
from nas_kit.models import BenchNetwork
from nas_kit.models.bench_supernet import BenchSupernet
from nas_kit.spaces import BenchSpace
from nas_kit.strategies import run_search
from nas_kit.strategies.warm_start import proxy_ranked, proxy_warm_evolution

SPACE = BenchSpace()


def test_spearman_is_the_correlation_of_ranks_and_top_k_the_shared_best():
    a = [0.1, 0.5, 0.3, 0.9, 0.7]
    assert spearman(a, np.exp(a)) == pytest.approx(1.0) and spearman(a, [-v for v in a]) == pytest.approx(-1.0)
    assert list(ranks([3, 1, 3, 2])) == [3.5, 1, 3.5, 2]
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(1 - 6 * 4 / (5 * 24))   # 1 - 6 sum d^2 / n(n^2-1)
    assert top_k_overlap(a, [0.0, 0.0, 0.0, 1.0, 0.5], 2) == 1.0 and top_k_overlap(a, [1, 1, 0, 0, 0], 2) == 0.0


@pytest.mark.parametrize("seed", [0, 1])
def test_a_path_of_the_supernet_is_the_stand_alone_network_of_its_cell(seed):
    torch.manual_seed(seed)
    arch = SPACE.sample(seed)
    net, alone = BenchSupernet(SPACE.ops, C=4, cells_per_stage=2), BenchNetwork(arch, C=4, cells_per_stage=2)
    shared = net.path_parameters(arch)
    assert [p.shape for p in shared] == [p.shape for p in alone.parameters()]
    with torch.no_grad():
        for mine, theirs in zip(alone.parameters(), shared):
            mine.copy_(theirs)
    x = torch.randn(6, 3, 8, 8)
    alone.train()                                           # batch statistics, as the supernet's BatchNorms
    torch.testing.assert_close(net(x, arch), alone(x))


def test_the_supernet_trains_by_sampled_paths_and_judges_every_cell_by_shared_weights():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (96, 16, 16, 3), generator=g, dtype=torch.uint8).numpy()
    y = torch.randint(0, 3, (96,), generator=g).numpy()
    before = BenchSupernet(SPACE.ops, 4, 1, 3)
    net = train_supernet((x, y), SPACE, epochs=1, C=4, batch_size=32, seed=0)
    assert any(not torch.equal(a, b) for a, b in zip(before.state_dict().values(), net.state_dict().values()))
    archs = [SPACE.sample(k) for k in range(6)]
    result = ranking(net, archs, x[:40], y[:40], truth=list(range(6)), k=3)
    assert all(0 <= s <= 1 for s in result["shared"]) and -1 <= result["spearman"] <= 1


class TwoLayers(nn.Module):
    def __init__(self, W1, W2):
        super().__init__()
        self.a, self.b = nn.Linear(2, 3, bias=False), nn.Linear(3, 2, bias=False)
        with torch.no_grad():
            self.a.weight.copy_(torch.tensor(W1)), self.b.weight.copy_(torch.tensor(W2))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.b(self.relu(self.a(x)))


W1, W2 = [[1.0, -1.0], [0.5, 2.0], [-1.0, -0.5]], [[1.0, 2.0, -1.0], [0.5, -1.0, 1.0]]


def test_naswot_is_the_log_determinant_of_n_a_minus_the_hamming_distances():
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    codes = (x @ torch.tensor(W1).T > 0).double()                          # the one ReLU: 3 units
    K = torch.tensor([[3 - (ci != cj).sum() for cj in codes] for ci in codes], dtype=torch.float64)
    assert naswot(TwoLayers(W1, W2), x) == pytest.approx(float(torch.linalg.slogdet(K)[1]))


def test_synflow_needs_no_data_and_ignores_the_signs_of_the_weights():
    model = TwoLayers(W1, W2)
    positive = TwoLayers([[abs(v) for v in r] for r in W1], [[abs(v) for v in r] for r in W2])
    x1, x2 = torch.randn(4, 2), torch.randn(4, 2) * 10
    # R = 1^T |W2| |W1| 1 per input, and sum |theta dR/dtheta| over both layers is 2 R for this linear chain
    R = 4 * torch.tensor(W2).abs().sum(0) @ torch.tensor(W1).abs().sum(1)
    assert synflow(model, x1) == synflow(model, x2) == synflow(positive, x1) == pytest.approx(2 * float(R))


def test_snip_and_grad_norm_sum_the_saliencies_and_gradient_norms_of_the_loss():
    model, x, y = TwoLayers(W1, W2), torch.randn(5, 2), torch.tensor([0, 1, 1, 0, 1])
    nn.functional.cross_entropy(model(x), y).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    assert snip(model, x, y) == pytest.approx(sum(float((p.detach() * g).abs().sum()) for p, g in zip(model.parameters(), grads)))
    assert grad_norm(model, x, y) == pytest.approx(sum(float(g.norm()) for g in grads))


def test_every_proxy_scores_benchmark_cells_and_a_warm_start_begins_with_the_proxys_best():
    torch.set_num_threads(1)
    x, y = torch.rand(8, 3, 8, 8), torch.randint(0, 10, (8,))
    archs = [SPACE.sample(k) for k in range(3)]
    for name in PROXIES:
        scores = score_all(archs, lambda a: BenchNetwork(a, C=4), x, y, name)
        assert np.all(np.isfinite(scores)) and len(set(scores)) > 1, name
    score = lambda a: sum(op == "nor_conv_3x3" for op in a)                          # noqa: E731
    best = proxy_ranked(SPACE, score, pool_size=50, k=5, seed=0)
    pool = [SPACE.sample(r) for r in [random.Random(0)] for _ in range(50)]
    assert sorted(map(score, best), reverse=True) == sorted(map(score, pool), reverse=True)[:5]
    history = run_search(proxy_warm_evolution(SPACE, score, pool_size=50, population_size=5, sample_size=2), score, 8)
    assert [r.arch for r in history[:5]] == best
