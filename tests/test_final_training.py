"""Final training as DARTS evaluates architectures: the recipes are the paper's, the schedules follow them,
averaged SGD takes over when validation stalls, resumed runs repeat exactly, and the GPU options run."""
import io
import math
from dataclasses import asdict, replace

import matplotlib
import pytest
import torch

from nas_kit.genotypes import DARTS_V2, DARTS_V2_RNN
from nas_kit.models.cifar_network import count_parameters
from nas_kit.config import override
from nas_kit.training import ptb as ptb_loop
from nas_kit.training import run_dir as rd
from nas_kit.training import train_cifar as tc
from nas_kit.training import train_ptb as tp
from nas_kit.training.progress import Progress

matplotlib.use("Agg")

TINY_CIFAR = dict(C=4, layers=3, n_train=64, n_test=32, batch_size=16, epochs=3, threads=1)
TINY_PTB = dict(emsize=16, n_train=3000, n_valid=600, n_test=200, batch_size=8, epochs=2, threads=1)


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


def test_the_full_cifar_recipe_is_darts_train_py():
    full = asdict(tc.RECIPE["full"])
    assert {k: full[k] for k in ("epochs", "batch_size", "lr", "lr_min", "momentum", "weight_decay", "grad_clip",
                                 "C", "layers", "auxiliary", "auxiliary_weight", "cutout", "drop_path_prob",
                                 "crop_padding", "data")} == \
        dict(epochs=600, batch_size=96, lr=0.025, lr_min=0.0, momentum=0.9, weight_decay=3e-4, grad_clip=5.0, C=36,
             layers=20, auxiliary=True, auxiliary_weight=0.4, cutout=16, drop_path_prob=0.2, crop_padding=4,
             data="cifar10")
    assert asdict(tc.RECIPE["quick"]).keys() == full.keys()


def test_darts_v2_in_the_full_recipe_has_3_3_million_parameters():
    assert round(count_parameters(tc.build(DARTS_V2, tc.RECIPE["full"])) / 1e6, 1) == 3.3


def test_the_full_ptb_recipe_is_darts_rnn_train_py():
    full = asdict(tp.RECIPE["full"])
    assert {k: full[k] for k in ("emsize", "lr", "batch_size", "bptt", "clip", "weight_decay", "dropout", "dropouth",
                                 "dropoutx", "dropouti", "dropoute", "beta", "nonmono", "eval_batch_size",
                                 "test_batch_size", "max_seq_len_delta")} == \
        dict(emsize=850, lr=20.0, batch_size=64, bptt=35, clip=0.25, weight_decay=8e-7, dropout=0.75, dropouth=0.25,
             dropoutx=0.75, dropouti=0.2, dropoute=0.1, beta=1e-3, nonmono=5, eval_batch_size=10, test_batch_size=1,
             max_seq_len_delta=20)
    assert asdict(tp.RECIPE["quick"]).keys() == full.keys()
    # DARTS (second order) on PTB: 23M parameters with the 850-unit model and its 10,000-word vocabulary
    assert round(tp.count_parameters(tp.build(DARTS_V2_RNN, 10000, tp.RECIPE["full"])) / 1e6) == 23


def test_drop_path_rises_linearly_to_0_2_and_the_learning_rate_follows_the_cosine():
    results = tc.train_cifar(DARTS_V2, tc.recipe("quick", **TINY_CIFAR), progress="off")
    history = results["history"]
    assert [round(r["drop_path_prob"], 6) for r in history] == [0.0, round(0.2 / 3, 6), round(0.4 / 3, 6)]
    assert [round(r["lr"], 6) for r in history] == [round(0.0125 * (1 + math.cos(math.pi * e / 3)), 6) for e in range(3)]
    assert results["test_error"] == pytest.approx(100 * (1 - history[-1]["test_acc"]))
    assert 0 < results["params_M"] < 0.01 and results["epochs"] == 3


def test_a_cifar_run_stopped_after_its_first_epoch_resumes_to_the_uninterrupted_weights(tmp_path, monkeypatch):
    settings = tc.recipe("quick", **TINY_CIFAR)
    straight = tc.train_cifar(DARTS_V2, settings, run_dir=tmp_path / "straight", progress="off")

    class Stop(Exception):
        pass

    save = tc.save_checkpoint

    def save_then_stop(path, **state):                  # a kill right after the first checkpoint
        save(path, **state)
        raise Stop

    monkeypatch.setattr(tc, "save_checkpoint", save_then_stop)
    with pytest.raises(Stop):
        tc.train_cifar(DARTS_V2, settings, run_dir=tmp_path / "stopped", progress="off")
    monkeypatch.setattr(tc, "save_checkpoint", save)
    resumed = tc.train_cifar(DARTS_V2, settings, run_dir=tmp_path / "stopped", resume=True, progress="off")
    a, b = (torch.load(tmp_path / d / rd.CHECKPOINT, weights_only=False)["model"] for d in ("straight", "stopped"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [r["test_acc"] for r in resumed["history"]] == [r["test_acc"] for r in straight["history"]]
    assert len(rd.read_metrics(tmp_path / "stopped")) == 3


def test_bf16_autocast_and_channels_last_run_on_the_cpu_when_asked():
    results = tc.train_cifar(DARTS_V2, tc.recipe("quick", **dict(TINY_CIFAR, epochs=1), amp="on",
                                                 channels_last="on"), progress="off")
    assert math.isfinite(results["history"][0]["train_loss"])


def test_asgd_takes_over_when_validation_stops_improving(monkeypatch, tmp_path):
    # validation losses 5, 4, 4.5, 4.6: after epoch 4 the loss is worse than the best before the last
    # nonmono = 1 epochs (4), so epoch 5 runs averaged SGD and is evaluated with the averaged weights
    losses = iter([5.0, 4.0, 4.5, 4.6, 3.0, 1.0])
    evaluated = []

    def scripted(model, data, batch_size, bptt, autocast=None):
        evaluated.append(model.encoder.weight.detach().clone())
        return next(losses)

    monkeypatch.setattr(ptb_loop, "evaluate", scripted)
    results = tp.train_ptb(DARTS_V2_RNN, tp.recipe("quick", **dict(TINY_PTB, epochs=5, nonmono=1)), run_dir=tmp_path,
                           progress="off")
    assert [r["optimizer"] for r in results["history"]] == ["sgd"] * 4 + ["asgd"]
    assert results["valid_ppl"] == pytest.approx(math.exp(3.0))
    assert results["test_ppl"] == pytest.approx(math.exp(1.0))
    checkpoint = torch.load(tmp_path / rd.CHECKPOINT, weights_only=False)
    averaged, raw = checkpoint["best_state"]["encoder.weight"], checkpoint["model"]["encoder.weight"]
    assert torch.equal(evaluated[4], averaged) and not torch.equal(averaged, raw)   # epoch 5 saw the averages
    assert torch.equal(evaluated[5], averaged)                                        # and the best model is tested


def test_a_resumed_ptb_run_repeats_the_uninterrupted_numbers(tmp_path):
    settings = tp.recipe("quick", **TINY_PTB)
    straight = tp.train_ptb(DARTS_V2_RNN, settings, run_dir=tmp_path / "a", progress="off")
    tp.train_ptb(DARTS_V2_RNN, replace(settings, epochs=1), run_dir=tmp_path / "b", progress="off")
    resumed = tp.train_ptb(DARTS_V2_RNN, settings, run_dir=tmp_path / "b", resume=True, progress="off")
    assert [r["valid_ppl"] for r in resumed["history"]] == [r["valid_ppl"] for r in straight["history"]]
    assert resumed["test_ppl"] == straight["test_ppl"]
    a, b = (torch.load(tmp_path / d / rd.CHECKPOINT, weights_only=False)["model"] for d in "ab")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_nan_epoch_rolls_back_to_the_weights_it_began_with_and_training_goes_on(tmp_path, monkeypatch):
    # epoch 2 diverges (its loss and weights become NaN); DARTS's script reloads and goes on, and so does the kit
    real_epoch, after_epoch = ptb_loop.train_epoch, []

    def diverging(model, optimizer, train_data, s, epoch, *args):
        loss = real_epoch(model, optimizer, train_data, s, epoch, *args)
        if epoch == 1:
            with torch.no_grad():
                model.encoder.weight.fill_(math.nan)
            loss = math.nan
        after_epoch.append(model.encoder.weight.detach().clone())
        return loss

    monkeypatch.setattr(ptb_loop, "train_epoch", diverging)
    results = tp.train_ptb(DARTS_V2_RNN, tp.recipe("quick", **dict(TINY_PTB, epochs=3)), run_dir=tmp_path,
                           progress="off")
    assert [r["rolled_back"] for r in results["history"]] == [0, 1, 0]
    assert math.isfinite(results["test_ppl"]) and math.isfinite(results["history"][2]["valid_ppl"])
    checkpoint = torch.load(tmp_path / rd.CHECKPOINT, weights_only=False)
    assert checkpoint["epoch"] == 2 and checkpoint["rollbacks"] == 0
    # epoch 3 began from epoch 1's weights: with epoch 2 skipped, not a NaN in sight
    assert torch.isnan(after_epoch[1]).all() and torch.isfinite(after_epoch[2]).all()
    assert "rolled_back" in (tmp_path / rd.METRICS).read_text().splitlines()[0]


def test_a_run_whose_loss_stays_nan_stops_with_one_sentence(monkeypatch):
    monkeypatch.setattr(ptb_loop, "train_epoch", lambda *args: math.nan)
    with pytest.raises(FloatingPointError, match=rf"not finite in {ptb_loop.MAX_ROLLBACKS} epochs in a row .* new "
                                                 r"--run-dir with a smaller learning rate"):
        tp.train_ptb(DARTS_V2_RNN, tp.recipe("quick", **dict(TINY_PTB, epochs=6)), progress="off")


def test_progress_is_one_plain_line_per_epoch_off_a_terminal_and_silent_when_off():
    out = io.StringIO()
    bar = Progress(2, mode="auto", stream=out)
    for epoch in range(2):
        bar.start_epoch(epoch, 10)
        for i in range(10):
            bar.step(i, lambda: {"loss": 1.0})
        bar.end_epoch(epoch, {"loss": 0.5, "acc": 0.25})
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert lines[0].startswith("epoch 1/2  loss 0.5  acc 0.25  elapsed 0:00  left 0:00")
    silent = io.StringIO()
    Progress(2, mode="off", stream=silent).end_epoch(0, {"loss": 1.0})
    assert silent.getvalue() == ""


def test_the_bar_redraws_in_place_on_a_terminal():
    class TTY(io.StringIO):
        def isatty(self):
            return True

    out = TTY()
    bar = Progress(3, done=1, mode="auto", stream=out, interval=0.0)
    bar.start_epoch(1, 4)
    bar.step(1, lambda: {"loss": 2.0})
    bar.end_epoch(1, {"loss": 1.5})
    text = out.getvalue()
    assert text.startswith("\repoch 2/3  step 2/4  loss 2  elapsed") and text.endswith("\n") and text.count("\n") == 1


def test_settings_parse_to_the_type_of_their_default():
    defaults = dict(lr=0.025, epochs=600, auxiliary=True, curriculum=(6, 1600, 2), data="cifar10")
    s = override(defaults, dict(lr="1", epochs="2", auxiliary="no", curriculum="2,4,1", data="synthetic"))
    assert s == dict(lr=1.0, epochs=2, auxiliary=False, curriculum=(2, 4, 1), data="synthetic")
    assert isinstance(s["lr"], float)
    with pytest.raises(ValueError, match="epochs='2.5' is not an integer"):
        override(defaults, dict(epochs="2.5"))
    with pytest.raises(ValueError, match="valid keys are auxiliary, curriculum, data, epochs, lr"):
        override(defaults, dict(lrate="0.1"))


def test_training_curves_are_drawn_from_a_run_directory(tmp_path):
    rd.write_metrics(tmp_path / rd.METRICS, [dict(epoch=e, train_loss=2.0 / e, test_loss=2.2 / e, train_acc=0.1 * e,
                                                  test_acc=0.09 * e, seconds=1.0) for e in (1, 2, 3)])
    from nas_kit.viz.curves import plot_training_curves
    fig = plot_training_curves(rd.read_metrics(tmp_path), title="DARTS_V2")
    loss, acc = fig.axes
    assert [line.get_label() for line in loss.lines] == ["train loss", "test loss"]
    assert list(acc.lines[1].get_ydata()) == pytest.approx([9.0, 18.0, 27.0])
    ptb = plot_training_curves([dict(epoch=1, train_ppl=300.0, valid_ppl=200.0), dict(epoch=2, train_ppl=150.0,
                                                                                      valid_ppl=120.0)])
    assert ptb.axes[1].get_yscale() == "log" and ptb.axes[1].get_ylabel() == "perplexity"
