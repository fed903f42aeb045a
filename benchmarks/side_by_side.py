"""The kit's own side-by-side table of the methods (notebook 11): each method's search as the command line
runs it (``python -m nas_kit search``), timed, then its cell retrained with one final-training recipe
(``nas_kit.training.train_cifar``) for several seeds, beside the published cells trained the same way.

    .venv/bin/python benchmarks/side_by_side.py                    # quick profile, CPU: writes nas_kit/tables/side_by_side_quick.json
    .venv/bin/python benchmarks/side_by_side.py --profile full     # the papers' settings (GPU-days; see notebook 11)

Every search and every training runs with one thread on the CPU in the quick profile, one after another,
so that the seconds are comparable. Search budgets are each method's own quick settings
(``nas_kit.methods.defaults``), not equalised: read the cost column with that in mind.
"""
from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from nas_kit import genotypes as G
from nas_kit import methods, tables
from nas_kit.registry import count_parameters_of
from nas_kit.training import train_cifar

# (label, method, space, overrides): cell spaces only, so that every result trains in the same network.
METHODS = [("random search", "random", "darts", {}),
           ("aging evolution", "evolution", "darts", {}),
           ("NAS-RL (REINFORCE)", "nas_rl", "darts", {}),
           ("PNAS (MLP predictor)", "pnas", "pnas", {}),
           ("ENAS (micro)", "enas", "enas_micro", {}),
           ("DARTS, first order", "darts", "darts", {"unrolled": "false"}),
           ("DARTS, second order", "darts", "darts", {"unrolled": "true"})]
PUBLISHED = ["NASNet", "AmoebaNet", "PNASNet", "ENAS", "DARTS_V1", "DARTS_V2"]


def params_at_paper_size(genotype) -> float:
    """Millions of parameters in the DARTS evaluation network (C=36, 20 cells, no auxiliary head)."""
    return count_parameters_of("darts", genotype) / 1e6


def retrain(genotype, profile, seeds):
    settings = [train_cifar.recipe(profile, seed=s, threads=1 if profile == "quick" else 0) for s in seeds]
    results = [train_cifar.train_cifar(genotype, st, progress="off") for st in settings]
    return dict(test_error=[round(r["test_error"], 2) for r in results],
                train_seconds=[round(sum(h["seconds"] for h in r["history"]), 1) for r in results],
                params_M=round(results[0]["params_M"], 4))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", choices=("quick", "full"), default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or tables.path(f"side_by_side_{args.profile}.json")
    torch.set_num_threads(1)
    table = dict(profile=args.profile, machine=f"{platform.machine()}, {torch.get_num_threads()} thread(s), "
                 + ("CUDA " + torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"),
                 torch=torch.__version__, final_recipe=asdict(train_cifar.recipe(args.profile)), seeds=args.seeds,
                 rows=[])
    for label, method, space, overrides in METHODS:
        settings = methods.settings_for(method, space, args.profile, overrides)
        with tempfile.TemporaryDirectory() as run_dir:
            t0 = time.perf_counter()
            found = methods.run(method, space, settings, run_dir, progress="off")
            seconds = time.perf_counter() - t0
        genotype = found["arch"]
        row = dict(name=label, method=method, space=space, search_seconds=round(seconds, 1),
                   search_settings={k: v for k, v in settings.items() if k not in ("device", "data_root")},
                   genotype=str(genotype), params_paper_size_M=round(params_at_paper_size(genotype), 3),
                   **retrain(genotype, args.profile, args.seeds))
        table["rows"].append(row)
        print(f"{label:22s} search {seconds:7.1f} s  test error {np.mean(row['test_error']):5.1f}% "
              f"{row['test_error']}  {row['params_paper_size_M']:.2f}M at C=36/20 cells", flush=True)
    for name in PUBLISHED:
        genotype = getattr(G, name)
        row = dict(name=name, method="published", space="", search_seconds=None, genotype=str(genotype),
                   params_paper_size_M=round(params_at_paper_size(genotype), 3), **retrain(genotype, args.profile, args.seeds))
        table["rows"].append(row)
        print(f"{name:22s} published       test error {np.mean(row['test_error']):5.1f}% {row['test_error']}  "
              f"{row['params_paper_size_M']:.2f}M at C=36/20 cells", flush=True)
    out.write_text(json.dumps(table, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
