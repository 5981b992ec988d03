"""Datasette configuration generated from the descriptors: metadata.json (titles,
descriptions, licences, sources, column descriptions, facets), settings.json
(settings that keep big tables fast) and inspect-data.json (cached counts)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from govdata import textsearch
from govdata.publish import searchindex
from govdata.catalog.model import Catalog, Dataset
from govdata.catalog.vocabulary import FREQUENCY_ZH, OPEN_ZH

SETTINGS = {
    "suggest_facets": False,  # suggestions cost a scan per column per request on big tables
    "facet_time_limit_ms": 500,
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "allow_facet": True,
    "allow_download": True,  # the .db files are public data too
    "allow_csv_stream": True,
    "max_csv_mb": 0,  # full-table CSV export is not capped (users complain about caps)
    "num_sql_threads": 3,
    "default_cache_ttl": 300,
    "truncate_cells_html": 200,
}


FACET_ROW_LIMIT = 100_000  # default facets only where they are cheap


def _table_meta(ds: Dataset, res_name: str, rows: int = 0) -> dict[str, Any]:
    res = next(r for r in ds.resources if r.name == res_name)
    columns = {}
    for f in res.fields:
        text = " — ".join(x for x in (f.get("title"), f.get("description")) if x)
        if text:
            columns[f["name"]] = text
    meta: dict[str, Any] = {
        "title": res.raw.get("title") or res.name,
        "description": res.raw.get("description") or "",
        "columns": columns,
        # the Chinese title of each column, shown as its header by the portal's table template
        "column_titles": {f["name"]: f["title"] for f in res.fields if f.get("title")},
    }
    if res.raw.get("facets") and rows <= FACET_ROW_LIMIT:
        meta["facets"] = list(res.raw["facets"])
    if searchindex.text_columns(res.fields):
        meta["search_table"] = searchindex.fts_table(res.name)  # ?_search= (serve/search.py)
        meta["search_version"] = textsearch.SEARCH_VERSION  # what its tokens are
    label = next((f["name"] for f in res.fields if f.get("name") in ("title", "name", "名称")), None)
    if label:
        meta["label_column"] = label  # how a row is named where another row links to it
    pk = (res.schema or {}).get("primaryKey")
    if pk:
        meta["sort"] = pk if isinstance(pk, str) else pk[0]
    keys = [pk] if isinstance(pk, str) else list(pk or [])
    if len(keys) == 1 and next((f.get("type") for f in res.fields if f.get("name") == keys[0]), None) == "integer":
        meta["rowid_column"] = keys[0]  # INTEGER PRIMARY KEY: the rowid (serve/search.py pages by it)
    return meta


def metadata(
    catalog: Catalog, datasets: list[Dataset], published: dict[str, list[str]], rows: dict[str, int] | None = None
) -> dict[str, Any]:
    rows = rows or {}
    dbs = {ds.name: _database(catalog, ds, published[ds.name], rows) for ds in datasets if ds.name in published}
    return {**_head(catalog), "databases": dbs}


def metadata_text(
    catalog: Catalog,
    datasets: list[Dataset],
    published: dict[str, list[str]],
    rows: dict[str, int],
    piece: Callable[[Dataset, Callable[[], str]], str],
) -> str:
    """``metadata`` as compact JSON; ``piece(ds, render)`` keeps each database's entry
    (directory/fragments.py: the builder keys it by the dataset's build key and record)."""
    from govdata.directory.fragments import dumps, json_with

    def render(ds: Dataset) -> Callable[[], str]:
        return lambda: dumps(_database(catalog, ds, published[ds.name], rows))

    dbs = {ds.name: piece(ds, render(ds)) for ds in datasets if ds.name in published}
    return json_with(_head(catalog), databases=dbs)


def _head(catalog: Catalog) -> dict[str, Any]:
    site = catalog.site
    first = catalog.licenses[next(iter(catalog.licenses))]
    return {
        "title": site["title"],
        "description_html": (
            f"<p>{html.escape(' '.join(site['description'].split()))}</p>"
            '<p>机器可读目录 Directory: <a href="/data.json">data.json</a></p>'
        ),
        "license": first.id,
        "license_url": first.url,
        "databases": {},
    }


def _database(catalog: Catalog, ds: Dataset, tables: list[str], rows: dict[str, int]) -> dict[str, Any]:
    """One database's entry: title, description with the downloads, licence, source, its tables."""
    d = ds.descriptor
    pub = catalog.publishers.get(d["publisher"])
    lic = catalog.licenses.get((d.get("licenses") or [{}])[0].get("name"))
    desc = (
        f"<p>{html.escape(' '.join(d['description'].split()))}</p>"
        f"<p>提供方 Publisher: {html.escape(pub.name if pub else d['publisher'])} · "
        f"开放属性: {OPEN_ZH[ds.open_type]} · 更新周期: {FREQUENCY_ZH.get(d['update_frequency'], '')} · "
        f"版本 {html.escape(d['version'])} · 更新于 {html.escape(d['modified'])}</p>"
        f"<p>下载 Downloads: "
        + " ".join(
            f'<a href="/downloads/{ds.name}/{r}.csv">{html.escape(r)}.csv</a> '
            f'<a href="/downloads/{ds.name}/{r}.parquet">{html.escape(r)}.parquet</a>'
            for r in tables
        )
        + f' · <a href="/downloads/{ds.name}/datapackage.json">datapackage.json</a></p>'
    )
    entry: dict[str, Any] = {
        "title": d["title"] + (f" / {d['title_en']}" if d.get("title_en") else ""),
        "description_html": desc,
        "tables": {r: _table_meta(ds, r, rows.get(f"{ds.name}/{r}", 0)) for r in tables},
    }
    if lic:
        entry["license"], entry["license_url"] = lic.id, lic.url
    if d.get("sources"):
        src = d["sources"][0]
        entry["source"] = src.get("title")
        if src.get("path", "").startswith("http"):
            entry["source_url"] = src["path"]
    return entry
