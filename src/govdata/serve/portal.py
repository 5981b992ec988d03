"""The portal's pages: home, catalogue search, dataset, publisher and theme pages, the language
switch and the stylesheet (the oversight measures' pages are :mod:`govdata.serve.measurepages`,
what every page uses :mod:`govdata.serve.rendering`). Each handler gathers data and renders a Jinja template of
``serve/templates/`` through Datasette's own engine (the same ``base.html`` frames Datasette's
pages); no HTML is assembled here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup

from govdata.serve import i18n
from govdata.serve.buildstate import build_dir
from govdata.serve.catalogsearch import FACETS, LEVELS, SORTS, CatalogueIndex
from govdata.serve.measurepages import scorecards_of
from govdata.serve.rendering import MAX_PAGE, MAX_Q, PAGE_SIZE, catalogue, highlight, not_found, render
from govdata.serve.rendering import markdown, read_json as _read_json  # noqa: F401  (read here by serve/history.py, tests)

# ---- pages ----------------------------------------------------------------------------


async def home(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    overview = ix.search("", rows=8, sort="modified", facet_limit=-1)
    return await render(
        datasette,
        request,
        "portal_home.html",
        {
            "recent": overview.items,
            "theme_counts": dict(overview.facets["theme"]),
            "publisher_counts": dict(overview.facets["publisher"]),
            "total": overview.count,
            "roots": ix.children.get(None, []),
        },
    )


LINK_KEYS = ("q", "sort", *FACETS)
MAX_SELECTED = 20


def _params(request) -> list[tuple[str, str]]:
    """The search page's own parameters, read once (Datasette parses the query string on every
    ``request.args``): only known keys, at most MAX_SELECTED facet values."""
    from urllib.parse import parse_qsl

    out, facets = [], 0
    for k, v in parse_qsl(request.query_string or "", keep_blank_values=False)[:1000]:
        if k not in LINK_KEYS or not v or (k, v) in out:
            continue
        if k in FACETS:
            facets += 1
            if facets > MAX_SELECTED:
                continue
        out.append((k, v))
    return out


def _link(
    pairs: list[tuple[str, str]],
    add: tuple[str, str] | None = None,
    remove: tuple[str, str] | None = None,
    **changes: Any,
) -> str:
    kept = [(k, v) for k, v in pairs if k not in changes and (k, v) != remove]
    if add and add not in kept:
        kept.append(add)
    kept += [(k, v) for k, v in changes.items() if v not in (None, "")]
    return "/datasets" + ("?" + urlencode(kept) if kept else "")


async def datasets(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    params = _params(request)
    q = next((v for k, v in params if k == "q"), "")[:MAX_Q]
    sort = next((v for k, v in params if k == "sort"), "") or ("relevance" if q.strip() else "modified")
    sort = sort if sort in SORTS else "modified"
    try:
        page = min(max(int(request.args.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        page = 1
    selected = [(k, v) for k, v in params if k in FACETS]
    from govdata.oversight import timeliness

    result = ix.search(
        q,
        [(False, f, v) for f, v in selected],
        sort,
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE,
        facet_limit=-1,
        today=timeliness.today(),
    )
    pages = max(1, math.ceil(result.count / PAGE_SIZE))
    return await render(
        datasette,
        request,
        "portal_search.html",
        {
            "q": q,
            "result": result,
            "sort": sort,
            "sorts": SORTS,
            "page": page,
            "pages": min(pages, MAX_PAGE),
            "selected": selected,
            "facets": FACETS,
            "link": lambda **kw: _link(params, **kw),
            "highlight": highlight,
            "levels": LEVELS,
        },
    )


async def _preview(datasette, name: str, table: str) -> tuple[list[str], list[list[Any]]]:
    try:
        db = datasette.get_database(name)
    except KeyError:
        return [], []
    quoted = '"' + table.replace('"', '""') + '"'
    try:
        res = await db.execute(f"select * from {quoted} limit 5", custom_time_limit=200)
    except Exception:  # a preview is a convenience: the page stands without it
        return [], []
    return list(res.columns), [list(r) for r in res.rows]


async def dataset(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    name = request.url_vars["name"]
    root = build_dir(datasette)
    if ix is None or root is None or name not in ix.by_id:
        return await not_found(datasette, request)
    entry = ix.datasets[ix.by_id[name]]
    dp = _read_json(root / "downloads" / name / "datapackage.json") or {"resources": []}
    schema_org = _read_json(root / "downloads" / name / "schema-org.json")
    previews = {}
    for res in dp.get("resources", []):
        if res.get("path"):
            previews[res["name"]] = await _preview(datasette, name, res["name"])
    base = str(datasette.absolute_url(request, "/")).rstrip("/")
    jsonld = (
        json.dumps(schema_org, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") if schema_org else ""
    )
    related = [ix.datasets[ix.by_id[r]] for r in dp.get("related") or [] if r in ix.by_id]
    related += [d for d in _related_to(ix).get(name, []) if d not in related][:10]
    return await render(
        datasette,
        request,
        "portal_dataset.html",
        {
            "d": entry,
            "dp": dp,
            "jsonld": Markup(jsonld),
            "previews": previews,
            "base": base,
            "chain": [ix.publishers[p] for p in entry["publisher_chain"] if p in ix.publishers],
            "themes": [ix.themes[t] for t in entry["themes"] if t in ix.themes],
            "license": ix.licenses.get(entry.get("license")),
            "related": related,
            "releases": (_read_json(root / "downloads" / name / "releases" / "index.json") or {}).get("releases") or [],
            "policies": policy_documents(ix, name, entry),
        },
    )


def _related_to(ix: CatalogueIndex) -> dict[str, list[dict]]:
    """The datasets naming each dataset as related, in catalogue order: once per index (a walk of
    every entry per dataset page before)."""
    found = ix.__dict__.get("_related_to")
    if found is None:
        found = {}
        for d in ix.datasets:
            for r in dict.fromkeys(d.get("related") or []):
                found.setdefault(r, []).append(d)
        ix.__dict__["_related_to"] = found
    return found


def policy_documents(ix: CatalogueIndex, name: str, entry: dict) -> list[dict]:
    """The policy documents a dataset implements or evidences, or — on a policy index's own page —
    every document it lists; each with its validity, interpretations and datasets (both ways)."""
    docs = {d["key"]: d for d in ix.doc.get("policies") or []}
    keys = list(entry.get("policies") or []) + [k for k, d in docs.items() if d["index"] == name]
    out = []
    for key in dict.fromkeys(keys):
        d = docs[key]
        out.append(
            {
                **d,
                "interpretations": [docs[k] for k in d["interpretations"] if k in docs],
                "interprets": docs.get(d["interprets"] or ""),
                "datasets": [
                    {**link, "entry": ix.datasets[ix.by_id[link["dataset"]]]}
                    for link in d["datasets"]
                    if link["dataset"] in ix.by_id
                ],
            }
        )
    return out


async def publishers(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    counts = dict(ix.search("", rows=0, facet_limit=-1).facets["publisher"])
    return await render(
        datasette, request, "portal_publishers.html", {"counts": counts, "roots": ix.children.get(None, [])}
    )


async def publisher(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    pid = request.url_vars["id"]
    if ix is None or pid not in ix.publishers:
        return await not_found(datasette, request)
    result = ix.search("", [(False, "publisher", pid)], "modified", 0, 50, facet_limit=-1)
    p = ix.publishers[pid]
    from govdata.oversight import timeliness

    return await render(
        datasette,
        request,
        "portal_publisher.html",
        {
            "card": True,
            "card_own": scorecards_of(ix, timeliness.today(), datasette)[pid]["own"],
            "card_tree": scorecards_of(ix, timeliness.today(), datasette)[pid]["tree"],
            "p": p,
            "chain": [ix.publishers[a] for a in p.get("ancestors") or [] if a in ix.publishers],
            "result": result,
            "counts": dict(result.facets["publisher"]),
            "own": ix.facet_masks["publisher"],
            "children": ix.children.get(pid, []),
        },
    )


async def themes(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    if ix is None:
        return Response.text("not configured", status=404)
    counts = dict(ix.search("", rows=0, facet_limit=-1).facets["theme"])
    return await render(datasette, request, "portal_themes.html", {"counts": counts})


async def theme(datasette: Any, request: Any) -> Response:
    ix = catalogue(datasette)
    tid = request.url_vars["id"]
    if ix is None or tid not in ix.themes:
        return await not_found(datasette, request)
    result = ix.search("", [(False, "theme", tid)], "modified", 0, 50)
    return await render(datasette, request, "portal_theme.html", {"theme": ix.themes[tid], "result": result})


async def switch_language(request: Any) -> Response:
    from urllib.parse import urlsplit

    lang = request.args.get("to")
    target = request.args.get("next") or "/"
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        target = "/"  # never an open redirect, never a header split
    response = Response.redirect(target)
    if lang in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


STYLESHEET = Path(__file__).parent / "static" / "portal.css"


async def stylesheet(request: Any) -> Response:
    return Response(
        STYLESHEET.read_text("utf-8"), content_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"}
    )
