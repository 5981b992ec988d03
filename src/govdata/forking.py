"""Forked worker pools: when a process may fork, and a pool that never hangs on the way out.

The catalogue's parse cache, the parallel check and the build's publishing fork workers that share
the parent's memory (the catalogue, the plan) without pickling it.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator


def can_fork() -> bool:
    """Forking is safe only while the process has one thread (no DuckDB database, no pool yet)."""
    import multiprocessing

    try:
        return "fork" in multiprocessing.get_all_start_methods() and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _terminable() -> None:
    """A worker ends at SIGTERM whatever it is doing. A handler inherited from the parent (coverage's,
    in the test suite) runs Python code in a worker that ``Pool.terminate`` may have stopped while it
    held, or waited for, the task queue's lock: such a worker never exits and ``join`` waits for ever."""
    import signal  # in a pool's worker only (a cold check that never forks does without it)

    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def forked_pool(n: int) -> Iterator[Any]:
    """A pool of ``n`` forked processes, told to stop and waited for when the block ends, terminated
    when it fails. (Pool's own ``__exit__`` terminates them even on success.)"""
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(n, initializer=_terminable)
    finished = False
    try:
        yield pool
        finished = True
    finally:
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()
