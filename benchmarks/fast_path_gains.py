"""What each part of the DARTS networks' fast path gains: the steps of ``speed.py`` with the parts switched on one by one.

From the plain path (the DARTS code's computation, NCHW) the parts are added in this order:

1. channels-last memory (oneDNN's depthwise, pooling and BN kernels are several times faster in it),
2. dilated convolutions on sub-images (``operations.atrous``),
3. FactorizedReduce's stride-2 1x1 convolutions at stride 1 on the even and odd pixels (``EvenOddPixels``),
4. the fast cell (search: source by source, one ReLU and one pool per source, 'none' not run;
   evaluation: one ReLU per state, one pooling per state and kind, drop-path applied with the node's sum),
5. the ReLU of every cell output computed once for the two cells that read it (the network's fast path),
6. the second ReLU of each separable convolution taken in place (``SepConv``'s fast path).

Each variant is timed in the same process, round after round (so a busy machine slows all alike), and the
best of the rounds in CPU time of the process is printed (on a shared machine the wall clock mostly
measures the neighbours), with the ratio to the plain path.

    .venv/bin/python benchmarks/fast_path_gains.py --batch 32 --rounds 3
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.models.cifar_network import Cell, NetworkCIFAR
from nas_kit.models.darts_search import SearchCell, SearchNetwork
from nas_kit.models.operations import DilConv, FactorizedReduce, SepConv, set_fast_path
from nas_kit.strategies.darts import Architect
from nas_kit.strategies.darts.search import cnn_loss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from darts_steps import darts_v2_network, random_batch, sgd, training_step  # noqa: E402  (the DARTS_V2 step, one home)

PARTS = [("plain path (NCHW)", None), ("+ channels-last", "channels_last"), ("+ dilated convs on sub-images", DilConv),
         ("+ strided 1x1 convs on even pixels", FactorizedReduce), ("+ fast cell", (SearchCell, Cell)),
         ("+ cell outputs ReLU'd once", (SearchNetwork, NetworkCIFAR)), ("+ SepConv's second ReLU in place", SepConv)]


def variant(model, upto):
    """Switch on the first ``upto`` parts of the fast path; returns whether the input goes channels-last."""
    set_fast_path(model, False)
    on = [part for _, part in PARTS[1:upto + 1]]
    classes = tuple(c for part in on if part != "channels_last" for c in (part if isinstance(part, tuple) else (part,)))
    for module in model.modules():
        if isinstance(module, classes):
            module.fast = True
    return "channels_last" in on


def search_steps(batch):
    torch.manual_seed(0)
    model = SearchNetwork(C=16, num_classes=10, layers=8)
    w_opt = torch.optim.SGD(model.weights(), 0.025, momentum=0.9, weight_decay=3e-4)
    data = [(torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))) for _ in range(2)]
    architect = Architect(model, w_opt, cnn_loss, unrolled=False)

    def steps(channels_last):
        (x, y), (xv, yv) = [(b[0].contiguous(memory_format=torch.channels_last) if channels_last else b[0], b[1])
                            for b in data]

        def weight():
            w_opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            nn.utils.clip_grad_norm_(model.weights(), 5.0)
            w_opt.step()
        return {"search: weight step": weight, "search: alpha step, 1st order": lambda: architect.step((x, y), (xv, yv))}
    return model, steps


def eval_step(batch):
    model = darts_v2_network()
    opt, (x0, y) = sgd(model), random_batch(batch)

    def steps(channels_last):
        x = x0.contiguous(memory_format=torch.channels_last) if channels_last else x0
        return {"DARTS_V2 evaluation: training step": training_step(model, (x, y), opt)}
    return model, steps


def cpu_ms(fn):
    t = time.process_time()
    fn()
    return 1000 * (time.process_time() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--networks", nargs="+", default=["search", "eval"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), batch {args.batch}, best CPU ms of {args.rounds} rounds")
    for build in [search_steps if n == "search" else eval_step for n in args.networks]:
        model, steps = build(args.batch)
        best = {}
        for r in range(args.rounds + 1):                     # round 0 warms up (momentum buffers, oneDNN primitives)
            for k in range(len(PARTS)):
                for step, fn in steps(variant(model, k)).items():
                    ms = cpu_ms(fn)
                    if r:
                        best[step, k] = min(best.get((step, k), ms), ms)
        for step in steps(False):
            plain = best[step, 0]
            for k, (name, _) in enumerate(PARTS):
                print(f"{step:36s} {name:36s} {best[step, k]:9.0f} ms {best[step, k] / plain:6.2f}", flush=True)


if __name__ == "__main__":
    main()
