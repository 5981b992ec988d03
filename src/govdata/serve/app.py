"""Building the Datasette application for a build folder, and running it.

What makes one process serve 10,000 immutable databases (see docs/architecture.md, Serving):

- ``LazyDatabase``: a connection is opened on first use, per SQL thread, and kept in a small
  per-thread LRU (``OPEN_PER_THREAD``); evicted connections are closed. Datasette's default keeps
  every connection it ever opened, and SQLite's process-wide heap limit then fails every query.
- ``GovDatasette.refresh_schemas`` does nothing: the files are immutable, and Datasette's
  version walks every database (a thread hop and a schema copy each) on every request.
- The index page (``/``, ``/.json``) lists databases a page at a time from the build's
  inspect data and metadata, without opening any database.
- ``/-/databases.json`` lists databases without their file-system paths; the build folder is
  not in the metadata (the plugin reads it from the Datasette object).
- Result cells are counted as they are fetched (``hardening.RESULT_CHARS``): a query whose rows
  would make a huge response stops early with a 400, before the rows are in memory.
- SQL of expensive requests (``admission.EXPENSIVE``) runs on a separate pool of low-priority
  threads, so cheap pages keep theirs.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import os
import sqlite3
import threading
import warnings
from concurrent import futures
from pathlib import Path
from typing import Any

import uvicorn
from datasette.app import Datasette
from datasette.database import Database, QueryInterrupted, Results
from datasette.utils import sqlite_timelimit
from datasette.views.base import DatasetteError

from govdata.publish.builder import current_build
from govdata.errors import ServeError
from govdata.serve import admission, answers, counts, guard, hardening

guard.install()
# Datasette leaves sibling facet coroutines unawaited when a query in a gather() is interrupted:
# a multi-line RuntimeWarning per time-limited request, not an error of ours
warnings.filterwarnings("ignore", message=r"coroutine .* was never awaited", category=RuntimeWarning)

OPEN_PER_THREAD = 64
EXPENSIVE_THREADS = 2
NICE = 19  # heavy SQL threads: the lowest priority Linux has

# settings the server enforces whatever the build says (platform policy, not data)
SERVE_SETTINGS = {"max_csv_mb": hardening.CSV_EXPORT_MB, "suggest_facets": False}


def _nice_thread() -> None:
    try:  # Linux: niceness is per thread
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (OSError, AttributeError):
        pass


class ResultTooLarge(DatasetteError):
    def __init__(self):
        super().__init__(
            "结果过大，请缩小查询或使用 /downloads/ 下载整表 / result too large: select fewer rows or "
            "columns, or use /downloads/ for whole tables",
            title="Result too large",
            status=400,
        )


class LazyDatabase(Database):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answerers: list[answers.Answerer] = []  # statements answered without SQLite (serve/answers.py)

    def connect(self, write=False):
        assert not write
        return sqlite3.connect(f"file:{self.path}?immutable=1", uri=True, check_same_thread=False)

    async def execute_fn(self, fn):
        key = self.path

        def in_thread():
            cache = self.ds.open_connections()
            conn = cache.get(key)
            if conn is None:
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                conn.set_authorizer(hardening.authorize)
                cache[key] = conn
                while len(cache) > OPEN_PER_THREAD:
                    _, old = cache.popitem(last=False)
                    old.close()
            else:
                cache.move_to_end(key)
            return fn(conn)

        executor = self.ds.expensive_executor if admission.EXPENSIVE.get() else self.ds.executor
        return await asyncio.get_running_loop().run_in_executor(executor, in_thread)

    async def attached_databases(self):
        return []  # ATTACHED is 0 on every connection, and database_list is refused

    async def execute(
        self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None, log_sql_errors=True
    ):
        found, sql = answers.answer(self.answerers, sql, params)
        if found is not None:
            return found
        page_size = page_size or self.ds.page_size

        def run(conn):
            time_limit_ms = self.ds.sql_time_limit_ms
            if custom_time_limit and custom_time_limit < time_limit_ms:
                time_limit_ms = custom_time_limit
            with sqlite_timelimit(conn, time_limit_ms):
                hardening.format_refused()  # a refusal of an earlier statement on this thread
                try:
                    cursor = conn.cursor()
                    cursor.execute(sql, params if params is not None else {})
                    max_rows = self.ds.max_returned_rows
                    if max_rows == page_size:
                        max_rows += 1
                    limit = max_rows + 1 if (max_rows and truncate) else None
                    rows, chars = [], 0
                    while limit is None or len(rows) < limit:
                        row = cursor.fetchone()  # one row at a time: a row may hold columns of 4 MB each
                        if row is None:
                            break
                        for value in row:
                            chars += len(value) if isinstance(value, (str, bytes)) else 8
                        if chars > hardening.RESULT_CHARS:
                            raise ResultTooLarge()
                        rows.append(row)
                except MemoryError:  # SQLite's heap limit (hardening.HEAP_LIMIT): a row too big to build
                    raise ResultTooLarge() from None
                except sqlite3.DatabaseError as e:
                    if e.args == ("interrupted",):
                        raise QueryInterrupted(e, sql, params) from e
                    if hardening.format_refused():
                        raise sqlite3.OperationalError(hardening.FORMAT_REFUSED) from e
                    raise
            if truncate:
                truncated = bool(max_rows) and len(rows) > max_rows
                return Results(rows[:max_rows] if max_rows else rows, truncated, cursor.description)
            return Results(rows, False, cursor.description)

        return await self.execute_fn(run)


class GovDatasette(Datasette):
    """Datasette for immutable builds of many databases."""

    def __init__(self, *args, build: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.govdata_build = build
        self.expensive_executor = futures.ThreadPoolExecutor(
            max_workers=EXPENSIVE_THREADS, thread_name_prefix="govdata-expensive", initializer=_nice_thread
        )
        self._connections = threading.local()  # per SQL thread: an LRU of this app's open connections

    def open_connections(self) -> collections.OrderedDict:
        """The calling thread's open connections of this app, least recently used first."""
        cache = getattr(self._connections, "lru", None)
        if cache is None:
            cache = self._connections.lru = collections.OrderedDict()
        return cache

    async def refresh_schemas(self):
        return None

    def _metadata_sources(self, key, database, table):
        """Metadata lookups for one database see only that database's entry: Datasette's table
        permission check deep-copies whatever it is given, on every request (35 ms with 10,000)."""
        if database is None:
            yield from super()._metadata_sources(key, database, table)
            return
        for source in super()._metadata_sources(key, database, table):
            if isinstance(source, dict) and isinstance(source.get("databases"), dict):
                source = dict(source)
                source["databases"] = (
                    {database: source["databases"][database]} if database in source["databases"] else {}
                )
            yield source

    def _routes(self):
        routes = super()._routes()
        from datasette.views.index import IndexView

        return [
            (pattern, guard.IndexPage.as_view(self) if getattr(view, "view_class", None) is IndexView else view)
            for pattern, view in routes
        ]

    def close(self) -> None:
        self.executor.shutdown(wait=False)
        self.expensive_executor.shutdown(wait=False)


def make_datasette(build: Path) -> Datasette:
    from govdata.serve.snapshot import Snapshot

    site = build / "site"
    known = Snapshot(build).part("datasette")  # the metadata and inspect data, from the build's snapshot
    if known is None:
        known = {
            "metadata": json.loads((site / "metadata.json").read_text("utf-8")),
            "inspect": json.loads((site / "inspect-data.json").read_text("utf-8")),
        }
    metadata, inspect = known["metadata"], known["inspect"]
    plugins = metadata.get("plugins") or {}
    if isinstance(plugins.get("govdata"), dict):
        plugins["govdata"].pop("build_dir", None)
    settings = dict(json.loads((site / "settings.json").read_text("utf-8")), **SERVE_SETTINGS)
    ds = GovDatasette(
        metadata=metadata,
        settings=settings,
        inspect_data=inspect,
        template_dir=str(Path(__file__).parent / "templates"),  # the portal's frame, also for Datasette's pages
        cors=True,
        build=build,
    )
    if "_memory" in ds.databases:  # added by Datasette when it is given no files (they come next)
        ds.remove_database("_memory")
    databases = collections.OrderedDict(ds.databases)  # add_database copies the dict each time: O(N²)
    for name, info in inspect.items():
        db = LazyDatabase(ds, os.path.join(site, info["file"]), is_mutable=False)
        db.name = db.route = name
        databases[name] = db
    ds.databases = databases
    counts_file = site / "counts.json"
    if counts_file.is_file():
        counts.install(ds, json.loads(counts_file.read_text("utf-8")))
    return ds


def resolve_build(out: Path) -> Path:
    build = current_build(out)
    if build is None:
        raise ServeError(f"no good build in {out}: run `govdata build` first")
    return build


def _tcp_nodelay_for_inherited_sockets() -> None:
    """uvicorn's workers serve a socket bound by the supervisor with ``proto=0``; asyncio then skips
    TCP_NODELAY on every connection (it checks ``proto == IPPROTO_TCP``), and each keep-alive
    response waits ~40 ms for a delayed ACK (Nagle). Set it whatever the proto says."""
    import asyncio.base_events as base_events
    import socket

    def set_nodelay(sock):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass

    base_events._set_nodelay = set_nodelay  # type: ignore[attr-defined]


def worker_app(out: Path, supervisor: int | None = None) -> Any:
    """The ASGI app of one uvicorn worker process: the live build of ``out``, followed."""
    from govdata.serve import live, workers

    _tcp_nodelay_for_inherited_sockets()
    workers.die_with_supervisor(supervisor)
    workers.return_big_blocks()
    return live.LiveApp(out, freeze=True)


class WorkerConfig(uvicorn.Config):
    """uvicorn's configuration carrying the output folder to its worker processes: uvicorn pickles
    the configuration into each spawned worker, so the folder travels with it (no environment
    variable, no module state)."""

    def __init__(self, out: Path, **options: Any) -> None:
        super().__init__("govdata.serve.app:worker_app", factory=True, **options)
        self.out = out
        self.supervisor = os.getpid()  # the process that starts the workers

    def load_app(self) -> Any:
        return functools.partial(worker_app, self.out, self.supervisor)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def serve(out: Path, host: str = "127.0.0.1", port: int = 8001, workers: int | None = None) -> None:
    """Serve the live build and follow ``current`` as builds and rollbacks switch it. The files are
    immutable and every request is read-only, so several worker processes (one per core by
    default) share the port without sharing any state."""
    from uvicorn.supervisors import Multiprocess

    from govdata.serve import live
    from govdata.serve.workers import REUSE_PORT, PortPerWorker

    resolve_build(out)  # fail early, with one line, when there is nothing to serve
    workers = workers or default_workers()
    # keep-alive longer than uvicorn's 5 s: fewer races between a client reusing a connection and
    # the server closing it as idle
    # a worker answers the supervisor's health check from a thread it starts once its interpreter is
    # up: uvicorn's 5 s default killed workers still starting on a loaded machine, in a loop
    options: dict[str, Any] = dict(
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=5,
        timeout_keep_alive=30,
        timeout_worker_healthcheck=60,
    )
    if workers == 1:
        from govdata.serve.workers import return_big_blocks

        return_big_blocks()
        uvicorn.run(live.LiveApp(out, freeze=True), **options)
        return
    config = WorkerConfig(out, workers=workers, **options)
    if REUSE_PORT and port:  # a socket per worker: connections spread over the workers
        PortPerWorker(config).run()
    else:
        Multiprocess(config, sockets=[config.bind_socket()]).run()  # what uvicorn.run does for workers > 1
