"""The pages of the oversight measures computed at serve time: every dataset's timeliness and
every publisher's scorecard (HTML, or JSON at ``.json``)."""

from __future__ import annotations

import math
from typing import Any

from datasette.utils.asgi import Response

from govdata.serve.buildstate import build_dir
from govdata.serve.catalogsearch import CatalogueIndex
from govdata.serve.rendering import catalogue, render


TIMELINESS_PAGE = 100  # rows of the HTML page
TIMELINESS_LIMIT = 1000  # the most rows of one JSON answer (its default too)


def _int_arg(request: Any, key: str, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(request.args.get(key) or default), low), high)
    except ValueError:
        return default


def timeliness_report(ix: CatalogueIndex, today: Any) -> tuple[list, dict[str, int]]:
    """Every dataset with its timeliness on ``today``, overdue first, and the count of each status:
    computed once per day (the catalogue never changes under its index)."""
    from collections import Counter

    from govdata.oversight import timeliness

    cache = ix.__dict__.setdefault("_timeliness", {})
    if today not in cache:
        cache.clear()
        rows = timeliness.report(ix.datasets, today, ix.freshness(today)[0])
        counts = Counter(item.status if item else "not_applicable" for _, item in rows)
        cache[today] = rows, dict(counts)
    return cache[today]


async def timeliness_page(datasette: Any, request: Any) -> Response:
    """Every dataset's timeliness on the day, overdue first, a page at a time: HTML
    ``TIMELINESS_PAGE`` rows a page (``?page=N``), JSON at ``.json`` ``?offset=&limit=`` (at most
    ``TIMELINESS_LIMIT``) with the whole ``count``, the count of each status and ``next``."""
    from govdata.oversight import timeliness

    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    today = timeliness.today()
    rows, counts = timeliness_report(ix, today)
    if request.url_vars.get("format") == "json":
        from govdata.serve.jsonutf8 import dumps

        offset = _int_arg(request, "offset", 0, 0, len(rows))
        limit = _int_arg(request, "limit", TIMELINESS_LIMIT, 1, TIMELINESS_LIMIT)
        following = f"/oversight/timeliness.json?offset={offset + limit}&limit={limit}"
        more = offset + limit < len(rows)
        body = {
            "today": today.isoformat(),
            "rule": "政府信息公开条例 第二十六条: 20 working days",
            "count": len(rows),
            "counts": counts,
            "offset": offset,
            "limit": limit,
            "next": following if more else None,
            "datasets": [
                {
                    "id": d["id"],
                    "title": d["title"],
                    "publisher": d.get("publisher"),
                    **(item.to_dict() if item else {"status": "not_applicable"}),
                }
                for d, item in rows[offset : offset + limit]
            ],
        }
        headers = {"Access-Control-Allow-Origin": "*"}
        if more:
            headers["Link"] = f'<{following}>; rel="next"'
        return Response(dumps(body), content_type="application/json; charset=utf-8", headers=headers)
    pages = max(1, math.ceil(len(rows) / TIMELINESS_PAGE))
    page = _int_arg(request, "page", 1, 1, pages)
    shown = rows[(page - 1) * TIMELINESS_PAGE : page * TIMELINESS_PAGE]
    return await render(
        datasette,
        request,
        "portal_timeliness.html",
        {"rows": shown, "count": len(rows), "counts": counts, "page": page, "pages": pages},
    )


def scorecards_of(ix: CatalogueIndex, today: Any, datasette: Any = None) -> dict:
    """The day's scorecards of every publisher (oversight.scorecard) with the gate's figures of the
    ledger beside the builds (failed builds included), computed once per day and ledger state."""
    from govdata.oversight import ledger
    from govdata.oversight.scorecard import scorecards

    root = build_dir(datasette) if datasette is not None else None
    out = root.resolve().parent.parent if root is not None else None
    try:
        stamp = (out / ledger.LEDGER).stat().st_mtime_ns if out is not None else 0
    except OSError:
        stamp = 0
    cache = ix.__dict__.setdefault("_scorecards", {})
    if (today, stamp) not in cache:
        cache.clear()
        gate = ledger.gate_stats(ledger.read(out)) if stamp else {}
        cache[(today, stamp)] = scorecards(ix.doc, today, ix.freshness(today)[0], gate)
    return cache[(today, stamp)]


async def scorecards_page(datasette: Any, request: Any) -> Response:
    """Every publisher's scorecard, own datasets and rolled up its subtree (HTML, or JSON)."""
    from govdata.oversight import timeliness

    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    today = timeliness.today()
    cards = scorecards_of(ix, today, datasette)
    if request.url_vars.get("format") == "json":
        from govdata.serve.jsonutf8 import dumps

        return Response(
            dumps({"today": today.isoformat(), "publishers": cards}),
            content_type="application/json; charset=utf-8",
            headers={"Access-Control-Allow-Origin": "*"},
        )
    order, todo = [], [(pid, 0) for pid in reversed(ix.children.get(None, []))]
    while todo:  # the tree, depth first
        pid, depth = todo.pop()
        order.append((ix.publishers[pid], depth))
        todo.extend((c, depth + 1) for c in reversed(ix.children.get(pid, [])))
    return await render(datasette, request, "portal_scorecards.html", {"cards": cards, "order": order})
