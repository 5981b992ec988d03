"""The Datasette plugin of the platform (registered as the ``govdata`` entry point).
It is inert unless the metadata's plugin config names a build directory."""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from govdata.serve import ckan, hardening, pages

_directories: dict[str, ckan.Directory] = {}


async def ckan_action(datasette, request):
    root = build_dir(datasette)
    if root is None:
        return Response.text("not configured", status=404)
    key = str(root)
    if key not in _directories:
        while len(_directories) >= 2:  # the live build and one draining
            _directories.pop(next(iter(_directories)))
        _directories[key] = ckan.Directory.load(root)
    return await ckan.handle(datasette, request, _directories[key])


def build_dir(datasette) -> Path | None:
    if getattr(datasette, "govdata_build", None) is not None:  # set by serve/app.py (not in the metadata)
        return datasette.govdata_build
    config = datasette.plugin_config("govdata") or {}
    value = config.get("build_dir")
    return Path(value) if value else None


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


async def dataset_page(datasette, request):
    root = build_dir(datasette)
    name = request.url_vars["name"]
    if root is None or "/" in name or name.startswith("."):
        return Response.text("not found", status=404)
    dp = root / "downloads" / name / "datapackage.json"
    if not dp.is_file():
        return Response.html("<h1>404</h1><p>没有这个数据集 / no such dataset</p>", status=404)
    schema_org = dp.parent / "schema-org.json"
    ld = json.loads(schema_org.read_text("utf-8")) if schema_org.is_file() else None
    return Response.html(pages.dataset_html(json.loads(dp.read_text("utf-8")), ld))


async def datasets_index(datasette, request):
    root = build_dir(datasette)
    if root is None:
        return Response.text("not configured", status=404)
    data = json.loads((root / "directory" / "data.json").read_text("utf-8"))
    return Response.html(pages.index_html(data))


@hookimpl
def register_routes():
    return [
        (r"^/(?P<file>data\.json|catalog\.jsonld|catalog\.ttl|catalog-cn\.json|catalog-cn\.csv|catalog-dump\.json)$",
         directory_file),
        (r"^/datasets/?$", datasets_index),
        (r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/?$", dataset_page),
        (r"^/openapi\.json$", openapi_json),
        (r"^/api/3/action/(?P<action>[a-z_]+)$", ckan_action),
        (r"^/api/action/(?P<action>[a-z_]+)$", ckan_action),
    ]


@hookimpl
def skip_csrf(scope):
    # the CKAN API is read-only and takes JSON POSTs from API clients without cookies
    return scope["path"].startswith(("/api/3/action/", "/api/action/"))


@hookimpl
def prepare_connection(conn):
    hardening.limit_connection(conn)


@hookimpl
def asgi_wrapper(datasette):
    return hardening.wrap
