"""Process pools whose workers die with their parent: a child trained in a worker of a killed search must not
hold its memory for ever.

Each worker asks Linux to send it SIGKILL when its parent ends (``prctl(PR_SET_PDEATHSIG)``, through ctypes),
and also watches its parent from a thread (every second), which covers the systems without prctl and a parent
that died before the worker began.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1


def process_pool(workers: int, context: str = "spawn") -> ProcessPoolExecutor:
    """A ProcessPoolExecutor of ``workers`` processes (spawned by default, so that each may start CUDA on its
    own) that exit when this process dies."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(context), initializer=die_with_parent,
                               initargs=(os.getpid(),))


def die_with_parent(parent: int, interval: float = 1.0) -> None:
    """In a worker: end this process when ``parent`` (its parent's PID) is gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:                   # the parent died before the prctl took effect
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)
    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
