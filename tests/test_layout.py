"""The layout a newcomer reads from the folder names: no import runs upward between folders (the order of
scripts/import_graph.py), no module is longer than 300 lines, no function longer than 60, and a space's name
is spelled only where spaces are defined and named."""
import ast
import importlib.util
from pathlib import Path

import pytest

from nas_kit.registry import SPACES

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_graph)

MODULES = [path for path, _ in import_graph.modules()]


def test_no_import_runs_upward_between_folders():
    assert import_graph.upward(import_graph.graph()) == []


def test_every_part_of_the_package_has_a_layer():
    assert {part for _, part in import_graph.modules()} <= set(import_graph.LAYER_OF)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_300_lines(path):
    assert len(path.read_text().splitlines()) <= 300


def functions(path):
    return [node for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_is_over_60_lines(path):
    long = [f"{f.name} ({f.end_lineno - f.lineno + 1} lines)" for f in functions(path) if f.end_lineno - f.lineno >= 60]
    assert long == []


def names_where(path):
    """The space names written as strings in a module."""
    return sorted({node.value for node in ast.walk(ast.parse(path.read_text()))
                   if isinstance(node, ast.Constant) and node.value in SPACES})


def test_a_space_is_named_only_by_spaces_the_registry_and_the_recipes_that_search_it():
    allowed = lambda rel: rel.parts[0] == "spaces" or rel.name in ("registry.py", "methods.py", "recipe.py")  # noqa: E731
    named = {str(p.relative_to(ROOT)): names_where(p) for p in MODULES if not allowed(p.relative_to(ROOT / "nas_kit"))}
    assert {module: names for module, names in named.items() if names} == {}
