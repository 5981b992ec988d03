"""The catalogue-level directory formats: one object per format, registered once.

A directory format is a file the build writes into ``<build>/directory/`` and the server
publishes at a route of its own (``/data.json``, ``/catalog.ttl``, ...). Everything about a
format is said once, in its :class:`DirectoryFormat`: the file name, the route, the media type,
the writer that produces the content, and its entry in the OpenAPI description. The builder
writes every registered format (``publish/builder.py``), the Datasette plugin serves each at its
route (``serve/plugin.py``: the route table is derived from the registry), the response-size cap
leaves them alone (``serve/hardening.py``), and ``/openapi.json`` documents them
(``serve/openapi.py``). ``tests/test_directory_registry.py`` fails when a route has no OpenAPI
entry or a registered file is not written or not served.

The formats are registered through the ``register_directory_formats`` hook
(:mod:`govdata.hookspecs`); the built-in ones by this module's hook implementation, at the end.
To add a format: write its writer (a function of :class:`DirectoryInput`) in its own module
under ``directory/`` and add a ``DirectoryFormat`` for it to ``BUILT_IN`` below (a plugin
returns it from its own ``register_directory_formats``). See docs/architecture.md, "How to add a
directory format".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govdata.hookspecs import hookimpl

PRETTY_TURTLE_MAX = 200  # datasets; above, the catalogue's Turtle is written as N-Triples


@dataclass
class DirectoryInput:
    """What a writer reads: the catalogue, its records, the build folder being written (its
    ``downloads/`` are complete when the directory is written) and a memo for work that several
    formats share (one DCAT-AP graph serialises to JSON-LD and Turtle), alive for one build."""

    catalog: Any
    records: list[Any]
    staging: Path
    _memo: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


@dataclass(frozen=True)
class DirectoryFormat:
    name: str  # a short id ("dcat-us")
    file: str  # under <build>/directory/
    route: str  # the path it is served at
    media_type: str  # Content-Type of the response
    summary: str  # one line for the OpenAPI description
    write: Callable[[DirectoryInput], str]
    schema: dict[str, Any] | None = None  # JSON Schema of the response (None: a text body)
    encoding: str = "utf-8"  # of the file ("utf-8-sig": a BOM, for spreadsheets)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI path item of the route."""
        media = self.media_type.split(";")[0]
        return {
            "get": {
                "operationId": self.route.strip("/").replace(".", "_").replace("-", "_"),
                "summary": self.summary,
                "tags": ["Directory"],
                "x-example": "",
                "responses": {
                    "200": {"description": "OK", "content": {media: {"schema": self.schema or {"type": "string"}}}}
                },
            }
        }


def formats() -> list[DirectoryFormat]:
    """Every registered format (the built-in ones below, then plugins')."""
    from govdata import plugins

    return plugins.directory_formats()


def by_route(route: str) -> DirectoryFormat | None:
    return next((f for f in formats() if f.route == route), None)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# ---- the built-in formats ------------------------------------------------------------------


def _data_json(d: DirectoryInput) -> str:
    from govdata.directory import datajson

    return to_json(datajson.catalog_document(d.records, d.catalog.site["base_url"]))


def _dcat_ap(d: DirectoryInput) -> tuple[str, str]:
    """The catalogue's DCAT-AP graph as (JSON-LD, Turtle), serialised once for both files."""

    def compute() -> tuple[str, str]:
        from govdata.directory import dcatap

        graph = dcatap.build_graph(d.catalog, d.records)
        if len(d.records) > PRETTY_TURTLE_MAX:
            # rdflib's pretty Turtle grows faster than the graph (13 s for 1,000 datasets, minutes
            # for 10,000); N-Triples is Turtle too, and linear (0.4 s for 1,000)
            return (
                graph.serialize(format="json-ld", context=dcatap.CONTEXT, auto_compact=True),
                graph.serialize(format="nt"),
            )
        return dcatap.serialize(graph)

    return d.shared("dcat-ap", compute)


def _cn_catalog(d: DirectoryInput) -> dict[str, Any]:
    from govdata.directory import cncatalog

    return d.shared("catalog-cn", lambda: cncatalog.document(d.records))


def _cn_csv(d: DirectoryInput) -> str:
    from govdata.directory import cncatalog

    return cncatalog.to_csv(_cn_catalog(d))


def _dump(d: DirectoryInput) -> str:
    return to_json(
        {
            "format": "govdata-catalogue-dump",
            "format_version": "1.0",
            "site": d.catalog.site,
            "datasets": [
                json.loads((d.staging / "downloads" / r.id / "datapackage.json").read_text("utf-8")) for r in d.records
            ],
        }
    )


BUILT_IN = [
    DirectoryFormat(
        "dcat-us",
        "data.json",
        "/data.json",
        "application/json; charset=utf-8",
        "DCAT-US 1.1 catalogue",
        _data_json,
        {"type": "object", "required": ["conformsTo", "dataset"]},
    ),
    DirectoryFormat(
        "dcat-ap-jsonld",
        "dcat-ap.jsonld",
        "/catalog.jsonld",
        "application/ld+json; charset=utf-8",
        "DCAT-AP 3 catalogue (JSON-LD)",
        lambda d: _dcat_ap(d)[0],
        {"type": "object"},
    ),
    DirectoryFormat(
        "dcat-ap-turtle",
        "dcat-ap.ttl",
        "/catalog.ttl",
        "text/turtle; charset=utf-8",
        "DCAT-AP 3 catalogue (Turtle)",
        lambda d: _dcat_ap(d)[1],
    ),
    DirectoryFormat(
        "cn-catalog",
        "catalog-cn.json",
        "/catalog-cn.json",
        "application/json; charset=utf-8",
        "政务信息资源目录核心元数据",
        lambda d: to_json(_cn_catalog(d)),
        {"type": "object", "required": ["format_version", "entries"]},
    ),
    DirectoryFormat(
        "cn-catalog-csv",
        "catalog-cn.csv",
        "/catalog-cn.csv",
        "text/csv; charset=utf-8",
        "政务信息资源目录核心元数据 (CSV)",
        _cn_csv,
        encoding="utf-8-sig",
    ),
    DirectoryFormat(
        "dump",
        "catalog-dump.json",
        "/catalog-dump.json",
        "application/json; charset=utf-8",
        "Every datapackage.json in one file",
        _dump,
        {"type": "object", "required": ["format_version", "datasets"]},
    ),
]


@hookimpl
def register_directory_formats() -> list[DirectoryFormat]:
    return BUILT_IN
