"""The kit beside the official DARTS code (quark0/darts, cnn/), step for step, on the same machine.

First a check that the two compute the same thing: a small search network (C=4, 5 cells) built by
both, the official weights and alphas copied into the kit's, one SGD step on each, then the
architecture gradient of both, first and second order, in float64 (in float32 the finite difference
of eq. 8 rounds differently in the two, by about 1e-3 relative); and the logits of the DARTS_V2
evaluation network built by both with the same weights.  Then the same steps as
``speed.py``, each timed for both implementations with the same inputs, one fresh process per
measurement (so each peak memory is its own), and the ratio kit / official printed (with ``--rounds R``, R
measurements of each, kit and official taking turns, and the median of the R ratios; with ``--interleave``, both
in one process, the kit's and the official step taken in turn, and the median of the pairs' ratios, which a
drift of the machine's speed between processes does not move):

1. The search network (C=16, 8 cells, 4 nodes): a weight step (forward, backward, clip 5, SGD with
   momentum), a first-order architecture step and a second-order one (the official ``Architect.step``
   with ``unrolled`` False and True; the kit's ``nas_kit.strategies.darts.Architect``).
2. The DARTS_V2 evaluation network (C=36, 20 cells, auxiliary head weighted 0.4, drop-path 0.2): one
   training step as the official ``train.py`` takes it, on a batch already in memory (the data
   pipeline is left out on both sides).

The official code is not part of the kit (nor of its dependencies).  Clone it beside the kit and pass
its folder:

    git clone https://github.com/quark0/darts local/darts            # local/ is git-ignored
    .venv/bin/python benchmarks/vs_official.py --official local/darts --threads 1

It was written for PyTorch 0.3-0.4 and runs unchanged on today's PyTorch (with deprecation warnings)
except for two things this script supplies: ``.cuda()`` calls are made no-ops when timing on the CPU,
and ``utils.drop_path`` is the kit's (the official ``utils`` imports torchvision, which the kit does not
install, and draws its mask with ``torch.cuda.FloatTensor``; the computation is the same).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from darts_steps import darts_v2_network, sgd, training_step, weight_step  # noqa: E402  (the steps, one home)
from speed import _median_ms, add_timing_options, in_fresh_process, warmup_for  # noqa: E402  (its timing rules)


def _cnn_folder(folder) -> Path:
    cnn = Path(folder) / "cnn"
    if not (cnn / "model_search.py").is_file():
        raise SystemExit(f"vs_official: error: {cnn / 'model_search.py'} not found: pass --official the folder of "
                         f"a clone of https://github.com/quark0/darts.")
    return cnn


def _official(folder, device):
    """Import the official cnn/ modules from ``folder`` (a clone of quark0/darts)."""
    cnn = _cnn_folder(folder)
    warnings.filterwarnings("ignore")                        # its PyTorch 0.3 idioms warn on every call
    if device.type == "cpu":
        torch.Tensor.cuda = lambda self, *a, **k: self
        nn.Module.cuda = lambda self, *a, **k: self
    from nas_kit.models.cifar_network import drop_path
    sys.modules["utils"] = SimpleNamespace(drop_path=drop_path)
    sys.path.insert(0, str(cnn))
    import architect
    import model
    import model_search
    return SimpleNamespace(Network=model_search.Network, Architect=architect.Architect, NetworkCIFAR=model.NetworkCIFAR)


def check_same_gradients(folder) -> dict:
    """Relative differences, kit against official, in float64: grad alpha (first and second order), DARTS_V2's logits."""
    from nas_kit.models.darts_search import SearchNetwork
    from nas_kit.strategies.darts import Architect
    from nas_kit.strategies.darts.search import cnn_loss

    off = _official(folder, torch.device("cpu"))
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        torch.manual_seed(0)
        official, kit = off.Network(4, 10, 5, nn.CrossEntropyLoss()), SearchNetwork(C=4, num_classes=10, layers=5)
        with torch.no_grad():
            for a, b in zip([*official.parameters(), *official.arch_parameters()], [*kit.weights(), *kit.arch_parameters()]):
                b.copy_(a)                                   # raises if the two networks differ in shape
        (x, y), (xv, yv) = _batches(torch.device("cpu"), 8, size=16)
        sgd = {}
        for name, model, weights in (("official", official, list(official.parameters())), ("kit", kit, list(kit.weights()))):
            sgd[name] = torch.optim.SGD(weights, 0.025, momentum=0.9, weight_decay=3e-4)
            weight_step(model, weights, sgd[name], (x, y))()  # so that the momentum buffers exist
        differences = {}
        for unrolled in (False, True):
            for a in official.arch_parameters():
                a.grad = None
            off.Architect(official, SimpleNamespace(momentum=0.9, weight_decay=3e-4, arch_learning_rate=0.0,
                                                    arch_weight_decay=0.0)).step(x, y, xv, yv, 0.025, sgd["official"],
                                                                                 unrolled)
            theirs = [a.grad for a in official.arch_parameters()]
            ours, _ = Architect(kit, sgd["kit"], cnn_loss, unrolled=unrolled).arch_gradient((x, y), (xv, yv), 0.025)
            differences["grad alpha, " + ("second order" if unrolled else "first order")] = max(
                float((a - b).norm() / a.norm()) for a, b in zip(theirs, ours))
        differences["DARTS_V2 network's logits"] = _same_network(off, x)
        return differences
    finally:
        torch.set_default_dtype(dtype)


def _same_network(off, x) -> float:
    """Relative difference of the logits of DARTS_V2 (C=8, 5 cells) built by both, with the same weights, in eval mode."""
    from nas_kit.genotypes import DARTS_V2
    from nas_kit.models.cifar_network import NetworkCIFAR
    with contextlib.redirect_stdout(io.StringIO()):
        official = off.NetworkCIFAR(8, 10, 5, True, DARTS_V2)
    kit = NetworkCIFAR(8, 10, 5, True, DARTS_V2)
    kit.load_state_dict(official.state_dict())               # raises if a name or a shape differs
    official.drop_path_prob = 0.0
    theirs, ours = official.eval()(x)[0], kit.eval()(x)[0]
    return float((theirs - ours).norm() / theirs.norm())


def _batches(device, batch_size, n=2, size=32):
    return [(torch.randn(batch_size, 3, size, size, device=device), torch.randint(0, 10, (batch_size,), device=device))
            for _ in range(n)]


def search_official(off, device, batch_size):
    """{step: a function taking it} for the official search network, its ``Architect`` and SGD, seed 0."""
    torch.manual_seed(0)
    model = off.Network(16, 10, 8, nn.CrossEntropyLoss()).to(device)
    w_opt = torch.optim.SGD(model.parameters(), 0.025, momentum=0.9, weight_decay=3e-4)
    arch = off.Architect(model, SimpleNamespace(momentum=0.9, weight_decay=3e-4, arch_learning_rate=3e-4,
                                                arch_weight_decay=1e-3))
    (xt, yt), (xv, yv) = _batches(device, batch_size)
    return {"weight step": weight_step(model, list(model.parameters()), w_opt, (xt, yt)),
            "alpha step, 1st order": lambda: arch.step(xt, yt, xv, yv, 0.025, w_opt, False),
            "alpha step, 2nd order": lambda: arch.step(xt, yt, xv, yv, 0.025, w_opt, True)}


def search_kit(off, device, batch_size):
    from darts_steps import search_steps
    return search_steps(device, batch_size)


def eval_official(off, device, batch_size):
    from nas_kit.genotypes import DARTS_V2
    torch.manual_seed(0)
    with contextlib.redirect_stdout(io.StringIO()):          # its Cell prints its channel counts
        model = off.NetworkCIFAR(36, 10, 20, True, DARTS_V2).to(device)
    return {"training step (aux, drop-path)": training_step(model, _batches(device, batch_size, 1)[0], sgd(model))}


def eval_kit(off, device, batch_size):
    model = darts_v2_network(device)
    return {"training step (aux, drop-path)": training_step(model, _batches(device, batch_size, 1)[0], sgd(model))}


STEPS = {("search", "kit"): search_kit, ("search", "official"): search_official,
         ("eval", "kit"): eval_kit, ("eval", "official"): eval_official}


def _run(device, kind, who, folder, batch_size, repeats, warmup):
    """{step: median ms} of the kit's or the official steps of one network."""
    off = _official(folder, device) if who == "official" else None
    return {step: _median_ms(fn, device, repeats, warmup_for(step, warmup))
            for step, fn in STEPS[kind, who](off, device, batch_size).items()}


def _run_interleaved(device, kind, folder, batch_size, repeats, warmup):
    """{step: (the kit's ms, the official ms, each pair's ratio)}, both in this one process, each step taken by the
    two in turn (kit, official, official, kit, ...): a pair meets the machine in the same state."""
    kit, official = STEPS[kind, "kit"](None, device, batch_size), STEPS[kind, "official"](_official(folder, device),
                                                                                         device, batch_size)
    results = {}
    for step in kit:
        for _ in range(warmup_for(step, warmup)):
            kit[step](), official[step]()
        times = {"kit": [], "official": []}
        for i in range(repeats):
            for who, fn in ((("kit", kit[step]), ("official", official[step])) if i % 2 == 0
                            else (("official", official[step]), ("kit", kit[step]))):
                times[who].append(_median_ms(fn, device, 1, 0))
        results[step] = (float(np.median(times["kit"])), float(np.median(times["official"])),
                         [k / o for k, o in zip(times["kit"], times["official"])])
    return results


def measure_rounds(kind, batch, args):
    """The kit's and the official steps of one network, ``args.rounds`` times. Each round measures both in fresh
    processes of their own, the two taking turns to go first (so a drift of the machine's speed weighs on both
    alike), or with ``args.interleave`` both in one fresh process, step by step in turn (``_run_interleaved``).
    Returns, per step, (kit ms, official ms, the ratio of each round: with ``interleave`` the median of its
    pairs'), and the two peaks (MiB, the highest of the rounds; None with ``interleave``: one process held both)."""
    common = (args.official, batch, args.repeats, args.warmup)
    if args.interleave:
        rounds = [in_fresh_process(_run_interleaved, args.device, args.threads, kind, *common, clock=args.clock)[0]
                  for _ in range(args.rounds)]
        return {step: (float(np.median([r[step][0] for r in rounds])), float(np.median([r[step][1] for r in rounds])),
                       [float(np.median(r[step][2])) for r in rounds]) for step in rounds[0]}, None, None
    runs = {"kit": [], "official": []}
    for r in range(args.rounds):
        for who in ("kit", "official") if r % 2 == 0 else ("official", "kit"):
            runs[who].append(in_fresh_process(_run, args.device, args.threads, kind, who, *common, clock=args.clock))
    kit, official = runs["kit"], runs["official"]
    steps = {step: (float(np.median([k[0][step] for k in kit])), float(np.median([o[0][step] for o in official])),
                    [k[0][step] / o[0][step] for k, o in zip(kit, official)]) for step in kit[0][0]}
    return steps, max(k[1] for k in kit), max(o[1] for o in official)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--official", required=True, help="folder of a clone of https://github.com/quark0/darts")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--networks", nargs="+", choices=["search", "eval"], default=["search", "eval"],
                    help="which networks' steps to time (the equivalence check runs always)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure kit and official this many times each, taking turns, and print the median of the "
                         "rounds' ratios (on a machine whose speed drifts, 3 or 5 give a steadier ratio than 1)")
    ap.add_argument("--interleave", action="store_true",
                    help="time kit and official in one process, step by step in turn, and print the median of the "
                         "pairs' ratios (a drift of the machine's speed falls on both steps of a pair alike); "
                         "no peak memory (one process holds both: measure it without --interleave)")
    args = add_timing_options(ap).parse_args()
    if args.rounds < 1:
        ap.error(f"--rounds must be at least 1, got {args.rounds}.")
    _cnn_folder(args.official)
    same = check_same_gradients(args.official)
    print("kit against official, float64, relative difference: "
          + ", ".join(f"{k} {v:.1e}" for k, v in same.items()), flush=True)
    print(f"torch {torch.__version__}, device {args.device}, {args.threads} CPU threads, "
          f"median of {args.repeats} after {args.warmup} warm-up, {args.clock} clock on the CPU"
          + ("; kit and official in one process, step by step in turn: the median of the pairs' ratios"
             if args.interleave else "")
          + (f"; {args.rounds} rounds, kit and official taking turns: median ms and the median of the rounds' ratios"
             if args.rounds > 1 else ""))
    print(f"{'network':30s} {'batch':>5s} {'step':32s} {'kit ms':>9s} {'official ms':>12s} {'kit/official':>12s} "
          f"{'kit MiB':>8s} {'official MiB':>12s}" + ("  rounds' ratios" if args.rounds > 1 else ""))
    for kind, name, batch in (("search", "DARTS search, C=16, 8 cells", args.search_batch),
                              ("eval", "DARTS_V2 eval, C=36, 20 cells", args.eval_batch)):
        if kind not in args.networks:
            continue
        steps, kit_peak, official_peak = measure_rounds(kind, batch, args)
        for step, (kit_ms, official_ms, ratios) in steps.items():
            print(f"{name:30s} {batch:5d} {step:32s} {kit_ms:9.1f} {official_ms:12.1f} {np.median(ratios):12.2f} "
                  + (f"{kit_peak:8.0f} {official_peak:12.0f}" if kit_peak else f"{'-':>8s} {'-':>12s}")
                  + ("  " + " ".join(f"{q:.2f}" for q in ratios) if args.rounds > 1 else ""), flush=True)


if __name__ == "__main__":
    main()
