"""A second Datasette plugin of the platform (registered by ``serve/app.py``, not an entry point):
cheap errors, a paged index page and introspection without file-system paths.

- Errors: ``rich`` is switched off in Datasette's handler (it renders every 500 as a traceback
  with local variables: up to a second of blocked event loop each). A time-limited query answers
  400 in every format (Datasette gives CSV a 500). Any other unexpected exception is one log line
  with the request id and a short 500, never a traceback.
- ``/`` and ``/.json`` (Datasette's index, which walks every table of every database on each
  request) list ``INDEX_PAGE`` databases a page (``?_page=N``) from inspect data and metadata only.
- ``/-/databases.json`` lists databases without their paths; it and ``/-/metadata.json`` answer
  ``INDEX_PAGE`` databases a page too (both grew with the catalogue: 1.8 MB and 25 MB at 10,000).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import stat
from pathlib import Path
from urllib.parse import unquote
from typing import Any

import datasette.handle_exception as _datasette_errors
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Response
from datasette.views.base import BaseView, DatasetteError

from govdata.serve import admission, files, jsonutf8, rendering
from govdata.serve.pages import Page

_datasette_errors.rich = None
INDEX_PAGE = 100


def install() -> None:
    """Register this module as a Datasette plugin in place of Datasette's own exception handler
    (every handler runs on every exception: the default one would still print a traceback)."""
    from datasette.plugins import pm

    if not pm.is_registered(__import__(__name__, fromlist=["x"])):
        pm.register(__import__(__name__, fromlist=["x"]), name="govdata-guard")
    default = pm.get_plugin("datasette.handle_exception")
    if default is not None:
        pm.unregister(default)


def _wants_json(request) -> bool:
    return request.path.split("?")[0].endswith(".json")


def _wants_csv(request) -> bool:
    return request.path.split("?")[0].endswith(".csv")


@hookimpl(tryfirst=True)
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    if isinstance(exception, DatasetteError) and exception.status >= 500:
        # Datasette 0.65 raises its parameter errors with the default status 500 ("Cannot sort
        # table by [", …): they are the client's
        exception.status = 400
    rid = request.scope.get("govdata.request_id") or admission.REQUEST_ID.get()
    if isinstance(exception, (Base400, DatasetteError)) and not isinstance(exception, QueryInterrupted):
        if not (_wants_json(request) or _wants_csv(request)):
            # Datasette's 4xx page, rendered with the request (in its language): serve/rendering.py
            return rendering.error_page(datasette, request, exception)
        # the same envelope as Datasette's JSON errors, in UTF-8; a CSV request gets text, not a page
        status, title = exception.status, getattr(exception, "title", None) or "Error"
        message = str(getattr(exception, "message", None) or (exception.args[0] if exception.args else exception))
        if title == "SQL Interrupted":  # Datasette words it as HTML (a <textarea> of the SQL) even for JSON
            message = TIME_LIMIT_MESSAGE
    elif isinstance(exception, QueryInterrupted):
        status, title = 400, "SQL Interrupted"
        message = TIME_LIMIT_MESSAGE
    elif _client_gone(exception):  # the client closed the connection mid-body: nobody to answer
        status, title = 400, "Client Closed Request"
        message = "请求体未收完 / the request body ended early"
    elif _bad_input(request, exception):
        status, title = 400, "Bad request"
        message = f"请求参数无效 / invalid request parameter: {type(exception).__name__}: {str(exception)[:200]}"
    else:
        status, title = 500, "Error"
        message = f"服务器内部错误 / internal error (request id {rid})"
        where = ""
        tb = exception.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" at {tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        admission.log(
            f"govdata rid={rid} 500 {request.method} {request.path[:200]}: "
            f"{type(exception).__name__}: {str(exception)[:200]}{where}"
        )
    headers = {"x-request-id": rid}
    if datasette.cors:
        add_cors_headers(headers)
    if _wants_json(request):
        return jsonutf8.response({"ok": False, "error": message, "status": status, "title": title}, status, headers)
    return Response.text(message + "\n", status=status, headers=headers)


TIME_LIMIT_MESSAGE = "SQL 查询超时 / SQL query took too long (sql_time_limit_ms)"


def _client_gone(exception: Exception) -> bool:
    """Datasette asserts on ``http.disconnect`` while it reads a body (asgi.py)."""
    arg = exception.args[0] if isinstance(exception, AssertionError) and exception.args else None
    return isinstance(arg, dict) and arg.get("type") == "http.disconnect"


def _bad_input(request, exception) -> bool:
    """Exceptions Datasette 0.65 lets through from unparseable parameters (found by fuzzing the
    table, database and query views): ``_timelimit=1e9`` (ValueError), ``_facet_size=[``
    (JSONDecodeError), ``code__gt=99999999999999999999`` (OverflowError binding it), a value SQLite
    cannot bind, a value over SQLite's length limit (DataError "string or blob too big": the table
    view lets it through from ``_where=length(randomblob(1000000000))``), and ``/<db>.csv`` without
    ``?sql=`` (KeyError 'columns')."""
    if isinstance(
        exception, (ValueError, OverflowError, sqlite3.InterfaceError, sqlite3.ProgrammingError, sqlite3.DataError)
    ):
        return True
    if isinstance(exception, KeyError) and request.path.endswith(".csv") and "sql" not in request.args:
        return True
    if isinstance(exception, (TypeError, KeyError)):  # parameter parsing of filters and facets
        tb = exception.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        return tb is not None and tb.tb_frame.f_code.co_filename.endswith(INPUT_MODULES)
    return False


INPUT_MODULES = ("/datasette/filters.py", "/datasette/facets.py")


def paged(request: Any, total: int, base: str) -> tuple[int, int, dict[str, str]]:
    """(first, last) indices of the page ``?_page=N`` (``INDEX_PAGE`` items a page, N clamped to
    the pages there are) of ``total`` items, and its ``Link`` header (``rel="next"``/``"prev"``)."""
    pages = max(1, math.ceil(total / INDEX_PAGE))
    try:
        page = min(max(int(request.args.get("_page", "1")), 1), pages)
    except ValueError:
        page = 1
    link = []
    if page < pages:
        link.append(f'<{base}?_page={page + 1}>; rel="next"')
    if page > 1:
        link.append(f'<{base}?_page={page - 1}>; rel="prev"')
    return (page - 1) * INDEX_PAGE, page * INDEX_PAGE, {"Link": ", ".join(link)} if link else {}


async def databases_json(datasette: Any, request: Any) -> Response:
    """``/-/databases.json`` without paths, ``INDEX_PAGE`` databases a page (``?_page=N``, ``Link:
    rel="next"``): the whole list was 1.76 MB at 10,000 datasets."""
    names = [name for name in datasette.databases if name != "_internal"]
    fmt = request.url_vars.get("format") == ".json" or request.path.endswith(".json")
    first, last, headers = paged(request, len(names), datasette.urls.path("/-/databases" + (".json" if fmt else "")))
    out = []
    for name in names[first:last]:
        db = datasette.databases[name]
        out.append(
            {"name": name, "route": db.route, "is_mutable": db.is_mutable, "is_memory": db.is_memory, "hash": db.hash}
        )
    if datasette.cors:
        add_cors_headers(headers)
    if fmt:
        return jsonutf8.response(out, headers=headers)
    return Response.text(json.dumps(out, ensure_ascii=False, indent=2), headers=headers)


DOWNLOAD_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".jsonld": "application/ld+json; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".ttl": "text/turtle; charset=utf-8",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ATTACHMENTS = (".csv", ".parquet", ".xlsx")  # sent with a file name: <dataset>-<file>


async def downloads(datasette: Any, request: Any) -> Response:
    """``/downloads/<dataset>/<file>`` from the served build."""
    build = getattr(datasette, "govdata_build", None)
    rel = unquote(request.url_vars["path"])
    parts = rel.split("/")
    if build is None or any(p in ("", ".", "..") or p.startswith(".") or "\x00" in p or "\\" in p for p in parts):
        return Response.text("404: not found", status=404)
    root = Path(build) / "downloads"
    path = root.joinpath(*parts)
    try:
        st = path.stat()
    except (OSError, ValueError):
        if len(parts) == 4 and parts[1] == "releases":  # a superseded release's file, kept packed
            from govdata.serve.history import packed_download

            name = f'attachment; filename="{parts[0]}-{parts[2]}-{parts[3]}"'
            packed = await packed_download(
                path.parent,
                parts[3],
                DOWNLOAD_TYPES.get(path.suffix.lower()) or "application/octet-stream",
                request.method == "HEAD",
                {"content-disposition": name} if path.suffix.lower() in ATTACHMENTS else {},
                request.headers.get("if-none-match"),
            )
            if packed is not None:
                return packed
        return Response.text("404: not found", status=404)
    if not stat.S_ISREG(st.st_mode) or not path.resolve().is_relative_to(root.resolve()):
        return Response.text("404: not found", status=404)
    ctype = DOWNLOAD_TYPES.get(path.suffix.lower()) or "application/octet-stream"
    extra = {}
    if len(parts) == 2 and path.suffix.lower() in ATTACHMENTS:  # a meaningful name, not "penalties.csv"
        extra["content-disposition"] = f'attachment; filename="{parts[0]}-{parts[1]}"'
    from govdata.serve.history import release_checksum
    from govdata.serve.rendering import published_checksum

    if len(parts) == 4 and parts[1] == "releases" and path.suffix.lower() in ATTACHMENTS:
        extra["content-disposition"] = f'attachment; filename="{parts[0]}-{parts[2]}-{parts[3]}"'
    digest = (
        published_checksum(path.parent, parts[-1])
        if len(parts) == 2
        else release_checksum(path.parent, parts[-1])
        if len(parts) == 4 and parts[1] == "releases"
        else None
    )
    if digest:  # the sha256 the datapackage declares: an ETag that never goes stale (released files are immutable)
        extra["etag"] = f'"{digest}"'
        if files.etag_matches(request.headers.get("if-none-match"), extra["etag"]):
            return files.not_modified(extra["etag"])
    return files.FileResponse(path, st.st_size, ctype, request.method == "HEAD", extra, request.headers)


async def metadata_json(datasette: Any, request: Any) -> Response:
    """``/-/metadata.json`` (and ``/-/metadata``): the instance's metadata with the entries of
    ``INDEX_PAGE`` databases a page (``?_page=N``, ``Link: rel="next"``), in the order of ``/.json``.
    The whole document grows with the catalogue (25 MB at 10,000 datasets)."""
    metadata = getattr(datasette, "_metadata_local", None) or datasette.metadata() or {}
    databases = metadata.get("databases") or {}
    names = [name for name in datasette.databases if name in databases]
    fmt = request.url_vars.get("format") == ".json" or request.path.endswith(".json")
    first, last, headers = paged(request, len(names), datasette.urls.path("/-/metadata" + (".json" if fmt else "")))
    out = {k: v for k, v in metadata.items() if k != "databases"}
    out["databases"] = {name: databases[name] for name in names[first:last]}
    if datasette.cors:
        add_cors_headers(headers)
    if fmt:
        return jsonutf8.response(out, headers=headers)
    # Datasette's page of it (show_json.html), a page of databases with links to the others
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', headers.get("Link", ""))}
    page = await rendering.render(
        datasette,
        request,
        "show_json.html",
        {
            "filename": "metadata.json",
            "data_json": json.dumps(out, ensure_ascii=False, indent=4),
            "prev_url": links.get("prev"),
            "next_url": links.get("next"),
        },
    )
    for k, v in headers.items():
        page.headers[k] = v
    return page


async def not_found(datasette: Any, request: Any) -> Response:
    return Response.text("Not found\n", status=404)


# this plugin's own routes (it is registered apart from the main plugin, see install()); pages
# in the sense of serve/pages.py, so that tests/test_directory_registry.py checks them too
PAGES = [
    Page(
        "databases",
        r"^/-/databases(?P<format>\.json)?$",
        databases_json,
        undocumented="Datasette's introspection endpoint, answered without file-system paths",
    ),
    Page(
        "metadata",
        r"^/-/metadata(?P<format>\.json)?$",
        metadata_json,
        undocumented="Datasette's introspection endpoint, a page of databases at a time",
    ),
    Page("downloads", r"^/downloads/(?P<path>.+)$", downloads, documented_at=("/downloads/{dataset}/{file}",)),
    Page(
        "threads",
        r"^/-/threads(?P<format>\.json)?$",
        not_found,
        undocumented="Datasette's debugging endpoint (tasks with file-system paths): not served",
    ),
    Page(
        "patterns",
        r"^/-/patterns$",
        not_found,
        undocumented="Datasette's pattern portfolio (a developer's page of sample widgets, unlabelled): not served",
    ),
]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(page.pattern(), page.handler) for page in PAGES]


class IndexPage(BaseView):
    """Datasette's index, one page of databases at a time, without opening any database."""

    name = "index"

    async def get(self, request):
        as_format = request.url_vars.get("format")
        await self.ds.ensure_permissions(request.actor, ["view-instance"])
        names = [n for n in self.ds.databases if n != "_internal"]
        base = self.ds.urls.path("/" + (".json" if as_format else ""))
        first, last, headers = paged(request, len(names), base)
        pages = max(1, math.ceil(len(names) / INDEX_PAGE))
        page = first // INDEX_PAGE + 1
        inspect = self.ds.inspect_data or {}
        databases = []
        for name in names[first:last]:
            db = self.ds.databases[name]
            tables_meta = (self.ds.metadata(database=name) or {}).get("tables") or {}
            counts = {t: v.get("count") for t, v in (inspect.get(name, {}).get("tables") or {}).items()}
            tables = [
                {
                    "name": t,
                    "count": c,
                    "private": False,
                    "hidden": False,
                    "columns": [],
                    "title": (tables_meta.get(t) or {}).get("title"),
                }
                for t, c in counts.items()
            ]
            h = db.hash
            databases.append(
                {
                    "name": name,
                    "hash": h,
                    "color": (h or hashlib.md5(name.encode("utf8")).hexdigest())[:6],
                    "path": self.ds.urls.database(name),
                    "tables_and_views_truncated": tables[:5],
                    "tables_and_views_more": len(tables) > 5,
                    "tables_count": len(tables),
                    "table_rows_sum": sum(c or 0 for c in counts.values()),
                    "show_table_row_counts": True,
                    "hidden_table_rows_sum": 0,
                    "hidden_tables_count": 0,
                    "views_count": 0,
                    "private": False,
                }
            )
        if as_format:
            if self.ds.cors:
                add_cors_headers(headers)
            return Response(
                json.dumps({d["name"]: d for d in databases}, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
                headers=headers,
            )
        response = await self.render(
            ["index.html"],
            request=request,
            context={
                "databases": databases,
                "metadata": self.ds.metadata(),
                "datasette_version": "",
                "private": False,
                "govdata_page": page,
                "govdata_pages": pages,
            },
        )
        if page < pages or page > 1:
            nav = []
            if page > 1:
                nav.append(f'<a href="{base}?_page={page - 1}">上一页 / previous</a>')
            nav.append(f"第 {page} / {pages} 页 / page {page} of {pages}")
            if page < pages:
                nav.append(f'<a href="{base}?_page={page + 1}">下一页 / next</a>')
            body = response.body if isinstance(response.body, str) else response.body.decode("utf-8")
            response.body = body.replace("</section>", f'<p class="govdata-pages">{" · ".join(nav)}</p></section>', 1)
        for k, v in headers.items():
            response.headers[k] = v
        return response
