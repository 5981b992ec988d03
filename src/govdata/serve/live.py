"""Serving that follows ``_build/current``: builds and rollbacks are picked up without a restart
and without a failed request.

Each worker process runs one ``LiveApp``. Before a request it looks at the ``current`` link
(one ``readlink``, at most once per ``CHECK_S``). When the link names another build, the worker
writes its lease first, then loads the new build's Datasette in a thread while the old one keeps
answering, then sends new requests to the new app. The old app finishes the requests it has and
is closed when the last one ends.

Leases: ``_build/leases/<host>-<pid>.lease`` holds the names of the builds the worker may still
read (the live one and any app still draining), one a line; the worker rewrites it on every
change and touches it at least every ``TOUCH_S``. ``publish/builder.py`` never removes a build named
by a lease younger than ``builder.LEASE_TTL_S`` (a crashed worker's lease expires), nor the live build.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from govdata.serve import admission, workers

CHECK_S = 1.0
TOUCH_S = 10.0
TIMING = "GOVDATA_SERVE_TIMING"  # set: each worker logs what its start cost ("govdata-timing {json}")


class Phases:
    """CPU and wall seconds of the phases of a build's load (logged with ``GOVDATA_SERVE_TIMING``)."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.thread_time(), time.perf_counter()
        self.took: dict[str, list[float]] = {}

    def mark(self, name: str) -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        self.took[name] = [round(cpu - self.cpu, 3), round(wall - self.wall, 3)]
        self.cpu, self.wall = cpu, wall


class Slot:
    def __init__(self, build: Path, datasette, app):
        self.build, self.datasette, self.app = build, datasette, app
        self.inflight = 0
        self.phases: Phases | None = None
        self.retired = False
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.datasette, "close", None)
            if close:
                close()


def lease_dir(out: Path) -> Path:
    return out / "leases"


class LiveApp:
    """ASGI app serving ``out/current`` and following it (see the module docstring)."""

    def __init__(self, out: Path, check_s: float = CHECK_S, freeze: bool = False):
        from govdata.serve.app import resolve_build

        self.out = out.resolve() if not out.is_absolute() else out
        self.check_s = check_s
        self.lease = lease_dir(self.out) / f"{socket.gethostname()}-{os.getpid()}.lease"
        self.slots: list[Slot] = []
        started = time.process_time()  # the interpreter's start and the imports before it
        build = resolve_build(self.out)
        self._target: str | None = os.readlink(self.out / "current")
        self._write_lease([build.name])
        self.slot = self._load(build)
        self.slots.append(self.slot)
        self.freeze = freeze  # a server process (not a test): keep the heap out of the collector
        if freeze:
            workers.freeze_heap()
        if os.environ.get(TIMING) and self.slot.phases is not None:
            self.slot.phases.mark("freeze")
            admission.log(
                "govdata-timing "
                + json.dumps(
                    {
                        "pid": os.getpid(),
                        "build": build.name,
                        "start_cpu_s": round(started, 3),
                        "phases_cpu_wall_s": self.slot.phases.took,
                        "cpu_s": round(time.process_time(), 3),
                        "ready_at": time.time(),
                    }
                )
            )
        self._checked = time.monotonic()
        self._touched = time.monotonic()
        self._loading: asyncio.Task | None = None
        self._keeper: asyncio.Task | None = None
        self._stop = threading.Event()
        # the lease stays fresh even when no request comes and the event loop is busy
        threading.Thread(target=self._touch_loop, name="govdata-lease", daemon=True).start()
        self.app = admission.guard(self._dispatch)

    def _touch_loop(self) -> None:
        while not self._stop.wait(TOUCH_S):
            try:
                os.utime(self.lease)
            except OSError:
                self._write_lease(self._held())

    async def _keep(self) -> None:
        """Follow ``current`` even when no request comes (started with the server's lifespan)."""
        while True:
            await asyncio.sleep(self.check_s)
            self._check()

    # -- leases ---------------------------------------------------------------------------
    def _write_lease(self, names: list[str]) -> None:
        try:
            self.lease.parent.mkdir(exist_ok=True)
            tmp = self.lease.with_name(f".{self.lease.name}.{threading.get_ident()}.tmp")
            tmp.write_text("".join(f"{n}\n" for n in dict.fromkeys(names)), encoding="utf-8")
            os.replace(tmp, self.lease)
        except OSError as exc:  # a read-only build folder: serving goes on, pruning cannot see us
            admission.log(f"govdata: cannot write lease {self.lease}: {exc.strerror}")
        self._touched = time.monotonic()

    def _held(self, extra: Sequence[str] = ()) -> list[str]:
        return [*extra, *(s.build.name for s in self.slots if not s.closed)]

    # -- loading ---------------------------------------------------------------------------
    @staticmethod
    def _load(build: Path) -> Slot:
        from govdata.serve import buildstate
        from govdata.serve.app import make_datasette

        phases = Phases()
        ds = make_datasette(build)
        phases.mark("datasette")
        state = buildstate.state(ds)  # the catalogue search index, code labels and CKAN directory,
        _ = state.catalogue  # loaded here, not on a request
        phases.mark("catalogue")
        _ = state.labels
        phases.mark("labels")
        if state.has_directory():
            _ = state.directory
        phases.mark("ckan")
        slot = Slot(build, ds, ds.app())
        phases.mark("app")
        slot.phases = phases
        return slot

    async def _switch(self, target: str) -> None:
        build = (self.out / target).resolve() if not os.path.isabs(target) else Path(target)
        try:
            if not (build / "manifest.json").is_file():
                raise FileNotFoundError(build / "manifest.json")
            self._write_lease(self._held([build.name]))
            slot = await asyncio.to_thread(self._load, build)
        except Exception as exc:  # keep serving what we have; try again at the next check
            admission.log(f"govdata: cannot load build {build.name}: {type(exc).__name__}: {exc}")
            self._target = None
            self._write_lease(self._held())
            return
        old, self.slot = self.slot, slot
        self.slots.append(slot)
        old.retired = True
        if old.inflight == 0:
            self._retire(old)
        self._write_lease(self._held())
        admission.log(f"govdata: now serving {build.name} (was {old.build.name})")

    def _retire(self, slot: Slot) -> None:
        slot.close()
        if slot in self.slots:
            self.slots.remove(slot)
        self._write_lease(self._held())
        if self.freeze:  # the old build's cycles go, the new build's objects join the frozen heap:
            # once the caller (a request's or the switch's frame, holding the slot) has returned
            try:
                asyncio.get_running_loop().call_soon(workers.freeze_heap, True)
            except RuntimeError:
                workers.freeze_heap(again=True)

    def _check(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_s:
            return
        self._checked = now
        if self._loading is not None and not self._loading.done():
            return
        try:
            target = os.readlink(self.out / "current")
        except OSError:
            return
        if target != self._target:
            self._target = target
            self._loading = asyncio.get_running_loop().create_task(self._switch(target))

    # -- ASGI ------------------------------------------------------------------------------
    async def _dispatch(self, scope, receive, send):
        slot = self.slot
        slot.inflight += 1
        try:
            await slot.app(scope, receive, send)
        finally:
            slot.inflight -= 1
            if slot.retired and slot.inflight == 0:
                self._retire(slot)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] == "http":
            self._check()
        return await self.app(scope, receive, send)

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._keeper = asyncio.get_running_loop().create_task(self._keep())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._stop.set()
                if self._keeper is not None:
                    self._keeper.cancel()
                try:
                    self.lease.unlink(missing_ok=True)
                except OSError:
                    pass
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        self._stop.set()
        for slot in self.slots:
            slot.close()
        try:
            self.lease.unlink(missing_ok=True)
        except OSError:
            pass
