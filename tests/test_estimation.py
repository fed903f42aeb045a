"""The evaluator: train a tiny child, cache by encoding, survive failures, and give the same
history on a thread pool, a process pool and a Dask cluster."""
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
import torch
import torch.nn as nn

from nas_kit.data import make_cifar_like
from nas_kit.estimation import Budget, Evaluator
from nas_kit.genotypes import Genotype
from nas_kit.spaces import pnas
from nas_kit.strategies import RandomSearch, RegularizedEvolution, run_search

torch.set_num_threads(1)

SPACE = pnas(blocks=2)
TINY = Budget(epochs=1, C=4, layers=2, image_size=16, batch_size=50)   # 198 training images, 22 validation


@pytest.fixture(scope="module")
def data():
    return make_cifar_like(n_train=220, n_test=10, seed=0)


def signature(history):
    return [(r.encoding, r.reward, r.status) for r in history]


def test_a_child_trains_and_its_reward_is_a_validation_accuracy(data):
    evaluator = Evaluator(data, TINY, space=SPACE, executor=ThreadPoolExecutor(1))
    (outcome,) = evaluator.evaluate_many([SPACE.sample(0)])
    assert outcome.status == "ok" and outcome.cost == 1.0 and outcome.wall_time > 0
    assert 0.0 <= outcome.reward <= 1.0 and round(outcome.reward * 22) == outcome.reward * 22   # k / 22 correct


def test_the_cache_trains_each_encoding_once(data):
    evaluator = Evaluator(data, TINY, space=SPACE, executor=ThreadPoolExecutor(2))
    a, b = SPACE.sample(1), SPACE.sample(2)
    first = evaluator.evaluate_many([a, b, a])
    assert len(evaluator.cache) == 2
    assert first[2].reward == first[0].reward and first[2].cost == 0.0 and first[0].cost == 1.0
    again = evaluator.evaluate_many([b])
    assert again[0].reward == first[1].reward and again[0].cost == 0.0
    assert evaluator(a) == first[0].reward          # the in-process call shares the cache


class NaNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.full((x.shape[0], 10), float("nan")) * self.w


def nan_for_max_pool(arch, budget, num_classes):
    """A builder whose children with a max_pool_3x3 produce NaN logits."""
    from nas_kit.estimation import build_child
    return NaNNet() if any(op == "max_pool_3x3" for op, _ in arch.normal) else build_child(arch, budget, num_classes, SPACE)


def test_a_failing_candidate_is_recorded_and_the_search_goes_on(data):
    ok = SPACE.sample(0)
    bad_op = Genotype(normal=[("conv_9x9", 0), ("skip_connect", 1)], normal_concat=[2],
                      reduce=[("conv_9x9", 0), ("skip_connect", 1)], reduce_concat=[2])
    ok = next(a for a in (SPACE.sample(s) for s in range(100)) if all(op != "max_pool_3x3" for op, _ in a.normal))
    nan = ok._replace(normal=[("max_pool_3x3", 0)] + ok.normal[1:], reduce=[("max_pool_3x3", 0)] + ok.normal[1:])
    evaluator = Evaluator(data, TINY, executor=ThreadPoolExecutor(2), build_fn=nan_for_max_pool)
    outcomes = evaluator.evaluate_many([bad_op, nan, ok])
    assert [o.status for o in outcomes] == ["failed", "failed", "ok"]
    assert outcomes[0].reward is None and "conv_9x9" in outcomes[0].error
    assert outcomes[1].reward is None and "loss became nan" in outcomes[1].error

    evaluator = Evaluator(data, TINY, space=SPACE, executor=ThreadPoolExecutor(2), build_fn=nan_for_max_pool)
    history = run_search(RegularizedEvolution(SPACE, 4, 2, seed=0), evaluator, budget=8, batch_size=4)
    assert len(history) == 8 and history.failures() and any(r.status == "ok" for r in history)
    assert all("nan" in r.error for r in history.failures())


@pytest.fixture
def restored_environment():
    """Dask's nanny writes MALLOC_TRIM_THRESHOLD_=65536 and OMP_NUM_THREADS=1 into os.environ and leaves them
    there; every process started afterwards (the notebooks' kernels) then runs PyTorch on the CPU up to three
    times slower, since that malloc setting sends each large tensor through mmap and munmap."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_a_search_gives_the_same_history_on_threads_processes_and_dask(data, restored_environment):
    """Each child's seed comes from the evaluator's seed and the encoding, so the workers and their
    order do not matter: RandomSearch(seed=5), 4 children, batches of 2, three executors."""
    def search(executor):
        return signature(run_search(RandomSearch(SPACE, seed=5), Evaluator(data, TINY, space=SPACE, executor=executor),
                                    budget=4, batch_size=2))

    with ThreadPoolExecutor(2) as pool:
        threads = search(pool)
    with ProcessPoolExecutor(2) as pool:
        processes = search(pool)
    assert processes == threads and all(status == "ok" for _, _, status in threads)

    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = search(client.get_executor())
    assert dask == processes
