"""The survey's methods on the mini benchmark, against the cost they spend (issue 17):

1. zero-cost proxies: each one's Spearman rho with the table's accuracy over all 729 cells;
2. every black-box strategy, old and new, over 20 seeds: mean +- standard error of the test accuracy of the
   incumbent (``History.incumbents``: the best at the highest fidelity so far) once 60, 240 and 600 epochs of
   training are spent (a full query of the table costs 6 epochs, one at fidelity e costs e);
3. the one-shot supernet (uniform path sampling): Spearman rho and top-10 overlap of its shared-weight accuracy
   with the table, and the table's test accuracy of the cell it ranks first (random search with weight sharing);
4. NASH against random search at equal training cost, on chain CNNs trained on the kit's synthetic images.

    nice -n 10 .venv/bin/python benchmarks/survey_methods.py                    # all of it, about 20 min on 1 CPU
    .venv/bin/python benchmarks/survey_methods.py --parts strategies --seeds 0-4
    .venv/bin/python benchmarks/survey_methods.py --parts strategies --seeds 0-9 --save a.json   # in pieces,
    .venv/bin/python benchmarks/survey_methods.py --parts strategies --seeds 10-19 --save b.json # then
    .venv/bin/python benchmarks/survey_methods.py --parts strategies --load a.json,b.json        # one table

Proxies and the supernet are computed once (seed 0): they are the costly part. The proxy's own compute is not
counted as cost in part 2 (no training).
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch

from nas_kit.data import images
from nas_kit.estimation.evaluator import Budget, accuracy, fit, split_train_valid
from nas_kit.estimation.one_shot import ranking, train_supernet
from nas_kit.estimation.ranking import spearman
from nas_kit.estimation.tabular import QUICK, MiniBench, bench_data
from nas_kit.estimation.zero_cost import PROXIES, score_all
from nas_kit.models import BenchNetwork
from nas_kit.models.chain_cnn import ChainCNN
from nas_kit.results import best_at_costs, summary
from nas_kit.spaces import ChainSpace
from nas_kit.strategies import NASRLStrategy, RandomSearch, RegularizedEvolution, run_search
from nas_kit.strategies.bohb import BOHB
from nas_kit.strategies.gp_bo import GPBayesOpt
from nas_kit.strategies.hyperband import Hyperband, SuccessiveHalving
from nas_kit.strategies.nash import NASH
from nas_kit.strategies.tpe import TPE
from nas_kit.strategies.warm_start import proxy_warm_evolution

LEVELS = (60, 240, 600)


def minibatch(data):
    """The proxies' minibatch: the table's first 64 training images at 16 x 16."""
    x, y = torch.as_tensor(data[0][:64]).permute(0, 3, 1, 2).float().div(255), torch.as_tensor(data[1][:64])
    return torch.nn.functional.interpolate(x, size=(16, 16), mode="area"), y


def lazy_proxy(bench, data, name="naswot"):
    """arch -> the proxy's score (as ``score_all`` with seed 0), computed on first use and kept."""
    (x, y), cache = minibatch(data), {}

    def score(arch):
        text = bench.space.encode(arch)
        if text not in cache:
            cache[text] = float(score_all([arch], lambda a: BenchNetwork(a, C=8, cells_per_stage=1), x, y, name)[0])
        return cache[text]
    return score


def proxies(bench, data, names=tuple(PROXIES), stride=1) -> dict:
    """{proxy: (scores of every ``stride``-th cell of bench.archs(), Spearman with the mean validation accuracy,
    with the test accuracy, seconds)}."""
    x, y = minibatch(data)
    archs = bench.archs()[::stride]
    valid, test = [bench.valid_accuracy(a) for a in archs], [bench.test_accuracy(a) for a in archs]
    out = {}
    for name in names:
        t = time.perf_counter()
        scores = score_all(archs, lambda a: BenchNetwork(a, C=8, cells_per_stage=1), x, y, name)
        out[name] = (scores, spearman(scores, valid), spearman(scores, test), time.perf_counter() - t)
    return out


def factories(bench, naswot):
    space = bench.space
    return {
        "random search": lambda s: RandomSearch(space, seed=s),
        "aging evolution (P=20, S=5)": lambda s: RegularizedEvolution(space, 20, 5, seed=s),
        "REINFORCE (NAS-RL, m=5)": lambda s: NASRLStrategy(space, lr=0.05, m=5, seed=s),
        "TPE (Optuna)": lambda s: TPE(space, seed=s),
        "GP-BO (Hamming, EI)": lambda s: GPBayesOpt(space, seed=s),
        "successive halving (27 at 2 ep, 9 at 6)": lambda s: SuccessiveHalving(space, [(27, 2), (9, 6)], 3, seed=s),
        "Hyperband (R=6, eta=2)": lambda s: Hyperband(space, R=6, eta=2, seed=s),
        "BOHB (R=6, eta=2)": lambda s: BOHB(space, R=6, eta=2, seed=s),
        "evolution warm-started by NASWOT (best 20 of 100)": lambda s: proxy_warm_evolution(
            space, naswot, pool_size=100, population_size=20, sample_size=5, seed=s),
    }


def run_to_cost(strategy, oracle, max_cost):
    history = None
    while history is None or history.total_cost() < max_cost:
        history = run_search(strategy, oracle, 1, history=history)
    return history


def strategies(bench, naswot, seeds) -> dict:
    """{name: (array seeds x LEVELS of incumbent test accuracy, seconds)}."""
    out = {}
    for name, make in factories(bench, naswot).items():
        t = time.perf_counter()
        runs = [best_at_costs(run_to_cost(make(s), bench.oracle(seed=s), max(LEVELS)), LEVELS, bench.test_accuracy)
                for s in seeds]
        out[name] = (np.array(runs), time.perf_counter() - t)
    return out


def one_shot(bench, data, epochs) -> dict:
    archs = bench.archs()
    valid, test = [bench.valid_accuracy(a) for a in archs], [bench.test_accuracy(a) for a in archs]
    t = time.perf_counter()
    net = train_supernet(data, bench.space, epochs=epochs, seed=0)
    r = ranking(net, archs, data[2], data[3], valid, k=10)
    best = archs[int(np.argmax(r["shared"]))]
    return dict(spearman_valid=r["spearman"], spearman_test=spearman(r["shared"], test), top10=r["top_k"],
                chosen_test=bench.test_accuracy(best), seconds=time.perf_counter() - t)


def nash_vs_random(seeds, n_steps=3, n_neigh=4, epoch_neigh=2, start_epochs=2) -> dict:
    """NASH's best network against random chains trained from scratch for as many epochs as NASH's lineage
    (start_epochs + n_steps * epoch_neigh), as many of them as NASH's total epochs allow."""
    found = images("synthetic", n_train=1200, n_test=500)
    space = ChainSpace(layers=4)
    lineage, total = start_epochs + n_steps * epoch_neigh, start_epochs + n_steps * n_neigh * epoch_neigh
    out = {"NASH": [], "random search": []}
    for s in seeds:
        data = split_train_valid(found, 0.25, s)
        budget = Budget(epochs=epoch_neigh, image_size=16, batch_size=64, lr=0.05, weight_decay=5e-4)
        climber = NASH(space, data, budget, ((3, 16),), start_epochs, n_neigh, n_nm=2, seed=s)
        for _ in range(n_steps):
            climber.step()
        out["NASH"].append((climber.best_acc, accuracy(climber.best.eval(), found.x_test, found.y_test, 16), climber.cost))
        rng, best = random.Random(s), (-1.0, None)
        for _ in range(total // lineage):
            torch.manual_seed(rng.randrange(2 ** 31))
            model = ChainCNN(space.sample(rng))
            fit(model, data[0], data[1], Budget(epochs=lineage, image_size=16, batch_size=64, lr=0.05,
                                                weight_decay=5e-4), rng.randrange(2 ** 31))
            acc = accuracy(model, data[2], data[3], 16)
            best = max(best, (acc, model), key=lambda b: b[0])
        out["random search"].append((best[0], accuracy(best[1], found.x_test, found.y_test, 16),
                                     (total // lineage) * lineage))
    return dict(results=out, lineage=lineage, total=total)


def mean_se(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.4f} ± {v.std(ddof=1) / np.sqrt(len(v)):.4f}" if len(v) > 1 else f"{v.mean():.4f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-19", help="seeds of part 2, e.g. 0-19")
    parser.add_argument("--proxy-stride", type=int, default=1, help="part 1 scores every k-th cell of the table")
    parser.add_argument("--save", help="part 2: write the runs to this JSON file")
    parser.add_argument("--load", help="part 2: print the table of runs saved by --save (comma-separated files)")
    parser.add_argument("--parts", default="proxies,strategies,one_shot,nash")
    parser.add_argument("--supernet-epochs", default="6,30")
    parser.add_argument("--nash-seeds", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    parts, bench, data = args.parts.split(","), MiniBench.load(), bench_data(QUICK)
    print(f"mini benchmark: {len(bench.archs())} cells, {bench.epochs} epochs, {len(bench.seeds)} training seeds; "
          f"best mean test accuracy in the table {max(map(bench.test_accuracy, bench.archs())):.4f}\n")
    first, last = map(int, args.seeds.split("-"))
    seeds = range(first, last + 1)
    found = proxies(bench, data, stride=args.proxy_stride) if "proxies" in parts else {}
    if "proxies" in parts:
        print(f"## Zero-cost proxies ({len(bench.archs()[::args.proxy_stride])} cells, every {args.proxy_stride}. of "
              f"the table; one minibatch of 64, seed 0)\n")
        print("| proxy | Spearman with valid acc | Spearman with test acc | seconds |\n|---|---|---|---|")
        for name, (_, sv, st, sec) in found.items():
            print(f"| {name} | {sv:.3f} | {st:.3f} | {sec:.0f} |")
        print()
    if "strategies" in parts:
        if args.load:
            saved = [json.loads(Path(f).read_text()) for f in args.load.split(",")]
            results = {name: (np.concatenate([np.array(s[name][0]) for s in saved]), sum(s[name][1] for s in saved))
                       for name in saved[0]}
        else:
            results = strategies(bench, lazy_proxy(bench, data, "naswot"), seeds)
        if args.save:
            Path(args.save).write_text(json.dumps({k: (v[0].tolist(), v[1]) for k, v in results.items()}))
        n = len(next(iter(results.values()))[0])
        print(f"## Incumbent test accuracy against epochs spent ({n} seeds, mean ± standard error)\n")
        print("| strategy | " + " | ".join(f"{c} epochs" for c in LEVELS) + " | seconds |\n|---" * 1 +
              "|---" * (len(LEVELS) + 1) + "|")
        for name, (runs, sec) in results.items():
            print(f"| {name} | " + " | ".join(mean_se(runs[:, j]) for j in range(len(LEVELS))) + f" | {sec:.0f} |")
        print()
    if "one_shot" in parts:
        print("## One-shot supernet (uniform path sampling, seed 0), shared weights against the table\n")
        print("| supernet epochs | Spearman (valid) | Spearman (test) | top-10 overlap | test acc of its top cell | "
              "seconds |\n|---|---|---|---|---|---|")
        for epochs in map(int, args.supernet_epochs.split(",")):
            r = one_shot(bench, data, epochs)
            print(f"| {epochs} | {r['spearman_valid']:.3f} | {r['spearman_test']:.3f} | {r['top10']:.1f} | "
                  f"{r['chosen_test']:.4f} | {r['seconds']:.0f} |")
        print()
    if "nash" in parts:
        r = nash_vs_random(range(args.nash_seeds))
        print(f"## NASH against random search at equal training cost ({args.nash_seeds} seeds, synthetic images, "
              f"{r['total']} epochs each; random chains trained {r['lineage']} epochs, NASH's lineage)\n")
        print("| method | best valid acc | its test acc | epochs |\n|---|---|---|---|")
        for name, rows in r["results"].items():
            v, t, c = zip(*rows)
            print(f"| {name} | {mean_se(v)} | {mean_se(t)} | {int(np.mean(c))} |")


if __name__ == "__main__":
    main()
