"""The serving database of a big file, started before the checks.

Loading SQLite (ADBC ingest, then one index sort per filter or facet column) runs on one
core and is the longest step of a big build. For a dataset whose one resource is a big
plain CSV (the files the gate may prove clean in one streaming pass, see
:mod:`govdata.checks.proof`), the load starts from the file itself, typed exactly as the
warehouse will be, while the checks run. The result is kept only when the checks proved
the file clean; otherwise it is thrown away and the builder loads SQLite from the
warehouse as for any other resource. Either way nothing goes live unless the whole build
succeeds: the database is written in the build's staging folder.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path


from govdata import duck as duckdb  # the engine without DuckDB's Python layer (see govdata.duck)
from govdata.publish import sqlite as sqlite_mod
from govdata.catalog.model import Dataset
from govdata.catalog.tableschema import normalise_schema
from govdata.checks.result import CheckedResource, typed_read
from govdata.checks.source import fast_path


def _eligible(ds: Dataset):
    """The dataset's one resource when the gate may stream it, else None."""
    with_schema = [res for res in ds.resources if res.schema is not None]
    if not ds.publishes_data or len(with_schema) != 1:
        return None
    res = with_schema[0]
    schema = normalise_schema(res.schema or {})
    # a by-name fieldsMatch: the file's columns are not the schema's fields in order (fieldsmatch.py)
    if schema.get("fieldsMatch", "exact") != "exact":
        return None
    if res.pipeline or schema.get("foreignKeys") or res.source is None or not fast_path(res.source, res.raw):
        return None
    return res


class Speculation:
    """SQLite loads started in a thread for the eligible datasets of ``datasets``."""

    def __init__(self, datasets: list[Dataset], site_dir: Path, memory_limit: str = "128MB"):
        self.con = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, "threads": 1}
        )
        self.con.execute(f"SET memory_limit='{memory_limit}'")
        self.con.execute("SET TimeZone='UTC'")  # as the checks' connection (runner.connect_scratch)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govdata-serving")
        self.futures: dict[tuple[str, str], tuple[Future, Path]] = {}
        for ds in datasets:
            res = _eligible(ds)
            if res is None:
                continue
            site_dir.mkdir(parents=True, exist_ok=True)
            schema = normalise_schema(res.schema)
            lt = typed_read(ds.name, res.name, res.source, schema)
            path = site_dir / f"{ds.name}.db"
            indexed = list(res.raw.get("filterable") or []) + list(res.raw.get("facets") or [])
            self.futures[(ds.name, res.name)] = (
                self.pool.submit(self._load, lt, path, indexed, list(schema.get("primaryKey") or [])),
                path,
            )

    def _load(self, lt: CheckedResource, path: Path, indexed: list[str], primary_key: list[str]) -> int:
        # the one thread is the connection's only user, so close() can interrupt it
        return sqlite_mod.write_table(self.con, f"({lt.typed_select})", path, lt, indexed, primary_key)

    @property
    def running(self) -> bool:
        return any(not future.done() for future, _ in self.futures.values())

    def take(self, lt: CheckedResource) -> Future | None:
        """The running load of ``lt``'s serving table when the checks proved its file clean;
        otherwise None (any speculative database is removed and the builder loads it from the
        warehouse)."""
        entry = self.futures.pop((lt.dataset, lt.resource), None)
        if entry is None:
            return None
        future, path = entry
        if lt.proven:
            return future
        future.exception()  # wait; a failure does not matter, the table is loaded again
        path.unlink(missing_ok=True)
        return None

    def close(self) -> None:
        """Stop what is still running (a failed build) and release the connection."""
        if any(not f.done() for f, _ in self.futures.values()):
            self.con.interrupt()
        self.pool.shutdown(wait=True)
        for _, path in self.futures.values():
            path.unlink(missing_ok=True)
        self.futures.clear()
        self.con.close()
