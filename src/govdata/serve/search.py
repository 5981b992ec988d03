"""``?_search=`` on served tables, over the bigram index of :mod:`govdata.publish.searchindex`.

Datasette's own search filter would write ``rowid IN (SELECT rowid FROM fts WHERE fts MATCH …)``:
SQLite then evaluates the whole match before returning the first page, and counts it again —
for a two-character word found in most of a million rows that is 150 ms and 350 ms. This filter
first counts the matches up to a bound ``T`` (cheap: FTS5 stops at ``T``), listing their rowids,
and picks the plan:

- at most ``T`` matches: the page reads the rowids just listed (passed as a JSON list, so the
  phrase is evaluated once), and the count is exact;
- more than ``T``, the page sorted by the rowid (the default: the INTEGER PRIMARY KEY or the
  rowid), no other filter, no facet, no CSV stream: the page is the first matches FTS5 yields
  after the previous page's last rowid (FTS5 yields them in rowid order): ``… MATCH :e AND rowid
  > :after ORDER BY rowid LIMIT size+1``. Nothing else is read, so ``T`` is ``PAGE_BOUND`` here;
- more than ``T`` otherwise: the rows are scanned in the page's order and each is probed in the
  index (``rowid = t.rowid``): the first page of a frequent word takes a few hundred probes.

Above ``T`` the count is not computed: the JSON says ``null`` and the page says "more than T rows"
(never a wrong number). The count statement is answered by :func:`install` without running it.

``T`` balances the last two plans for the table's size: ~37,000 at a million rows, ~117,000 at ten
million (sqrt(51 · rows · 27): the cost of a probe is ~27× that of a listed rowid).
"""

from __future__ import annotations

import contextvars
import math
import re
import sqlite3
from typing import Any

from datasette.database import Results
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite
from datasette.utils.asgi import BadRequest

from govdata import textsearch
from govdata.serve import answers

DENSE = "/* govdata:dense-search */"
KNOWN_COUNT = re.compile(r"/\* govdata:count=(\d+) \*/")
# the folded terms of the request's ?_search=, for highlighting the cells of the page it renders
# (render_cell has no request; the filter and the rendering run in the same task)
TERMS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("govdata_search_terms", default=())
MIN_BOUND = 2_000
# counting stops here when the page needs no list of matches: the page says "more than 1,000 rows"
# and the JSON count is null. Counting a frequent phrase's first 10,001 matches cost up to 18 ms
# on 1M rows (the tail of the search latency), the first 1,001 at most ~1 ms beyond the page
PAGE_BOUND = 1_000


def bound(rows: int) -> int:
    return max(MIN_BOUND, int(math.sqrt(51 * max(rows, 1) * 27)))


def _rows(datasette, database: str, table: str) -> int:
    try:
        return int(datasette.inspect_data[database]["tables"][table]["count"])
    except (KeyError, TypeError, ValueError):
        return 0


def _rowid_page(request: Any, meta: dict, datasette: Any) -> tuple[int, bool, int | None] | None:
    """(rows to read, descending, rowid after which to start) when the page lists matches in rowid
    order and nothing else reads the filtered rows: no other filter, no facet, not a CSV stream,
    sorted by the rowid (or the INTEGER PRIMARY KEY that is the rowid). Then the page is the first
    matches FTS5 yields (it yields them in rowid order) and no row is probed."""
    args = request.args
    if meta.get("facets") or any(k.startswith("_facet") for k in args.keys()) or args.get("_stream"):
        return None
    names = {"rowid", meta.get("rowid_column") or "rowid"}
    sort, sort_desc = args.get("_sort"), args.get("_sort_desc")
    if sort is None and sort_desc is None:
        sort, sort_desc = meta.get("sort"), meta.get("sort_desc")
    if (sort_desc or sort or "rowid") not in names:
        return None
    after = None
    if args.get("_next"):
        try:
            after = int(args["_next"].split(",")[-1])  # "<sort value>,<key>" or "<key>"
        except ValueError:
            return None
    size = args.get("_size") or str(datasette.setting("default_page_size"))
    limit = datasette.setting("max_returned_rows") if size == "max" else int(size) if size.isdigit() else None
    if not limit:
        return None
    return limit + 1, bool(sort_desc), after


async def search_filter(request: Any, database: str, table: str, datasette: Any) -> FilterArguments | None:
    meta = datasette.table_metadata(database, table) or {}
    fts = meta.get("search_table")
    if not fts:
        return None
    q = (request.args.get("_search") or "").strip()
    extra: dict[str, Any] = {"supports_search": True, "search": q}
    if not q:
        return FilterArguments([], extra_context=extra)
    raw = request.args.get("_searchmode") == "raw"
    # an index of version 2 has ASCII trigrams beside the bigrams (textsearch.SEARCH_VERSION)
    expr = q if raw else textsearch.match_expression(q, trigrams=(meta.get("search_version") or 1) >= 2)
    TERMS.set(() if raw else tuple(t.lower() for t in textsearch.terms(q)))
    t = bound(_rows(datasette, database, table))
    quoted = escape_sqlite(fts)
    db = datasette.get_database(database)
    narrowed = any(not k.startswith("_") or k == "_where" or k.startswith("_filter_") for k in request.args.keys())
    page = None if narrowed else _rowid_page(request, meta, datasette)
    if page is not None:
        t = min(t, PAGE_BOUND)  # the count is all this plan computes beyond the page
    try:
        found = (
            await db.execute(
                f"select count(*), group_concat(rowid) from (select rowid from {quoted} where {quoted} match :e "
                f"limit {t + 1})",
                {"e": expr},
            )
        ).first()
    except sqlite3.OperationalError as exc:
        raise BadRequest(f"Invalid search: {exc}") from None
    described = [f'search matches "{q}"']
    if found[0] <= t:
        # few matches: the page reads the list of rowids just found (the phrase is evaluated once:
        # a rare phrase of frequent bigrams costs one pass over their lists, not two), and without
        # other filters the count is that list's length (one row per rowid)
        known = "" if narrowed else f" /* govdata:count={found[0]} */"
        return FilterArguments(
            [f"rowid in (select value from json_each(:_search_ids)){known}"],
            {"_search_ids": f"[{found[1] or ''}]"},
            described,
            extra,
        )
    if page is not None:
        # many matches: the page's rows are the first matches after the previous page's last
        # rowid; the count statement (answered by :func:`install`) never runs this limited
        # subquery. Upper-case keywords: the subquery adds no lower-case " where " to the statement
        limit, desc, after = page
        start = f" AND rowid {'<' if desc else '>'} {after}" if after is not None else ""
        clause = (
            f"rowid IN (SELECT rowid FROM {quoted} WHERE {quoted} MATCH :_search_expr{start} "
            f"ORDER BY rowid{' DESC' if desc else ''} LIMIT {limit}) {DENSE}"
        )
        extra["search_count_over"] = t
        return FilterArguments([clause], {"_search_expr": expr}, described, extra)
    if narrowed:
        # many matches and other filters: Datasette's exact count (bounded by the SQL time limit;
        # "more than T" would be wrong once other filters narrow the rows)
        clause = f"rowid in (select rowid from {quoted} where {quoted} match :_search_expr)"
    else:
        clause = (
            f"rowid in (select rowid from {quoted} where {quoted} match :_search_expr "
            f"and rowid = {escape_sqlite(table)}.rowid) {DENSE}"
        )
        extra["search_count_over"] = t
    return FilterArguments([clause], {"_search_expr": expr}, described, extra)


_PROBE = re.compile(r' and rowid = (\[[^\]]+\]|"(?:[^"]|"")+"|\w+)\.rowid\) ' + re.escape(DENSE))


def for_aggregates(sql: str, params: Any = None) -> str | None:
    """A facet over a dense search (a ``group by`` around the table's statement) with the matches
    listed once instead of probed row by row (an answerer's statement to run instead, see
    serve/answers.py): the probe pays off for a page, which stops after a few matches, but an
    aggregate reads every row of the table — one index probe per row (a frequent word on a
    7,000-row table with default facets: 85 ms; listed: 20 ms)."""
    if DENSE in sql and " group by " in sql:
        return _PROBE.sub(") /* govdata:listed-search */", sql)
    return None


def search_count(sql: str, params: Any = None) -> Results | None:
    """The answer to the count statement of a search (see serve/answers.py), without running it:
    "unknown" for a dense search, the number of rowids found for a sparse one without other
    filters; None for any other statement."""
    head = sql.lstrip().lower()
    if head.startswith("select count(*) from ") and not head.startswith("select count(*) from ("):
        if DENSE in sql:
            return Results([(None,)], False, [("count(*)",)])
        known = KNOWN_COUNT.search(sql)
        if known and sql.count(" where ") == 1:
            return Results([(int(known.group(1)),)], False, [("count(*)",)])
    return None


def install(datasette: Any) -> None:
    """Let every database answer the count statements of searches and list a dense search's
    matches once for facets (once per database)."""
    for db in datasette.databases.values():
        if search_count not in (getattr(db, "answerers", None) or []):
            answers.add(db, for_aggregates)
            answers.add(db, search_count)
