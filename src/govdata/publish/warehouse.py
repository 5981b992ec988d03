"""The DuckDB warehouse: one schema per dataset, one typed table per resource,
with table and column comments from the descriptors."""

from __future__ import annotations

from pathlib import Path

import duckdb

from govdata.catalog.model import Dataset
from govdata.sql import ident, lit
from govdata.checks.result import CheckedResource


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


def load_resource(
    con: duckdb.DuckDBPyConnection, ds: Dataset, checked: CheckedResource, title: str | None, description: str | None
) -> int:
    """The typed table of a checked resource: adopted as it is when the checks already wrote it
    (they proved its file clean while loading it, see :mod:`govdata.checks.proof`), else selected
    from the table the checks read."""
    schema_name, table = ident(ds.name), ident(checked.resource)
    if checked.typed_table != qualified(ds.name, checked.resource):
        target(con, ds.name, checked.resource)
        columns = ", ".join(f"{ident(f.name)} {f.duckdb_type}" for f in checked.fields)
        con.execute(f"CREATE OR REPLACE TABLE wh.{schema_name}.{table} ({columns})")
        con.execute(f"INSERT INTO wh.{schema_name}.{table} {checked.typed_select}")
    comment_table(con, ds.name, checked.resource, title, description, [f.field for f in checked.fields])
    return _count(con, f"wh.{schema_name}.{table}")


def comment_table(
    con: duckdb.DuckDBPyConnection,
    ds_name: str,
    resource: str,
    title: str | None,
    description: str | None,
    fields: list[dict],
) -> None:
    target = qualified(ds_name, resource)
    comment = " — ".join(x for x in (title, description) if x)
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS {lit(comment)}")
    for f in fields:
        text = " — ".join(x for x in (f.get("title"), f.get("description")) if x)
        if text:
            con.execute(f"COMMENT ON COLUMN {target}.{ident(f['name'])} IS {lit(text)}")


def copy_resource(con: duckdb.DuckDBPyConnection, ds: Dataset, resource, previous: str) -> int:
    """Reuse a table of the previous build's warehouse (attached as ``previous``)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS wh.{ident(ds.name)}")
    con.execute(
        f"CREATE TABLE {qualified(ds.name, resource.name)} AS "
        f"SELECT * FROM {previous}.{ident(ds.name)}.{ident(resource.name)}"
    )
    comment_table(
        con, ds.name, resource.name, resource.raw.get("title"), resource.raw.get("description"), resource.fields
    )
    return _count(con, qualified(ds.name, resource.name))


def qualified(ds_name: str, resource: str) -> str:
    return f"wh.{ident(ds_name)}.{ident(resource)}"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
