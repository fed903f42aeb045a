"""The student edition of the notebooks: the same notebooks with the exercises' solutions taken out.

The committed notebooks are the instructor edition. An exercise is two cells:

* a code cell tagged ``solution`` whose first line names it, ``# Exercise 2: the size of a cell space``, and
  whose solution lines sit between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers);
* the cell after it, tagged ``check``, which hands the function to its checker (nas_kit.exercises).

    python -m nas_kit student DIR          (make student: DIR = student/)

writes every notebook to DIR with each marked block replaced by
``raise NotImplementedError("exercise 2: the size of a cell space")`` at the block's indent, and the outputs of
the solution and check cells cleared. Every other cell, output and tag is unchanged.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from nas_kit.files import atomic

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
TITLE = re.compile(r"#\s*Exercise\s+(\d+)\s*:\s*(.+)")
SOLUTION, CHECK = "solution", "check"


class EditionError(ValueError):
    """A notebook's exercise cells do not follow the format above; the message says which cell and what to fix."""


def tags(cell: dict) -> list:
    return cell.get("metadata", {}).get("tags", [])


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def stub(text: str, where: str) -> str:
    """The solution cell's source with each BEGIN..END block replaced by one ``raise NotImplementedError``."""
    lines = text.split("\n")
    title = TITLE.match(lines[0].strip()) if lines else None
    if title is None:
        raise EditionError(f"{where}: a solution cell must start with '# Exercise N: what to write'.")
    message = f"exercise {title.group(1)}: {title.group(2).strip()}"
    out, inside, blocks = [], False, 0
    for line in lines:
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise EditionError(f"{where}: '{BEGIN}' twice without '{END}' between.")
            inside, blocks = True, blocks + 1
            out.append(line[: len(line) - len(line.lstrip())] + f"raise NotImplementedError({message!r})")
        elif marker == END:
            if not inside:
                raise EditionError(f"{where}: '{END}' without its '{BEGIN}'.")
            inside = False
        elif not inside:
            out.append(line)
    if inside or blocks == 0:
        raise EditionError(f"{where}: mark the solution lines with '{BEGIN}' and '{END}'.")
    return "\n".join(out)


def exercises(notebook: dict) -> list[tuple[int, int]]:
    """(solution cell index, check cell index) of each exercise, checking the format."""
    cells, found = notebook["cells"], []
    for i, cell in enumerate(cells):
        if SOLUTION in tags(cell):
            if i + 1 >= len(cells) or CHECK not in tags(cells[i + 1]):
                raise EditionError(f"cell {i}: the cell after a solution cell must be its check, tagged '{CHECK}'.")
            found.append((i, i + 1))
    return found


def student_notebook(notebook: dict, name: str = "notebook") -> dict:
    """A copy of ``notebook`` in the student edition."""
    notebook = json.loads(json.dumps(notebook))
    for i, j in exercises(notebook):
        solution = notebook["cells"][i]
        solution["source"] = stub(source(solution), f"{name}, cell {i}")
        for cell in (solution, notebook["cells"][j]):
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def write_edition(notebooks: Path, out: Path) -> list[tuple[str, int]]:
    """Write the student edition of every notebook in ``notebooks`` to ``out``; (name, exercises) of each."""
    if out.resolve() == notebooks.resolve():
        raise EditionError("the student edition would overwrite the instructor edition: give another folder.")
    paths = sorted(notebooks.glob("*.ipynb"))
    if not paths:
        raise EditionError(f"no notebooks in {notebooks}: run this from the kit's folder or give --notebooks.")
    written = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        edition = student_notebook(notebook, path.name)
        with atomic(out / path.name) as f:
            f.write(json.dumps(edition, indent=1, ensure_ascii=False) + "\n")
        written.append((path.name, len(exercises(notebook))))
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nas_kit student",
                                     description="Write the student edition of the notebooks to DIR.")
    parser.add_argument("dir", type=Path, help="where to write the student edition (e.g. student/)")
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="the instructor edition")
    args = parser.parse_args(argv)
    try:
        written = write_edition(args.notebooks, args.dir)
    except (EditionError, OSError, json.JSONDecodeError) as e:
        sys.stderr.write(f"nas_kit: error: {' '.join(str(e).split())}\n")
        return 2
    count = sum(n for _, n in written)
    print(f"wrote the student edition of {len(written)} notebooks ({count} exercises) to {args.dir}")
    return 0
