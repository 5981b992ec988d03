"""The server's workers each listen on a socket of their own, so connections spread over them."""

from __future__ import annotations

import collections
import http.client
import os
import subprocess
from pathlib import Path

import pytest
from tests.conftest import GOVDATA, REPO, free_port

from govdata.errors import ServeError
from govdata.serve.workers import REUSE_PORT, listening_socket

pytestmark = pytest.mark.skipif(not REUSE_PORT, reason="SO_REUSEPORT is Linux/BSD only")


def _listeners(port: int) -> dict[str, int]:
    """pid → number of listening sockets it holds on ``port`` (from /proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":  # 0A: LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    held: collections.Counter[str] = collections.Counter()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    held[proc.name] += 1
        except OSError:
            continue
    return dict(held)


def test_each_worker_listens_on_its_own_socket_and_connections_spread(live_server):
    port = int(live_server.rsplit(":", 1)[1])
    held = _listeners(port)
    assert len(held) == 2 and set(held.values()) == {1}, held  # two workers, one socket each
    supervisor = {Path(f"/proc/{pid}/status").read_text().split("PPid:")[1].split()[0] for pid in held}
    assert len(supervisor) == 1 and supervisor.isdisjoint(held)  # the supervisor holds none
    workers: collections.Counter[str] = collections.Counter()
    for _ in range(24):  # a new connection each time: the kernel picks a worker's socket by hash
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/-/versions.json")
        response = conn.getresponse()
        response.read()
        workers[response.getheader("x-request-id").split("-")[0]] += 1  # "<pid hex>-<n>"
        conn.close()
    assert {int(w, 16) for w in workers} == {int(pid) for pid in held}, workers  # both answer


def test_a_port_in_use_is_one_line(built):
    port = free_port()
    with listening_socket("127.0.0.1", port, 8, reuse_port=True):
        # another server (same user, SO_REUSEPORT too) would share the port silently
        with pytest.raises(ServeError, match=f"127.0.0.1:{port}: the port is in use"):
            listening_socket("127.0.0.1", port, 8, reuse_port=False)
        proc = subprocess.run(
            [*GOVDATA, "serve", "--root", str(REPO), "--out", str(built.parent.parent), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode != 0, proc.stdout
    assert "port is in use" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_workers_die_with_their_supervisor(tmp_path, built):
    """A supervisor killed outright (SIGKILL: no chance to stop its workers) takes its workers
    with it: no orphan keeps serving the port."""
    import signal
    import time

    from tests.conftest import start_server

    port = free_port()
    proc = start_server(REPO, built.parent.parent, port)
    try:
        workers = set(_listeners(port))
        assert len(workers) == 2 and str(proc.pid) not in workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
            time.sleep(0.2)
        assert not _listeners(port), "orphaned workers still listen"
    finally:
        if proc.poll() is None:
            proc.kill()


def _in_a_process(code: str, built: Path) -> list[str]:
    """What ``code`` prints, run in a fresh interpreter with the build folder as its argument (the
    collector's state of a worker, not of the test process)."""
    import sys

    out = subprocess.run(
        [sys.executable, "-c", code, str(built.parent.parent)], capture_output=True, text=True, timeout=120, check=True
    )
    return out.stdout.split()


def test_a_started_worker_keeps_its_heap_out_of_the_cyclic_collector(built):
    """What a worker holds once started (modules, the build's Datasette, catalogue index, labels) is
    frozen: a full collection under load then walks only what requests made, not the whole heap
    (~50 ms on a quiet machine, 120-130 ms under load, that were the p99 of cheap pages at 8 clients)."""
    code = (
        "import gc, sys, time\n"
        "from pathlib import Path\n"
        "from govdata.serve.app import worker_app\n"
        "worker_app(Path(sys.argv[1]))\n"
        "frozen, tracked = gc.get_freeze_count(), len(gc.get_objects())\n"
        "t = time.perf_counter(); gc.collect(); pause = time.perf_counter() - t\n"
        "print(frozen, tracked, pause)\n"
    )
    frozen, tracked, _pause = _in_a_process(code, built)
    assert int(frozen) > 50_000  # Datasette, jinja, the build's indexes and labels
    assert int(tracked) < int(frozen) // 20  # a full collection walks < 5 % of them


def test_a_retired_build_is_collected_and_the_new_one_frozen(built):
    """After a build switch the old build's Datasette (full of reference cycles) is freed, not kept
    frozen for the life of the worker; what the new build holds is frozen in its turn."""
    code = (
        "import asyncio, gc, sys, weakref\n"
        "from pathlib import Path\n"
        "from govdata.serve.live import LiveApp\n"
        "app = LiveApp(Path(sys.argv[1]), freeze=True)\n"
        "def retire():\n"  # as _switch and _dispatch do: the slot is still in the caller's frame
        "    old = app.slot\n"
        "    app.slot = LiveApp._load(old.build)\n"
        "    app.slots.append(app.slot)\n"
        "    old.retired = True\n"
        "    app._retire(old)\n"
        "    return weakref.ref(old.datasette)\n"
        "async def main():\n"
        "    gone = retire()\n"
        "    await asyncio.sleep(0)\n"
        "    print(gone() is None, gc.get_freeze_count(), len(gc.get_objects()))\n"
        "asyncio.run(main())\n"
        "app.close()\n"
    )
    freed, frozen, tracked = _in_a_process(code, built)
    assert freed == "True"
    assert int(frozen) > 50_000 and int(tracked) < int(frozen) // 20


def test_a_worker_whose_supervisor_is_already_gone_ends():
    """A worker still importing when its supervisor was killed gets no death signal (it asks for it
    too late): seeing it was adopted, it ends at once instead of serving the port, orphaned."""
    import sys

    code = (
        "import os\n"
        "from govdata.serve.workers import die_with_supervisor\n"
        "die_with_supervisor(os.getppid())\n"  # its supervisor alive: goes on
        "print('alive', flush=True)\n"
        "die_with_supervisor(os.getppid() + 1_000_000)\n"  # another process started it: gone
        "print('orphan', flush=True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.split() == ["alive"], out
