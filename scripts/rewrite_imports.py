"""Rewrite the notebooks' code cells for the layout of issue 13 (the list: docs/upgrading.md).

    python scripts/rewrite_imports.py notebooks/*.ipynb            # rewrite in place, say what changed
    python scripts/rewrite_imports.py --check notebooks/*.ipynb    # only say what would change

First every ``from nas_kit.X import a, b as c`` (one line or parenthesised) and ``from nas_kit.X import module``
is rewritten name by name to where each name lives now; then the calls whose arguments changed (a space that
``draw`` now needs, ...) are rewritten where their text is found. What could not be rewritten is listed at the
end: a name that no longer exists, a ``draw(`` call without a space, and the call changes that found no text.
Outputs are left alone: re-execute the notebooks afterwards.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# (old module, name or "*") -> new module, or (new module, new name); "*": every name of the module.
RENAMES = {
    ("nas_kit.settings", "*"): "nas_kit.config",
    ("nas_kit.strategies.darts_derive", "parse_genotype"): "nas_kit.genotypes",
    ("nas_kit.strategies.darts_derive", "to_darts_string"): "nas_kit.genotypes",
    ("nas_kit.strategies.darts_derive", "*"): "nas_kit.strategies.darts",
    ("nas_kit.training.darts_search", "train_rnn_genotype"): "nas_kit.estimation.rnn_child",
    ("nas_kit.training.darts_search", "compare_with_random"): "nas_kit.strategies.comparison",
    ("nas_kit.training.darts_search", "*"): "nas_kit.strategies.darts.search",
    ("nas_kit.training.enas_search", "image_tensors"): ("nas_kit.training.cifar", "resized"),
    ("nas_kit.training.enas_search", "*"): "nas_kit.strategies.enas",
    ("nas_kit.training", "darts_search"): ("nas_kit.strategies.darts", "search"),
    ("nas_kit.training", "enas_search"): ("nas_kit.strategies", "enas"),
    ("nas_kit.training", "search_runs"): ("nas_kit", "methods"),
    ("nas_kit.training.train_cifar", "evaluate"): "nas_kit.training.cifar",
    **{("nas_kit.training.train_ptb", name): "nas_kit.training.ptb"
       for name in ("evaluate", "train_epoch", "averaged_weights", "MAX_ROLLBACKS")},
    ("nas_kit.training.run_dir", "write_text"): "nas_kit.files",
    ("nas_kit.training.run_dir", "genotype_text"): "nas_kit.registry",
    **{(module, name): "nas_kit.results" for module in ("nas_kit.strategies.base", "nas_kit.strategies")
       for name in ("Outcome", "Record", "History", "failed", "error_message", "call_evaluate")},
    ("nas_kit.strategies.comparison", "summary"): "nas_kit.results",
    **{(module, name): "nas_kit.genotypes" for module in ("nas_kit.models", "nas_kit.models.cifar_network",
                                                          "nas_kit.models.recurrent")
       for name in ("validate_genotype", "validate_rnn_genotype")},
    ("nas_kit.models", "MACRO_OPS"): "nas_kit.spaces.enas_macro",
    ("nas_kit.models.enas_macro", "MACRO_OPS"): "nas_kit.spaces.enas_macro",
    ("nas_kit.models.bench_network", "EDGES"): "nas_kit.spaces.bench",
    ("nas_kit.models.bench_network", "BENCH_OPS"): "nas_kit.spaces.bench",
    **{("nas_kit.spaces.cell", name): "nas_kit.spaces.pnas"
       for name in ("pnas", "cell_to_blocks", "blocks_to_cell", "pnas_genotype")},
    ("nas_kit.spaces", "SPACES"): "nas_kit.registry",
    ("nas_kit.viz", "draw"): "nas_kit.registry",
    ("nas_kit.viz.cells", "draw"): "nas_kit.registry",
    **{(module, name): "nas_kit.registry" for module in ("nas_kit.widgets", "nas_kit.widgets.explorer")
       for name in ("count_parameters_of", "network_of")},
}
GONE = {("nas_kit.spaces", "space_key"): "read space.key", ("nas_kit.strategies.enas", "space_key"): "read space.key",
        ("nas_kit.models", "validate_macro_arch"): "ENASMacroSpace(len(arch)).validate(arch)",
        ("nas_kit.models.enas_macro", "validate_macro_arch"): "ENASMacroSpace(len(arch)).validate(arch)"}

# Calls whose arguments changed, per notebook (its number): (pattern, replacement, import the replacement needs).
CALLS = {
    "02": [(r'draw\(G\.DARTS_V2\)', 'draw(G.DARTS_V2, "darts")', None),
           (r'\{name: draw\(G\.PUBLISHED\[name\]\) for name in \["DARTS_V2", "NASNet", "AmoebaNet", "ENAS", "PNASNet", '
            r'"DARTS_V2_RNN"\]\}',
            '{name: draw(G.PUBLISHED[name], space) for name, space in {"DARTS_V2": "darts", "NASNet": "nasnet", '
            '"AmoebaNet": "nasnet", "ENAS": "enas_micro", "PNASNet": "pnas", "DARTS_V2_RNN": "darts_rnn"}.items()}',
            None)],
    "04": [(r'RECIPES\["full"\]\["budget"\]', 'RECIPES["full"].budget', None)],
    "05": [(r'draw\(cell\)', 'draw(cell, searches["lstm"].space_of(cell))', None)],
    "07": [(r'retrain_cifar\(derived\[kind, "enas"\], data, kind,', 'retrain_cifar(derived[kind, "enas"], data, '
            'runs[kind, "enas"][0].space,', None)],
    "08": [(r'draw\(e\["genotype"\], title=', 'draw(e["genotype"], darts(nodes=steps), title=',
            "from nas_kit.spaces import darts"),
           (r'train_and_evaluate\(g, data, budget, seed=(\w+)\)',
            r'train_and_evaluate(g, data, budget, seed=\1, build_fn=builder(space))',
            "from nas_kit.estimation.evaluator import builder")],
    "09": [(r'draw\(e\["genotype"\], title=', 'draw(e["genotype"], DartsRNNSpace(steps), title=',
            "from nas_kit.spaces import DartsRNNSpace")],
    "10": [(r'draw\(derived, title=', 'draw(derived, found["space"], title=', None),
           (r'show\(full\[key\]\)', 'show(getattr(full, key))', None),
           (r'show\(quick\[key\]\)', 'show(getattr(quick, key))', None)],
    "11": [(r'path = Path\(nas_kit\.__file__\)\.resolve\(\)\.parents\[1\] / "data" / f"side_by_side_\{profile\}\.json"\n'
            r'if not path\.is_file\(\):\n    raise FileNotFoundError\(.*\)\n'
            r'side = json\.loads\(path\.read_text\(\)\)',
            'side = tables.load(f"side_by_side_{profile}.json")      # package data: nas_kit/tables/', 
            "from nas_kit import tables")],
}

IMPORT = re.compile(r'^(?P<indent>[ \t]*)from (?P<module>nas_kit[\w.]*) import (?P<names>\([^)]*\)|[^\n#]*)'
                    r'(?P<comment>[ \t]*#[^\n]*)?$', re.M)


def new_home(module: str, name: str):
    """(module, name) where ``module.name`` lives now."""
    target = RENAMES.get((module, name)) or RENAMES.get((module, "*")) or module
    return target if isinstance(target, tuple) else (target, name)


def rewrite_import(match, problems: list) -> str:
    module, indent = match["module"], match["indent"]
    by_module = {}
    for item in match["names"].strip("()").replace("\n", " ").split(","):
        if not item.strip():
            continue
        name, _, alias = item.strip().partition(" as ")
        if (module, name) in GONE:
            problems.append(f"{module}.{name} is gone: {GONE[module, name]}")
        new_module, new_name = new_home(module, name)
        alias = alias or (name if new_name != name else "")
        by_module.setdefault(new_module, []).append(new_name + (f" as {alias}" if alias and alias != new_name else ""))
    if list(by_module) == [module] and _same(match["names"], by_module[module]):
        return match.group(0)                                   # nothing moved: the line as it was
    lines = [f"{indent}from {m} import {', '.join(names)}" for m, names in by_module.items()]
    return "\n".join(lines) + (match["comment"] or "")


def _same(names_text: str, names: list) -> bool:
    return [" ".join(n.split()) for n in names_text.strip("()").replace("\n", " ").split(",") if n.strip()] == names


def rewrite_cell(source: str, calls: list, problems: list, applied: set) -> str:
    source = IMPORT.sub(lambda m: rewrite_import(m, problems), source)
    for k, (pattern, replacement, needs) in enumerate(calls):
        source, n = re.subn(pattern, replacement, source)
        if n or replacement.split("\\")[0][:40] in source:     # rewritten now, or by an earlier run
            applied.add(k)
            if needs and needs not in source:
                source = _with_import(source, needs)
    return source


def _with_import(source: str, line: str) -> str:
    """``source`` with the import ``line`` added after its leading comments (a cell's nbval marker stays first)."""
    lines = source.splitlines(keepends=True)
    k = next((i for i, text in enumerate(lines) if not text.startswith("#")), len(lines))
    return "".join(lines[:k] + [line + "\n"] + lines[k:])


def rewrite(path: Path, check: bool) -> list[str]:
    nb = json.loads(path.read_text())
    calls, problems, applied, changed = CALLS.get(path.name[:2], []), [], set(), 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        old = "".join(cell["source"])
        new = rewrite_cell(old, calls, problems, applied)
        problems += [f"draw without a space: {line.strip()}" for line in new.splitlines()
                     if re.search(r"\bdraw\([^,()]*(\([^()]*\))?[^,()]*\)", line)]
        if new != old:
            changed += 1
            cell["source"] = new.splitlines(keepends=True)
    problems += [f"call change not found: {calls[k][0][:60]}" for k in range(len(calls)) if k not in applied]
    if changed and not check:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    print(f"{path}: {changed} cells {'would change' if check else 'rewritten'}")
    return [f"  {path.name}: {p}" for p in problems]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--check", action="store_true", help="write nothing; say what would change")
    args = ap.parse_args(argv)
    problems = [p for path in args.notebooks for p in rewrite(path, args.check)]
    if problems:
        print("left for a person:\n" + "\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
