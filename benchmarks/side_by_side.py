"""The kit's side-by-side of the search methods (notebook 11) at one budget of training epochs, over several seeds.

    nice -n 10 .venv/bin/python benchmarks/side_by_side.py     # nas_kit/tables/side_by_side_quick.json, ~15 CPU-s

Every method searches the kit's mini benchmark (``nas_kit.estimation.tabular``: 729 cells, each trained for 6
epochs with one recipe, three times) as ``python -m nas_kit search --space mini_bench`` runs it
(``nas_kit.methods.history_of``, read at the budget by ``nas_kit.strategies.comparison.at_budget``), and every
method gets the same budget: ``EPOCHS`` training epochs in all, counted as the table counts them (a child judged
after e epochs costs e). The methods that judge every child at one fidelity train each child for ``FIDELITY``
epochs, so they see ``EPOCHS // FIDELITY`` children; Hyperband and BOHB choose their own fidelities and are
stopped when the budget is spent. A search's result is the mean test accuracy (over the table's three trainings)
of the cell it would return, as Real et al. (2019, Fig. 3) and NAS-Bench-201 report it.

The file also holds how well the children's reward ranks the cells: Spearman's rho, over all 729 cells, of the
validation accuracy after e epochs of one training with the test accuracy after the full 6 epochs (the mean of
the three trainings), for every e and every training seed of the table.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from nas_kit import methods, tables
from nas_kit.estimation.ranking import spearman
from nas_kit.estimation.tabular import MiniBench
from nas_kit.strategies.comparison import at_budget

EPOCHS = 120          # training epochs in all, per search
FIDELITY = 3          # epochs per child for the methods that judge every child alike
CHILDREN = {"budget": str(EPOCHS // FIDELITY), "fidelity_epoch": str(FIDELITY)}
# (label, method, overrides): Hyperband's and BOHB's budget counts evaluations, enough to spend EPOCHS
METHODS = [("random search", "random", CHILDREN),
           ("aging evolution", "evolution", CHILDREN),
           ("REINFORCE (NAS-RL)", "nas_rl", CHILDREN),
           ("TPE", "tpe", CHILDREN),
           ("GP-BO", "bo", CHILDREN),
           ("Hyperband", "hyperband", {"budget": "200"}),
           ("BOHB", "bohb", {"budget": "200"})]


def rank_correlations(bench: MiniBench) -> dict:
    """{epoch e: [Spearman of training seed s's validation accuracy after e epochs with the 6-epoch test accuracy]}."""
    archs = bench.archs()
    final = [bench.test_accuracy(a) for a in archs]
    return {e: [round(spearman([bench.valid_accuracy(a, s, e) for a in archs], final), 3)
                for s in range(len(bench.seeds))] for e in range(1, bench.epochs + 1)}


def search_at_budget(method: str, overrides: dict, seed: int, bench: MiniBench) -> dict:
    """One search of the mini benchmark as the command line runs it, read once EPOCHS are spent."""
    settings = methods.settings_for(method, "mini_bench", "quick", {**overrides, "seed": str(seed)})
    return at_budget(methods.history_of(method, "mini_bench", settings), EPOCHS, bench.test_accuracy)


def side_by_side(bench: MiniBench, seeds) -> list[dict]:
    """One row per method: its settings and, per seed, the final test accuracy and the incumbent curve."""
    rows = []
    for label, method, overrides in METHODS:
        runs = [search_at_budget(method, overrides, s, bench) for s in seeds]
        rows.append(dict(name=label, method=method, overrides=overrides,
                         final=[round(r["final"], 4) for r in runs], evaluations=[r["evaluations"] for r in runs],
                         curves=[[(c, round(a, 4)) for c, a in r["curve"]] for r in runs]))
        print(f"{label:20s} test accuracy {np.mean(rows[-1]['final']):.4f} "
              f"[{min(rows[-1]['final']):.4f}, {max(rows[-1]['final']):.4f}]", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = ap.parse_args()
    start = time.perf_counter()
    bench = MiniBench.load()
    archs = bench.archs()
    table = dict(about="made by benchmarks/side_by_side.py", epochs=EPOCHS, fidelity=FIDELITY, seeds=args.seeds,
                 bench_recipe=bench.table["recipe"], cells=len(archs),
                 seconds_per_epoch=round(float(np.mean([bench.train_seconds(a) for a in archs])) / bench.epochs, 3),
                 best_cell=round(max(bench.test_accuracy(a) for a in archs), 4),
                 median_cell=round(float(np.median([bench.test_accuracy(a) for a in archs])), 4),
                 spearman=rank_correlations(bench), rows=side_by_side(bench, args.seeds))
    out = tables.path("side_by_side_quick.json")
    out.write_text(json.dumps(table, indent=1))
    print(f"wrote {out.name} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
