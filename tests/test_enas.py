"""ENAS (Pham et al. 2018): supernets, controller, REINFORCE, the search loop and its checkpoints."""
import math
import random

import pytest
import torch

from nas_kit.data import make_cifar_like, make_ptb_like
from nas_kit.models.enas_cnn_supernet import (ENASMacroSupernet, ENASMicroSupernet, macro_to_standalone,
                                              micro_to_standalone)
from nas_kit.models.enas_rnn_supernet import ENASRNNSupernet, to_standalone
from nas_kit.registry import SPACES
from nas_kit.spaces import ENASMacroSpace, ENASRNNSpace, enas_micro
from nas_kit.strategies.enas import (REINFORCE, CIFARTask, ENASController, PTBTask, cosine_lr, derive, enas_search,
                                    random_architectures)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors: threads only add overhead (and contention on a 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _train_a_little(net, x, space, steps=3):
    """A few SGD steps on random architectures, so that weights and BN statistics are not at their init."""
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for k in range(steps):
        loss = net(x, space.sample(k)).logsumexp(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


@pytest.mark.parametrize("train", [False, True])
def test_rnn_cell_through_the_supernet_equals_a_standalone_rnnmodel_with_its_weights(train):
    torch.manual_seed(0)
    net = ENASRNNSupernet(ntoken=40, nhid=12, nodes=6)
    x = torch.randint(40, (5, 3))
    for k in range(3):
        cell = net.space.sample(k)
        model = to_standalone(net, cell)
        net.train(train), model.train(train)
        torch.manual_seed(1)                      # the same dropout masks, drawn in the same order
        a, ha = net(x, net.init_hidden(3), cell)
        torch.manual_seed(1)
        b, hb = model(x, model.init_hidden(3))
        assert torch.equal(a, b) and torch.equal(ha[0], hb[0])


CNN_SUPERNETS = {
    # macro: pooling after layers 1 and 3, so skips cross reductions
    "macro": (lambda: ENASMacroSupernet(layers=6, C=4), macro_to_standalone),
    # micro: a normal cell, two reduction cells, a normal cell after them (a sliced FactorizedReduce input)
    "micro": (lambda: ENASMicroSupernet(C=4, layers=4, nodes=3), micro_to_standalone),
}


@pytest.mark.parametrize("kind", CNN_SUPERNETS)
def test_a_child_through_the_cnn_supernet_equals_its_standalone_network_with_its_weights(kind):
    build, to_standalone_cnn = CNN_SUPERNETS[kind]
    torch.manual_seed(0)
    net = build()
    x = torch.randn(3, 3, 8, 8)
    _train_a_little(net, x, net.space)
    for k in range(3):
        arch = net.space.sample(10 + k)
        model = to_standalone_cnn(net, arch)
        for train in (False, True):
            net.train(train), model.train(train)
            out = model(x)
            assert torch.allclose(net(x, arch), out[0] if isinstance(out, tuple) else out, atol=1e-6)


def test_every_op_of_the_supernet_exists_once():
    net = ENASRNNSupernet(ntoken=10, nhid=4, nodes=12)
    # one W[i, j] per pair j < i of nodes 2..12: 1 + 2 + ... + 11 = 66 matrices, plus W0
    assert len(net._Ws) == 66
    macro = ENASMacroSupernet(layers=3, C=4)
    assert [len(ops) for ops in macro.ops] == [6, 6, 6]


@pytest.mark.parametrize("space", [ENASRNNSpace(), ENASMacroSpace(), enas_micro()], ids=["rnn", "macro", "micro"])
def test_the_controller_samples_valid_architectures_and_names_its_space_for_the_explorer(space):
    controller = ENASController(space, temperature=5.0, tanh_constant=2.5)
    assert controller.space_name in SPACES and controller.lstm.hidden_size == 100
    rng = random.Random(0)
    for _ in range(3):
        space.validate(controller.sample(rng, temperature=1.0))
    assert controller.sample(3) == controller.sample(3)           # a seed fixes the sample
    arch, log_prob, entropy, kl = controller.sample_with_log_prob(random.Random(1))
    assert log_prob.requires_grad and log_prob.item() < 0 and entropy.item() > 0


def test_reinforce_makes_the_rewarded_activation_more_likely():
    torch.manual_seed(0)
    space = ENASRNNSpace(nodes=2)
    controller = ENASController(space)
    trainer = REINFORCE(controller, lr=0.05, baseline_decay=0.9)
    rng = random.Random(0)

    def relu_rate():
        return sum(controller.sample(rng)[0][0] == "relu" for _ in range(200)) / 200

    before = relu_rate()
    for _ in range(60):
        trainer.step(lambda cell: 1.0 if cell[0][0] == "relu" else 0.0, rng)
    assert before < 0.4 and relu_rate() > 0.8


def test_the_skip_penalty_pulls_the_skip_rate_towards_its_target():
    torch.manual_seed(0)
    controller = ENASController(ENASMacroSpace(layers=5), skip_target=0.1)
    trainer = REINFORCE(controller, lr=0.03, skip_weight=1.0, entropy_weight=0.0)
    rng = random.Random(0)

    def skip_rate():
        archs = [controller.sample(rng) for _ in range(40)]
        return sum(len(s) for a in archs for _, s in a) / (40 * 10)   # 10 possible skips in 5 layers

    before = skip_rate()
    for _ in range(25):
        trainer.step(lambda arch: 0.0, rng)
    assert before > 0.35 and skip_rate() < 0.2


def _ptb_search(tmp_path, epochs, resume=False, mode="enas"):
    torch.manual_seed(0)
    corpus = make_ptb_like(seed=0, n_train=1500, n_valid=400, n_test=100)
    net = ENASRNNSupernet(len(corpus.vocab), 8, nodes=4)
    task = PTBTask(corpus, net, batch_size=8, eval_batch_size=5, bptt=6, lr=5.0)
    controller = ENASController(net.space, temperature=5.0, tanh_constant=2.5)
    trainer = REINFORCE(controller, lr=1e-2, baseline_decay=0.9)
    task.initial_controller = {k: v.clone() for k, v in controller.state_dict().items()}
    task.epochs_run = []
    history = enas_search(task, controller, trainer, epochs=epochs, controller_steps=3, mode=mode, seed=0,
                          checkpoint=tmp_path / "search.pt", resume=resume,
                          on_epoch=lambda record: task.epochs_run.append(record["epoch"]))
    return history, net, controller, task


def test_a_resumed_search_equals_an_uninterrupted_one(tmp_path):
    full, net_a, ctl_a, _ = _ptb_search(tmp_path / "a", epochs=2)
    _ptb_search(tmp_path / "b", epochs=1)                               # "killed" after epoch 1 ...
    torch.manual_seed(123)                                              # ... and restarted in a new process
    random.seed(123)
    resumed, net_b, ctl_b, task = _ptb_search(tmp_path / "b", epochs=2, resume=True)
    assert task.epochs_run == [1] and [r["epoch"] for r in resumed] == [0, 1]
    assert resumed == full
    for a, b in zip(list(net_a.parameters()) + list(ctl_a.parameters()), list(net_b.parameters()) + list(ctl_b.parameters())):
        assert torch.equal(a, b)


def test_the_controls_leave_the_controller_untouched_and_derive_picks_the_best_sample(tmp_path):
    for mode in ("random", "fixed"):
        history, _, controller, task = _ptb_search(tmp_path / mode, epochs=1, mode=mode)
        assert "reward" not in history[0]
        assert all(torch.equal(v, task.initial_controller[k]) for k, v in controller.state_dict().items())
        best, scored = derive(task, controller, n_samples=5, mode=mode)
        assert best == scored[0][1] and scored[0][0] == max(r for r, _ in scored)
    with pytest.raises(ValueError, match="mode"):
        _ptb_search(tmp_path / "bad", epochs=1, mode="greedy")


def test_the_cifar_task_trains_a_macro_supernet_and_rewards_accuracy():
    torch.manual_seed(0)
    data = make_cifar_like(n_train=120, n_test=20, seed=0)
    net = ENASMacroSupernet(layers=3, C=4)
    task = CIFARTask(data, net, n_valid=40, batch_size=40, eval_batch_size=40, epochs=1, image_size=16)
    controller = ENASController(net.space, tanh_constant=1.5)
    history = enas_search(task, controller, REINFORCE(controller, skip_weight=0.8), epochs=1, controller_steps=2)
    assert 0.0 <= history[0]["reward"] <= 1.0 and 0.0 <= history[0]["valid"] <= 1.0


def test_the_learning_rate_follows_the_enas_cosine_with_warm_restarts():
    lr = [cosine_lr(e, 0.05, 0.0005, T0=10, T_mul=2) for e in range(310)]
    assert [e for e in range(1, 310) if lr[e] > lr[e - 1]] == [10, 30, 70, 150]     # restarts
    assert lr[0] == lr[10] == 0.05 and abs(lr[20] - 0.02525) < 1e-12 and lr[309] < 0.0006
    assert cosine_lr(3, 0.05, 0.0005, T0=4) == 0.0005 + 0.5 * 0.0495 * (1 + math.cos(math.pi * 3 / 4))


def test_the_micro_supernets_shared_weights_learn_the_kits_images_with_random_children():
    torch.manual_seed(0)
    data = make_cifar_like(n_train=1600, n_test=20, seed=0)
    net = ENASMicroSupernet(C=8, layers=3, nodes=2)
    task = CIFARTask(data, net, n_valid=400, batch_size=32, eval_batch_size=100, epochs=3, image_size=16,
                     do_augment=False, weight_decay=1e-4)
    enas_search(task, None, None, epochs=3, controller_steps=0, mode="random", evaluate_every=0)
    _, median = random_architectures(task, n=5)
    assert median > 0.15                                                 # chance is 0.10
