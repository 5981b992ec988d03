"""The full-text index of a served table, for Datasette's standard ``?_search=``.

One contentless FTS5 table per table with text columns, ``<table>__search``, with one column
``c<i>`` per text column holding its bigrams (see :mod:`govdata.textsearch`), keyed by the
table's rowid. The rows are read back from the finished SQLite table (so the rowids are
SQLite's own, whatever the load order was) in bounded chunks, bigrammed with numpy and
inserted with ADBC; memory stays flat at any size.
"""

from __future__ import annotations

from pathlib import Path

from govdata import textsearch

CHUNK = 200_000
SMALL = 20_000  # rows indexed on one connection, without the chunked pipeline
FEW = 2_000  # rows indexed cell by cell (textsearch.index_text), not as Arrow columns
HASH_BYTES = 256 * 2**20


def text_columns(fields: list[dict]) -> list[str]:
    """The columns indexed for ``?_search=``: every field served as text (strings, untyped, dates
    and times as ISO text), so that what a cell shows can be found."""
    return [f["name"] for f in fields if (f.get("type") or "any") in TEXT_TYPES]


TEXT_TYPES = ("string", "any", "date", "datetime", "time", "yearmonth", "duration")


def fts_table(table: str) -> str:
    return f"{table}__search"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bigrams(chunk, names: list[str]):
    """The bigram text of every column of an Arrow chunk (:func:`textsearch.index_texts`)."""
    import pyarrow as pa

    return pa.table(
        [chunk.column("rid"), *(textsearch.index_texts(chunk.column(n)) for n in names)], names=["rid", *names]
    )


def _setup(names: list[str], fts: str) -> list[str]:
    """The statements that create the index: no journal (the file is being built), one FTS column
    per text column (a phrase never spans two cells), pending terms kept in memory up to
    HASH_BYTES (FTS5's default is 1 MB: hundreds of small segments merged again and again)."""
    tokenize = textsearch.TOKENIZE.replace("'", "''")
    return [
        "PRAGMA journal_mode=OFF",
        "PRAGMA synchronous=OFF",
        "PRAGMA cache_size=-65536",
        f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(names)}, content='', columnsize=0, tokenize='{tokenize}')",
        f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {HASH_BYTES})",
    ]


def write(path: Path, table: str, columns: list[str], rows: int | None = None) -> int:
    """Index ``columns`` of ``table`` in the SQLite file ``path`` (a file being built: no journal);
    returns the rows indexed. A table of at most SMALL ``rows`` is indexed in one statement on one
    connection (a catalogue of thousands of small tables pays no thread or driver set-up); a
    bigger one in chunks: numpy bigrams chunk k in a thread while SQLite inserts chunk k-1, then
    one 'optimize' merges the few large segments."""
    if not columns:
        return 0
    names = [f"c{i}" for i in range(len(columns))]
    fts = _q(fts_table(table))
    cols = ", ".join(f"CAST({_q(c)} AS TEXT) AS {n}" for c, n in zip(columns, names))
    select = f"SELECT rowid AS rid, {cols} FROM {_q(table)}"
    insert = f"INSERT INTO {fts}(rowid, {', '.join(names)}) VALUES (?{', ?' * len(names)})"
    if rows is not None and rows <= SMALL:
        return _write_small(path, fts, names, select, insert)
    from concurrent.futures import Future, ThreadPoolExecutor

    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import pyarrow as pa

    done = 0
    with (
        adbc_driver_sqlite.connect(str(path)) as database,
        adbc.AdbcConnection(database) as conn,
        ThreadPoolExecutor(1, thread_name_prefix="govdata-bigrams") as pool,
    ):

        def run(sql: str) -> None:
            with adbc.AdbcStatement(conn) as stmt:
                stmt.set_sql_query(sql)
                stmt.execute_update()

        def put(out) -> None:
            with adbc.AdbcStatement(conn) as stmt:
                stmt.set_sql_query(insert)
                stmt.bind_stream(pa.RecordBatchReader.from_batches(out.schema, out.to_batches()))
                stmt.execute_update()

        for sql in _setup(names, fts):
            run(sql)
        conn.set_autocommit(False)
        last = None
        pending: Future | None = None
        while True:
            where = f"WHERE rowid > {last}" if last is not None else ""
            with adbc.AdbcStatement(conn) as stmt:
                stmt.set_sql_query(f"{select} {where} ORDER BY rowid LIMIT {CHUNK}")
                handle, _ = stmt.execute_query()
                chunk = pa.RecordBatchReader._import_from_c(handle.address).read_all()
            if chunk.num_rows:
                last = chunk.column("rid")[-1].as_py()
                done += chunk.num_rows
                following = pool.submit(_bigrams, chunk, names)
            else:
                following = None
            if pending is not None:
                put(pending.result())
            pending = following
            if pending is None:
                break
        run(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        conn.commit()
    return done


def _write_small(path: Path, fts: str, names: list[str], select: str, insert: str) -> int:
    import sqlite3

    db = sqlite3.connect(path)
    try:
        for sql in _setup(names, fts):
            db.execute(sql)
        found = db.execute(select).fetchall()
        if len(found) <= FEW:  # cell by cell: no lookup table of every code point to build
            db.executemany(insert, ([rid, *map(textsearch.index_text, texts)] for rid, *texts in found))
        else:
            import pyarrow as pa

            ids, *texts = zip(*found)
            indexed = [textsearch.index_texts(pa.array(t, pa.string())).to_pylist() for t in texts]
            db.executemany(insert, zip(ids, *indexed))
        db.commit()  # the pending terms fit in memory: one segment, nothing to merge
    finally:
        db.close()
    return len(found)
