"""Grade a student's notebook by its exercises alone: each solution cell and its check, nothing else.

    python -m nas_kit.exercises.grade student/01_toy_enas.ipynb [more notebooks ...]

runs, for every exercise (nas_kit.exercises.edition: a ``solution`` cell and the ``check`` cell after it), the
two cells in a fresh namespace, as a kernel would, and prints the checker's one line under the notebook's name.
It exits 0 when every exercise passed and 1 otherwise. The student's code runs in this process: grade the
notebooks of people whose code you would run anyway.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from nas_kit.exercises.edition import EditionError, exercises, source


def run_cells(*texts: str) -> str:
    """Run cells' sources one after the other in one fresh namespace; what they printed (an error as one line)."""
    namespace, out = {"__name__": "__main__"}, io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            for text in texts:
                exec(compile(text, "<cell>", "exec"), namespace)
        except Exception as e:              # a solution cell that does not even run: say so in one line
            print(f"the cells raised {type(e).__name__}: {' '.join(str(e).split())}")
    return out.getvalue()


def grade(notebook: dict) -> list[str]:
    """The checker's line for each exercise of ``notebook``, in order."""
    cells = notebook["cells"]
    return [run_cells(source(cells[i]), source(cells[j])).strip() or "the check printed nothing"
            for i, j in exercises(notebook)]


def main(argv=None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        sys.stderr.write("nas_kit: error: give the notebooks to grade, e.g. student/01_toy_enas.ipynb.\n")
        return 2
    passed = True
    for path in paths:
        try:
            lines = grade(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError, EditionError) as e:
            sys.stderr.write(f"nas_kit: error: {path}: {' '.join(str(e).split())}\n")
            return 2
        print(f"{path.name}: {sum(': passed (' in line for line in lines)} of {len(lines)} exercises passed")
        for line in lines:
            print(f"  {line}")
        passed &= all(": passed (" in line for line in lines)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
