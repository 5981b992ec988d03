"""The serving snapshot (serve/snapshot.py): written by the build, used by the workers when it is
good, and when it is missing, stale or of another format the documents give the same answers."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from govdata.serve import buildstate, snapshot
from govdata.serve.app import make_datasette

PAGES = [
    "/datasets",
    "/datasets?q=学校",
    "/datasets?q=xuexiao&theme=education",
    "/datasets?publisher=xh-edu&page=2",
    "/publishers/xh-edu",
    "/api/3/action/package_search?q=学校&rows=5",
    '/api/3/action/package_search?fq=publisher:xh-edu&rows=20&start=3&facet.field=["tags"]',
    "/api/3/action/organization_show?id=xh-edu&include_datasets=true",
    "/api/3/action/group_list?all_fields=true",
    "/.json",
    "/-/databases.json",
]


def _get(ds, path):
    return asyncio.run(ds.client.get(path))


def _answers(build: Path, pages: list[str]) -> dict[str, tuple[int, str]]:
    ds = make_datasette(build)
    try:
        return {p: (r.status_code, r.text) for p in pages for r in [_get(ds, p)]}
    finally:
        ds.close()


def _used(build: Path) -> dict[str, str]:
    state = buildstate.BuildState(build)
    _ = state.catalogue, state.directory
    return state.snapshot.used


@pytest.fixture()
def copy(built, tmp_path) -> Path:
    """The session build, copied (the tests change its files)."""
    dest = tmp_path / "build"
    shutil.copytree(built, dest, symlinks=True)
    return dest


def test_the_build_writes_the_snapshot_and_workers_use_it(built):
    assert (built / snapshot.FILE).is_file()
    found = snapshot.Snapshot(built)
    assert all(found.part(name) is not None for name in snapshot.SOURCES)
    assert found.used == {name: "snapshot" for name in snapshot.SOURCES}
    assert _used(built) == {"catalogue": "snapshot", "ckan": "snapshot"}


def test_missing_stale_or_foreign_snapshot_gives_the_same_answers(copy, monkeypatch):
    kept = _answers(copy, PAGES)
    assert all(status == 200 for status, _ in kept.values()), {p: s for p, (s, _) in kept.items()}
    (copy / snapshot.FILE).rename(copy / "kept.marshal")
    assert _used(copy) == {"catalogue": "missing", "ckan": "missing"}
    assert _answers(copy, PAGES) == kept  # derived from the documents: the same answers
    (copy / "kept.marshal").rename(copy / snapshot.FILE)
    monkeypatch.setattr(snapshot, "FORMAT", snapshot.FORMAT + 1)  # written by other code
    assert _used(copy) == {"catalogue": "format", "ckan": "format"}
    assert _answers(copy, PAGES) == kept


def test_a_document_changed_after_the_build_is_served_as_it_is(copy):
    portal = copy / "directory" / "portal.json"
    doc = json.loads(portal.read_text("utf-8"))
    entry = next(d for d in doc["datasets"] if d["id"] == "xh-schools")
    entry["title"] = "独一无二的名录"
    portal.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert _used(copy) == {"catalogue": "stale", "ckan": "snapshot"}
    found = _get(make_datasette(copy), "/api/3/action/package_search?q=独一无二").json()["result"]
    assert [p["name"] for p in found["results"]] == ["xh-schools"]
    metadata = copy / "site" / "metadata.json"
    meta = json.loads(metadata.read_text("utf-8"))
    meta["databases"]["xh-schools"]["title"] = "改过的标题"
    metadata.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    page = _get(make_datasette(copy), "/xh-schools")
    assert page.status_code == 200 and "改过的标题" in page.text
    found = snapshot.Snapshot(copy)
    assert found.part("datasette") is None and found.used["datasette"] == "stale"


def test_a_damaged_snapshot_is_not_used(copy):
    (copy / snapshot.FILE).write_bytes(b"\x00" * 40)
    assert _used(copy) == {"catalogue": "missing", "ckan": "missing"}
    path = snapshot.write(copy)
    assert path is not None
    found = snapshot.Snapshot(copy)
    offset, length, _ = found.header()["parts"]["ckan"]["chunks"]["packages"][0]
    data = bytearray(path.read_bytes())
    at = found.header()["start"] + offset + length // 2
    data[at : at + 8] = b"\x00" * 8  # a damaged copy: a chunk of the CKAN part's bytes, not its size
    path.write_bytes(bytes(data[: len(data) - 20]))  # and the last part (Datasette's) cut short
    found = snapshot.Snapshot(copy)
    assert found.part("ckan") is None and found.part("datasette") is None
    assert found.part("catalogue") is not None
    assert found.used == {"ckan": "unreadable", "datasette": "unreadable", "catalogue": "snapshot"}
    ds = make_datasette(copy)
    assert _get(ds, "/api/3/action/package_show?id=xh-schools").json()["result"]["name"] == "xh-schools"
    assert _get(ds, "/xh-schools").status_code == 200


def test_thousands_of_datasets_with_their_documents_served(built, tmp_path):
    """3,000 databases and the directory documents of 3,000 datasets, with the snapshot: every page
    kind answers, and the same as without the snapshot."""
    from benchmarks.many import cloned_documents, fake_build

    n = 3000
    docs = cloned_documents(built, tmp_path / "docs", n)
    build = fake_build(tmp_path / "out", n, "xh-schools", "schools", docs)
    assert _used(build) == {"catalogue": "snapshot", "ckan": "snapshot"}
    pages = [
        "/",
        "/datasets",
        "/datasets?page=50",
        "/datasets?q=学校%202999",
        "/publishers/xh-edu",
        "/datasets/xh-schools-01500",
        f"/api/3/action/package_search?q=学校&rows=10&start={n - 5}",
        "/api/3/action/package_show?id=xh-schools-02999",
        "/xh-schools-02999/schools.json?_shape=array&_size=2",
        "/-/databases.json",
        "/data.json",
    ]
    kept = _answers(build, pages)
    assert {p: s for p, (s, _) in kept.items()} == {p: 200 for p in pages}
    assert "xh-schools-02999" in kept["/datasets?q=学校%202999"][1]
    search = json.loads(kept[pages[6]][1])["result"]
    assert search["count"] == n and len(search["results"]) == 5
    (build / snapshot.FILE).unlink()
    assert _answers(build, pages) == kept
