"""The exercises: every notebook has its own, each checker says what is wrong in one line, and the student
edition (python -m nas_kit student DIR) takes out exactly the solutions."""
import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from nas_kit.exercises import Case, run_exercise
from nas_kit.exercises.grade import grade, run_cells as _run_cells
from nas_kit.exercises.edition import (CHECK, SOLUTION, EditionError, exercises, source, student_notebook, stub,
                                       write_edition)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _said(fn, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args, **kwargs)
    return result, out.getvalue()


def _double(x):
    return 2 * x


CASES = [Case("a positive number", (3.0,)), Case("zero", (0.0,)), Case("a tensor", (torch.tensor([1.0, -2.0]),))]


def test_a_right_answer_passes_in_one_line():
    passed, said = _said(run_exercise, "doubling", _double, _double, CASES, "multiply by two")
    assert passed and said == 'exercise "doubling": passed (3 cases)\n'


def test_a_wrong_answer_names_the_case_what_was_expected_what_came_back_and_a_hint():
    passed, said = _said(run_exercise, "doubling", lambda x: x + x if isinstance(x, float) else x, _double,
                         CASES, "multiply by two")
    assert not passed and said.count("\n") == 1
    assert 'Case "a tensor"' in said and "expected tensor([2.0, -4.0]" in said and "got tensor([1.0, -2.0]" in said
    assert said.rstrip().endswith("Hint: multiply by two")


def test_an_error_inside_the_students_function_is_one_line_not_a_traceback():
    passed, said = _said(run_exercise, "doubling", lambda x: x.nope, _double, CASES, "multiply by two")
    assert not passed and said.count("\n") == 1 and "raised AttributeError" in said and "Traceback" not in said


def test_the_stub_says_it_is_not_written_yet_and_a_missing_return_is_named():
    def unwritten(x):
        raise NotImplementedError("exercise 1: doubling")
    assert "not written yet" in _said(run_exercise, "doubling", unwritten, _double, CASES, "h")[1]
    assert "is a `return` missing?" in _said(run_exercise, "doubling", lambda x: None, _double, CASES, "h")[1]


def test_the_checker_gives_each_side_its_own_copy_of_the_inputs():
    def in_place(x):
        return x.mul_(2) if isinstance(x, torch.Tensor) else 2 * x
    assert _said(run_exercise, "doubling", in_place, in_place, CASES, "h")[0]


SOLUTION_CELL = """# Exercise 3: doubling
def double(x):
    \"\"\"Twice x.\"\"\"
    ### BEGIN SOLUTION
    y = x + x
    return y
    ### END SOLUTION
"""


CHECK_CELL = """from nas_kit.exercises import Case, run_exercise
run_exercise("doubling", double, lambda x: 2 * x, [Case("one", (1.0,)), Case("zero", (0.0,)), Case("minus", (-2.0,))],
             "add x to itself")
"""


def test_the_student_edition_replaces_each_solution_block_by_one_raise_at_its_indent():
    assert stub(SOLUTION_CELL, "cell") == ("# Exercise 3: doubling\ndef double(x):\n    \"\"\"Twice x.\"\"\"\n"
                                           "    raise NotImplementedError('exercise 3: doubling')\n")
    with pytest.raises(EditionError, match="must start with '# Exercise N"):
        stub(SOLUTION_CELL.split("\n", 1)[1], "cell")
    with pytest.raises(EditionError, match="mark the solution lines"):
        stub("# Exercise 1: x\ndef f():\n    return 1\n", "cell")


def _cell(text, tag=None, outputs=()):
    return {"cell_type": "code", "source": text, "metadata": {"tags": [tag] if tag else []},
            "outputs": list(outputs), "execution_count": 1}


def test_everything_but_the_solutions_and_their_checks_outputs_is_unchanged():
    said = {"output_type": "stream", "name": "stdout", "text": "x\n"}
    notebook = {"cells": [_cell("a = 1", outputs=[said]), _cell(SOLUTION_CELL, SOLUTION, [said]),
                          _cell("check(double)", CHECK, [said])], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    edition = student_notebook(notebook)
    assert edition["cells"][0] == notebook["cells"][0]
    assert edition["cells"][1]["outputs"] == [] and "NotImplementedError" in edition["cells"][1]["source"]
    assert edition["cells"][2]["source"] == "check(double)" and edition["cells"][2]["outputs"] == []
    with pytest.raises(EditionError, match="tagged 'check'"):
        student_notebook({**notebook, "cells": notebook["cells"][:2]})


def test_the_command_writes_every_notebook_and_will_not_overwrite_the_instructor_edition(tmp_path):
    run = [sys.executable, "-m", "nas_kit", "student"]
    done = subprocess.run(run + [str(tmp_path / "student")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith(f"wrote the student edition of {len(NOTEBOOKS)} notebooks")
    assert sorted(p.name for p in (tmp_path / "student").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    refused = subprocess.run(run + ["notebooks"], cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "overwrite" in refused.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_two_exercises_that_pass_and_whose_student_edition_says_what_to_write(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = exercises(notebook)
    assert len(found) >= 2, f"{path.name} has {len(found)} exercises with checkers; every notebook needs two"
    student = student_notebook(notebook, path.name)
    for i, j in found:
        solution, check = source(notebook["cells"][i]), source(notebook["cells"][j])
        said = _run_cells(solution, check).strip().split("\n")
        assert len(said) == 1 and said[0].endswith(")") and ": passed (" in said[0], (path.name, i, said)
        said = _run_cells(source(student["cells"][i]), check).strip().split("\n")
        assert len(said) == 1 and ": not written yet." in said[0], (path.name, i, said)


def test_grading_a_student_notebook_prints_each_exercises_line_and_fails_until_all_pass(tmp_path):
    notebook = {"cells": [_cell(SOLUTION_CELL, SOLUTION), _cell(CHECK_CELL, CHECK)], "metadata": {},
                "nbformat": 4, "nbformat_minor": 5}
    assert grade(notebook) == ['exercise "doubling": passed (3 cases)']
    (tmp_path / "s.ipynb").write_text(json.dumps(student_notebook(notebook)))
    done = subprocess.run([sys.executable, "-m", "nas_kit.exercises.grade", str(tmp_path / "s.ipynb")], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout.startswith("s.ipynb: 0 of 1 exercises passed")
    assert "not written yet" in done.stdout
