"""The Datasette plugin of the platform (registered as the ``govdata`` entry point).
It is inert unless the metadata's plugin config names a build directory."""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape
from typing import Any

from govdata import textsearch
from govdata.serve import buildstate, hardening, i18n, jsonutf8, pages, rendering, search, tablerows


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return pages.routes()


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Search terms highlighted in text cells; a code's name beside the code where the column has
    a foreign key into a named table."""
    if value is None or not table:
        return None
    if column == "dataset" and isinstance(
        value, str
    ):  # a dataset of this catalogue: its page (policy links, oversight tables)
        ix = rendering.catalogue(datasette)
        if ix is not None and value in ix.by_id:
            entry = ix.datasets[ix.by_id[value]]
            return Markup(
                f'<a href="/datasets/{escape(value)}">{escape(value)}</a> '
                f'<span class="fk-label">{escape(entry["title"])}</span>'
            )
    terms = search.TERMS.get()
    names = buildstate.state(datasette).label_maps(database, table).get(column)
    name = names.get(str(value)) if names else None
    if name is None and not (terms and isinstance(value, str)):
        return None
    shown = rendering.highlight(value, terms, lower=True) if terms and isinstance(value, str) else escape(str(value))
    return Markup(f'{shown} <span class="fk-label">{escape(name)}</span>') if name else shown


@hookimpl
def register_output_renderer(datasette: Any) -> dict[str, Any]:
    # replaces Datasette's ASCII-only ``.json`` (same shapes and options), see serve/jsonutf8.py
    return {"extension": "json", "render": jsonutf8.render_json}


@hookimpl(trylast=True)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    # ?_search= over the bigram index (after Datasette's own filter, whose context it overrides)
    return search.search_filter(request, database, table, datasette)


@hookimpl
def startup(datasette: Any) -> None:
    search.install(datasette)
    datasette.jinja_env.filters["table_rows"] = tablerows.render_rows
    # defaults for templates rendered without the hook below (Datasette's error pages)
    datasette.jinja_env.globals.update(
        t=i18n.Translator("zh"), i18n=i18n, site={"title": datasette.metadata("title") or ""}
    )


@hookimpl
def extra_template_vars(request: Any, datasette: Any) -> dict[str, Any]:
    """The interface language and the site for every page, Datasette's own included."""
    ix = rendering.catalogue(datasette)
    return {
        "t": i18n.Translator(i18n.choose(request) if request is not None else "zh"),
        "i18n": i18n,
        "site": ix.doc["site"] if ix else {"title": datasette.metadata("title") or ""},
    }


@hookimpl
def skip_csrf(scope: Any) -> bool:
    # the CKAN API is read-only and takes JSON POSTs from API clients without cookies
    return scope["path"].startswith(("/api/3/action/", "/api/action/"))


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    hardening.limit_connection(conn)
    # after Datasette's own sql_functions: ?_search= on a bigram index (govdata.textsearch)
    conn.create_function("escape_fts", 1, textsearch.match_expression, deterministic=True)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    return hardening.wrap
