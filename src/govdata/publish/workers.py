"""Publishing many changed datasets on every core: their downloads and serving databases written
by forked processes, each reading the dataset's warehouse file read-only.

A dataset's files (CSV, Parquet, the Excel copies, its SQLite database and its filter counts) are
a function of its warehouse tables and its descriptor, and touch no other dataset's files, so
they can be written in any order by any process. The builder's process loads every warehouse
table first (each dataset's own file, :func:`govdata.publish.warehouse.save`) and forks
PROCESSES workers; each attaches a dataset's file read-only as ``wh`` on a connection of its own
and runs :meth:`govdata.publish.datasets.Publisher.files`, exactly the code a serial build runs,
into the build's staging folder. The entries come back to the builder, which writes the
releases, records and shared files in catalogue order as before: a build with one process and
one with several write the same bytes (``tests/test_publish_workers.py``). A worker's failure
fails the build (nothing of a failed build goes live).

The fork happens with no Python thread but the main one running: the builder waits for its
speculative loads and sets its DuckDB connection to one thread; the children never touch the
parent's databases and open their own.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from govdata.publish.datasets import Publisher
from govdata.publish.warehouse import file_of, in_file
from govdata.sql import lit

PARALLEL_PUBLISH = 40  # changed datasets from which a build publishes in processes
_job: tuple[Publisher, list, dict[str, str], dict[str, dict[str, int]], list[Path], Path] | None = None
_worker: Publisher | None = None


def processes(datasets: int) -> int:
    """How many processes publish ``datasets`` changed datasets (``GOVDATA_BUILD_PROCESSES`` overrides)."""
    try:
        wanted = max(0, int(os.environ.get("GOVDATA_BUILD_PROCESSES", "0")))
    except ValueError:
        wanted = 0
    if wanted:
        return wanted
    return min(os.cpu_count() or 1, 4) if datasets >= PARALLEL_PUBLISH else 1


class _NoSpeculation:
    """A worker takes no speculative load (the builder publishes those datasets itself)."""

    def take(self, checked: Any) -> None:
        return None


def publish_files(
    publisher: Publisher, datasets: list, keys: dict[str, str], copied: list[Path], warehouse: Path, n: int
) -> dict[str, dict[str, Any]]:
    """The manifest entries of ``datasets`` (checked, not yet loaded), their files written by ``n``
    processes (``warehouse``: the build's folder of warehouse files)."""
    global _job
    from govdata.forking import forked_pool

    con = publisher.con
    rows = _load(publisher, datasets)
    wait([f for f, _ in publisher.speculation.futures.values()])  # no thread of this process runs at the fork
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute("SET threads=1")
    _job = (publisher, datasets, keys, rows, copied, warehouse)
    try:
        with forked_pool(n) as pool:
            entries = pool.map(_child, range(len(datasets)), chunksize=max(1, len(datasets) // (n * 8)))
    finally:
        _job = None
        con.execute(f"SET threads={threads}")
    return {ds.name: entry for ds, entry in zip(datasets, entries)}


def _load(publisher: Publisher, datasets: list) -> dict[str, dict[str, int]]:
    """Every dataset's tables loaded into the scratch warehouse (one connection: one after another),
    each one's own file written by threads on cursors (a file's sync is most of its cost: 6 ms of
    CPU, 45 ms of wall on this machine's disk)."""

    rows: dict[str, dict[str, int]] = {}
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="govdata-warehouse") as pool:
        saved = []
        for i, ds in enumerate(datasets):
            rows[ds.name], fields = publisher.load_tables(ds)
            if rows[ds.name]:
                saved.append(pool.submit(_save, publisher, ds, rows[ds.name], fields, f"dataset_wh_{i}"))
        for future in saved:
            future.result()  # a failure fails the build
    return rows


def _save(publisher: Publisher, ds, rows: dict[str, int], fields: dict, alias: str) -> None:
    from govdata.publish import warehouse

    cursor = publisher.con.cursor()
    try:
        warehouse.save(cursor, ds, publisher.warehouse_dir, rows, fields, alias)
    finally:
        cursor.close()


def _child(i: int) -> dict[str, Any]:
    global _worker
    assert _job is not None
    parent, datasets, keys, rows, copied, warehouse = _job
    if _worker is None:  # one connection per worker process
        from govdata import duck as duckdb

        con = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, "threads": 1}
        )
        con.execute("SET memory_limit='512MB'")
        con.execute("SET preserve_insertion_order=true")
        con.execute("SET TimeZone='UTC'")  # as the build's connection (checks.runner.connect_scratch)
        _worker = Publisher(con, parent.run, parent.site_dir, parent.downloads, _NoSpeculation(), parent.hashes)
        _worker.table = lambda ds_name, resource: in_file(resource)
    ds = datasets[i]
    if not rows[ds.name]:
        return _worker.files(ds, keys[ds.name], rows[ds.name], copied)
    _worker.con.execute(f"ATTACH {lit(str(file_of(warehouse, ds.name)))} AS wh (READ_ONLY)")
    try:
        return _worker.files(ds, keys[ds.name], rows[ds.name], copied)
    finally:
        _worker.con.execute("DETACH wh")
