"""A tiny progress display for long runs: epoch k/n, loss, accuracy or perplexity, elapsed and time left.

On a terminal it redraws one line in place (``\\r``) as the steps go and leaves one line per epoch;
elsewhere (a notebook, a log file, a pipe) it prints only one plain line per epoch, or nothing with
``mode="off"``.  It writes to stderr, so that a command's stdout holds only its results.
"""
from __future__ import annotations

import sys
import time

MODES = ("auto", "bar", "lines", "off")


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss (or m:ss)."""
    seconds = int(max(0, seconds))
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _fmt(stats: dict) -> str:
    return "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in stats.items())


class Progress:
    """``start_epoch(epoch, steps)``, ``step(i, stats_fn)`` per step, ``end_epoch(epoch, stats)``.

    ``stats_fn()`` is called only when the bar redraws (at most every ``interval`` seconds, on a
    terminal), so a training loop that keeps its sums on the GPU syncs with the host only then.
    """

    def __init__(self, total: int, done: int = 0, unit: str = "epoch", mode: str = "auto", stream=None,
                 interval: float = 0.5):
        if mode not in MODES:
            raise ValueError(f"progress mode {mode!r} is not one of {', '.join(MODES)}.")
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "lines"
        self.mode, self.total, self.unit, self.interval = mode, total, unit, interval
        self.first, self.t0 = done, time.perf_counter()
        self._last_draw, self._epoch, self._steps = self.t0, done, 1

    def _left(self, done: float) -> float:
        """Seconds left, from the mean time per epoch in this session."""
        ran = done - self.first
        return (time.perf_counter() - self.t0) / ran * (self.total - done) if ran > 0 else float("nan")

    def start_epoch(self, epoch: int, steps: int) -> None:
        self._epoch, self._steps = epoch, max(1, steps)

    def step(self, i: int, stats_fn=None) -> None:
        """After step ``i`` (0-based) of the epoch."""
        if self.mode != "bar" or time.perf_counter() - self._last_draw < self.interval:
            return
        self._last_draw = time.perf_counter()
        epoch_done = self._epoch + (i + 1) / self._steps
        stats = _fmt(stats_fn()) if stats_fn is not None else ""
        left = self._left(epoch_done)
        self.stream.write(f"\r{self.unit} {self._epoch + 1}/{self.total}  step {i + 1}/{self._steps}  {stats}  "
                          f"elapsed {clock(time.perf_counter() - self.t0)}"
                          + (f"  left {clock(left)}" if left == left else "") + "\x1b[K")
        self.stream.flush()

    def end_epoch(self, epoch: int, stats: dict) -> None:
        """After epoch ``epoch`` (0-based): one line with its numbers."""
        if self.mode == "off":
            return
        left = self._left(epoch + 1)
        line = (f"{self.unit} {epoch + 1}/{self.total}  {_fmt(stats)}  elapsed {clock(time.perf_counter() - self.t0)}"
                + (f"  left {clock(left)}" if left == left else ""))
        self.stream.write(("\r" + line + "\x1b[K" if self.mode == "bar" else line) + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        """A one-line message (e.g. 'resumed after epoch 3'), unless the display is off."""
        if self.mode != "off":
            self.stream.write(text + "\n")
            self.stream.flush()
