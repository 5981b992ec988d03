"""Cached filtered counts for immutable tables.

Datasette runs ``select count(*) from <table> where <filter>`` on every table page with a
filter; on a 10-million-row table an equality filter matching a tenth of the rows costs tens
of milliseconds of CPU per request, more than the page itself. The build stores, for every
declared filter and facet column of text type with at most ``sqlite.MAX_COUNTED_VALUES`` distinct values, the
number of rows per value (``site/counts.json``). At start-up each database gets an answerer
(``serve/answers.py``) so that exactly the count statement Datasette issues for a single
equality filter on such a column is answered from that table; every other statement goes to
SQLite as before.
The files are immutable, so the cached answer is the one SQLite would give.
"""

from __future__ import annotations

from typing import Any

from datasette.database import Results
from datasette.filters import Filters
from datasette.utils import escape_sqlite

from govdata.serve import answers


def count_statement(table: str, column: str) -> str:
    """The statement Datasette's table view runs to count ``?column=value`` (built with its own code)."""
    bits, _ = Filters([(column, "x")]).build_where_clauses(table)
    return f"select count(*) from {escape_sqlite(table)} where {' and '.join(bits)} "


def install(datasette: Any, counts: dict[str, dict[str, dict[str, dict[str, int]]]]) -> None:
    """Answer Datasette's single-equality count statements from ``counts`` ({db: {table: {column: {value: n}}}})."""
    for db_name, tables in counts.items():
        db = datasette.databases.get(db_name)
        if db is None or db.is_mutable:
            continue
        lookup = {
            count_statement(table, column): values
            for table, columns in tables.items()
            for column, values in columns.items()
        }
        if lookup:
            answers.add(db, _counted(lookup))


def _counted(lookup: dict[str, dict[str, int]]) -> answers.Answerer:
    def known(sql: str, params: Any) -> Results | None:
        values = lookup.get(sql)
        if values is not None and isinstance(params, dict) and list(params) == ["p0"]:
            return Results([(values.get(str(params["p0"]), 0),)], False, [("count(*)",)])
        return None

    return known
