"""A build's serving snapshot costs what changed: when some datasets' pieces of the documents
changed and nothing else did, the previous build's snapshot is patched (serve/snapshot.py) — and
every part equals the one derived from this build's documents from scratch."""

from __future__ import annotations

import os
import re
from pathlib import Path

from benchmarks.many import change_one, generate
from govdata.publish.builder import build
from govdata.serve import snapshot
from govdata.serve.app import make_datasette


def _parts(build_dir: Path) -> dict[str, object]:
    found = snapshot.Snapshot(build_dir)
    parts = {name: found.part(name) for name in snapshot.SOURCES}
    assert found.used == {name: "snapshot" for name in snapshot.SOURCES}
    return parts


def _equal_to_derived(build_dir: Path) -> None:
    for name, value in _parts(build_dir).items():
        assert value == snapshot.derive(build_dir, name), name


def _edit(root: Path, i: int, pattern: str, repl: str) -> None:
    dp = root / "datasets/xh-edu" / f"xh-schools-{i:05d}" / "datapackage.yaml"
    text = dp.read_text("utf-8")
    new = re.sub(pattern, repl, text, count=1, flags=re.M)
    assert new != text
    dp.write_text(new, "utf-8")


def test_a_one_changed_build_patches_the_previous_snapshot(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "CHUNK", 2)  # chunks of two entries: a patch loads one of four
    root = generate(tmp_path / "repo", 6)
    out = root / "_build"
    first = build(root, out)
    assert first.snapshot == {name: "derived" for name in snapshot.SOURCES}
    _equal_to_derived(first.path)

    derived: list[str] = []
    loaded: list[int] = []
    with monkeypatch.context() as m:
        m.setattr(snapshot, "derive", lambda b, name, f=snapshot.derive: derived.append(name) or f(b, name))
        m.setattr(snapshot._Chunks, "_chunk", lambda self, i, f=snapshot._Chunks._chunk: loaded.append(i) or f(self, i))
        change_one(root, 2)  # a title: new characters in the search index, a new order by title
        second = build(root, out)
    assert second.snapshot == {name: "patched" for name in snapshot.SOURCES}
    assert derived == []
    assert {i // 2 for i in loaded} == {1}  # xh-schools-00002, third in every list: its chunk only
    (first.path / snapshot.FILE).unlink()  # the kept chunks were copied: the new file stands alone
    _equal_to_derived(second.path)

    # a new keyword and theme (new facet values), a later modification date (a new order), a title
    _edit(root, 4, r"^keywords: \[", "keywords: [独一无二的词, ")
    _edit(root, 4, r"^themes: \[education\]", "themes: [culture, education]")
    _edit(root, 4, r'^modified: "2024-10-15"', 'modified: "2025-03-01"')
    _edit(root, 1, r"^title: (.*)$", r"title: 另一个\1")
    third = build(root, out)
    # the CKAN head counts each group's packages: a new theme changes it, so that part is derived
    assert third.snapshot == {"catalogue": "patched", "ckan": "derived", "datasette": "patched"}
    _equal_to_derived(third.path)
    index = snapshot.Snapshot(third.path).part("catalogue")
    assert index is not None and "独一无二的词" in index["facet_masks"]["keyword"]
    ds = make_datasette(third.path)
    try:
        import asyncio

        found = asyncio.run(ds.client.get("/api/3/action/package_search?q=独一无二")).json()["result"]
        assert [p["name"] for p in found["results"]] == ["xh-schools-00004"]
        page = asyncio.run(ds.client.get("/datasets?q=另一个"))
        assert page.status_code == 200 and "xh-schools-00001" in page.text
    finally:
        ds.close()

    # the keyword dropped again: its facet value goes, as a build from nothing has it
    _edit(root, 4, r"^keywords: \[独一无二的词, ", "keywords: [")
    fourth = build(root, out)
    assert fourth.snapshot == {name: "patched" for name in snapshot.SOURCES}
    _equal_to_derived(fourth.path)


def test_what_cannot_be_patched_is_derived(tmp_path):
    root = generate(tmp_path / "repo", 4)
    out = root / "_build"
    first = build(root, out)
    # a dataset more: the documents' pieces are not the previous build's, one for one
    generate(tmp_path / "more", 5)
    os.rename(tmp_path / "more/datasets/xh-edu/xh-schools-00004", root / "datasets/xh-edu/xh-schools-00004")
    second = build(root, out)
    assert second.snapshot == {name: "derived" for name in snapshot.SOURCES}
    _equal_to_derived(second.path)

    # the previous build's document written again after its build (not the file the snapshot was
    # made from, as far as its size and time tell): its snapshot is no base for that part
    portal = second.path / "directory" / "portal.json"
    st = portal.stat()
    os.utime(portal, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    change_one(root, 1)
    third = build(root, out)
    assert third.snapshot["catalogue"] == "derived"
    assert third.snapshot["ckan"] == third.snapshot["datasette"] == "patched"
    _equal_to_derived(third.path)

    # forced: nothing taken from the previous build
    assert build(root, out, force=True).snapshot == {name: "derived" for name in snapshot.SOURCES}
    assert first.path != second.path
