"""The Datasette plugin of the platform (registered as the ``govdata`` entry point).
It is inert unless the metadata's plugin config names a build directory."""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from govdata import textsearch
from govdata.serve import ckan, hardening, i18n, jsonutf8, oversightpages, portal, search

_directories: dict[str, ckan.Directory] = {}


async def ckan_action(datasette, request):
    root = build_dir(datasette)
    if root is None:
        return Response.text("not configured", status=404)
    key = str(root)
    if key not in _directories:
        while len(_directories) >= 2:  # the live build and one draining
            _directories.pop(next(iter(_directories)))
        _directories[key] = ckan.Directory.load(root, portal.catalogue(datasette))
    return await ckan.handle(datasette, request, _directories[key])


build_dir = portal.build_dir


DIRECTORY_FILES = {
    "data.json": ("data.json", "application/json; charset=utf-8"),
    "catalog.jsonld": ("dcat-ap.jsonld", "application/ld+json; charset=utf-8"),
    "catalog.ttl": ("dcat-ap.ttl", "text/turtle; charset=utf-8"),
    "catalog-cn.json": ("catalog-cn.json", "application/json; charset=utf-8"),
    "catalog-cn.csv": ("catalog-cn.csv", "text/csv; charset=utf-8"),
    "catalog-dump.json": ("catalog-dump.json", "application/json; charset=utf-8"),
}


async def openapi_json(datasette, request):
    from govdata.serve.openapi import spec

    base = str(datasette.absolute_url(request, "/")).rstrip("/")
    return Response.json(spec(base, datasette.metadata("title") or "govdata"),
                         headers={"Access-Control-Allow-Origin": "*"})


async def directory_file(datasette, request):
    root = build_dir(datasette)
    name, content_type = DIRECTORY_FILES[request.url_vars["file"]]
    path = root / "directory" / name if root else None
    if path is None or not path.is_file():
        return Response.text("not found", status=404)
    return Response(path.read_text("utf-8-sig"), content_type=content_type,
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"})


@hookimpl
def register_routes():
    return [
        (r"^/(?P<file>data\.json|catalog\.jsonld|catalog\.ttl|catalog-cn\.json|catalog-cn\.csv|catalog-dump\.json)$",
         directory_file),
        (r"^/$", portal.home),
        (r"^/datasets/?$", portal.datasets),
        (r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/?$", portal.dataset),
        (r"^/publishers/?$", portal.publishers),
        (r"^/publishers/(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)/?$", portal.publisher),
        (r"^/themes/?$", portal.themes),
        (r"^/themes/(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)/?$", portal.theme),
        (r"^/-/lang$", portal.switch_language),
        (r"^/oversight/timeliness(\.(?P<format>json))?$", portal.timeliness_page),
        (r"^/oversight/scorecards(\.(?P<format>json))?$", portal.scorecards_page),
        (r"^/oversight/deadlines$", oversightpages.deadlines),
        (r"^/oversight/annual-report/?$", oversightpages.annual_report),
        (r"^/oversight/annual-report/(?P<publisher>[A-Za-z0-9][A-Za-z0-9_-]*)/(?P<year>[12][0-9]{3})(\.(?P<format>csv|xlsx|json))?$",
         oversightpages.annual_report),
        (r"^/-/portal\.css$", portal.stylesheet),
        (r"^/openapi\.json$", openapi_json),
        (r"^/api/3/action/(?P<action>[a-z_]+)$", ckan_action),
        (r"^/api/action/(?P<action>[a-z_]+)$", ckan_action),
    ]


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Search terms highlighted in text cells; a code's name beside the code where the column has
    a foreign key into a named table."""
    if value is None or not table:
        return None
    if column == "dataset" and isinstance(value, str):  # a dataset of this catalogue: its page (policy links, oversight tables)
        ix = portal.catalogue(datasette)
        if ix is not None and value in ix.by_id:
            entry = ix.datasets[ix.by_id[value]]
            return Markup(f'<a href="/datasets/{escape(value)}">{escape(value)}</a> '
                          f'<span class="fk-label">{escape(entry["title"])}</span>')
    known = portal.labels(datasette)
    which = known.get("columns", {}).get(database, {}).get(table, {}).get(column)
    name = known["maps"].get(which, {}).get(str(value)) if which else None
    terms = search.TERMS.get()
    if name is None and not (terms and isinstance(value, str)):
        return None
    shown = portal.highlight(value, terms, lower=True) if terms and isinstance(value, str) else escape(str(value))
    return Markup(f'{shown} <span class="fk-label">{escape(name)}</span>') if name else shown


@hookimpl
def register_output_renderer(datasette):
    # replaces Datasette's ASCII-only ``.json`` (same shapes and options), see serve/jsonutf8.py
    return {"extension": "json", "render": jsonutf8.render_json}


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    # ?_search= over the bigram index (after Datasette's own filter, whose context it overrides)
    return search.search_filter(request, database, table, datasette)


@hookimpl
def startup(datasette):
    search.install(datasette)
    # defaults for templates rendered without the hook below (Datasette's error pages)
    datasette.jinja_env.globals.update(t=i18n.Translator("zh"), i18n=i18n, site={"title": datasette.metadata("title") or ""})


@hookimpl
def extra_template_vars(request, datasette):
    """The interface language and the site for every page, Datasette's own included."""
    ix = portal.catalogue(datasette)
    return {"t": i18n.Translator(i18n.choose(request) if request is not None else "zh"), "i18n": i18n,
            "site": ix.doc["site"] if ix else {"title": datasette.metadata("title") or ""}}


@hookimpl
def skip_csrf(scope):
    # the CKAN API is read-only and takes JSON POSTs from API clients without cookies
    return scope["path"].startswith(("/api/3/action/", "/api/action/"))


@hookimpl(trylast=True)
def prepare_connection(conn):
    hardening.limit_connection(conn)
    # after Datasette's own sql_functions: ?_search= on a bigram index (govdata.textsearch)
    conn.create_function("escape_fts", 1, textsearch.match_expression, deterministic=True)


@hookimpl
def asgi_wrapper(datasette):
    return hardening.wrap
