"""Handlers of the machine-readable routes: the directory files, the CKAN action API and the
OpenAPI description (registered as pages in ``serve/routes.py``)."""

from __future__ import annotations

import stat
from typing import Any

from datasette.utils.asgi import Response

from govdata.directory import formats
from govdata.serve import buildstate, ckan, jsonutf8


async def ckan_action(datasette: Any, request: Any) -> Response:
    directory = buildstate.state(datasette).directory
    if directory is None:
        return Response.text("not configured", status=404)
    return await ckan.handle(datasette, request, directory)


async def openapi_json(datasette: Any, request: Any) -> Response:
    from govdata.serve.openapi import spec

    base = str(datasette.absolute_url(request, "/")).rstrip("/")
    return jsonutf8.response(
        spec(base, datasette.metadata("title") or "govdata"), headers={"Access-Control-Allow-Origin": "*"}
    )


def directory_route() -> str:
    """One route regex for every registered directory format's path."""
    import re

    return r"^(?P<route>" + "|".join(re.escape(f.route) for f in formats.formats()) + r")$"


async def directory_file(datasette: Any, request: Any) -> Response:
    """A whole-catalogue document (``/data.json``, ``/catalog.ttl``, …) sent as the file the build
    wrote, byte for byte, in 1 MB reads (``files.FileResponse``: ranges, ``Cache-Control``), never
    read into memory or re-encoded per request (``/catalog.ttl`` is 185 MB at 10,000 datasets). The
    ETag is the build's name and the file's size (a build's files never change); ``If-None-Match``
    answers 304. When the build holds ``<file>.gz`` beside it and the client accepts gzip, that is
    sent instead (``Content-Encoding: gzip``, ``Vary: Accept-Encoding``)."""
    from govdata.serve import files

    fmt = formats.by_route(request.url_vars["route"])
    root = buildstate.build_dir(datasette)
    if fmt is None or root is None:
        return Response.text("not found", status=404)
    path = root / "directory" / fmt.file
    try:
        st = path.stat()
    except OSError:
        return Response.text("not found", status=404)
    if not stat.S_ISREG(st.st_mode):
        return Response.text("not found", status=404)
    extra = {"vary": "Accept-Encoding"}
    gz = path.with_name(path.name + ".gz")
    if "gzip" in (request.headers.get("accept-encoding") or "") and gz.is_file():
        path, st = gz, gz.stat()
        extra["content-encoding"] = "gzip"
    extra["etag"] = f'"{root.name}-{st.st_size:x}{"-gz" if "content-encoding" in extra else ""}"'
    if files.etag_matches(request.headers.get("if-none-match"), extra["etag"]):
        return files.not_modified(extra["etag"])
    return files.FileResponse(path, st.st_size, fmt.media_type, request.method == "HEAD", extra, request.headers)
