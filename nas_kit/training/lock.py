"""One process per run directory: ``run_dir/lock`` names its holder (PID, host, start time, command), and the
holder keeps an exclusive ``fcntl.flock`` on it for its whole life.

The kernel drops a flock when its process ends, however it ends (``kill -9`` included), so a lock file left by
a killed run never blocks ``--resume``: its flock is free, and the next run overwrites the file. A second
process that finds the flock taken is refused with one sentence naming the process that holds the directory.
"""
from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

try:
    import fcntl
except ImportError:                     # Windows: no flock; the lock file is then only a note of who ran
    fcntl = None

LOCK = "lock"
_HELD: dict[Path, int] = {}             # run directory -> the open descriptor that holds its flock


class RunDirInUse(ValueError):
    """Another living process holds the run directory."""


def hold(run_dir) -> Path:
    """Take ``run_dir``'s lock for the rest of this process's life (the folder is made if missing); return the
    lock file's path. RunDirInUse (one sentence) when another process holds it."""
    run_dir = Path(run_dir).resolve()
    if run_dir in _HELD:
        return run_dir / LOCK
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RunDirInUse(f"{run_dir} is in use by {holder(path)}: wait for it to end, or choose another "
                              f"--run-dir.") from None
    note = f"{os.getpid()} {socket.gethostname()} {time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(sys.argv)}\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, note.encode(), 0)
    _HELD[run_dir] = fd
    return path


def holder(path) -> str:
    """'process PID on HOST since TIME (COMMAND)', read from a lock file."""
    try:
        pid, host, since, *command = Path(path).read_text().split(" ")
    except (OSError, ValueError):
        return "another process (its lock file says no more)"
    return f"process {pid} on {host} since {since} ({' '.join(command).strip()})"


def release(run_dir) -> None:
    """Give the lock back before the process ends (the file stays, as a note of the last holder)."""
    fd = _HELD.pop(Path(run_dir).resolve(), None)
    if fd is not None:
        os.close(fd)


def release_all() -> None:
    """Give back every lock this process holds (the command line does, as it returns)."""
    for run_dir in list(_HELD):
        release(run_dir)
