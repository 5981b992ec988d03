"""Worker processes that each listen on a socket of their own (``SO_REUSEPORT``).

uvicorn's supervisor binds one socket and hands it to every worker. asyncio's accept loop takes
every connection waiting on a socket at each wake-up, so the worker that wakes first takes a
whole burst: eight keep-alive clients connecting together were measured landing 8/0 or 7/1 on
two workers in a third of the runs, and every request of those clients then queued on one core
while the other idled (throughput halved, p50 doubled). With a socket per worker bound to the
same port under ``SO_REUSEPORT``, the kernel spreads connections over the workers by a hash of
each connection's addresses: no burst lands on one worker by construction.

The supervisor keeps uvicorn's (health checks, restarts, signals); only the sockets it hands
out differ: each worker process gets a new socket. The parent keeps no reference to it once the
worker is started (multiprocessing drops a started process's arguments, bpo-30775), so a dead
worker's socket closes with it and no connection waits on a socket nobody accepts from.
"""

from __future__ import annotations

import errno
import gc
import socket
from typing import Any

from uvicorn.supervisors import Multiprocess

from govdata.errors import ServeError

REUSE_PORT = hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, backlog: int, reuse_port: bool) -> socket.socket:
    """A listening TCP socket on ``host:port``; a port in use is a one-line error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"cannot serve on {host}:{port}: the port is in use") from None
        raise ServeError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def die_with_supervisor(supervisor: int | None = None) -> None:
    """Linux: this worker gets SIGTERM when its supervisor dies, however it dies (a supervisor
    killed with SIGKILL otherwise leaves its workers serving the port, orphaned). ``supervisor``:
    its process id; when it died before this worker got here (the worker was still importing, on a
    loaded machine), no signal will come: the worker ends at once."""
    import ctypes
    import os
    import signal
    import sys

    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if supervisor is not None and os.getppid() != supervisor:  # adopted: the supervisor is gone
        os._exit(0)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def return_big_blocks(threshold: int = 512 * 1024) -> None:
    """glibc: blocks of ``threshold`` bytes or more are mapped on their own and given back to the
    system when freed. By default glibc raises that threshold each time such a block is freed, so
    after one request built large values (a 2 MB result refused, a big export) later ones come from
    the heap and the worker kept hundreds of MB it no longer used."""
    import ctypes
    import sys

    if sys.platform != "linux":
        return
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, threshold)
    except (OSError, AttributeError):  # not glibc
        pass


class PortPerWorker(Multiprocess):
    """uvicorn's supervisor, each of whose workers listens on its own ``SO_REUSEPORT`` socket."""

    def __init__(self, config: Any) -> None:
        # Refuse a port another server already listens on, before any worker starts: sockets
        # with SO_REUSEPORT would otherwise share it with that server (same user) without a word.
        listening_socket(config.host, config.port, config.backlog, reuse_port=False).close()
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """A new socket for each worker uvicorn starts (at start-up and for each restart)."""
        return [listening_socket(self.config.host, self.config.port, self.config.backlog, reuse_port=True)]

    @sockets.setter
    def sockets(self, value: list[socket.socket]) -> None:
        """uvicorn's constructor stores the shared sockets; there are none."""


def freeze_heap(again: bool = False) -> None:
    """Move what a worker holds once started (imported modules, the live build's Datasette,
    catalogue index and labels) out of the cyclic collector's sight: without it every full
    collection walks them all (their big dictionaries: pinyin, search index), ~50 ms of a blocked
    event loop on a quiet machine and 120-130 ms under load, a few times a minute (the p99 of
    cheap pages at 8 clients). ``again`` when a build was retired: one full collection of the
    whole heap (its cycles go), then the new build's objects are frozen with the rest — one such
    pause per build switch instead of several a minute. Once started, the heap is frozen without a
    collection first: it would walk everything the worker just loaded (~0.25 s of its start at
    10,000 datasets) to find a few dozen objects of the imports' cycles."""
    if again:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
