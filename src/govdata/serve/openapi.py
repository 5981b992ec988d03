"""The OpenAPI 3 description of the public HTTP API, served at ``/openapi.json``.

Response schemas are plain JSON Schema (the OpenAPI 3.1 dialect) so that clients and the
tests can validate live responses with ``jsonschema``. Every operation has an example
request (``x-example``) that the conformance test calls on a live server.
"""

from __future__ import annotations

from typing import Any

VERSION = "1.0.0"

_ENVELOPE = {
    "type": "object",
    "required": ["help", "success"],
    "properties": {
        "help": {"type": "string"},
        "success": {"type": "boolean"},
        "result": {},
        "error": {"type": "object", "required": ["__type"], "properties": {"__type": {"type": "string"}}},
    },
}
_PACKAGE = {
    "type": "object",
    "required": [
        "id",
        "name",
        "title",
        "notes",
        "owner_org",
        "organization",
        "resources",
        "tags",
        "groups",
        "license_id",
        "metadata_modified",
    ],
    "properties": {"name": {"type": "string", "pattern": "^[a-z0-9_-]{2,100}$"}, "resources": {"type": "array"}},
}


def _ok(result: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [_ENVELOPE, {"properties": {"success": {"const": True}, "result": result}}]}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _action(name: str, summary: str, params: list[tuple[str, str, str]], result: Any, example: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": name,
            "summary": summary,
            "tags": ["CKAN action API"],
            "parameters": [
                {
                    "name": p,
                    "in": "query",
                    "required": req == "required",
                    "description": d,
                    "schema": {"type": "string"},
                }
                for p, req, d in params
            ],
            "x-example": example,
            "responses": {
                "200": _json(_ok(result)),
                "404": _json(_ENVELOPE, "Not Found Error"),
                "409": _json(_ENVELOPE, "Validation Error"),
            },
        },
        "post": {
            "operationId": f"{name}_post",
            "summary": f"{summary} (JSON body)",
            "tags": ["CKAN action API"],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "200": _json(_ok(result)),
                "404": _json(_ENVELOPE, "Not Found Error"),
                "409": _json(_ENVELOPE, "Validation Error"),
            },
        },
    }


def spec(base_url: str, title: str) -> dict[str, Any]:
    actions = {
        "status_show": ("Site status", [], {"type": "object", "required": ["ckan_version"]}, ""),
        "package_list": (
            "All dataset names",
            [("limit", "", ""), ("offset", "", "")],
            {"type": "array", "items": {"type": "string"}},
            "",
        ),
        "current_package_list_with_resources": (
            "Datasets with their resources, most recently modified first",
            [("limit", "", "≤ 1000, default 10"), ("offset", "", "")],
            {"type": "array", "items": _PACKAGE},
            "limit=2",
        ),
        "package_show": ("One dataset", [("id", "required", "dataset name")], _PACKAGE, "id=zj-admin-divisions"),
        "package_search": (
            "Search datasets",
            [
                ("q", "", "text, Chinese included"),
                ("fq", "", "organization:, groups:, tags:, res_format:, license_id:"),
                ("sort", "", ""),
                ("rows", "", "≤ 1000"),
                ("start", "", ""),
                ("facet.field", "", "JSON list"),
            ],
            {
                "type": "object",
                "required": ["count", "results", "facets", "search_facets"],
                "properties": {"count": {"type": "integer"}, "results": {"type": "array", "items": _PACKAGE}},
            },
            "q=%E8%A1%8C%E6%94%BF&facet.field=%5B%22organization%22%5D",
        ),
        "organization_list": (
            "Publishers",
            [("all_fields", "", ""), ("limit", "", ""), ("offset", "", "")],
            {"type": "array"},
            "all_fields=true",
        ),
        "organization_show": (
            "One publisher",
            [("id", "required", ""), ("include_datasets", "", "")],
            {"type": "object", "required": ["name", "title", "children"]},
            "id=hz-gov",
        ),
        "group_list": ("Themes", [("all_fields", "", "")], {"type": "array"}, ""),
        "group_show": (
            "One theme",
            [("id", "required", "")],
            {"type": "object", "required": ["name", "title"]},
            "id=credit",
        ),
        "tag_list": ("Keywords", [("query", "", "")], {"type": "array"}, ""),
        "license_list": (
            "Licences",
            [],
            {"type": "array", "items": {"type": "object", "required": ["id", "title", "url"]}},
            "",
        ),
        "resource_show": (
            "One resource",
            [("id", "required", "")],
            {"type": "object", "required": ["id", "url", "format"]},
            "id=zj-admin-divisions--divisions--csv",
        ),
        "datastore_search": (
            "Rows of a published table",
            [
                ("resource_id", "required", ""),
                ("filters", "", "JSON object"),
                ("q", "", ""),
                ("fields", "", ""),
                ("sort", "", ""),
                ("limit", "", "≤ 1000"),
                ("offset", "", ""),
                ("include_total", "", ""),
                ("distinct", "", "distinct rows of fields"),
                ("records_format", "", "objects | lists | csv | tsv"),
            ],
            {
                "type": "object",
                "required": ["resource_id", "fields", "records"],
                "properties": {"records": {"type": "array"}, "total": {"type": "integer"}},
            },
            "resource_id=zj-admin-divisions--divisions--csv&limit=5",
        ),
    }
    paths: dict[str, Any] = {}
    for name, (summary, params, result, example) in actions.items():
        paths[f"/api/3/action/{name}"] = _action(name, summary, params, result, example)
    from govdata.directory import formats
    from govdata.serve import pages

    for fmt in formats.formats():
        paths[fmt.route] = fmt.openapi()
    paths.update(pages.openapi_paths())
    paths["/downloads/{dataset}/{file}"] = {
        "get": {
            "operationId": "download",
            "summary": "A resource export (CSV, Parquet) or the dataset's datapackage.json / DCAT-AP / schema.org",
            "tags": ["Downloads"],
            "x-example-path": "/downloads/zj-admin-divisions/datapackage.json",
            "parameters": [
                {"name": "dataset", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "file", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "the file", "content": {"application/json": {"schema": {"type": "object"}}}},
                "404": {"description": "no such file"},
            },
        }
    }
    paths["/{dataset}/{table}.json"] = {
        "get": {
            "operationId": "table_json",
            "summary": "Datasette 0.65 table JSON: column filters (?col=, ?col__gte=), _sort, _size ≤ 1000, _shape",
            "tags": ["Datasette JSON API"],
            "x-example-path": "/zj-holiday-calendar/days.json?_shape=array&_size=3&day_type=holiday",
            "parameters": [
                {"name": "dataset", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "table", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "_shape", "in": "query", "schema": {"enum": ["objects", "array", "arrays", "object"]}},
                {"name": "_size", "in": "query", "schema": {"type": "integer", "maximum": 1000}},
            ],
            "responses": {
                "200": {
                    "description": "rows",
                    "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
                },
                "404": {"description": "no such table"},
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} — public API",
            "version": VERSION,
            "description": "Read-only. Datasette JSON API, CKAN-compatible action API, directory files and downloads.",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
    }
