"""Pages that list datasets do not grow with their number (issue 12): each listing answers a page of
a fixed size at 150 and at 600 datasets, and every item is still reachable page by page. The
whole-catalogue documents (``/data.json`` …) are sent as the build's files, with a validator."""

from __future__ import annotations

import asyncio
import gzip
import re
from pathlib import Path

import pytest

from govdata.serve import guard, measurepages
from govdata.serve.app import make_datasette

SMALL, LARGE = 150, 600

# listings that grew with the catalogue before: /-/databases.json was 1.8 MB at 10,000 datasets,
# /-/metadata.json 25 MB, /oversight/timeliness 3.5 MB, include_datasets 4.8 MB
BOUNDED = [
    "/-/databases.json",
    "/-/databases",
    "/-/metadata.json",
    "/-/metadata",
    "/oversight/timeliness",
    "/oversight/timeliness.json?limit=100",
    "/api/3/action/organization_show?id=xh-edu&include_datasets=true",
    "/api/3/action/group_show?id=education&include_datasets=true",
    '/api/3/action/package_search?rows=0&facet.field=["name"]&facet.limit=-1',
]


def _get(ds, path, **kw):
    return asyncio.run(ds.client.get(path, **kw))


@pytest.fixture(scope="module")
def catalogues(built, tmp_path_factory):
    """Two generated catalogues of the school directory's copies, SMALL and LARGE datasets."""
    from benchmarks.many import cloned_documents, fake_build

    out = {}
    for n in (SMALL, LARGE):
        tmp = tmp_path_factory.mktemp(f"many{n}")
        build = fake_build(tmp / "out", n, "xh-schools", "schools", cloned_documents(built, tmp / "docs", n))
        out[n] = make_datasette(build)
    yield out
    for ds in out.values():
        ds.close()


def _size(ds, path: str) -> int:
    r = _get(ds, path)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    # the catalogue's own counts ("600", "xh-schools-00599") differ in digits only
    return len(re.sub(r"\d", "", r.text))


@pytest.mark.parametrize("path", BOUNDED)
def test_listing_size_does_not_grow_with_the_datasets(catalogues, path, monkeypatch):
    from govdata.serve import ckansearch

    monkeypatch.setattr(guard, "INDEX_PAGE", 50)
    monkeypatch.setattr(measurepages, "TIMELINESS_PAGE", 50, raising=False)
    monkeypatch.setattr(ckansearch, "MAX_FACET_VALUES", 100, raising=False)
    small, large = _size(catalogues[SMALL], path), _size(catalogues[LARGE], path)
    assert abs(large - small) <= 0.02 * small + 200, (path, small, large)


def _follow(ds, path: str) -> list:
    """Every page of a paged listing, following ``Link: rel="next"``."""
    pages = []
    while path:
        r = _get(ds, path)
        assert r.status_code == 200
        pages.append(r.json())
        m = re.search(r'<([^>]+)>; rel="next"', r.headers.get("link", ""))
        path = m.group(1) if m else ""
        assert len(pages) < 100
    return pages


def test_databases_and_metadata_reachable_page_by_page(catalogues, monkeypatch):
    monkeypatch.setattr(guard, "INDEX_PAGE", 50)
    ds = catalogues[LARGE]
    names = [n for n in ds.databases if n != "_internal"]
    pages = _follow(ds, "/-/databases.json")
    assert len(pages) == LARGE // 50 and all(len(p) == 50 for p in pages)
    assert [d["name"] for p in pages for d in p] == names
    assert all("path" not in d for p in pages for d in p)
    meta = _follow(ds, "/-/metadata.json")
    assert len(meta) == LARGE // 50
    assert [n for p in meta for n in p["databases"]] == names
    assert all(p["title"] == meta[0]["title"] for p in meta)
    assert meta[1]["databases"]["xh-schools-00050"] == ds._metadata_local["databases"]["xh-schools-00050"]
    last = _get(ds, f"/-/databases.json?_page={LARGE // 50}")
    assert 'rel="prev"' in last.headers["link"] and 'rel="next"' not in last.headers["link"]
    assert _get(ds, "/-/databases.json?_page=x").json() == pages[0]  # a bad page is the first
    page = _get(ds, "/-/metadata?_page=2")  # the HTML page Datasette rendered whole (750 ms at 10,000)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "xh-schools-00050" in page.text and "xh-schools-00100" not in page.text
    assert 'rel="next" href="/-/metadata?_page=3"' in page.text and 'rel="prev"' in page.text


def test_timeliness_reachable_page_by_page(catalogues, monkeypatch):
    ds = catalogues[LARGE]
    monkeypatch.setattr(measurepages, "TIMELINESS_LIMIT", 100)
    first = _get(ds, "/oversight/timeliness.json").json()
    count = first["count"]  # the school directories and the catalogue's own datasets
    assert len(first["datasets"]) == 100 and count >= LARGE and first["next"]
    assert sum(first["counts"].values()) == count
    seen, path = [], "/oversight/timeliness.json?limit=70"
    while path:
        body = _get(ds, path).json()
        seen += [d["id"] for d in body["datasets"]]
        path = body["next"]
    assert len(seen) == count and len(set(seen)) == count
    assert _get(ds, "/oversight/timeliness.json?limit=100000").json()["limit"] == 100
    monkeypatch.setattr(measurepages, "TIMELINESS_PAGE", 100)
    html = [_get(ds, f"/oversight/timeliness?page={p}").text for p in range(1, -(-count // 100) + 1)]
    ids = [i for page in html for i in re.findall(r'<tr><td><a href="/datasets/([^"]+)"', page)]
    assert sorted(ids) == sorted(seen)
    assert 'rel="next"' in html[0] and 'rel="next"' not in html[-1] and 'rel="prev"' in html[-1]


def test_ckan_listings_bounded(catalogues):
    ds = catalogues[LARGE]
    org = _get(ds, "/api/3/action/organization_show?id=xh-edu&include_datasets=true").json()["result"]
    assert len(org["packages"]) == 10
    facets = _get(ds, '/api/3/action/package_search?rows=0&facet.field=["name"]&facet.limit=-1').json()["result"]
    assert len(facets["facets"]["name"]) >= LARGE  # under the cap: all of them
    names = _get(ds, "/api/3/action/package_list").json()["result"]  # CKAN 2.10: the whole list
    paged = [
        n
        for o in range(0, LARGE + 100, 100)
        for n in _get(ds, f"/api/3/action/package_list?limit=100&offset={o}").json()["result"]
    ]
    assert paged == names and len(names) >= LARGE


def test_facet_values_capped(catalogues, monkeypatch):
    """CKAN's ``facet.limit=-1`` (unlimited in Solr) listed every dataset in a facet on ``name``."""
    from govdata.serve import ckansearch

    monkeypatch.setattr(ckansearch, "MAX_FACET_VALUES", 100)
    for limit in ("-1", "5000"):
        path = f'/api/3/action/package_search?rows=0&facet.field=["name"]&facet.limit={limit}'
        result = _get(catalogues[LARGE], path).json()["result"]
        assert len(result["facets"]["name"]) == 100 and len(result["search_facets"]["name"]["items"]) == 100
    few = _get(catalogues[LARGE], '/api/3/action/package_search?rows=0&facet.field=["name"]&facet.limit=7')
    assert len(few.json()["result"]["facets"]["name"]) == 7


def test_directory_documents_sent_as_files(catalogues):
    ds = catalogues[SMALL]
    path = Path(ds.govdata_build) / "directory" / "data.json"
    r = _get(ds, "/data.json", headers={"accept-encoding": "identity"})
    assert r.status_code == 200 and r.content == path.read_bytes() and "content-encoding" not in r.headers
    etag = r.headers["etag"]
    assert r.headers["cache-control"].endswith("max-age=300") and "accept-encoding" in r.headers["vary"].lower()
    assert _get(ds, "/data.json", headers={"if-none-match": etag, "accept-encoding": "identity"}).status_code == 304
    part = _get(ds, "/data.json", headers={"range": "bytes=0-9", "accept-encoding": "identity"})
    assert part.status_code == 206 and part.content == path.read_bytes()[:10]


def test_directory_documents_compressed_once(catalogues, monkeypatch):
    """A client accepting gzip gets the document compressed, once per worker and build."""
    from govdata.serve import files

    cache = files.GzipCache()
    monkeypatch.setattr(files, "GZIPPED", cache)
    ds = catalogues[SMALL]
    raw = (Path(ds.govdata_build) / "directory" / "dcat-ap.ttl").read_bytes()
    calls = []
    compress = cache._compress
    monkeypatch.setattr(cache, "_compress", lambda path: calls.append(path) or compress(path))
    for _ in range(3):
        r = _get(ds, "/catalog.ttl", headers={"accept-encoding": "gzip, deflate"})
        assert r.headers["content-encoding"] == "gzip" and r.content == raw  # httpx decodes it
    assert len(calls) == 1 and len(next(iter(cache.entries.values()))) < len(raw) / 3
    assert _get(ds, "/catalog.ttl", headers={"if-none-match": r.headers["etag"]}).status_code == 304
    plain = _get(ds, "/catalog.ttl", headers={"accept-encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw
    assert plain.headers["etag"] != r.headers["etag"]
    monkeypatch.setattr(cache, "limit", 1000)  # too big to keep compressed: sent as it is
    big = _get(ds, "/data.json", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in big.headers and big.content.startswith(b"{")


def test_directory_document_precompressed_sibling(tmp_path):
    """A ``<file>.gz`` beside a document is sent to clients that accept gzip, as is."""
    from benchmarks.many import fake_build

    build = fake_build(tmp_path / "out", 3)
    raw = (build / "directory" / "data.json").read_bytes()
    (build / "directory" / "data.json.gz").write_bytes(gzip.compress(raw + b" "))
    ds = make_datasette(build)
    try:
        zipped = _get(ds, "/data.json", headers={"accept-encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.content == raw + b" "  # the sibling's
        plain = _get(ds, "/data.json", headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == raw
        assert plain.headers["etag"] != zipped.headers["etag"]
    finally:
        ds.close()


def test_datasets_naming_a_dataset_as_related_found_once_per_index():
    """The dataset page's "related" both ways: the reverse links from a map made once per index,
    not a walk of every entry per page."""
    from types import SimpleNamespace

    from govdata.serve.portal import _related_to

    entries = [{"id": "a", "related": ["c", "c"]}, {"id": "b", "related": ["c"]}, {"id": "c"}]
    ix = SimpleNamespace(datasets=entries)
    assert _related_to(ix) == {"c": [entries[0], entries[1]]}  # type: ignore[arg-type]
    ix.datasets = []
    assert _related_to(ix)["c"] == [entries[0], entries[1]]  # type: ignore[arg-type]
