"""The DuckDB warehouse: one file per dataset (``warehouse/<dataset>.duckdb``) with one typed
table per resource (in its main schema), with table and column comments from the descriptors. A dataset reused by the next build has its file hard-linked, as its serving
database and downloads are (:func:`govdata.publish.incremental.link_reused`): no build copies
the tables of datasets that did not change.

During a build every checked table is first written into the build's scratch warehouse (``wh``,
under its work folder; the checks' one-pass proof writes a big file's typed values there), and
publishing reads it from there (:func:`qualified`); :func:`save` then writes the dataset's own
file, which the processes that publish in parallel read instead (:func:`in_file`,
:mod:`govdata.publish.workers`).
"""

from __future__ import annotations

from pathlib import Path


from govdata import duck as duckdb  # the engine without DuckDB's Python layer (see govdata.duck)
from govdata.catalog.model import Dataset
from govdata.sql import ident, lit
from govdata.checks.result import CheckedResource

SMALL_ROWS = 100_000  # a dataset of at most this many rows is stored in 16 KB blocks
SMALL_BLOCK = 16_384  # (DuckDB's 256 KB block holds one small table: 10-15x the bytes; a big table
# scans faster in big blocks, so it keeps them)


def file_of(folder: Path, ds_name: str) -> Path:
    """A dataset's warehouse file in a build's ``warehouse/`` folder."""
    return folder / f"{ds_name}.duckdb"


def attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(f"ATTACH {lit(str(path))} AS wh")


def target(con: duckdb.DuckDBPyConnection, ds_name: str, resource: str) -> str:
    """The (not yet created) table of a resource, its dataset's schema created."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS wh.{ident(ds_name)}")
    return qualified(ds_name, resource)


def destination(ds_name: str, resource: str) -> tuple[str, str]:
    """(schema, table) of a resource's warehouse table, where the checks may write its typed values
    while proving a big file clean (``run_checks(typed_tables=...)``)."""
    return f"wh.{ident(ds_name)}", qualified(ds_name, resource)


def load_resource(con: duckdb.DuckDBPyConnection, ds: Dataset, checked: CheckedResource) -> int:
    """The typed table of a checked resource in the scratch warehouse: adopted as it is when the
    checks already wrote it (they proved its file clean while loading it, see
    :mod:`govdata.checks.proof`), else selected from the table the checks read. Its rows."""
    schema_name, table = ident(ds.name), ident(checked.resource)
    if checked.typed_table != qualified(ds.name, checked.resource):
        target(con, ds.name, checked.resource)
        columns = ", ".join(f"{ident(f.name)} {f.duckdb_type}" for f in checked.fields)
        con.execute(f"CREATE OR REPLACE TABLE wh.{schema_name}.{table} ({columns})")
        con.execute(f"INSERT INTO wh.{schema_name}.{table} {checked.typed_select}")
    return _count(con, f"wh.{schema_name}.{table}")


def save(
    con: duckdb.DuckDBPyConnection,
    ds: Dataset,
    folder: Path,
    rows: dict[str, int],
    fields: dict,
    alias: str = "dataset_wh",
) -> None:
    """The dataset's own warehouse file, from its tables in the scratch warehouse (``rows``: the
    resources loaded; ``fields``: their checked fields), with the descriptors' comments, in one
    transaction. ``con`` may be a cursor in a thread (mostly waiting for the file's sync), with
    an ``alias`` of its own."""
    folder.mkdir(exist_ok=True)
    path = file_of(folder, ds.name)
    path.unlink(missing_ok=True)
    block = f" (BLOCK_SIZE {SMALL_BLOCK})" if sum(rows.values()) <= SMALL_ROWS else ""
    con.execute(f"ATTACH {lit(str(path))} AS {alias}{block}")
    try:
        con.begin()
        for res in ds.resources:
            if res.name in rows:
                into = in_file(res.name, alias)
                con.execute(f"CREATE TABLE {into} AS SELECT * FROM {qualified(ds.name, res.name)}")
                comment_table(con, into, res.raw.get("title"), res.raw.get("description"), fields[res.name])
        con.commit()
    finally:
        con.execute(f"DETACH {alias}")


def comment_table(
    con: duckdb.DuckDBPyConnection, target: str, title: str | None, description: str | None, fields: list[dict]
) -> None:
    comment = " — ".join(x for x in (title, description) if x)
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS {lit(comment)}")
    for f in fields:
        text = " — ".join(x for x in (f.get("title"), f.get("description")) if x)
        if text:
            con.execute(f"COMMENT ON COLUMN {target}.{ident(f['name'])} IS {lit(text)}")


def qualified(ds_name: str, resource: str) -> str:
    """A resource's table in the build's scratch warehouse."""
    return f"wh.{ident(ds_name)}.{ident(resource)}"


def in_file(resource: str, database: str = "wh") -> str:
    """A resource's table in its dataset's warehouse file attached as ``database`` (the file's
    main schema: opened alone, ``SELECT * FROM <resource>`` reads it)."""
    return f"{database}.main.{ident(resource)}"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
