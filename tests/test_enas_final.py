"""ENAS's final training as full-profile recipes of ``python -m nas_kit train --recipe ENAS``
(melodyguan/enas scripts/ptb_final.sh and cifar10_micro_final.sh)."""
import json

import pytest
import torch

from nas_kit.cli import main
from nas_kit.genotypes import ENAS_RNN, PUBLISHED
from nas_kit.training import cifar, ptb, train_cifar, train_ptb


def _settings(capsys, tmp_path, genotype):
    assert main(["train", "--genotype", genotype, "--recipe", "ENAS", "--profile", "full", "--show-settings",
                 "--run-dir", str(tmp_path / "x")]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_enas_ptb_final_recipe_is_ptb_final_sh(capsys, tmp_path):
    """748 units, batch 64, 2,000 epochs, lr 20 decayed x0.9991 per epoch from epoch 14 (min 0.001), l2 5e-7,
    slowness 1e-3, clip 0.25, BPTT 35; keep e 0.79, x 0.25, h 0.75, o 0.24; plain SGD."""
    s = _settings(capsys, tmp_path, "ENAS_RNN")
    assert {k: s[k] for k in ("emsize", "batch_size", "epochs", "lr", "lr_decay", "decay_start", "lr_min",
                              "weight_decay", "beta", "clip", "bptt", "variable_bptt", "nonmono")} == dict(
        emsize=748, batch_size=64, epochs=2000, lr=20.0, lr_decay=0.9991, decay_start=14, lr_min=0.001,
        weight_decay=1e-6, beta=1e-3, clip=0.25, bptt=35, variable_bptt=False, nonmono=0)
    assert [s[k] for k in ("dropoute", "dropoutx", "dropouth", "dropout")] == pytest.approx([0.21, 0.75, 0.25, 0.76])


def test_the_enas_ptb_learning_rate_decays_by_0_9991_per_epoch_from_epoch_14_and_stops_at_0_001():
    r = train_ptb.recipe("full", "ENAS").loop()
    assert ptb.epoch_lr(r, 0) == ptb.epoch_lr(r, 14) == 20.0
    assert ptb.epoch_lr(r, 15) == pytest.approx(20 * 0.9991) and ptb.epoch_lr(r, 1014) == pytest.approx(20 * 0.9991 ** 1000)
    assert ptb.epoch_lr(train_ptb.recipe("full", "ENAS", lr_min=5.0).loop(), 1999) == 5.0


def test_the_enas_ptb_final_model_has_the_official_codes_22m_parameters():
    """748 units, tied embedding: 10000*748 + 1496*1496 + 11*748*1496 (+ the decoder's bias) = 22.0M, as
    ptb_enas_child.py counts them; the paper's Table 1 says 24M."""
    model = train_ptb.build(ENAS_RNN, 10000, train_ptb.recipe("full", "ENAS"))
    assert train_ptb.count_parameters(model) == 10000 * 748 + 1496 * 1496 + 11 * 748 * 1496 + 10000


def test_the_enas_micro_final_recipe_is_cifar10_micro_final_sh(capsys, tmp_path):
    """15 normal cells + 2 reductions of 36 channels, batch 144, 630 epochs, Nesterov, lr 0.05 -> 0.0001 with
    restarts (T0 10, T_mul 2), l2 2e-4, aux head 0.4, drop-path 0.4, dropout 0.2; cutout 16 (the paper)."""
    s = _settings(capsys, tmp_path, "ENAS")
    assert {k: s[k] for k in ("layers", "C", "batch_size", "epochs", "nesterov", "lr", "lr_min", "lr_T0",
                              "lr_T_mul", "weight_decay", "auxiliary", "auxiliary_weight", "drop_path_prob",
                              "dropout", "cutout")} == dict(
        layers=17, C=36, batch_size=144, epochs=630, nesterov=True, lr=0.05, lr_min=1e-4, lr_T0=10, lr_T_mul=2,
        weight_decay=4e-4, auxiliary=True, auxiliary_weight=0.4, drop_path_prob=0.4, dropout=0.2, cutout=16)
    net = train_cifar.build(PUBLISHED["ENAS"], train_cifar.recipe("full", "ENAS"))
    # a reduction cell is the one whose successor reduces its c_{k-2} input (FactorizedReduce)
    reductions = [i for i in range(len(net.cells) - 1) if type(net.cells[i + 1].preprocess0).__name__ == "FactorizedReduce"]
    assert len(net.cells) == 17 and reductions == [5, 11]              # ENAS's pool_layers for 15 layers


def test_the_enas_cosine_restarts_after_10_30_70_150_and_310_epochs():
    model = torch.nn.Linear(1, 1)
    loop = train_cifar.recipe("full", "ENAS").loop()
    optimizer = cifar.sgd(model, loop)
    scheduler = cifar.cosine(optimizer, loop, 100)
    lrs = []
    for _ in range(630):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert [e for e in range(1, 630) if lrs[e] > lrs[e - 1]] == [10, 30, 70, 150, 310]
    assert lrs[0] == 0.05 and min(lrs) >= 1e-4 and optimizer.param_groups[0]["nesterov"]


@pytest.mark.parametrize("module", [train_cifar, train_ptb])
def test_the_quick_enas_recipe_differs_from_the_full_one_only_in_sizes_and_budgets(module):
    quick, full = module.recipe("quick", "ENAS"), module.recipe("full", "ENAS")
    sizes = {"epochs", "batch_size", "C", "layers", "emsize", "data", "n_train", "n_valid", "n_test",
             "eval_batch_size", "threads"}
    differ = {k for k in vars(full) if getattr(quick, k) != getattr(full, k)}
    assert differ <= sizes, differ - sizes


def test_show_settings_names_each_full_value_that_is_not_the_papers(capsys, tmp_path):
    """The ENAS CIFAR search follows the scripts; train on CUDA uses bf16 and channels-last by the kit's choice."""
    assert main(["search", "--method", "enas", "--space", "enas_macro", "--profile", "full", "--show-settings",
                 "--run-dir", str(tmp_path / "s")]) == 0
    err = capsys.readouterr().err
    assert "op_tanh_reduce: scripts/cifar10_*_search.sh" in err and "n_samples: the kit's choice" in err
    assert main(["train", "--genotype", "DARTS_V2", "--profile", "full", "--show-settings",
                 "--run-dir", str(tmp_path / "t")]) == 0
    err = capsys.readouterr().err
    assert "amp: the kit's choice: bf16 autocast on CUDA" in err and "channels_last: the kit's choice" in err


def test_every_enas_recipe_applies_the_scripts_l2_as_weight_decay_2_l2_since_get_train_ops_adds_l2_sum_w_squared():
    """melodyguan/enas src/utils.py: ``loss += l2_reg * add_n([reduce_sum(var ** 2)])``, so SGD weight decay 2 * l2."""
    import inspect

    from nas_kit.strategies.enas.recipe import ENASMacro, ENASMicro
    from nas_kit.strategies.enas.tasks import PTBTask
    from nas_kit.training import train_macro
    w = torch.randn(7, requires_grad=True)
    (3e-4 * (w ** 2).sum()).backward()
    assert torch.allclose(w.grad, 6e-4 * w.detach())
    script_l2 = {"cifar10_macro_search.sh": (ENASMacro().weight_decay, 2.5e-4),
                 "cifar10_micro_search.sh": (ENASMicro().weight_decay, 1e-4),
                 "ptb_search.sh": (inspect.signature(PTBTask).parameters["weight_decay"].default, 1e-7),
                 "cifar10_micro_final.sh": (train_cifar.recipe("full", "ENAS").weight_decay, 2e-4),
                 "cifar10_macro_final.sh": (train_macro.recipe("full").weight_decay, 2e-4),
                 "ptb_final.sh": (train_ptb.recipe("full", "ENAS").weight_decay, 5e-7)}
    assert {k: decay for k, (decay, _) in script_l2.items()} == pytest.approx(
        {k: 2 * l2 for k, (_, l2) in script_l2.items()})
