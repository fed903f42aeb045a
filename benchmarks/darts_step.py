"""Time one DARTS search step on the paper's search network (C=16, 8 cells, 4 nodes, 32x32 images).

Prints milliseconds per weight step (forward, backward, SGD) and per architecture step, first order
(one forward-backward on a validation batch) and second order (eq. 7-8: the virtual step w', the
validation gradient at w', two more gradients at w+ and w-), at batch 32 and 64, on the CPU (with the
torch threads given by --threads) and on CUDA when available.

    .venv/bin/python benchmarks/darts_step.py [--repeats 3] [--warmup 1] [--threads 2] [--batch 32 64]
"""
import argparse
import time

import torch
import torch.nn.functional as F

from nas_kit.models.darts_search import SearchNetwork
from nas_kit.strategies.darts import Architect
from nas_kit.training.darts_search import cnn_loss


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_steps(device, batch_size, repeats, warmup=1):
    """(weight step, first-order arch step, second-order arch step) in milliseconds, the median of ``repeats``."""
    torch.manual_seed(0)
    model = SearchNetwork(C=16, num_classes=10, layers=8).to(device)
    w_opt = torch.optim.SGD(model.weights(), 0.025, momentum=0.9, weight_decay=3e-4)
    batch = (torch.randn(batch_size, 3, 32, 32, device=device), torch.randint(0, 10, (batch_size,), device=device))
    valid = (torch.randn(batch_size, 3, 32, 32, device=device), torch.randint(0, 10, (batch_size,), device=device))

    def weight_step():
        w_opt.zero_grad()
        F.cross_entropy(model(batch[0]), batch[1]).backward()
        torch.nn.utils.clip_grad_norm_(model.weights(), 5.0)
        w_opt.step()

    first = Architect(model, w_opt, cnn_loss, unrolled=False)
    second = Architect(model, w_opt, cnn_loss, unrolled=True)
    results = []
    for fn in (weight_step, lambda: first.step(batch, valid), lambda: second.step(batch, valid)):
        for _ in range(warmup):
            fn()  # warm-up (and the momentum buffer exists from here on)
        times = []
        for _ in range(repeats):
            _sync(device)
            t = time.perf_counter()
            fn()
            _sync(device)
            times.append(1000 * (time.perf_counter() - t))
        results.append(sorted(times)[len(times) // 2])
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--batch", type=int, nargs="+", default=[32, 64])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    print(f"DARTS search network C=16, 8 cells; torch {torch.__version__}, {args.threads} CPU threads; median of {args.repeats}")
    print(f"{'device':8s} {'batch':>5s} {'w step ms':>10s} {'alpha 1st ms':>13s} {'alpha 2nd ms':>13s} {'2nd/1st':>8s}")
    for device in devices:
        for b in args.batch:
            w, a1, a2 = time_steps(device, b, args.repeats, args.warmup)
            print(f"{device.type:8s} {b:5d} {w:10.0f} {a1:13.0f} {a2:13.0f} {a2 / a1:8.2f}", flush=True)


if __name__ == "__main__":
    main()
