"""Measure the DARTS CNN runs that notebook 08 describes but does not run, and commit what they gave.

    python scripts/measure_darts_cnn_runs.py                       # every part (about 30 minutes on one CPU core)
    python scripts/measure_darts_cnn_runs.py --parts deep          # only the 60-epoch search of the paper's shape

Parts (each writes its own entry of nas_kit/measurements/08_darts_cnn_runs.json, the others are kept):
    paper_rates   notebook 08's quick search (4 epochs of the 3-cell, 2-node, C = 4 network on 800 images at 16
                  pixels) with the paper's learning rates (w 0.025, alpha 3e-4) instead of the quick profile's
                  (0.1, 1e-2), seeds 0-4: the supernet's validation accuracy after each epoch
    long          the same quick search for 16 epochs instead of 4, seeds 0-4: the mean softmax weight of
                  skip_connect and max_pool_3x3 on the edges of the normal cell after each epoch, and the
                  derived cells
    uniform       cells with one op on every edge (max_pool_3x3, skip_connect, sep_conv_3x3), retrained with
                  notebook 08's recipe, seeds 0-4: their test accuracy
    deep          the search network of the paper's shape, 8 cells of 4 nodes (C = 8), searched for 60 epochs on
                  800 of the kit's images, seed 0, with the command line's code:
                  python -m nas_kit search --method darts --space darts --set epochs=60 --set layers=8
                  --set C=8 --set nodes=4   (its run directory runs/darts_cnn_deep lets a killed run resume)

Every part runs with the kernels of this process: set ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA before it to
measure the portable ones; the file records which were used. Numbers are float32 training results: another
CPU gives others, which is why the notebook quotes them as ranges and names this script as their source.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from nas_kit.config import setup
from nas_kit.data import load_dataset, to_tensor
from nas_kit import methods
from nas_kit.estimation.evaluator import Budget, builder, train_and_evaluate
from nas_kit.genotypes import DARTS_PRIMITIVES, Genotype
from nas_kit.models.darts_search import SearchNetwork
from nas_kit.spaces import darts
from nas_kit.strategies.darts.search import CHECKPOINT, search_cnn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "nas_kit" / "measurements" / "08_darts_cnn_runs.json"
PARTS = ("paper_rates", "long", "uniform", "deep")
PARAMETER_FREE = ("max_pool_3x3", "avg_pool_3x3", "skip_connect")

# Notebook 08's quick profile: the search network, its data and its rates, and the retraining recipe.
QUICK = dict(C=4, layers=3, steps=2, n=800, size=16, epochs=4, batch_size=32, lr=0.1, arch_lr=1e-2)
RETRAIN = dict(epochs=4, C=8, layers=3, batch_size=32, lr=0.05, n_test=1000)


def quick_images():
    """Notebook 08's search images: the first 800 of the kit's training images, at 16 pixels, and the test images."""
    images = load_dataset("cifar10", "quick")
    x = F.interpolate(to_tensor(images.x_train[:QUICK["n"]]), size=(QUICK["size"],) * 2, mode="area")
    return images, x, torch.as_tensor(images.y_train[:QUICK["n"]])


def quick_search(seed, x, y, **changes):
    """Notebook 08's search (section 3) for ``seed``, with ``changes`` to its settings; returns the history."""
    s = dict(QUICK, **changes)
    setup(seed=seed)
    model = SearchNetwork(C=s["C"], layers=s["layers"], steps=s["steps"], multiplier=s["steps"])
    return search_cnn(model, x, y, epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], arch_lr=s["arch_lr"],
                      crop_padding=s["size"] // 8, seed=seed, log=lambda *a: None)


def mean_op_weight(alphas, op):
    """The mean softmax weight of ``op`` over the edges of one cell's alpha (as viz.alphas.op_weight_curve)."""
    return round(float(np.mean(np.asarray(alphas)[:, DARTS_PRIMITIVES.index(op)])), 4)


def part_paper_rates(seeds):
    _, x, y = quick_images()
    runs = {}
    for seed in seeds:
        history = quick_search(seed, x, y, lr=0.025, arch_lr=3e-4)
        runs[str(seed)] = [round(e["valid_acc"], 4) for e in history]
    return dict(what="notebook 08's quick search with the paper's rates: w by SGD from 0.025, alpha by Adam at 3e-4",
                valid_acc_per_epoch=runs)


def part_long(seeds, epochs=16):
    _, x, y = quick_images()
    space, runs = darts(nodes=QUICK["steps"]), {}
    for seed in seeds:
        history = quick_search(seed, x, y, epochs=epochs)
        runs[str(seed)] = dict(
            skip_connect_normal=[mean_op_weight(e["alphas"][0], "skip_connect") for e in history],
            max_pool_3x3_normal=[mean_op_weight(e["alphas"][0], "max_pool_3x3") for e in history],
            valid_acc=[round(e["valid_acc"], 4) for e in history],
            derived=space.encode(history[-1]["genotype"]))
    return dict(what=f"notebook 08's quick search for {epochs} epochs instead of {QUICK['epochs']}: the mean softmax "
                     "weight of an op on the edges of the normal cell after each epoch", epochs=epochs, runs=runs)


def uniform_cell(op, nodes=QUICK["steps"]):
    """A cell with ``op`` on every edge: node k reads the two nodes before it."""
    cell = [(op, i) for k in range(nodes) for i in (k, k + 1)]
    return Genotype(normal=cell, normal_concat=list(range(2, 2 + nodes)), reduce=cell,
                    reduce_concat=list(range(2, 2 + nodes)))


def part_uniform(seeds, ops=("max_pool_3x3", "skip_connect", "sep_conv_3x3")):
    images, _, _ = quick_images()
    r = RETRAIN
    budget = Budget(epochs=r["epochs"], C=r["C"], layers=r["layers"], image_size=QUICK["size"],
                    batch_size=r["batch_size"], lr=r["lr"])
    data = (images.x_train[:QUICK["n"]], images.y_train[:QUICK["n"]], images.x_test[:r["n_test"]],
            images.y_test[:r["n_test"]])
    test_acc = {op: [train_and_evaluate(uniform_cell(op), data, budget, seed=seed, build_fn=builder("darts")).reward for seed in seeds] for op in ops}
    return dict(what="a cell with one op on every edge (normal and reduction), retrained with notebook 08's recipe "
                     f"({r['epochs']} epochs, C = {r['C']}, {r['layers']} cells, {QUICK['n']} images, {r['n_test']} test images)",
                test_acc=test_acc)


def part_deep(run_dir=ROOT / "runs" / "darts_cnn_deep"):
    overrides = dict(epochs=60, layers=8, C=8, nodes=4)
    settings = methods.settings_for("darts", "darts", "quick", overrides)
    run_dir = Path(run_dir)
    methods.run("darts", "darts", settings, run_dir, resume=(run_dir / CHECKPOINT).is_file(), progress="off")
    history = torch.load(run_dir / CHECKPOINT, map_location="cpu", weights_only=False)["history"]
    rows = []
    for e in history:
        g = e["genotype"]
        rows.append(dict(epoch=e["epoch"] + 1, train_acc=round(e["train_acc"], 4), valid_acc=round(e["valid_acc"], 4),
                         skip_connect_normal=sum(op == "skip_connect" for op, _ in g.normal),
                         parameter_free_normal=sum(op in PARAMETER_FREE for op, _ in g.normal),
                         parameter_free_reduce=sum(op in PARAMETER_FREE for op, _ in g.reduce),
                         genotype=e["genotype_text"]))
    return dict(what="the search network of the paper's shape (8 cells of 4 nodes, C = 8) for 60 epochs on 800 of "
                     "the kit's images, seed 0, other settings as the command line's quick profile",
                command="python -m nas_kit search --method darts --space darts --set epochs=60 --set layers=8 "
                        "--set C=8 --set nodes=4",
                settings={k: settings[k] for k in ("epochs", "C", "layers", "nodes", "n_train", "image_size", "lr",
                                                   "arch_lr", "batch_size", "unrolled")},
                epochs=rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, from {', '.join(PARTS)}")
    parser.add_argument("--seeds", default="0,1,2,3,4", help="seeds of the parts with several (comma-separated)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    parts, seeds = args.parts.split(","), [int(s) for s in args.seeds.split(",")]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}: choose from {', '.join(PARTS)}")
    for part in parts:
        start = time.perf_counter()
        result = part_deep() if part == "deep" else globals()[f"part_{part}"](seeds)
        result.update(seconds=round(time.perf_counter() - start, 1), torch=torch.__version__,
                      cpu_capability=torch.backends.cpu.get_cpu_capability(),
                      kernels={k: os.environ[k] for k in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA") if k in os.environ},
                      made_by=f"python scripts/measure_darts_cnn_runs.py --parts {part}"
                              + ("" if part == "deep" else f" --seeds {args.seeds}"))
        m = json.loads(args.out.read_text()) if args.out.is_file() else {}
        m[part] = result
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(m, indent=1) + "\n")
        os.replace(tmp, args.out)
        print(f"{part}: done in {result['seconds']:.0f} s -> {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
