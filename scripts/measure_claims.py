"""Run notebooks for several seeds under several CPU kernels and record what their claims measured.

    python scripts/measure_claims.py notebooks/07_enas_cifar.ipynb            # seeds 0-4, two kernel configs
    python scripts/measure_claims.py notebooks/0*.ipynb --seeds 0-4 --jobs 2

Each run executes a copy of the notebook (nothing is written back to it) with NAS_KIT_SEED set, the
kernel configuration's environment, and NAS_KIT_RECORD pointing at a scratch file, into which every
``nas_kit.claims.check`` and ``record`` of the notebook writes what it saw (a failed check is recorded,
not raised, so that the notebook runs to its end). The results go to ``nas_kit/measurements/<notebook>.json``:
for each claim, whether it held in each seed and configuration; for each recorded value, its value.
A claim that held in every run may stay a check in the notebook; any other is reported there as its
fraction (``nas_kit.claims.report``). The table printed at the end says which is which.

Kernel configurations (``--configs``):
    native    the machine's own kernels (AVX2 or AVX-512 on x86-64), one thread
    generic   ATEN_CPU_CAPABILITY=default and ONEDNN_MAX_CPU_ISA=SSE41: the portable kernels, as on another CPU
    threads2  the machine's kernels with NAS_KIT_THREADS=2 (other reduction orders)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "nas_kit" / "measurements"
CONFIGS = {
    "native": {},
    "generic": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "threads2": {"NAS_KIT_THREADS": "2"},
}


def seeds_of(text: str) -> list[int]:
    """'0-4' -> [0, 1, 2, 3, 4]; '0,2,5' -> [0, 2, 5]."""
    seeds = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        seeds += list(range(int(a), int(b) + 1)) if b else [int(a)]
    return seeds


def run_once(path: Path, seed: int, config: str, timeout: int) -> tuple[list[dict], str, float]:
    """Execute ``path`` once; return (records, error message or '', seconds)."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "record.jsonl"
        env = dict(os.environ, NAS_KIT_SEED=str(seed), NAS_KIT_RECORD=str(record), **CONFIGS[config])
        env.pop("NAS_KIT_PROFILE", None)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        error, start = "", time.perf_counter()
        try:
            client.execute(env=env)
        except CellExecutionError as e:
            error = str(e).strip().splitlines()[-1][:300]
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return records, error, seconds


def summarise(name: str, runs: dict, seeds: list[int], configs: list[str]) -> dict:
    """The measurement file's content from {(config, seed): (records, error, seconds)}."""
    checks, values, errors, seconds = {}, {}, {}, {}
    for config in configs:
        for i, seed in enumerate(seeds):
            records, error, secs = runs[config, seed]
            seconds.setdefault(config, []).append(round(secs, 1))
            if error:
                errors.setdefault(config, {})[str(seed)] = error
            for r in records:
                table, key, value = (checks, r["claim"], r["holds"]) if r["kind"] == "check" else \
                    (values, r["name"], r["value"])
                slot = table.setdefault(key, {c: [None] * len(seeds) for c in configs})
                slot[config][i] = value
    return dict(notebook=name, made_by=f"python scripts/measure_claims.py notebooks/{name}.ipynb "
                f"--seeds {','.join(map(str, seeds))} --configs {','.join(configs)}",
                seeds=seeds, configs={c: CONFIGS[c] for c in configs}, checks=checks, values=values,
                errors=errors, seconds=seconds)


def table(m: dict) -> str:
    lines = [f"{m['notebook']}: seconds per run {m['seconds']}"]
    for claim, per in m["checks"].items():
        held = [h for runs in per.values() for h in runs if h is not None]
        verdict = "CHECK (held in every run)" if held and all(held) and len(held) == sum(len(r) for r in per.values()) \
            else "REPORT AS A FRACTION"
        lines.append(f"  {sum(held)}/{sum(len(r) for r in per.values())}  {verdict}: {claim}")
    for name, per in m["values"].items():
        flat = [v for runs in per.values() for v in runs if isinstance(v, (int, float))]
        if flat:
            lines.append(f"  value {name}: {min(flat):.4g} .. {max(flat):.4g} over {len(flat)} runs")
    for config, errs in m["errors"].items():
        for seed, e in errs.items():
            lines.append(f"  ERROR ({config}, seed {seed}): {e}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--seeds", default="0-4", help="e.g. 0-4 or 0,3")
    parser.add_argument("--configs", default="native,generic", help=f"comma-separated, from {', '.join(CONFIGS)}")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time (each uses one thread)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    seeds, configs = seeds_of(args.seeds), args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {unknown[0]!r}: choose from {', '.join(CONFIGS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        jobs = [(c, s) for c in configs for s in seeds]
        with ThreadPoolExecutor(args.jobs) as pool:
            results = dict(zip(jobs, pool.map(lambda cs: run_once(path, cs[1], cs[0], args.timeout), jobs)))
        m = summarise(path.stem, results, seeds, configs)
        out = args.out / f"{path.stem}.json"
        tmp = out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(m, indent=1) + "\n")
        os.replace(tmp, out)
        print(table(m), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
