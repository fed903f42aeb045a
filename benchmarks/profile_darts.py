"""Where the time of a DARTS step goes: ``torch.profiler`` totals per op type (self CPU time, forward and backward).

The steps of ``speed.py``: the search network (C=16, 8 cells, 4 nodes) weight step and first- and second-order
architecture steps, and one training step of the DARTS_V2 evaluation network (C=36, 20 cells, auxiliary head,
drop-path 0.2). Each step runs once to warm up, then once under the profiler; the table lists the ops that
took the most self time (an op's own time, its children excluded), grouped by name, in milliseconds and as
a share of the step. ``--by-shape`` instead times every aten op by the wall clock as it is dispatched, grouped
by op, the shape of its first input (of the first of a list, for ``cat``) and, for convolutions, of its weight.
(``torch.profiler`` with ``record_shapes=True`` inflates the big first-stage ops of the DARTS_V2 step several times
over: a stage-1 BN backward, 2.0-2.5 ms a call by this clock and by the profiler without shapes, showed as 18-20 ms.)

    .venv/bin/python benchmarks/profile_darts.py --threads 1 --batch 32 --eval-batch 96
    .venv/bin/python benchmarks/profile_darts.py --steps weight --rows 15
    .venv/bin/python benchmarks/profile_darts.py --steps eval --eval-batch 32 --by-shape
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from darts_steps import darts_v2_network, random_batch, search_steps, training_step  # noqa: E402  (one home)


def eval_step(batch_size, device):
    return training_step(darts_v2_network(device), random_batch(batch_size, device))


def profile_step(name, fn, rows):
    fn()                                                     # warm-up: momentum buffers, oneDNN primitives
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events) / 1000
    print(f"\n== {name}: {total:,.0f} ms of self CPU time")
    print(f"{'op':48s} {'calls':>7s} {'ms':>9s} {'share':>6s}")
    for e in sorted(events, key=lambda e: -e.self_cpu_time_total)[:rows]:
        ms = e.self_cpu_time_total / 1000
        print(f"{e.key[:48]:48s} {e.count:7d} {ms:9.0f} {100 * ms / total:5.1f}%")


class OpClock(TorchDispatchMode):
    """Wall-clock seconds and calls of each aten op run under it (forward and backward), keyed by
    (op, first input's shape, a convolution's weight shape)."""

    def __init__(self):
        super().__init__()
        self.seconds, self.calls = collections.Counter(), collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        start = time.perf_counter()
        out = func(*args, **(kwargs or {}))
        name = func.__name__.split(".")[0]
        first = args[0][0] if args and isinstance(args[0], (list, tuple)) and args[0] else args[0] if args else None
        weight = args[2 if name.endswith("backward") else 1] if "convolution" in name else None
        key = (name, tuple(first.shape) if isinstance(first, torch.Tensor) else (),
               tuple(weight.shape) if isinstance(weight, torch.Tensor) else "")
        self.seconds[key] += time.perf_counter() - start
        self.calls[key] += 1
        return out


def time_ops_by_shape(name, fn, rows):
    fn()                                                     # warm-up
    with OpClock() as clock:
        fn()
    total = sum(clock.seconds.values()) * 1000
    print(f"\n== {name}: {total:,.0f} ms in aten ops (wall clock)")
    print(f"{'op':28s} {'input shape':22s} {'weight':16s} {'calls':>6s} {'ms':>8s} {'ms/call':>8s} {'share':>6s}")
    for (op, shape, weight), s in sorted(clock.seconds.items(), key=lambda kv: -kv[1])[:rows]:
        n, ms = clock.calls[op, shape, weight], 1000 * s
        print(f"{op[:28]:28s} {str(list(shape)):22s} {str(list(weight)) if weight else '':16s} {n:6d} {ms:8.0f} "
              f"{ms / n:8.2f} {100 * ms / total:5.1f}%")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32, help="search network batch")
    ap.add_argument("--eval-batch", type=int, default=96)
    ap.add_argument("--steps", nargs="+", default=["weight", "alpha1", "alpha2", "eval"])
    ap.add_argument("--rows", type=int, default=25)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--by-shape", action="store_true",
                    help="time each op by the wall clock, by input and weight shape, instead of torch.profiler")
    args = ap.parse_args()
    report = time_ops_by_shape if args.by_shape else profile_step
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"torch {torch.__version__}, {args.threads} threads, search batch {args.batch}, eval batch {args.eval_batch}")
    if {"weight", "alpha1", "alpha2"} & set(args.steps):
        steps = search_steps(device, args.batch)
        for name, step in (("weight", "weight step"), ("alpha1", "alpha step, 1st order"),
                           ("alpha2", "alpha step, 2nd order")):
            if name in args.steps:
                report(f"search network, {name} step, batch {args.batch}", steps[step], args.rows)
    if "eval" in args.steps:
        report(f"DARTS_V2 evaluation, training step, batch {args.eval_batch}", eval_step(args.eval_batch, device),
               args.rows)


if __name__ == "__main__":
    main()
