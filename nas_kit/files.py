"""The one atomic write: a file appears whole under its name, or not at all.

    with atomic("runs/x/metrics.csv", "w") as f:
        f.write(text)

writes to a temporary file in the same folder and renames it over the target (``os.replace``) only when
the block ends without an error; a kill or an exception mid-write leaves the previous file intact and no
half file behind. The file gets the mode an ordinary ``open`` would give it (0666 less the umask), not
the private 0600 of ``tempfile.mkstemp``, so tables and run directories stay readable by everyone.
Downloads, checkpoints, run directories and the mini benchmark's table are all written this way.
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path


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
