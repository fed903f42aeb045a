"""The command line: the runs that do not belong in a notebook.

    python -m nas_kit train  --genotype DARTS_V2 [--task cifar10] [--profile quick|full] [--set key=value ...]
    python -m nas_kit search --method darts [--space darts] [--profile quick|full] [--set key=value ...]
    ... --run-dir DIR [--resume] [--progress auto|bar|lines|off] [--show-settings]

``train`` trains a published genotype (a name in nas_kit.genotypes.PUBLISHED or PUBLISHED_NETWORKS), a genotype in
the DARTS repository's text form, or a search's genotype.txt, with DARTS's or ENAS's final recipe
(nas_kit.training.train_cifar, train_ptb, train_macro).  ``search`` runs any method on the spaces it searches
(the table in nas_kit.methods).  Every setting has the paper's value in the full profile and can be overridden
with ``--set``; the run directory (nas_kit.training.run_dir) holds everything needed to resume, and one process at a
time holds it (nas_kit.training.lock). Every setting is checked before anything is written; on ``--resume`` only
``run_dir.RESUMABLE`` settings may change. An expected failure (a bad setting, a genotype outside its space, missing
data) prints one line ``nas_kit: error: ...`` and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from nas_kit import methods
from nas_kit.config import (PROFILES, current_profile, from_settings, override, parse_assignments, print_sources,
                            sources_of)
from nas_kit.data import DataNotFoundError
from nas_kit.genotypes import PUBLISHED, PUBLISHED_NETWORKS, form, parse_genotype, to_darts_string
from nas_kit.registry import SPACES, draw, entry, genotype_text
from nas_kit.strategies.darts.search import CHECKPOINT as DARTS_CHECKPOINT
from nas_kit.training import run_dir as rd
from nas_kit.training import train_cifar, train_macro, train_ptb
from nas_kit.viz import draw_genotype, draw_macro, draw_rnn_genotype

PROGRESS = ("auto", "bar", "lines", "off")


class UsageError(ValueError):
    """A command line that cannot run; the message says what to change."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage block), exit status 2."""

    def error(self, message):
        command = f" {self.prog.split()[-1]}" if " " in self.prog else ""
        fail(f"{message} (see python -m nas_kit{command} --help)")


def fail(message: str):
    sys.stderr.write(f"nas_kit: error: {one_line(message)}\n")
    raise SystemExit(2)


def one_line(message) -> str:
    text = " ".join(str(message).split())
    return text if text.endswith((".", ")", "?")) else text + "."


def build_parser() -> Parser:
    parser = Parser(prog="nas_kit", description="Search architectures and train genotypes as the NAS papers do.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    def common(p):
        p.add_argument("--profile", choices=PROFILES, help="quick (CPU, seconds, the kit's data) or full (the paper's "
                       "settings, GPU, real data); default $NAS_KIT_PROFILE or quick")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override one setting (repeatable); --show-settings lists them")
        p.add_argument("--run-dir", help="the run directory (default runs/<command>-<name>-<time>)")
        p.add_argument("--resume", action="store_true", help="continue the run in --run-dir after its last complete epoch")
        p.add_argument("--progress", choices=PROGRESS, default="auto",
                       help="auto: a bar on a terminal, one line per epoch elsewhere")
        p.add_argument("--show-settings", action="store_true", help="print the settings as JSON and exit")

    train = sub.add_parser("train", help="train a genotype from scratch (DARTS's evaluation recipe)")
    train.add_argument("--genotype", help="a published name (DARTS_V2, NASNet, ...), Genotype(...) text, "
                       "a file, or a search's run directory")
    train.add_argument("--task", choices=("cifar10", "ptb"), help="default: cifar10 for a cell, ptb for a recurrent cell")
    train.add_argument("--space", help="also check that the genotype belongs to this space (e.g. darts)")
    train.add_argument("--recipe", choices=("DARTS", "ENAS"), default="DARTS",
                       help="whose final training: DARTS (cnn/train.py, rnn/train.py; default) or ENAS "
                            "(cifar10_micro_final.sh, cifar10_macro_final.sh, ptb_final.sh)")
    common(train)

    search = sub.add_parser("search", help="search a space with one method")
    search.add_argument("--method", choices=methods.METHODS)
    search.add_argument("--space", help="the space to search (each method lists its own; default: the paper's)")
    common(search)
    return parser


# ---------------------------------------------------------------- genotypes
# Where a genotype of each form trains (cells, ENAS macro networks: CIFAR-10; recurrent cells: PTB); its drawing.
TASKS = {"cell": ("cifar10", train_cifar, draw_genotype), "recurrent": ("ptb", train_ptb, draw_rnn_genotype),
         "macro": ("cifar10", train_macro, lambda genotype: draw_macro(list(genotype.layers)))}


def resolve_genotype(text: str):
    """A published name, a run directory or file holding genotype text, or the text itself -> a genotype."""
    if (published := {**PUBLISHED, **PUBLISHED_NETWORKS}.get(text)) is not None:
        return published
    path = Path(text)
    if "(" not in text:
        if path.is_dir():
            path = path / "genotype.txt"
        if not path.is_file():
            raise UsageError(f"--genotype {text!r} is not a published genotype "
                             f"({', '.join([*PUBLISHED, *PUBLISHED_NETWORKS])}), "
                             f"a file or run directory, or Genotype(...) text.")
        try:
            text = path.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError:
            raise UsageError(f"--genotype {path} is not a text file: give a genotype.txt (Genotype(...) text) or a "
                             f"published name.") from None
    return parse_genotype(text)


def check_space(genotype, space_name: str) -> None:
    """Raise InvalidArchitecture if ``genotype`` is not in the space ``space_name`` (sized to the genotype)."""
    if space_name not in SPACES:
        raise UsageError(f"--space {space_name!r} is not a space: choose one of {', '.join(SPACES)}.")
    kind = form(genotype)
    if SPACES[space_name].form != kind:
        fits = [name for name, e in SPACES.items() if e.form == kind]
        raise UsageError(f"a {kind} genotype cannot belong to the {space_name} space: use {' or '.join(fits)}.")
    SPACES[space_name].sized_to(genotype).validate(genotype)


# ---------------------------------------------------------------- run directories
def default_run_dir(command: str, name: str) -> Path:
    return Path("runs") / f"{command}-{name}-{time.strftime('%Y%m%d-%H%M%S')}"


REQUIRED = {"train": ("name", "task", "profile", "genotype"), "search": ("name", "method", "space", "profile")}


def saved_run(args, given: dict, hold: bool) -> tuple[Path, dict]:
    """(--resume) The run directory, held by this process when ``hold``, and its saved config, checked against
    what the command line names (``given``: command, method, space, task, profile, genotype)."""
    if not args.run_dir:
        raise UsageError("--resume needs --run-dir DIR, the run to continue.")
    run_dir = Path(args.run_dir)
    if not (run_dir / rd.CONFIG).is_file():
        raise FileNotFoundError(f"no run to resume in {run_dir} (it has no {rd.CONFIG}): check --run-dir, or drop "
                                f"--resume to start a new run.")
    if hold:
        rd.begin(run_dir)
    saved = rd.read_config(run_dir)
    missing = [k for k in REQUIRED.get(saved["command"], ()) if k not in saved]
    if missing:
        raise ValueError(f"{run_dir / rd.CONFIG} lacks {', '.join(missing)}: restore it, or start a new --run-dir.")
    for key in ("command", "method", "space", "task", "profile", "genotype"):
        if given.get(key) is not None and saved.get(key) is not None and given[key] != saved[key]:
            theirs = "" if key == "genotype" else f" {saved[key]!r}"
            raise UsageError(f"this {key} differs from the run's{theirs} in {run_dir / rd.CONFIG}: "
                             f"resume without it, or start a new --run-dir.")
    return run_dir, saved


def new_run(args, name: str) -> Path:
    """The run directory of a new run, held by this process, checked to hold no run yet."""
    run_dir = Path(args.run_dir) if args.run_dir else default_run_dir(args.command, name)
    rd.begin(run_dir)
    if any((run_dir / n).exists() for n in (rd.METRICS, rd.CHECKPOINT, DARTS_CHECKPOINT)):
        raise UsageError(f"{run_dir} already holds a run: add --resume to continue it, or choose another --run-dir.")
    return run_dir


# ---------------------------------------------------------------- commands
def _train_config(args, profile, overrides) -> tuple:
    """(run directory, config, genotype) of a train command: a new run, or the saved one to resume, every
    setting checked before anything is written."""
    genotype = resolve_genotype(args.genotype) if args.genotype is not None else None
    if genotype is None and not args.resume:
        raise UsageError("train needs --genotype (e.g. --genotype DARTS_V2), or --resume with --run-dir.")
    if genotype is not None:
        task, module, _ = TASKS[form(genotype)]
        if args.task is not None and args.task != task:
            other = "cell" if task == "ptb" else "recurrent"
            raise UsageError(f"a {form(genotype)} genotype trains on {task}, not {args.task}: drop --task or pass a "
                             f"{other} genotype.")
        if args.space:
            check_space(genotype, args.space)
    if args.resume:
        run_dir, config = saved_run(args, dict(command="train", task=args.task, profile=args.profile,
                                               genotype=to_darts_string(genotype) if genotype else None),
                                    hold=not args.show_settings)
        genotype = resolve_genotype(config["genotype"])
        module = TASKS[form(genotype)][1]
        saved = rd.complete(run_dir, config["settings"], asdict(module.FULL))
        settings = override(from_settings(type(module.FULL), saved), overrides,
                            f"train on {config['task']} ({config['profile']} profile)")
        module.check(settings)
        rd.check_resume(saved, asdict(settings), run_dir / rd.CONFIG)
        config["settings"] = asdict(settings)
        return run_dir, config, genotype
    settings = override(module.recipe(profile, args.recipe), overrides, f"train on {task} ({profile} profile)")
    module.check(settings)
    name = args.genotype if "(" not in args.genotype and not Path(args.genotype).exists() else "genotype"
    config = dict(command="train", name=name, task=task, profile=profile, genotype=to_darts_string(genotype),
                  recipe=args.recipe, settings=asdict(settings))
    return (None if args.show_settings else new_run(args, name)), config, genotype


def cmd_train(args, profile, overrides) -> int:
    run_dir, config, genotype = _train_config(args, profile, overrides)
    task, module, drawing = TASKS[form(genotype)]
    profile, settings = config["profile"], from_settings(type(module.FULL), config["settings"])
    if args.show_settings:
        print(json.dumps(config["settings"], indent=2))
        print_sources(sources_of(settings))
        return 0
    rd.write_json(run_dir / rd.CONFIG, config)
    note = rd.write_genotype(run_dir, to_darts_string(genotype), drawing(genotype))
    if note:
        print(note, file=sys.stderr)
    train = module.train_cifar if task == "cifar10" else module.train_ptb
    results = train(genotype, settings, run_dir=run_dir, resume=args.resume, progress=args.progress)
    if task == "cifar10":
        print(f"{config['name']} on cifar10 ({profile}): test accuracy {100 * results['test_acc']:.2f}% "
              f"(error {results['test_error']:.2f}%) after {results['epochs']} epochs, "
              f"{results['params_M']:.3g}M parameters; run directory {run_dir}")
    else:
        print(f"{config['name']} on ptb ({profile}): valid perplexity {results['valid_ppl']:.2f}, test perplexity "
              f"{results['test_ppl']:.2f} (batch 1) after {results['epochs']} epochs, {results['params_M']:.3g}M "
              f"parameters; run directory {run_dir}")
    return 0


def _search_config(args, profile, overrides) -> tuple:
    """(run directory, config) of a search command: a new run, or the saved one (with new --set applied), every
    setting checked before anything is written."""
    if args.resume:
        run_dir, config = saved_run(args, dict(command="search", method=args.method, space=args.space,
                                               profile=args.profile), hold=not args.show_settings)
        method, space = config["method"], config["space"]
        methods.method(method, space)
        saved = rd.complete(run_dir, config["settings"], methods.defaults(method, space, config["profile"]))
        config["settings"] = methods.check(override(saved, overrides, f"search --method {method} --space {space}",
                                                    methods.choices(method, space)))
        rd.check_resume(saved, config["settings"], run_dir / rd.CONFIG)
        return run_dir, config
    if args.method is None:
        raise UsageError(f"search needs --method, one of {', '.join(methods.METHODS)}.")
    method = args.method
    space = args.space or methods.METHODS[method].default_space
    settings = methods.settings_for(method, space, profile, overrides)
    config = dict(command="search", name=f"{method}-{space}", method=method, space=space, profile=profile,
                  settings=settings)
    return (None if args.show_settings else new_run(args, config["name"])), config


def _report_search(run_dir, found: dict) -> tuple[dict, str]:
    """Write results.json, genotype.txt and its drawing (optional: a failure is a warning) of a finished search;
    (the results, the hint to train it)."""
    arch, space = found["arch"], found["space"]
    exported = entry(space).to_genotype(arch)            # the genotype `train` retrains, and its settings
    summary = {k: v for k, v in found.items() if k not in ("arch", "space")}
    summary.update(exported[1] if exported else {})
    rd.write_json(run_dir / rd.RESULTS, summary)
    note = rd.write_genotype(run_dir, genotype_text(arch, space), draw(arch, space))
    if note:
        print(note, file=sys.stderr)
    if exported is None:
        return summary, ""
    return summary, (f"; train it with: python -m nas_kit train --genotype {run_dir / 'genotype.txt'}" +
                     "".join(f" --set {k}={v}" for k, v in exported[1].items()))


def cmd_search(args, profile, overrides) -> int:
    run_dir, config = _search_config(args, profile, overrides)
    method, space, profile = config["method"], config["space"], config["profile"]
    if args.show_settings:
        print(json.dumps(config["settings"], indent=2))
        print_sources(sources_of(*methods.method(method, space).recipes(space, "full")))
        return 0
    rd.write_json(run_dir / rd.CONFIG, config)
    found = methods.run(method, space, config["settings"], run_dir, resume=args.resume, progress=args.progress)
    summary, hint = _report_search(run_dir, found)
    numbers = ", ".join(f"{k} {v:.4g}" for k, v in summary.items() if isinstance(v, float) and k != "seconds")
    print(f"{method} on {space} ({profile}): {found['text']}" + (f"  ({numbers})" if numbers else ""))
    print(f"run directory {run_dir}{hint}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        profile = args.profile or current_profile()
        overrides = parse_assignments(args.overrides)
        command = cmd_train if args.command == "train" else cmd_search
        return command(args, profile, overrides)
    except (ValueError, FileNotFoundError, DataNotFoundError, FloatingPointError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        sys.stderr.write("nas_kit: interrupted; continue with --resume --run-dir (the last complete epoch is kept).\n")
        return 130
    finally:
        rd.release_all()
