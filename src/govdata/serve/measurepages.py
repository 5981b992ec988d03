"""The pages of the oversight measures computed at serve time: every dataset's timeliness and
every publisher's scorecard (HTML, or JSON at ``.json``)."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Response

from govdata.serve.buildstate import build_dir
from govdata.serve.catalogsearch import CatalogueIndex
from govdata.serve.rendering import catalogue, render


async def timeliness_page(datasette: Any, request: Any) -> Response:
    """Every dataset's timeliness on the day, overdue first (HTML, or JSON at ``.json``)."""
    from govdata.oversight import timeliness

    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    today = timeliness.today()
    rows = timeliness.report(ix.datasets, today, ix.freshness(today)[0])
    if request.url_vars.get("format") == "json":
        from govdata.serve.jsonutf8 import dumps

        body = {
            "today": today.isoformat(),
            "rule": "政府信息公开条例 第二十六条: 20 working days",
            "datasets": [
                {
                    "id": d["id"],
                    "title": d["title"],
                    "publisher": d.get("publisher"),
                    **(item.to_dict() if item else {"status": "not_applicable"}),
                }
                for d, item in rows
            ],
        }
        return Response(
            dumps(body), content_type="application/json; charset=utf-8", headers={"Access-Control-Allow-Origin": "*"}
        )
    return await render(datasette, request, "portal_timeliness.html", {"rows": rows})


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
