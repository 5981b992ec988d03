"""Publishing one checked dataset: its warehouse tables, downloads and serving database.

The checks hand over each resource they read as a :class:`govdata.checks.result.CheckedResource`
(asked for by name from the check run); its typed values are selected on the checks' own
connection, or, when the one-pass proof already wrote them into the warehouse table, adopted as
they are. Nothing here reaches into the checks' internals.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from govdata.catalog.tableschema import normalise_schema
from govdata.publish import exports as exports_mod
from govdata.publish import sqlite as sqlite_mod
from govdata.publish import warehouse


class Publisher:
    """Publishes datasets of one build. Per resource the SQLite load runs in a thread (on a DuckDB
    cursor) while the main thread writes the downloads."""

    def __init__(self, con, run, site_dir: Path, downloads: Path, speculation, hashes: dict[str, str]):
        self.con = con
        self.run = run
        self.site_dir = site_dir
        self.downloads = downloads
        self.speculation = speculation
        self.hashes = hashes
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="govdata-build")
        # where a resource's warehouse table is read: the build's scratch warehouse (a worker
        # process reads the dataset's own file instead, govdata.publish.workers)
        self.table: Callable[[str, str], str] = warehouse.qualified

    def close(self) -> None:
        self.pool.shutdown()

    def dataset(self, ds, key: str, copied: list[Path]) -> dict[str, Any]:
        """Warehouse tables, exports and the serving database of one checked dataset: its manifest entry."""
        return self.files(ds, key, self.load(ds), copied)

    def load(self, ds) -> dict[str, int]:
        """The warehouse tables of one checked dataset: in the build's scratch warehouse, then in
        the dataset's own warehouse file (:func:`govdata.publish.warehouse.save`). Rows per resource."""
        rows, fields = self.load_tables(ds)
        if rows:
            warehouse.save(self.con, ds, self.warehouse_dir, rows, fields)
        return rows

    @property
    def warehouse_dir(self) -> Path:
        return self.site_dir.parent / "warehouse"

    def load_tables(self, ds) -> tuple[dict[str, int], dict[str, list[dict]]]:
        """The tables of one checked dataset in the build's scratch warehouse, in one transaction
        (a statement of its own commits, and syncs, the file): rows and checked fields per resource."""
        rows: dict[str, int] = {}
        fields: dict[str, list[dict]] = {}
        self.con.begin()
        try:
            for res in ds.resources:
                checked = self.run.resource(ds.name, res.name)
                if checked is not None:
                    rows[res.name] = warehouse.load_resource(self.con, ds, checked)
                    fields[res.name] = [f.field for f in checked.fields]
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()
        return rows, fields

    def files(self, ds, key: str, rows: dict[str, int], copied: list[Path]) -> dict[str, Any]:
        """The downloads and the serving database of a dataset whose warehouse tables are loaded
        (``rows``): its manifest entry. Reads only its warehouse tables (``wh``), so another process
        with the dataset's warehouse file attached read-only may run it (:mod:`govdata.publish.workers`)."""
        exports: dict[str, dict[str, Any]] = {}
        counts: dict[str, dict[str, dict[str, int]]] = {}
        published: list[str] = []
        for res in ds.resources if ds.publishes_data else ():  # conditional data stays in the warehouse
            checked = self.run.resource(ds.name, res.name)
            if checked is None:
                continue
            files, counts[res.name] = self._resource(ds, res, checked, rows[res.name], copied)
            exports[res.name] = {e.format: e.to_dict(f"/downloads/{ds.name}/{e.path.name}") for e in files}
            published.append(res.name)
        inspect = None
        if published:
            db_path = self.site_dir / f"{ds.name}.db"
            # the dataset's build key identifies the database's content (Datasette uses it as an ETag)
            inspect = {
                "hash": key,
                "size": db_path.stat().st_size,
                "file": db_path.name,
                "tables": {r: {"count": rows[r]} for r in published},
            }
        return {"exports": exports, "rows": rows, "published": published, "inspect": inspect, "counts": counts}

    def _resource(self, ds, res, checked, rows: int, copied: list[Path]) -> tuple[list, dict]:
        """The serving table (in a thread, unless the load started beside the checks is kept) and the
        downloads of one resource; the filtered counts of its filter and facet columns."""
        source = self.table(ds.name, res.name)
        schema = normalise_schema(res.schema or {})
        indexed = list(res.raw.get("filterable") or []) + list(res.raw.get("facets") or [])
        out = self.downloads / ds.name
        cursor = self.con.cursor()
        try:
            serving = self.speculation.take(checked) or self.pool.submit(
                sqlite_mod.write_table,
                cursor,
                source,
                self.site_dir / f"{ds.name}.db",
                checked,
                indexed,
                list(schema.get("primaryKey") or []),
                rows,
            )
            canonical = exports_mod.source_is_canonical(
                res.raw, schema, checked.source_path, res.source, list(checked.header)
            )
            files = exports_mod.export_resource(
                self.con,
                source,
                out,
                res.name,
                self.pool,
                res.source if canonical else None,
                self.hashes.get(str(res.source), "") if canonical else "",
                copied=out / f"{res.name}.csv" in copied,
            )
            files += exports_mod.export_spreadsheet(self.con, source, out, res.name, schema.get("fields") or [], rows)
            serving.result()
        finally:
            cursor.close()
        types = {f.name: sqlite_mod.SQLITE_TYPES.get(f.duckdb_type, "TEXT") for f in checked.fields}
        counts = sqlite_mod.value_counts(
            self.con, source, [(c, types[c]) for c in dict.fromkeys(indexed) if c in types]
        )
        return files, counts
