"""Speed of the two networks every DARTS user runs, on the CPU and (where there is one) the GPU.

1. The DARTS search network (C=16, 8 cells, 4 nodes; Liu et al. 2019, section 3.1.1) at batch 64: one
   weight step (forward, backward, SGD), one first-order architecture step (grad_alpha L_val at w) and
   one second-order step (eq. 7-8: the virtual step w', grad at w', two more gradients at w+ and w-).
2. The DARTS_V2 evaluation network (C=36, 20 cells, auxiliary head, drop-path, cutout; appendix A.2) at
   batch 96, trained by the kit's own loop (``nas_kit.training.train_cifar``) with its GPU options: the
   images held on the device, augmented there in batches, bf16 autocast and channels-last on CUDA.

For each: milliseconds per step (the median of --repeats after --warmup; ``--clock cpu`` times the CPU steps by
the CPU time of the process instead of the wall clock, for a machine that others share), images per second, and the
peak memory (CUDA: torch.cuda.max_memory_allocated; CPU: the peak resident set of a fresh process that
ran only that measurement). Inputs are random 32x32 images: speed does not depend on the pixels.

    .venv/bin/python benchmarks/speed.py --threads 1          # on a shared 2-core CPU, 1 thread is fastest
    .venv/bin/python benchmarks/speed.py --device cuda --repeats 20 --warmup 5
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import numpy as np
import torch


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = time.perf_counter          # the clock of this process's measurements (``_timed`` sets it)


def _median_ms(fn, device, repeats, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        _sync(device)
        t = _clock()
        fn()
        _sync(device)
        times.append(1000 * (_clock() - t))
    return float(np.median(times))


def warmup_for(step, warmup):
    """The warm-up steps before timing ``step``: at least one before a weight step (SGD's momentum buffer exists
    after the first)."""
    return max(warmup, 1) if step == "weight step" else warmup


def search_steps(device, batch_size, repeats, warmup):
    """{step name: ms} for the DARTS search network's weight step and both architecture steps."""
    from darts_steps import search_steps as steps
    return {name: _median_ms(fn, device, repeats, warmup_for(name, warmup))
            for name, fn in steps(device, batch_size).items()}


def eval_steps(device, batch_size, repeats, warmup):
    """{step name: ms} for one training step of DARTS_V2 (C=36, 20 cells) in the kit's final-training loop:
    an epoch of ``warmup + repeats`` steps is timed per step through the loop's progress hook."""
    from nas_kit.data.cifar10 import ImageData
    from nas_kit.genotypes import DARTS_V2
    from nas_kit.training import train_cifar as tc

    n = batch_size * (warmup + repeats)
    rng = np.random.default_rng(0)
    images = ImageData(rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n),
                       rng.integers(0, 256, (batch_size, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, batch_size),
                       [str(k) for k in range(10)])
    settings = tc.recipe("full", epochs=1, batch_size=batch_size, device=device.type, threads=0, eval_batch_size=batch_size)
    stamps = []

    class Clock:                         # in place of the progress bar: one time stamp per finished step
        def start_epoch(self, *a):
            _sync(device)
            stamps.append(_clock())

        def step(self, s, stats):
            _sync(device)
            stamps.append(_clock())

        def end_epoch(self, *a):
            pass

        def note(self, *a):
            pass

    tc.train_cifar(DARTS_V2, settings, images=images, progress=Clock())
    steps = np.diff(stamps)[warmup:]
    return {"training step (aux, drop-path, cutout)": 1000 * float(np.median(steps))}


def _timed(measurement, device_name, threads, clock, queue, *args):
    global _clock
    torch.set_num_threads(threads)
    device = torch.device(device_name)
    _clock = CLOCKS[clock] if device.type == "cpu" else time.perf_counter        # a GPU's time is the wall's
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    times = measurement(device, *args)
    if device.type == "cuda":
        peak = torch.cuda.max_memory_allocated() / 2 ** 20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024          # KiB on Linux
    queue.put((times, peak))


def in_fresh_process(measurement, device, threads, *args, clock="wall"):
    """``measurement(torch.device(device), *args)`` ({step: ms}) run in a fresh process, so that its peak
    memory (MiB, the second item returned) is its own; on the CPU its milliseconds are those of ``clock``."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=_timed, args=(measurement, device, threads, clock, queue, *args))
    p.start()
    result = queue.get()
    p.join()
    return result


def measure(kind, device, batch_size, repeats, warmup, threads, clock="wall"):
    return in_fresh_process(search_steps if kind == "search" else eval_steps, device, threads, batch_size, repeats,
                            warmup, clock=clock)


def add_timing_options(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """--threads, --repeats, --warmup, --search-batch, --eval-batch (the defaults are the issue's batches), --clock."""
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--search-batch", type=int, default=64)
    ap.add_argument("--eval-batch", type=int, default=96)
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="time CPU steps by the wall clock or by the CPU time of the measuring process (on a machine "
                         "that others share, the wall clock mostly measures them; a GPU is always timed by the wall)")
    return ap


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", nargs="+", default=["cpu"] + (["cuda"] if torch.cuda.is_available() else []))
    args = add_timing_options(ap).parse_args()
    print(f"torch {torch.__version__}, {args.threads} CPU threads, median of {args.repeats} after {args.warmup} warm-up, "
          f"{args.clock} clock on the CPU")
    if torch.cuda.is_available():
        print(f"GPU: {torch.cuda.get_device_name()}")
    print(f"{'device':6s} {'network':28s} {'batch':>5s} {'step':40s} {'ms':>9s} {'images/s':>9s} {'peak MiB':>9s}")
    for device in args.device:
        for kind, name, batch in (("search", "DARTS search, C=16, 8 cells", args.search_batch),
                                  ("eval", "DARTS_V2 eval, C=36, 20 cells", args.eval_batch)):
            times, peak = measure(kind, device, batch, args.repeats, args.warmup, args.threads, args.clock)
            for step, ms in times.items():
                print(f"{device:6s} {name:28s} {batch:5d} {step:40s} {ms:9.1f} {1000 * batch / ms:9.1f} {peak:9.0f}",
                      flush=True)


if __name__ == "__main__":
    main()
