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

    return pa.table([chunk.column("rid"), *(textsearch.index_texts(chunk.column(n)) for n in names)],
                    names=["rid", *names])


def write(path: Path, table: str, columns: list[str]) -> int:
    """Index ``columns`` of ``table`` in the SQLite file ``path`` (a file being built: no journal);
    returns the rows indexed. numpy bigrams chunk k in a thread while SQLite inserts chunk k-1.
    FTS5 keeps pending terms in memory up to HASH_BYTES, so the index is written as a few large
    segments that one 'optimize' merges at the end."""
    if not columns:
        return 0
    from concurrent.futures import Future, ThreadPoolExecutor

    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import pyarrow as pa

    names = [f"c{i}" for i in range(len(columns))]
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
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-65536"):
            run(f"PRAGMA {pragma}")
        run(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(names)}, content='', columnsize=0, "
            f"tokenize='{tokenize}')")
        # terms are kept in memory until HASH_BYTES (FTS5's default is 1 MB: hundreds of small
        # segments merged again and again) and written as a few large segments
        run(f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {HASH_BYTES})")
        conn.set_autocommit(False)
        last, pending = None, None
        pending: Future | None
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
                following = pool.submit(_bigrams, chunk, names)
            else:
                following = None
            if pending is not None:
                insert(pending.result())
            pending = following
            if pending is None:
                break
        run(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        conn.commit()
    return done
