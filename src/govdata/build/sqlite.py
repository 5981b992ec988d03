"""The serving SQLite database of a dataset: typed tables fed from DuckDB Arrow
batches, indexes on the declared filter and facet columns, ANALYZE, read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb

from govdata.checks.sqltypes import ident
from govdata.checks.table import LoadedTable

SQLITE_TYPES = {"BIGINT": "INTEGER", "INTEGER": "INTEGER", "DOUBLE": "REAL", "BOOLEAN": "INTEGER"}
BATCH = 50_000


def _convert(duck_type: str):
    if duck_type in ("DATE", "TIMESTAMP", "TIME"):
        return lambda v: None if v is None else v.isoformat()
    if duck_type == "BOOLEAN":
        return lambda v: None if v is None else int(v)
    return None


def write_table(con: duckdb.DuckDBPyConnection, source: str, db: sqlite3.Connection, lt: LoadedTable,
                indexed: list[str], primary_key: list[str]) -> int:
    table = ident(lt.resource)
    cols = ", ".join(f"{ident(f.name)} {SQLITE_TYPES.get(f.duckdb_type, 'TEXT')}" for f in lt.fields)
    pk = f", PRIMARY KEY ({', '.join(ident(c) for c in primary_key)})" if primary_key else ""
    db.execute(f"CREATE TABLE {table} ({cols}{pk})")
    converters = [_convert(f.duckdb_type) for f in lt.fields]
    placeholders = ", ".join("?" for _ in lt.fields)
    insert = f"INSERT INTO {table} VALUES ({placeholders})"
    reader = con.sql(f"SELECT * FROM {source}").to_arrow_reader(BATCH)
    count = 0
    for batch in reader:
        columns = []
        for i, conv in enumerate(converters):
            values = batch.column(i).to_pylist()
            columns.append([conv(v) for v in values] if conv else values)
        db.executemany(insert, zip(*columns))
        count += batch.num_rows
    for column in dict.fromkeys(indexed):
        if [column] != primary_key[:1] or len(primary_key) > 1:
            db.execute(f"CREATE INDEX {ident(f'idx_{lt.resource}_{column}')} ON {table} ({ident(column)})")
    return count


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA page_size=8192")
    return db


def finish_db(db: sqlite3.Connection) -> None:
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()
