"""The one atomic write: a file appears whole under its name, or not at all.

    with atomic("runs/x/metrics.csv", "w") as f:
        f.write(text)

writes to a temporary file in the same folder and renames it over the target (``os.replace``) only when
the block ends without an error; a kill or an exception mid-write leaves the previous file intact and no
half file behind. The file gets the mode an ordinary ``open`` would give it (0666 less the umask), not
the private 0600 of ``tempfile.mkstemp``, so tables and run directories stay readable by everyone.
Downloads, checkpoints, run directories and the mini benchmark's table are all written this way.

While it is written, the temporary file carries an ``fcntl.flock``; a file left by a killed writer has none, and
``remove_leftovers`` deletes exactly those (and the ``*.part`` files of earlier versions' downloads).
"""
from __future__ import annotations

import os
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:           # Windows: no flock; remove_leftovers then goes by age alone
    fcntl = None

TMP = ".*.tmp"                # the temporary files of ``atomic``: .NAME.XXXXXXXX.tmp


@contextmanager
def atomic(path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = ""):
    """Open a temporary file beside ``path`` for writing (text ``"w"`` or binary ``"wb"``); on a clean exit it
    replaces ``path``, on an error it is removed. The folder is made if missing."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic writes open files with mode 'w' or 'wb', not {mode!r}.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)     # 0666 less the umask, as open() makes it
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)                                   # "being written": see remove_leftovers
    try:
        with (os.fdopen(fd, "wb") if mode == "wb" else os.fdopen(fd, "w", encoding=encoding, newline=newline)) as f:
            yield f
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic(path, "w") as f:
        f.write(text)


def remove_leftovers(folder, min_age: float = 60.0) -> list[Path]:
    """Delete the temporary files that killed atomic writes left in ``folder`` (not its sub-folders): those
    whose flock is free (no living writer) and that are at least ``min_age`` seconds old (a writer that has
    just made its file takes the flock at once). Returns what was removed; a read-only folder is fine."""
    removed = []
    for path in [*Path(folder).glob(TMP), *Path(folder).glob("*.part")]:
        try:
            if time.time() - path.stat().st_mtime < min_age or not _unlocked(path):
                continue
            path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def _unlocked(path: Path) -> bool:
    if fcntl is None:
        return True
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
