"""ENAS's macro final network as the full-profile recipe of ``python -m nas_kit train --recipe ENAS``
(melodyguan/enas scripts/cifar10_macro_final.sh, src/cifar10/general_child.py with a fixed arc)."""
import json

import pytest
import torch

from nas_kit.cli import main
from nas_kit.genotypes import ENAS_MACRO, MacroGenotype, form, parse_genotype, to_darts_string
from nas_kit.models import count_parameters
from nas_kit.registry import entry, genotype_text
from nas_kit.training import cifar, train_macro

# scripts/cifar10_macro_final.sh's fixed_arc, one layer a line: the op (general_child.py's branch number), then a
# skip bit for each earlier layer.
FIXED_ARC = """0
3 0
0 1 0
2 0 0 1
2 0 0 0 0
3 1 1 0 1 0
2 0 0 0 0 0 1
2 0 1 1 0 1 1 1
1 0 1 1 1 0 1 0 1
0 0 0 0 0 0 0 0 0 0
2 0 0 0 0 0 1 0 0 0 0
0 1 0 0 1 1 0 0 0 0 1 1
2 0 1 0 0 0 0 0 1 0 1 1 0
1 0 0 1 0 0 0 1 1 1 0 1 0 1
0 1 1 0 1 0 1 0 0 0 0 0 1 0 0
2 0 0 1 0 0 0 0 0 0 0 1 0 1 0 1
2 0 1 0 0 0 1 0 0 1 1 1 1 0 0 1 0
2 0 0 0 0 1 0 1 0 1 0 0 1 0 1 0 0 1
3 0 1 1 0 1 0 0 0 0 0 1 0 1 0 1 0 0 0
3 0 1 1 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 1
0 1 0 0 1 0 1 1 0 0 0 1 0 0 0 0 0 1 1 0 0
3 0 1 0 1 1 0 0 1 0 1 1 0 1 1 0 1 0 0 1 0 0
0 1 0 1 0 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 0
0 1 1 0 0 0 1 1 1 0 1 0 0 0 1 0 1 0 0 1 1 0 0 0"""
BRANCHES = {0: "conv3x3", 1: "sepconv3x3", 2: "conv5x5", 3: "sepconv5x5"}     # general_child.py's branch_0 .. 3


def test_the_published_macro_network_is_the_scripts_fixed_arc_with_a_skip_from_layer_j_for_bit_j():
    rows = [[int(t) for t in line.split()] for line in FIXED_ARC.splitlines()]
    layers = [(BRANCHES[row[0]], tuple(j for j, bit in enumerate(row[1:]) if bit)) for row in rows]
    assert list(ENAS_MACRO.layers) == layers and len(layers) == 24
    assert parse_genotype(to_darts_string(ENAS_MACRO)) == ENAS_MACRO and form(ENAS_MACRO) == "macro"


def test_the_enas_macro_final_recipe_is_cifar10_macro_final_sh(capsys, tmp_path):
    """24 layers of 96 channels, batch 100, 310 epochs, Nesterov momentum 0.9, lr 0.05 -> 0.001 restarted after
    10, 20, 40, ... epochs, l2 2e-4 (weight decay 4e-4), keep prob 0.5; no cutout, aux head or drop-path."""
    assert main(["train", "--genotype", "ENAS_MACRO", "--recipe", "ENAS", "--profile", "full", "--show-settings",
                 "--run-dir", str(tmp_path / "x")]) == 0
    out, err = capsys.readouterr()
    s = json.loads(out)
    assert {k: s[k] for k in ("layers", "C", "batch_size", "epochs", "nesterov", "momentum", "lr", "lr_min", "lr_T0",
                              "lr_T_mul", "weight_decay", "dropout", "auxiliary", "drop_path_prob", "cutout")} == dict(
        layers=24, C=96, batch_size=100, epochs=310, nesterov=True, momentum=0.9, lr=0.05, lr_min=0.001, lr_T0=10,
        lr_T_mul=2, weight_decay=4e-4, dropout=0.5, auxiliary=False, drop_path_prob=0.0, cutout=0)
    for flag in ("--num_epochs=310", "--batch_size=100", "--child_lr_max=0.05", "--child_lr_min=0.001",
                 "--child_lr_T_0=10", "--child_lr_T_mul=2", "--child_l2_reg=2e-4", "--child_out_filters=96",
                 "--child_num_layers=24", "--child_keep_prob=0.50"):
        assert f"scripts/cifar10_macro_final.sh {flag}" in err, flag


def test_the_macro_final_network_has_24_layers_of_96_channels_doubled_after_layers_7_and_15_as_general_child():
    net = train_macro.build(ENAS_MACRO, train_macro.recipe("full"))
    assert len(net.ops) == 24 and net.pool_layers == [7, 15]                 # pool_distance = 24 // 3
    width = [op[0].op[1].out_channels for op in net.ops]                   # each op's first 1x1 conv
    assert width == [96] * 8 + [192] * 8 + [384] * 8 and net.classifier.in_features == 384
    assert net.skip_convs[5].op[1].in_channels == 4 * 96                    # layer 5: 3 skips + its op, 1x1 back to 96
    assert net.dropout.p == 0.5 and net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def _general_child_count(arch, C=96, classes=10):
    """Parameters of the fixed-arc network, term by term as general_child.py builds each layer (BN: scale and
    offset): stem; 1x1 conv + BN, then the kxk conv (or depthwise kxk + pointwise) + BN; the skip's 1x1 conv over
    (skips + 1) x C channels + BN; at a pooling layer a factorized reduction C -> 2C of each output still read."""
    n, L = 27 * C + 2 * C, len(arch)
    for i, (op, skips) in enumerate(arch):
        k = int(op[-1])
        n += C * C + 2 * C + (k * k * C + C * C if op.startswith("sep") else k * k * C * C) + 2 * C
        n += (len(skips) + 1) * C * C + 2 * C if i else 0
        if i in (L // 3 - 1, 2 * (L // 3) - 1):
            read = {i} | {j for _, later in arch[i + 1:] for j in later if j <= i}
            n += len(read) * (C * 2 * C + 2 * 2 * C)
            C *= 2
    return n + C * classes


def test_the_published_macro_networks_parameters_are_general_child_s_layers_term_by_term():
    """30,854,112 (30.9M). The paper's Table 2 says 21.3M ("ENAS + macro search space") and 38.0M ("+ more
    channels"); neither is this network's count, nor general_child.py's own (its fixed layers build 1 and 3 as
    plain convolutions and reduce every stored output: 42.6M by the same sum)."""
    net = train_macro.build(ENAS_MACRO, train_macro.recipe("full"))
    assert count_parameters(net) == _general_child_count(list(ENAS_MACRO.layers)) == 30_854_112


def test_the_macro_learning_rate_restarts_after_10_30_70_and_150_epochs_down_to_0_001():
    loop = train_macro.recipe("full").loop()
    optimizer = cifar.sgd(torch.nn.Linear(1, 1), loop)
    scheduler = cifar.cosine(optimizer, loop, 100)
    lrs = []
    for _ in range(310):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert [e for e in range(1, 310) if lrs[e] > lrs[e - 1]] == [10, 30, 70, 150]
    assert lrs[0] == 0.05 and min(lrs) >= 0.001 and optimizer.param_groups[0]["nesterov"]


def test_the_quick_macro_recipe_differs_from_the_full_one_only_in_sizes_and_budgets():
    quick, full = train_macro.recipe("quick"), train_macro.recipe("full")
    sizes = {"epochs", "batch_size", "C", "layers", "data", "n_train", "n_test", "eval_batch_size", "threads"}
    assert {k for k in vars(full) if getattr(quick, k) != getattr(full, k)} <= sizes


def test_a_macro_genotype_trains_with_enas_s_recipe_only_and_at_most_its_own_depth(capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        main(["train", "--genotype", "ENAS_MACRO", "--show-settings", "--run-dir", str(tmp_path / "x")])
    assert stop.value.code == 2 and "train it with --recipe ENAS" in capsys.readouterr().err
    with pytest.raises(ValueError, match="has 24 layers, fewer than layers=30: pass --set layers=24"):
        train_macro.build(ENAS_MACRO, train_macro.recipe("quick", layers=30))


def test_a_macro_searchs_genotype_txt_is_a_macro_genotype_that_trains(tmp_path):
    arch = [("conv3x3", ()), ("maxpool3x3", (0,)), ("sepconv5x5", (0, 1))]
    genotype, settings = entry("enas_macro").to_genotype(arch)
    assert isinstance(genotype, MacroGenotype) and settings == {"layers": 3}
    assert parse_genotype(genotype_text(arch, "enas_macro")) == genotype
    s = train_macro.recipe("quick", layers=3, epochs=1, n_train=64, n_test=32, batch_size=32, eval_batch_size=32)
    results = train_macro.train_cifar(genotype, s, run_dir=tmp_path, progress="off")
    assert results["epochs"] == 1 and 0 <= results["test_acc"] <= 1 and (tmp_path / "results.json").is_file()
