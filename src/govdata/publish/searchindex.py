"""The full-text index of a served table, for Datasette's standard ``?_search=``.

One contentless FTS5 table per table with text columns, ``<table>__search``, with one column
``c<i>`` per text column holding its bigrams (see :mod:`govdata.textsearch`), keyed by the
table's rowid. The rows are read back from the finished SQLite table (so the rowids are
SQLite's own, whatever the load order was) in bounded chunks, bigrammed by DuckDB and
inserted with ADBC; memory stays flat at any size.
"""

from __future__ import annotations

from pathlib import Path

from govdata import textsearch

CHUNK = 200_000


def text_columns(fields: list[dict]) -> list[str]:
    """The columns indexed for ``?_search=``: every field served as text (strings, untyped, dates
    and times as ISO text), so that what a cell shows can be found."""
    return [f["name"] for f in fields if (f.get("type") or "any") in TEXT_TYPES]


TEXT_TYPES = ("string", "any", "date", "datetime", "time", "yearmonth", "duration")


def fts_table(table: str) -> str:
    return f"{table}__search"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bigrams(duck, chunk, names: list[str]):
    """The bigram text of every column of an Arrow chunk (folding in Python only when needed)."""
    import pyarrow as pa

    needs = " OR ".join(f"regexp_matches({n}, $cls)" for n in names)
    duck.register("chunk", chunk)
    try:
        if duck.execute(f"SELECT bool_or({needs}) FROM chunk", {"cls": textsearch.needs_fold_class()}).fetchall()[0][0]:
            # traditional characters or full-width forms somewhere in the chunk: fold in Python
            folded = [pa.array(textsearch.fold_many(chunk.column(n).to_pylist())) for n in names]
            duck.unregister("chunk")
            duck.register("chunk", pa.table([chunk.column("rid"), *folded], names=["rid", *names]))
        texts = ", ".join(f"{textsearch.duckdb_index_sql(n)} AS {n}" for n in names)
        return duck.sql(f"SELECT rid, {texts} FROM chunk").to_arrow_table()
    finally:
        duck.unregister("chunk")


def write(path: Path, table: str, columns: list[str]) -> int:
    """Index ``columns`` of ``table`` in the SQLite file ``path``; returns the rows indexed.
    DuckDB bigrams chunk k in a thread while SQLite inserts chunk k-1 (both release the GIL)."""
    if not columns:
        return 0
    from concurrent.futures import Future, ThreadPoolExecutor

    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import duckdb
    import pyarrow as pa

    names = [f"c{i}" for i in range(len(columns))]
    duck = duckdb.connect()
    duck.execute("SET threads=1")  # one core bigrams, the other inserts
    fts = _q(fts_table(table))
    done = 0
    with adbc_driver_sqlite.connect(str(path)) as database, adbc.AdbcConnection(database) as conn, \
            ThreadPoolExecutor(1, thread_name_prefix="govdata-bigrams") as pool:
        def run(sql: str) -> None:
            with adbc.AdbcStatement(conn) as stmt:
                stmt.set_sql_query(sql)
                stmt.execute_update()

        def insert(out) -> None:
            with adbc.AdbcStatement(conn) as stmt:
                stmt.set_sql_query(f"INSERT INTO {fts}(rowid, {', '.join(names)}) VALUES (?{', ?' * len(names)})")
                stmt.bind_stream(pa.RecordBatchReader.from_batches(out.schema, out.to_batches()))
                stmt.execute_update()

        # one FTS column per text column: a phrase never spans two cells
        tokenize = textsearch.TOKENIZE.replace("'", "''")
        run(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(names)}, content='', columnsize=0, "
            f"tokenize='{tokenize}')")
        conn.set_autocommit(False)
        last = None
        pending: Future | None = None
        cols = ", ".join(f"CAST({_q(c)} AS TEXT) AS {n}" for c, n in zip(columns, names))
        while True:
            where = f"WHERE rowid > {last}" if last is not None else ""
            with adbc.AdbcStatement(conn) as stmt:
                stmt.set_sql_query(f"SELECT rowid AS rid, {cols} FROM {_q(table)} {where} ORDER BY rowid LIMIT {CHUNK}")
                handle, _ = stmt.execute_query()
                chunk = pa.RecordBatchReader._import_from_c(handle.address).read_all()
            if chunk.num_rows:
                last = chunk.column("rid")[-1].as_py()
                done += chunk.num_rows
                following = pool.submit(_bigrams, duck, chunk, names)
            else:
                following = None
            if pending is not None:
                insert(pending.result())
            pending = following
            if pending is None:
                break
        run(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        conn.commit()
    duck.close()
    return done
