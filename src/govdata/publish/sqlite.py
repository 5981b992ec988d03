"""The serving SQLite database of a dataset: typed tables (a big one bulk-loaded with ADBC from
DuckDB Arrow batches, a small one inserted from Python values), indexes on the declared filter and facet columns, ANALYZE, read-only."""

from __future__ import annotations

import queue
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable


from govdata import duck as duckdb  # the engine without DuckDB's Python layer (see govdata.duck)
from govdata.publish import searchindex
from govdata.sql import ident
from govdata.checks.result import CheckedResource

SQLITE_TYPES = {"BIGINT": "INTEGER", "INTEGER": "INTEGER", "DOUBLE": "REAL", "BOOLEAN": "INTEGER"}
BATCH = 50_000
SMALL_TABLE = 10_000  # rows at most inserted from Python values (_insert_small)
MAX_COUNTED_VALUES = 10_000


def _select(lt: CheckedResource, source: str) -> str:
    """Columns as SQLite stores them: dates and times as ISO text, booleans as 0/1, JSON as text."""
    cols = []
    for f in lt.fields:
        c = ident(f.name)
        if f.duckdb_type == "DATE":
            cols.append(f"strftime({c}, '%Y-%m-%d') AS {c}")
        elif f.duckdb_type in ("TIMESTAMP", "TIME", "JSON"):
            cols.append(f"CAST({c} AS VARCHAR) AS {c}")
        elif f.duckdb_type == "BOOLEAN":
            cols.append(f"CAST({c} AS BIGINT) AS {c}")
        else:
            cols.append(c)
    return f"SELECT {', '.join(cols)} FROM {source}"


def _prefetched(reader, depth: int = 4):
    """The batches of ``reader`` produced in a thread (DuckDB releases the GIL while it reads and
    casts) while SQLite inserts the previous ones. Returns the reader to hand to SQLite and a
    function that stops the thread (call it when SQLite is done, whether it succeeded or not)."""
    import pyarrow as pa

    batches: queue.Queue = queue.Queue(maxsize=depth)
    failure: list[BaseException] = []
    stopped = threading.Event()  # the consumer went away (SQLite failed): stop producing

    def put(item) -> bool:
        while not stopped.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in reader:
                if not put(batch):
                    return
        except BaseException as exc:  # handed to the consumer below
            failure.append(exc)
        finally:
            put(None)

    threading.Thread(target=produce, name="govdata-arrow", daemon=True).start()

    def consume():
        while (batch := batches.get()) is not None:
            yield batch
        if failure:
            raise failure[0]

    return pa.RecordBatchReader.from_batches(reader.schema, consume()), stopped.set


def write_table(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    lt: CheckedResource,
    indexed: list[str],
    primary_key: list[str],
    rows: int | None = None,
) -> int:
    """Create the typed table, load it, then index the declared filter and facet columns on the
    same connection, whose page cache still holds the table. A table of ``rows`` (known) at most
    ``SMALL_TABLE`` is inserted from Python values; a bigger one (or of unknown size) is
    bulk-loaded with ADBC from a DuckDB Arrow stream (no per-row Python work; DuckDB produces the
    next batches in a thread while SQLite inserts). ``con`` may be a cursor of the build's
    connection: the builder runs this in a thread beside the exports."""
    table = ident(lt.resource)
    cols = ", ".join(f"{ident(f.name)} {SQLITE_TYPES.get(f.duckdb_type, 'TEXT')}" for f in lt.fields)
    pk = f", PRIMARY KEY ({', '.join(ident(c) for c in primary_key)})" if primary_key else ""
    db = open_db(path)
    db.execute(f"CREATE TABLE {table} ({cols}{pk}{_foreign_keys(lt)})")
    if rows is not None and rows <= SMALL_TABLE:
        count = _insert_small(db, lt, con.execute(_select(lt, source)).fetchall(), indexed, primary_key)
    else:
        db.commit()
        db.close()
        count = _ingest(con, source, path, lt, indexed, primary_key)
    searchindex.write(path, lt.resource, searchindex.text_columns(lt.schema.get("fields") or []), rows=count)
    finish_db(open_db(path))
    return count


def _create_indexes(execute: Callable[[str], Any], lt: CheckedResource, indexed: list[str], primary_key: list[str]):
    table = ident(lt.resource)
    for column in dict.fromkeys(indexed):
        if [column] != primary_key[:1] or len(primary_key) > 1:
            execute(f"CREATE INDEX {ident(f'idx_{lt.resource}_{column}')} ON {table} ({ident(column)})")


def _insert_small(
    db: sqlite3.Connection, lt: CheckedResource, rows: list[tuple], indexed: list[str], primary_key: list[str]
) -> int:
    """A small table's rows, fetched from DuckDB as Python values, inserted by sqlite3: the Arrow path's
    imports (DuckDB's Python layer, pyarrow, numpy: ~0.3 s of CPU) cost more than such a table's load.
    The values are the ones the Arrow path binds (integers, floats, text, NULL: see ``_select``)."""
    marks = ", ".join("?" for _ in lt.fields)
    try:
        db.executemany(f"INSERT INTO {ident(lt.resource)} VALUES ({marks})", rows)
        _create_indexes(db.execute, lt, indexed, primary_key)
        db.commit()
    finally:
        db.close()
    return len(rows)


def _ingest(con: Any, source: str, path: Path, lt: CheckedResource, indexed: list[str], primary_key: list[str]) -> int:
    """A big table bulk-loaded with ADBC from DuckDB's Arrow batches."""
    # ADBC's low-level API: its DB-API layer imports pyarrow.dataset (0.1 s of CPU under the GIL)
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import duckdb  # noqa: F401  (its Python layer adds relations and their Arrow readers: con.sql)

    reader, stop = _prefetched(con.sql(_select(lt, source)).to_arrow_reader(BATCH))
    with adbc_driver_sqlite.connect(str(path)) as database, adbc.AdbcConnection(database) as conn:

        def statement(sql: str | None = None, **options: str) -> int:
            with adbc.AdbcStatement(conn) as stmt:
                if options:
                    stmt.set_options(**options)
                    stmt.bind_stream(reader)
                else:
                    stmt.set_sql_query(sql)
                return stmt.execute_update()

        # 4 MB: the rows arrive in rowid order (only the B-tree's right edge is hot), and the index
        # sorts run faster in cache-sized runs merged than as one big in-memory sort
        # (1M rows, two indexes: 0.67 s at 4 MB, 0.95 s at 64 MB)
        statement("PRAGMA cache_size=-4096")
        conn.set_autocommit(False)
        try:
            count = statement(
                **{"adbc.ingest.target_table": lt.resource, "adbc.ingest.mode": "adbc.ingest.mode.append"}
            )
        finally:
            stop()
        conn.commit()
        _create_indexes(statement, lt, indexed, primary_key)
        conn.commit()
    return count


def _foreign_keys(lt: CheckedResource) -> str:
    """Foreign keys within the dataset (one SQLite file) declared to SQLite, not enforced: Datasette
    then links each value to the row it references and lists, on that row's page, the rows that
    reference it (a policy's interpretations link to the policy and back)."""
    out = []
    for fk in lt.schema.get("foreignKeys") or []:
        ref = fk.get("reference") or {}
        fields, ref_fields = fk.get("fields"), ref.get("fields")
        fields = [fields] if isinstance(fields, str) else fields or []
        ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields or []
        if ref.get("dataset") not in (None, "", lt.dataset) or not fields or len(fields) != len(ref_fields):
            continue
        target = ref.get("resource") or lt.resource
        out.append(
            f", FOREIGN KEY ({', '.join(ident(f) for f in fields)}) "
            f"REFERENCES {ident(target)} ({', '.join(ident(f) for f in ref_fields)})"
        )
    return "".join(out)


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA page_size=8192")
    return db


def finish_db(db: sqlite3.Connection) -> None:
    db.commit()
    db.execute("PRAGMA analysis_limit=1000")  # sampled statistics: enough for the planner, fast on big tables
    db.execute("ANALYZE")
    db.commit()
    db.close()


def value_counts(con: Any, source: str, columns: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Per column (name, SQLite type): {value: rows} from the DuckDB warehouse table ``source``, for the
    serving layer's cached filtered counts (see :mod:`govdata.serve.counts`)."""
    out: dict[str, dict[str, int]] = {}
    for name, sqlite_type in columns:
        if sqlite_type != "TEXT":
            continue  # integer/real filters compare with numeric affinity: leave them to SQLite
        col = ident(name)
        rows = con.execute(
            f"SELECT {col}, count(*) FROM {source} WHERE {col} IS NOT NULL GROUP BY {col} "
            f"ORDER BY {col} LIMIT {MAX_COUNTED_VALUES + 1}"  # ordered: the same bytes from every build
        ).fetchall()
        if len(rows) <= MAX_COUNTED_VALUES:
            out[name] = {str(value): n for value, n in rows}
    return out
