"""Print the folder-level import graph of nas_kit, read from the source with ``ast`` (nothing is imported):
for each part of the package (a folder, or a module at its top), the parts it imports, and whether every
import runs downward in the layer order below (or sideways, within one layer).

    python scripts/import_graph.py            # the graph, then the upward imports (none, one hopes)

tests/test_layout.py checks the same order.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nas_kit"

# Lowest first: a part may import only from its own layer or the layers below it.
LAYERS = [
    ("config", "files", "genotypes", "results", "claims", "published_results", "tables", "measurements"),
    ("data",),
    ("spaces",),
    ("models",),
    ("viz",),
    ("registry",),
    ("training",),
    ("estimation",),
    ("strategies",),
    ("methods", "exercises"),
    ("cli", "__main__"),
    ("widgets", "__init__"),
]
LAYER_OF = {part: i for i, layer in enumerate(LAYERS) for part in layer}


def modules():
    """Every module of the package: (its path, its part: the folder or top-level module it belongs to)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        yield path, rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_parts(path: Path):
    """(line, part) for every nas_kit import in a module, at any depth (functions included)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "nas_kit" else [f"nas_kit.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "nas_kit" and len(parts) > 1:
                yield node.lineno, parts[1]


def graph() -> dict:
    """{part: {imported part: [(module, line), ...]}} over the whole package."""
    edges = {}
    for path, part in modules():
        edges.setdefault(part, {})
        for line, target in imported_parts(path):
            if target != part:
                edges[part].setdefault(target, []).append((str(path.relative_to(ROOT)), line))
    return edges


def upward(edges: dict) -> list[str]:
    """One line per import that runs upward (or reaches a part the layer order does not know)."""
    bad = []
    for part, targets in edges.items():
        for target, where in targets.items():
            if part not in LAYER_OF or target not in LAYER_OF or LAYER_OF[target] > LAYER_OF[part]:
                bad += [f"{module}:{line}: {part} imports {target}" for module, line in where]
    return bad


def main() -> int:
    edges = graph()
    for part in sorted(edges, key=lambda p: (LAYER_OF.get(p, len(LAYERS)), p)):
        targets = sorted(edges[part], key=lambda p: (LAYER_OF.get(p, len(LAYERS)), p))
        print(f"{part:18s} -> {', '.join(targets) if targets else '(nothing)'}")
    bad = upward(edges)
    print(f"\n{len(bad)} upward imports" + (":" if bad else " (layers, lowest first: " +
                                              " | ".join(" ".join(layer) for layer in LAYERS) + ")"))
    for line in bad:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
