"""Exercises with checkers (nas_kit.exercises.checker) and the student edition (nas_kit.exercises.edition).

Each method's checkers live in their own module here, named after the idea (``reinforce``, ``cell_space``, ...);
a notebook imports the one it needs: ``from nas_kit.exercises.reinforce import check_reinforce_update``.
"""
from nas_kit.exercises.checker import Case, close, run_exercise, same_as_library

__all__ = ["Case", "close", "run_exercise", "same_as_library"]
