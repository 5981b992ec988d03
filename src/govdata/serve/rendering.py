"""What every portal page uses: the served build's catalogue and labels, rendering a template of
``serve/templates/`` through Datasette's engine with the portal's context (language, site, the
day's freshness), and the text filters the templates apply."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from govdata.serve import buildstate, i18n
from govdata.textsearch import fold
from govdata.serve.catalogsearch import CatalogueIndex

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


async def error_page(datasette: Any, request: Any, exception: Exception) -> Response:
    """Datasette's 4xx page (``{status}.html`` or ``error.html``) as its own handler makes it, but
    rendered with the request, so that it speaks the interface's language (Datasette's handler
    renders without one, and the page fell back to Chinese)."""
    from datasette.utils import add_cors_headers
    from datasette.views.base import DatasetteError

    status = getattr(exception, "status", 400)
    info: dict[str, Any] = {}
    title = None
    message: Any = exception.args[0] if exception.args else ""
    if isinstance(exception, DatasetteError):
        info = dict(exception.error_dict or {})
        message = Markup(exception.message) if exception.message_is_html else exception.message
        title = exception.title
    info.update({"ok": False, "error": message, "status": status, "title": title})
    t = i18n.Translator(i18n.choose(request))
    html = await datasette.render_template([f"{status}.html", "error.html"], info, request=request)
    headers = {"Vary": "Cookie, Accept-Language", "Content-Language": t.html_lang}
    if datasette.cors:
        add_cors_headers(headers)
    return Response.html(html, status=status, headers=headers)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def published_checksum(folder: Path, file: str) -> str | None:
    """The sha256 that the dataset's datapackage.json declares for one of its published files."""
    dp = read_json(folder / "datapackage.json") if file != "datapackage.json" else None
    for res in (dp or {}).get("resources", []):
        for entry in (res, res.get("x-parquet") or {}, res.get("x-excel-csv") or {}, res.get("x-xlsx") or {}):
            if entry.get("path") == file and entry.get("hash"):
                return entry["hash"].split(":", 1)[-1]
    return None
