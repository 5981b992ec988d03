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
    read into memory and encoded again per request (``/catalog.ttl`` is 185 MB at 10,000 datasets).
    The ETag is the build's name and the file's size (a build's files never change);
    ``If-None-Match`` answers 304. A client that accepts gzip gets the document compressed
    (``Content-Encoding: gzip``, ``Vary: Accept-Encoding``; no ranges): ``<file>.gz`` when the
    build holds one beside it, else compressed once per worker (``files.GZIPPED``)."""
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
    head = request.method == "HEAD"
    if _accepts_gzip(request.headers.get("accept-encoding")):
        etag = f'"{root.name}-{st.st_size:x}-gz"'
        if files.etag_matches(request.headers.get("if-none-match"), etag):
            return files.not_modified(etag)
        gz = path.with_name(path.name + ".gz")
        if gz.is_file():
            extra.update({"content-encoding": "gzip", "etag": etag})
            return files.FileResponse(gz, gz.stat().st_size, fmt.media_type, head, extra)
        body = await files.GZIPPED.get(path, st)
        if body is not None:
            headers = {**extra, "content-encoding": "gzip", "etag": etag, "cache-control": "public, max-age=300"}
            headers["access-control-allow-origin"] = "*"
            return Response(b"" if head else body, content_type=fmt.media_type, headers=headers)
    extra["etag"] = f'"{root.name}-{st.st_size:x}"'
    if files.etag_matches(request.headers.get("if-none-match"), extra["etag"]):
        return files.not_modified(extra["etag"])
    return files.FileResponse(path, st.st_size, fmt.media_type, head, extra, request.headers)


def _accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` lists gzip with a non-zero quality."""
    for part in (header or "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "x-gzip"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip() or float(q) > 0
            except ValueError:
                return True
    return False
