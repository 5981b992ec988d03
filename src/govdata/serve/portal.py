"""The portal's pages: home, catalogue search, dataset, publisher and theme pages, the language
switch and the downloads. Each handler gathers data and renders a Jinja template of
``serve/templates/`` through Datasette's own engine (the same ``base.html`` frames Datasette's
pages); no HTML is assembled here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from govdata.serve import buildstate, i18n
from govdata.textsearch import fold
from govdata.serve.buildstate import build_dir
from govdata.serve.catalogsearch import FACETS, LEVELS, SORTS, CatalogueIndex

PAGE_SIZE = 20
MAX_PAGE = 500  # deep pages of a search are refused: narrow the search instead
MAX_Q = 200  # characters of a search query that are used
_md = None


def catalogue(datasette: Any) -> CatalogueIndex | None:
    """The catalogue search index of the build served (loaded once, kept by its app: buildstate)."""
    return buildstate.state(datasette).catalogue


def labels(datasette: Any) -> dict:
    """``site/labels.json`` of the build served (see publish/labels.py), loaded once per build."""
    return buildstate.state(datasette).labels


def markdown(text: str | None) -> Markup:
    """Descriptions are Markdown: rendered without raw HTML, then sanitised by nh3."""
    global _md
    import nh3

    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tags = set(nh3.ALLOWED_TAGS) - {"img"}  # nothing loads from elsewhere
    return Markup(nh3.clean(_md.render(text or ""), tags=tags, link_rel="noopener nofollow"))


def highlight(text: str | None, terms: Sequence[str], lower: bool = False) -> Markup:
    """``text`` with every occurrence of the folded ``terms`` wrapped in ``<mark>`` (folding keeps
    offsets, so the marks fall on the original characters; it lower-cases, so ``lower`` is kept
    only for callers). A cell without any term is escaped and returned at once."""
    text = text or ""
    folded = fold(text)
    spans = []
    for term in filter(None, terms):
        start = folded.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    if not spans:
        return escape(text)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [escape(text[at:start]), Markup(f"<mark>{escape(text[start:end])}</mark>")]
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def size(n: float | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def facet_label(ix: CatalogueIndex, t: i18n.Translator, facet: str, value: str) -> str:
    """How a facet value reads in the interface's language (never a raw id or enum value)."""
    if facet == "theme" and value in ix.themes:
        return t.pick(ix.themes[value]["title"], ix.themes[value].get("title_en"))
    if facet == "publisher" and value in ix.publishers:
        return t.pick(ix.publishers[value]["name"], ix.publishers[value].get("name_en"))
    if facet == "license" and value in ix.licenses:
        return ix.licenses[value]["title"]
    table = {
        "level": i18n.LEVEL,
        "open_condition": i18n.OPEN,
        "frequency": i18n.FREQUENCY,
        "freshness": i18n.FRESHNESS,
    }.get(facet)
    return t.of(table, value) if table else value


def freshness_of(ix: CatalogueIndex, day: Any) -> Callable[[dict], Any]:
    """dataset entry → its Timeliness on ``day`` (None when it has no usable update date)."""
    items = ix.freshness(day)[0]
    return lambda d: items[ix.by_id[d["id"]]] if d.get("id") in ix.by_id else None


async def render(datasette: Any, request: Any, template: str, context: dict[str, Any], status: int = 200) -> Response:
    from govdata.oversight import timeliness

    t = i18n.Translator(i18n.choose(request))
    ix = catalogue(datasette)
    today = timeliness.today()
    site = ix.doc["site"] if ix else {"title": datasette.metadata("title") or ""}
    base = {
        "t": t,
        "i18n": i18n,
        "site": site,
        "ix": ix,
        "q": "",
        "markdown": markdown,
        "size": size,
        "portal_page": True,
        "facet_label": (lambda f, v: facet_label(ix, t, f, v)) if ix else None,
        "today": today,
        "fresh": freshness_of(ix, today) if ix else (lambda d: None),
    }
    html = await datasette.render_template([template], {**base, **context}, request=request)
    return Response.html(
        html, status=status, headers={"Vary": "Cookie, Accept-Language", "Content-Language": t.html_lang}
    )


async def not_found(datasette: Any, request: Any) -> Response:
    return await render(datasette, request, "portal_404.html", {}, status=404)


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


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


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
    related += [d for d in ix.datasets if name in (d.get("related") or []) and d not in related][:10]
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


def published_checksum(folder: Path, file: str) -> str | None:
    """The sha256 that the dataset's datapackage.json declares for one of its published files."""
    dp = _read_json(folder / "datapackage.json") if file != "datapackage.json" else None
    for res in (dp or {}).get("resources", []):
        for entry in (res, res.get("x-parquet") or {}, res.get("x-excel-csv") or {}, res.get("x-xlsx") or {}):
            if entry.get("path") == file and entry.get("hash"):
                return entry["hash"].split(":", 1)[-1]
    return None
