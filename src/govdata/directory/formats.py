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

from govdata.directory import fragments
from govdata.hookspecs import hookimpl

PRETTY_TURTLE_MAX = 50  # datasets; above, the catalogue's Turtle is written as N-Triples (pretty: 21 s at 100)


@dataclass
class DirectoryInput:
    """What a writer reads: the catalogue, its records, the build folder being written (its
    ``downloads/`` are complete when the directory is written), a memo for work that several
    formats share (one DCAT-AP graph serialises to JSON-LD and Turtle), alive for one build, and
    ``piece(kind, record, render, extra="")``: one dataset's piece of a document, rendered only
    when its record changed (:class:`govdata.directory.fragments.Fragments`; by default always);
    ``keys``: each dataset's build key, for pieces that depend on more than the record."""

    catalog: Any
    records: list[Any]
    staging: Path
    piece: Callable[..., str] = fragments.plain
    keys: dict[str, str] = field(default_factory=dict)  # build keys of the datasets (publish/incremental.py)
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

    head = datajson.catalog_document([], d.catalog.site["base_url"])
    pieces = (d.piece("dcat-us", r, lambda r=r: fragments.dumps(datajson.dataset_entry(r))) for r in d.records)
    return fragments.json_with(head, dataset=pieces)


def dcat_ap_pieces(d: DirectoryInput, rec: Any, ntriples: bool = True) -> tuple[str, str]:
    """(N-Triples or "", JSON-LD nodes) of one dataset's part of the DCAT-AP graph, each a piece."""
    from govdata.directory import dcatap

    graphs: dict[str, Any] = {}

    def graph() -> Any:
        if "g" not in graphs:
            graphs["g"] = dcatap.dataset_graph(d.catalog, rec)
        return graphs["g"]

    return (
        d.piece("dcat-ap-nt", rec, lambda: dcatap.ntriples(graph())) if ntriples else "",
        d.piece("dcat-ap-jsonld", rec, lambda: dcatap.nodes(graph())),
    )


def _dcat_ap(d: DirectoryInput) -> tuple[str, str]:
    """The catalogue's DCAT-AP graph as (JSON-LD, Turtle): the catalogue's own part, then each
    dataset's pieces; made once for both files."""

    def compute() -> tuple[str, str]:
        from govdata.directory import dcatap

        head = dcatap.catalogue_graph(d.catalog, d.records)
        big = len(d.records) > PRETTY_TURTLE_MAX
        pieces = [dcat_ap_pieces(d, r, ntriples=big) for r in d.records]
        jsonld = dcatap.jsonld([dcatap.nodes(head)] + [nodes for _, nodes in pieces])
        if big:
            # rdflib's pretty Turtle grows faster than the graph (13 s for 1,000 datasets, minutes
            # for 10,000); N-Triples is Turtle too, and is the pieces joined
            return jsonld, dcatap.ntriples(head) + "".join(nt for nt, _ in pieces)
        whole = list(head) + [t for r in d.records for t in dcatap.dataset_graph(d.catalog, r)]
        return jsonld, dcatap.turtle(dcatap.ntriples(whole))

    return d.shared("dcat-ap", compute)


def _cn_entries(d: DirectoryInput) -> list[tuple[str, str]]:
    """Per record, its entry of the Chinese catalogue as (JSON, CSV row), kept as pieces."""
    from govdata.directory import cncatalog

    def compute() -> list[tuple[str, str]]:
        codes = {r.id: cncatalog.resource_code(r) for r in d.records}
        out = []
        for r in d.records:
            related = fragments.dumps([codes.get(x) for x in r.related])
            entry: dict[str, Any] = {}

            def one(r: Any = r, entry: dict[str, Any] = entry) -> dict[str, Any]:
                if not entry:
                    entry.update(cncatalog.entry(r, codes))
                return entry

            out.append(
                (
                    d.piece("cn-catalog", r, lambda one=one: fragments.dumps(one()), related),
                    d.piece("cn-catalog-csv", r, lambda one=one: cncatalog.csv_row(one()), related),
                )
            )
        return out

    return d.shared("catalog-cn", compute)


def _cn_catalog(d: DirectoryInput) -> str:
    from govdata.directory import cncatalog

    head = cncatalog.document([])
    return fragments.json_with(head, entries=(text for text, _ in _cn_entries(d)))


def _cn_csv(d: DirectoryInput) -> str:
    from govdata.directory import cncatalog

    return cncatalog.csv_header() + "".join(row for _, row in _cn_entries(d))


def _dump(d: DirectoryInput) -> str:
    """Every dataset's datapackage.json (the builder keeps each as a ``datapackage`` piece)."""
    downloads = d.staging / "downloads"
    head = {"format": "govdata-catalogue-dump", "format_version": "1.0", "site": d.catalog.site}
    pieces = (
        d.piece(
            "datapackage",
            r,
            lambda r=r: (downloads / r.id / "datapackage.json").read_text("utf-8"),
            d.keys.get(r.id, ""),
        )
        for r in d.records
    )
    return fragments.json_with(head, datasets=pieces)


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
        _cn_catalog,
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
