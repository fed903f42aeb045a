"""Where the time of a DARTS step goes: ``torch.profiler`` totals per op type (self CPU time, forward and backward).

The steps of ``speed.py``: the search network (C=16, 8 cells, 4 nodes) weight step and first- and second-order
architecture steps, and one training step of the DARTS_V2 evaluation network (C=36, 20 cells, auxiliary head,
drop-path 0.2). Each step runs once to warm up, then once under the profiler; the table lists the ops that
took the most self time (an op's own time, its children excluded), grouped by name, in milliseconds and as
a share of the step.

    .venv/bin/python benchmarks/profile_darts.py --threads 1 --batch 32 --eval-batch 96
    .venv/bin/python benchmarks/profile_darts.py --steps weight --rows 15
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

from nas_kit.models.darts_search import SearchNetwork
from nas_kit.strategies.darts import Architect
from nas_kit.strategies.darts.search import cnn_loss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from darts_steps import darts_v2_network, random_batch, training_step  # noqa: E402  (the DARTS_V2 step, one home)


def search_steps(batch_size, device):
    torch.manual_seed(0)
    model = SearchNetwork(C=16, num_classes=10, layers=8).to(device)
    w_opt = torch.optim.SGD(model.weights(), 0.025, momentum=0.9, weight_decay=3e-4)
    train, valid = [(torch.randn(batch_size, 3, 32, 32, device=device), torch.randint(0, 10, (batch_size,), device=device))
                    for _ in range(2)]

    def weight():
        w_opt.zero_grad()
        F.cross_entropy(model(train[0]), train[1]).backward()
        nn.utils.clip_grad_norm_(model.weights(), 5.0)
        w_opt.step()

    first = Architect(model, w_opt, cnn_loss, unrolled=False)
    second = Architect(model, w_opt, cnn_loss, unrolled=True)
    return {"weight": weight, "alpha1": lambda: first.step(train, valid),
            "alpha2": lambda: second.step(train, valid, 0.025)}


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32, help="search network batch")
    ap.add_argument("--eval-batch", type=int, default=96)
    ap.add_argument("--steps", nargs="+", default=["weight", "alpha1", "alpha2", "eval"])
    ap.add_argument("--rows", type=int, default=25)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"torch {torch.__version__}, {args.threads} threads, search batch {args.batch}, eval batch {args.eval_batch}")
    if {"weight", "alpha1", "alpha2"} & set(args.steps):
        steps = search_steps(args.batch, device)
        for name in ("weight", "alpha1", "alpha2"):
            if name in args.steps:
                profile_step(f"search network, {name} step, batch {args.batch}", steps[name], args.rows)
    if "eval" in args.steps:
        profile_step(f"DARTS_V2 evaluation, training step, batch {args.eval_batch}", eval_step(args.eval_batch, device),
                     args.rows)


if __name__ == "__main__":
    main()
