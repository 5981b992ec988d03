"""Handlers of the machine-readable routes: the directory files, the CKAN action API and the
OpenAPI description (registered as pages in ``serve/routes.py``)."""

from __future__ import annotations

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
    fmt = formats.by_route(request.url_vars["route"])
    root = buildstate.build_dir(datasette)
    path = root / "directory" / fmt.file if root and fmt else None
    if fmt is None or path is None or not path.is_file():
        return Response.text("not found", status=404)
    return Response(
        path.read_text("utf-8-sig"),
        content_type=fmt.media_type,
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"},
    )
