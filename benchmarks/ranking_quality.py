"""How much does the ranking suffer when a candidate is judged cheaply? The figures issue 17 asks for, measured
over the whole mini benchmark (all 729 cells) and committed to ``nas_kit/measurements/13_ranking_quality.json``
(notebook 13 quotes them):

    proxies    each zero-cost proxy (NASWOT, synflow, grad_norm, snip; nas_kit.estimation.zero_cost) of every
               cell, the network's weights drawn from seeds 0-4 (one minibatch: the table's first 64 training
               images at 16 x 16): Spearman's rho with the table's mean validation and test accuracy, top-10
               and top-73 (10 %) overlap with the table's best by validation accuracy
    one_shot   the supernet (uniform path sampling, Bender et al. 2018; Li & Talwalkar 2019) trained for each of
               --supernet-epochs on the table's training images, seeds --supernet-seeds: the same measures for
               the shared-weight validation accuracy of every cell, and the table's test accuracy of its top cell
    nash       NASH against random search at equal training cost (epochs), --nash-seeds seeds: the best-so-far
               validation accuracy and its network's test accuracy at three cost levels
               (nas_kit.strategies.nash_race, on the kit's synthetic images)

    nice -n 19 .venv/bin/python benchmarks/ranking_quality.py --parts proxies,one_shot,nash
    .venv/bin/python benchmarks/ranking_quality.py --print         # the tables of the committed file

Each part replaces its own entry of the file and keeps the others (proxies and one_shot keep the proxies and
budgets they did not run, so that they can run in pieces).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from nas_kit.estimation.one_shot import ranking, train_supernet
from nas_kit.estimation.ranking import spearman, top_k_overlap
from nas_kit.estimation.tabular import QUICK, MiniBench, bench_data
from nas_kit.estimation.zero_cost import PROXIES, score_all
from nas_kit.models import BenchNetwork

from nas_kit.strategies.nash_race import QUICK as RACE, at_cost, levels, run

OUT = Path(__file__).resolve().parents[1] / "nas_kit" / "measurements" / "13_ranking_quality.json"
TOP = (10, 73)


def minibatch(data, n=64, size=16):
    """The proxies' minibatch: the table's first ``n`` training images at ``size`` x ``size``."""
    x = torch.as_tensor(data[0][:n]).permute(0, 3, 1, 2).float().div(255)
    return torch.nn.functional.interpolate(x, size=(size, size), mode="area"), torch.as_tensor(data[1][:n])


def measures(estimate, valid, test) -> dict:
    """Spearman with the table's validation and test accuracy, top-k overlap with its best by validation."""
    return dict(spearman_valid=spearman(estimate, valid), spearman_test=spearman(estimate, test),
                **{f"top{k}": top_k_overlap(estimate, valid, k) for k in TOP})


def proxies(bench, data, seeds, names=tuple(PROXIES)) -> dict:
    """{proxy: {seed: measures}} over every cell of the table."""
    archs, (x, y) = bench.archs(), minibatch(data)
    valid, test = [bench.valid_accuracy(a) for a in archs], [bench.test_accuracy(a) for a in archs]
    out = {}
    for name in names:
        out[name] = {}
        for s in seeds:
            t = time.perf_counter()
            scores = score_all(archs, lambda a: BenchNetwork(a, C=8, cells_per_stage=1), x, y, name, seed=s)
            out[name][str(s)] = dict(measures(scores, valid, test), seconds=time.perf_counter() - t)
            print(f"  {name} seed {s}: rho {out[name][str(s)]['spearman_valid']:.3f}", flush=True)
    return dict(cells=len(archs), minibatch=len(x), results=out)


def one_shot(bench, data, epochs_list, seeds) -> dict:
    """{epochs: {seed: measures}} of the supernet's shared-weight validation accuracy over every cell."""
    archs = bench.archs()
    valid, test = [bench.valid_accuracy(a) for a in archs], [bench.test_accuracy(a) for a in archs]
    out = {}
    for epochs in epochs_list:
        out[str(epochs)] = {}
        for s in seeds:
            t = time.perf_counter()
            net = train_supernet(data, bench.space, epochs=epochs, seed=s)
            shared = ranking(net, archs, data[2], data[3], valid)["shared"]
            out[str(epochs)][str(s)] = dict(measures(shared, valid, test), seconds=time.perf_counter() - t,
                                            chosen_test=bench.test_accuracy(archs[int(np.argmax(shared))]))
            print(f"  supernet {epochs} epochs seed {s}: rho {out[str(epochs)][str(s)]['spearman_valid']:.3f}",
                  flush=True)
    return dict(cells=len(archs), valid_images=len(data[2]), results=out)


def nash(seeds, r=RACE) -> dict:
    """Best-so-far (valid, test) of NASH and random search at the cost of NASH's 1st, 2nd and last step
    (notebook 13's quick race, nas_kit.strategies.nash_race.QUICK)."""
    at, results = levels(r), {"NASH": [], "random search": []}
    for s in seeds:
        t = time.perf_counter()
        for name, curve in run(r, s).items():
            results[name].append([at_cost(curve, c) or (float("nan"),) * 2 for c in at])
        print(f"  NASH race seed {s}: {time.perf_counter() - t:.0f} s", flush=True)
    return dict(seeds=list(seeds), levels=at, race=repr(r), results=results)


def spread(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.3f} ({v.min():.3f} to {v.max():.3f})" if len(v) > 1 else f"{v.mean():.3f}"


def mean_se(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.4f} ± {v.std(ddof=1) / np.sqrt(len(v)):.4f}" if len(v) > 1 else f"{v.mean():.4f}"


def show_ranking(title, entry) -> None:
    print(f"## {title}\n\n| | Spearman (valid) | Spearman (test) | top-10 overlap | top-73 overlap | seeds |\n"
          "|---|---|---|---|---|---|")
    for name, per_seed in entry["results"].items():
        rows = list(per_seed.values())
        cols = [spread([r[m] for r in rows]) for m in ("spearman_valid", "spearman_test", "top10", "top73")]
        print(f"| {name} | " + " | ".join(cols) + f" | {','.join(per_seed)} |")
    print()


def show(found) -> None:
    if "proxies" in found:
        show_ranking(f"Zero-cost proxies, all {found['proxies']['cells']} cells (mean, range over the seeds)",
                     found["proxies"])
    if "one_shot" in found:
        show_ranking(f"One-shot supernet by training epochs, all {found['one_shot']['cells']} cells",
                     found["one_shot"])
    if "nash" in found:
        r = found["nash"]
        print(f"## NASH against random search, {len(r['seeds'])} seeds (mean ± s.e.)\n\n| method | "
              + " | ".join(f"valid at {c} ep | test at {c} ep" for c in r["levels"]) + " |\n|---" +
              "|---|---" * len(r["levels"]) + "|")
        for name, rows in r["results"].items():
            cols = [mean_se([row[j][m] for row in rows]) for j in range(len(r["levels"])) for m in (0, 1)]
            print(f"| {name} | " + " | ".join(cols) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="proxies,one_shot,nash")
    parser.add_argument("--proxy-seeds", default="0-4")
    parser.add_argument("--proxies", default=",".join(PROXIES), help="e.g. naswot,synflow")
    parser.add_argument("--supernet-epochs", default="6,30,100")
    parser.add_argument("--supernet-seeds", default="0-2")
    parser.add_argument("--nash-seeds", default="0-19")
    parser.add_argument("--print", action="store_true", help="only print the committed file's tables")
    args = parser.parse_args(argv)
    found = json.loads(OUT.read_text()) if OUT.is_file() else {}
    if args.print:
        return show(found)
    torch.set_num_threads(1)
    seeds = lambda text: range(int(text.split("-")[0]), int(text.split("-")[-1]) + 1)  # noqa: E731
    bench, data = MiniBench.load(), bench_data(QUICK)
    for part in args.parts.split(","):
        if part == "proxies":                                  # written after each seed: a long run in pieces
            for s in seeds(args.proxy_seeds):
                found["proxies"] = proxies(bench, data, [s], args.proxies.split(","))
                save(part, found[part])
            continue
        elif part == "one_shot":
            found["one_shot"] = one_shot(bench, data, [int(e) for e in args.supernet_epochs.split(",")],
                                         seeds(args.supernet_seeds))
        elif part == "nash":
            found["nash"] = nash(seeds(args.nash_seeds))
        else:
            parser.error(f"no part {part!r}: choose among proxies, one_shot, nash.")
        save(part, found[part])
    show(json.loads(OUT.read_text()))


def save(part: str, entry: dict) -> None:
    """Write ``entry`` as the file's ``part``; the proxies, seeds and budgets other runs measured are kept."""
    current = json.loads(OUT.read_text()) if OUT.is_file() else {}
    if part in ("proxies", "one_shot") and part in current:
        results = current[part]["results"]
        for key, per_seed in entry["results"].items():
            results[key] = {**results.get(key, {}), **per_seed}
        entry = {**entry, "results": results}
    OUT.write_text(json.dumps({**current, part: entry}, indent=1) + "\n")


if __name__ == "__main__":
    main()
