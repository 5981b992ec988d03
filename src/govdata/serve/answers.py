"""Statements a served database answers without SQLite: the one extension point on ``execute``.

The files are immutable, so some statements Datasette issues have answers known in advance:
the count of a single-equality filter (``serve/counts.py``, from the build's ``counts.json``)
and the count of a search (``serve/search.py``: "unknown" for a dense search, the number of
rowids found for a sparse one). An *answerer* is a function ``(sql, params) -> Results | str |
None``: a ``Results`` answers the statement, a ``str`` is the statement to run in its place (the
next answerers see it: ``serve/search.py`` lists a dense search's matches once for a facet), and
``None`` lets the next answerer (and finally SQLite) see it unchanged.

govdata's own databases (``serve/app.py``'s ``LazyDatabase``) consult their answerers in
``execute``; a plain Datasette's databases (the plugin installed without ``govdata serve``) get
the same chain through one wrapper around their ``execute``, installed once per database.
To answer another statement: write an answerer and ``add`` it where the data it needs is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasette.database import Results

Answerer = Callable[[str, Any], "Results | str | None"]


def answer(answerers: list[Answerer], sql: str, params: Any) -> tuple[Results | None, str]:
    """(the first answer to ``sql`` among ``answerers`` or None: ask SQLite, the statement to ask)."""
    for answerer in answerers:
        found = answerer(sql, params)
        if isinstance(found, str):
            sql = found
        elif found is not None:
            return found, sql
    return None, sql


def add(db: Any, answerer: Answerer) -> None:
    """Let ``answerer`` see the statements ``db`` executes, after those added before it."""
    chain = getattr(db, "answerers", None)
    if chain is None:  # a plain Datasette Database: wrap its execute once
        chain = db.answerers = []
        execute = db.execute

        async def answered(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Results:
            found, sql = answer(chain, sql, params)
            return found if found is not None else await execute(sql, params, *args, **kwargs)

        db.execute = answered
    chain.append(answerer)
