"""Make the mini tabular benchmark: train every cell of the BenchSpace once per seed and write the table.

    python scripts/make_mini_bench.py                      # quick recipe, CPU, the kit's own images -> nas_kit/tables/mini_bench.json
    python scripts/make_mini_bench.py --recipe full --data ~/cifar10 --out nas_kit/tables/mini_bench_cifar10.json   # on a GPU

Each finished (cell, seed) is appended at once to a log beside the output (``<out>.partial.jsonl``), so a
killed run loses at most the cells in training and starts again where it stopped. The table keeps the
seeds that every cell has finished, and is written atomically (nas_kit.files).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from nas_kit.estimation.tabular import DEFAULT_TABLE, RECIPES, bench_data, new_table, train_bench_cell
from nas_kit.files import write_text
from nas_kit.spaces.bench import BenchSpace

_DATA = None


def _init_worker(recipe_name, root):
    global _DATA
    _DATA = bench_data(RECIPES[recipe_name], root)


def _train(arch, seed, budget):
    return arch, seed, train_bench_cell(arch, _DATA, budget, seed)


def assemble(table: dict, rows: dict, space: BenchSpace) -> dict:
    """The table from the finished rows {(encoding, seed): row}, keeping the seeds every cell has."""
    cells = [space.encode(a) for a in space.enumerate()]
    seeds = [s for s in table["seeds"] if all((c, s) in rows for c in cells)]
    table = dict(table, seeds=seeds, cells={})
    for c in cells:
        runs = [rows[c, s] for s in seeds]
        table["cells"][c] = dict(params=runs[0]["params"] if runs else None, valid=[r["valid"] for r in runs],
                                 test=[r["test"] for r in runs], seconds=[r["seconds"] for r in runs])
    return table


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", choices=sorted(RECIPES), default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--workers", type=int, default=2, help="processes training cells side by side (1 thread each)")
    ap.add_argument("--data", default=None, help="CIFAR-10 folder for the full recipe (see nas_kit.data.load_cifar10)")
    ap.add_argument("--out", type=Path, default=DEFAULT_TABLE)
    ap.add_argument("--limit", type=int, default=None, help="train at most this many (cell, seed) pairs, then stop")
    args = ap.parse_args(argv)

    space = BenchSpace()
    table = new_table(args.recipe, space.ops, args.seeds)
    budget = RECIPES[args.recipe].budget
    log = args.out.with_name(args.out.name + ".partial.jsonl")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = {}
    if log.is_file():
        for line in log.read_text().splitlines():
            r = json.loads(line)
            if r["recipe"] == args.recipe:
                rows[r["cell"], r["seed"]] = r["row"]
    todo = [(a, s) for s in args.seeds for a in space.enumerate() if (space.encode(a), s) not in rows]
    todo = todo[:args.limit] if args.limit is not None else todo
    print(f"{len(rows)} runs done, {len(todo)} to train with {args.workers} workers", flush=True)
    start = time.time()
    with ProcessPoolExecutor(args.workers, initializer=_init_worker, initargs=(args.recipe, args.data)) as pool, \
            open(log, "a") as f:
        futures = [pool.submit(_train, a, s, budget) for a, s in todo]
        for k, fut in enumerate(as_completed(futures), 1):
            arch, seed, row = fut.result()
            rows[space.encode(arch), seed] = row
            f.write(json.dumps(dict(recipe=args.recipe, cell=space.encode(arch), seed=seed, row=row)) + "\n")
            f.flush()
            if k % 50 == 0 or k == len(todo):
                left = (time.time() - start) / k * (len(todo) - k)
                print(f"{k}/{len(todo)} trained, {left / 60:.0f} min left", flush=True)
    table = assemble(table, rows, space)
    write_text(args.out, json.dumps(table, separators=(",", ":")))       # atomically, readable by everyone
    print(f"wrote {args.out} with seeds {table['seeds']} ({len(table['cells'])} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
