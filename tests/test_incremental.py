"""Incremental builds: unchanged datasets are reused, a change rebuilds only what depends on it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import duckdb

from govdata.publish.builder import build, current_build
from tests.conftest import copy_catalog, govdata


def test_noop_and_partial_rebuilds(tmp_path):
    root = copy_catalog(
        tmp_path / "repo", ["zj-admin-divisions", "zj-holiday-calendar", "hz-budget-2025", "xh-schools"]
    )
    out = root / "_build"
    first = build(root, out)
    assert first.reused == []
    again = build(root, out)
    assert again.path == first.path and sorted(again.reused) == sorted(first.datasets)
    assert len(list((out / "builds").iterdir())) == 1

    # a no-op rebuild from the command line publishes nothing new (its time: docs/benchmarks.md;
    # that it reads only file stamps: test_serving_holds.py::test_noop_build_reads_only_file_stamps)
    result = govdata("build", "--root", str(root), "--quiet")
    assert result.returncode == 0, result.stderr
    assert current_build(out) == first.path.resolve() and len(list((out / "builds").iterdir())) == 1

    desc = root / "datasets/hz-fin/hz-budget-2025/datapackage.yaml"
    desc.write_text(desc.read_text(encoding="utf-8").replace("title_en: ", "title_en: Updated ", 1), encoding="utf-8")
    third = build(root, out)
    assert sorted(third.reused) == ["xh-schools", "zj-admin-divisions", "zj-holiday-calendar"]
    live = third.path
    # reused parts are complete and consistent
    # a reused dataset's warehouse file is the previous build's, linked (never copied)
    reused_file = live / "warehouse" / "zj-admin-divisions.duckdb"
    assert reused_file.stat().st_nlink >= 2
    con = duckdb.connect(str(reused_file), read_only=True)
    assert con.execute("SELECT count(*) FROM divisions").fetchone()[0] > 3000
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name='main' "
        "AND table_name='divisions' AND column_name='code'"
    ).fetchone()[0]
    assert "行政区划代码" in comment
    dp = json.loads((live / "downloads/xh-schools/datapackage.json").read_text())
    csv_out = live / "downloads/xh-schools" / dp["resources"][0]["path"]
    assert dp["resources"][0]["hash"] == "sha256:" + hashlib.sha256(csv_out.read_bytes()).hexdigest()
    assert sqlite3.connect(live / "site/xh-schools.db").execute("select count(*) from schools").fetchone()[0] == 120
    data = json.loads((live / "directory/data.json").read_text())
    assert any(d.get("title_en", "").startswith("Updated") for d in data["dataset"])


def test_changed_foreign_key_target_rebuilds_its_dependents(tmp_path):
    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "zj-holiday-calendar", "xh-schools"])
    out = root / "_build"
    build(root, out)
    desc = root / "datasets/zj-gov/zj-admin-divisions/datapackage.yaml"
    desc.write_text(
        desc.read_text(encoding="utf-8").replace("modified: 2025-01-06", "modified: 2025-01-07"), encoding="utf-8"
    )
    result = build(root, out)
    assert result.reused == ["zj-holiday-calendar"]


def test_descriptors_are_parsed_once_per_content(tmp_path):
    """The parse cache of an output folder: a second load parses nothing, a changed descriptor is
    parsed again (alone), a broken one is reported every time."""
    from govdata.catalog.loader import load, parse_cache
    from govdata.verdicts import VerdictCache

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "xh-schools", "hz-budget-2025"])
    out = tmp_path / "out"

    def parsed() -> tuple[int, list[str], list]:
        catalog, findings = load(root, cache=VerdictCache.under(out))
        return parse_cache(catalog.verdicts).parsed, sorted(ds.name for ds in catalog.datasets), findings

    first, names, _ = parsed()
    assert first >= 4 and names == ["hz-budget-2025", "xh-schools", "zj-admin-divisions"]  # catalog.yaml too
    assert parsed()[:2] == (0, names)
    # a cached descriptor's line map is read only when a line is asked for, and gives the parsed lines
    from govdata.catalog.parsecache import LazyLines
    from govdata.catalog.safeyaml import load_descriptor

    cached = load(root, cache=VerdictCache.under(out))[0].dataset("xh-schools")
    assert isinstance(cached.lines, LazyLines) and cached.lines._map is None
    fresh_lines = load_descriptor(cached.descriptor_file)[1]
    assert cached.line("resources", 0, "schema") == fresh_lines[("resources", 0, "schema")]
    assert dict(cached.lines) == fresh_lines
    desc = root / "datasets/xh-edu/xh-schools/datapackage.yaml"
    desc.write_text(desc.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    count, _, _ = parsed()
    catalog, _ = load(root, cache=VerdictCache.under(out))
    assert count == 1 and catalog.dataset("xh-schools").descriptor["title"].startswith("新")
    catalog.dataset("xh-schools").descriptor["title"] = "changed by a caller"  # a hit is a fresh copy
    assert load(root, cache=VerdictCache.under(out))[0].dataset("xh-schools").descriptor["title"].startswith("新")
    desc.write_text("name: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        count, _, findings = parsed()
        assert any(f.code == "descriptor-parse-error" and "xh-schools" in f.file for f in findings)


def test_build_cost_grows_with_what_changed(tmp_path, monkeypatch):
    """One changed dataset among many: its descriptor is the only one parsed, and each directory
    document renders one piece (the others' bytes are copied from the previous build); the
    documents are those a build from nothing writes."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from benchmarks.many import change_one, generate
    from govdata.directory import formats

    monkeypatch.setattr(formats, "PRETTY_TURTLE_MAX", 5)  # the catalogue's Turtle as pieces, as at scale

    n = 12
    root = generate(tmp_path / "repo", n)
    out = root / "_build"
    first = build(root, out)
    assert first.report.ok and len(first.datasets) == n + 1
    assert first.parsed >= n + 1 and first.rendered["dcat-us"] == n + 1
    change_one(root, 3)
    from govdata.directory import fragments

    hashed = []  # records hashed: the reused ones' hashes are the previous build's (records.marshal)
    monkeypatch.setattr(fragments, "record_hash", lambda rec, f=fragments.record_hash: hashed.append(rec.id) or f(rec))
    second = build(root, out)
    assert sorted(set(second.datasets) - set(second.reused)) == ["xh-schools-00003"]
    assert hashed == ["xh-schools-00003"]
    assert second.parsed == 1  # the builder's load and the checks' load: one parse of the changed file
    kinds = {"dcat-us", "dcat-ap-nt", "dcat-ap-jsonld", "ckan-package", "ckan-activities", "portal", "cn-catalog"}
    kinds |= {"cn-catalog-csv", "datapackage", "datasette-metadata", "inspect", "counts"}
    assert second.rendered == {kind: 1 for kind in kinds}, second.rendered
    data = json.loads((second.path / "directory/data.json").read_text("utf-8"))
    assert [d["title"].endswith("*") for d in data["dataset"]].count(True) == 1

    # the same documents as a build of the same catalogue with nothing kept
    import shutil

    shutil.rmtree(out / "cache")
    fresh = build(root, out, force=True)  # forced: nothing taken from the previous build
    assert fresh.parsed >= n + 1 and fresh.rendered["dcat-us"] == n + 1
    for name in ("data.json", "ckan.json", "portal.json", "catalog-cn.json", "catalog-cn.csv"):
        assert (second.path / "directory" / name).read_bytes() == (fresh.path / "directory" / name).read_bytes(), name

    def dump(build_dir):  # the .xlsx copies included: a workbook's bytes are reproducible (a fixed creation time)
        doc = json.loads((build_dir / "directory/catalog-dump.json").read_text("utf-8"))
        return [d["resources"] for d in doc["datasets"]]

    assert dump(second.path) == dump(fresh.path)
    assert (second.path / "site/metadata.json").read_bytes() == (fresh.path / "site/metadata.json").read_bytes()
    for name, fmt in (("dcat-ap.jsonld", "json-ld"), ("dcat-ap.ttl", "turtle")):
        kept = Graph().parse(second.path / "directory" / name, format=fmt)
        assert isomorphic(kept, Graph().parse(fresh.path / "directory" / name, format=fmt)), name


def test_kept_pieces_are_copied_in_runs_from_the_previous_build(tmp_path, monkeypatch):
    """A document of 1,000 pieces with one changed: one piece rendered, the others' bytes copied
    from the previous build's file in two ranged copies (before and after the change)."""
    from dataclasses import dataclass

    from govdata.directory import fragments

    @dataclass
    class Rec:
        id: int
        title: str

    records = [Rec(i, f"数据集 {i}") for i in range(1000)]

    def document(pieces: fragments.Fragments) -> str:
        items = (pieces.get("item", r, lambda r=r: fragments.dumps(vars(r))) for r in records)
        return fragments.json_with({"format": "test", "n": len(records)}, items=items)

    first = fragments.Fragments(tmp_path / "one", None, "context")
    first.write(tmp_path / "one/directory/doc.json", document(first))
    first.save()
    assert first.rendered["item"] == 1000
    records[500].title = "改了"
    copies = []
    real = fragments.copy_range
    monkeypatch.setattr(fragments, "copy_range", lambda *a: copies.append(a[2:]) or real(*a))
    second = fragments.Fragments(tmp_path / "two", tmp_path / "one", "context")
    second.write(tmp_path / "two/directory/doc.json", document(second))
    second.flush()  # the file is written by a thread of its own
    assert second.rendered["item"] == 1 and len(copies) == 2
    written = (tmp_path / "two/directory/doc.json").read_text("utf-8")
    assert written == fragments.dumps({"format": "test", "n": 1000, "items": [vars(r) for r in records]})
    assert second.text("item", records[7], lambda: "not rendered: kept") == fragments.dumps(vars(records[7]))


def test_a_moved_catalogue_and_build_folder_keep_the_no_op_fast_path(tmp_path, monkeypatch):
    """``file_hashes`` and the input digest are keyed by the path relative to the root: a catalogue
    moved with its build folder (``mv``) is still up to date without loading anything."""
    from govdata.publish import builder

    root = copy_catalog(tmp_path / "before", ["zj-admin-divisions", "xh-schools"])
    first = build(root, root / "_build")
    keys = json.loads((first.path / "manifest.json").read_text("utf-8"))["file_hashes"]
    assert keys and all(not k.startswith("/") for k in keys), keys
    moved = tmp_path / "after"
    root.rename(moved)

    def no_load(*args, **kwargs):
        raise AssertionError("the catalogue was loaded: the no-op fast path missed")

    monkeypatch.setattr(builder, "load", no_load)
    again = build(moved, moved / "_build")
    assert again.path == moved / "_build" / "builds" / first.path.name


def test_an_old_manifests_absolute_file_hashes_still_read(tmp_path):
    from govdata.catalog.loader import load
    from govdata.publish import incremental

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "xh-schools"]).resolve()
    catalog, _ = load(root)
    fresh: dict[str, list] = {}
    keys = incremental.dataset_keys(catalog, fresh)
    data = "datasets/xh-edu/xh-schools/data/schools.csv"
    assert data in fresh
    # an older build's manifest: absolute keys, and a sha256 for the file that only the cache knows
    old = {str(root / path): entry[:3] + ["0" * 64] if path == data else entry for path, entry in fresh.items()}
    read = incremental.relative_hashes(root, old)
    assert set(read) == set(fresh)
    # the stamp matched, so the file was not hashed again: the key follows the cached sha256
    assert incremental.dataset_keys(catalog, read)["xh-schools"] != keys["xh-schools"]
    assert read[data][3] == "0" * 64


def test_a_one_changed_build_carries_the_recycled_builds_files_over(tmp_path):
    """The build that pruning would remove becomes the new build (buildfolder.recycle): a reused
    dataset unchanged since that build keeps its files there, so a one-changed build links the
    files of the few datasets changed in the last builds, not of every dataset. The result is what
    linking gives (the live build's very files; the changed dataset's new ones, nothing stale);
    rollback still finds the kept builds whole; a build a server holds a lease on is never taken."""
    import os

    from benchmarks.many import change_one, generate
    from govdata.publish.builder import rollback

    n = 4
    root = generate(tmp_path / "repo", n)
    out = root / "_build"
    builds = [build(root, out)]
    for i in range(4):
        change_one(root, i)
        builds.append(build(root, out))
    names = sorted(builds[0].datasets)
    # builds 1 and 2 had no build to take over: every reused dataset linked; from build 3 on the
    # oldest build is recycled and only the datasets changed since it (two) are linked again
    assert [b.linked for b in builds[1:]] == [n, n, 2, 2]
    assert sorted(p.name for p in (out / "builds").iterdir()) == [b.path.name for b in builds[2:]]
    new, live = builds[4].path, builds[3].path
    changed = "xh-schools-00003"
    for name in names:
        for rel in (f"site/{name}.db", f"warehouse/{name}.duckdb", f"downloads/{name}/datapackage.json"):
            assert (new / rel).is_file(), rel
            assert os.path.samefile(new / rel, live / rel) == (name != changed), rel

    def files(build_dir):
        return sorted(str(p.relative_to(build_dir)) for p in build_dir.rglob("*") if p.name != "pieces.marshal")

    assert files(new) == files(live)  # nothing left over from the recycled build, nothing missing
    dp = json.loads((new / f"downloads/{changed}/datapackage.json").read_text("utf-8"))
    assert dp["title"].endswith("*")
    assert sqlite3.connect(new / "site/xh-schools-00001.db").execute("select count(*) from schools").fetchone()[0]

    # a build a serving worker holds a lease on is not taken, even when pruning would remove it
    (out / "leases").mkdir(exist_ok=True)
    (out / "leases" / "test-1.lease").write_text(builds[2].path.name + "\n")
    change_one(root, 0)
    leased = build(root, out)
    assert leased.linked == n and (builds[2].path / "manifest.json").is_file()
    # rollback goes back to the previous build, whole
    was, now = rollback(out, notice=lambda s: None)
    assert was == leased.path and now == new and current_build(out) == new
    assert json.loads((now / "manifest.json").read_text("utf-8"))["datasets"] == builds[4].datasets

    # a build that fails after taking a build over leaves the live build whole, and serving
    import pytest

    from govdata.errors import BuildError

    desc = root / "datasets/xh-edu/xh-schools-00002/datapackage.yaml"
    desc.write_text(desc.read_text("utf-8").replace("^3133", "^3134", 1), "utf-8")
    with pytest.raises(BuildError):
        build(root, out)
    assert not builds[3].path.exists()  # the build pruning would have removed became the failed one
    assert current_build(out) == new and (new / "manifest.json").is_file()
    failed = [p for p in (out / "builds").iterdir() if (p / "FAILED").is_file()]
    assert len(failed) == 1 and not (failed[0] / "manifest.json").exists()
    for name in names:
        assert sqlite3.connect(new / f"site/{name}.db").execute("select count(*) from sqlite_master").fetchone()[0]
        assert (new / f"downloads/{name}/datapackage.json").is_file()


def test_a_build_of_few_changes_runs_without_the_cyclic_collector(tmp_path, monkeypatch):
    """The catalogue and the live manifest are frozen out of the collector's reach once loaded,
    and when few datasets changed the collector is off for the build (its full passes over the
    catalogue grew with it); it is on again afterwards, and on during a build of many changes."""
    import gc

    from govdata.publish import builder

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "zj-holiday-calendar", "xh-schools"])
    out = root / "_build"
    seen: list[tuple[bool, bool]] = []
    write = builder._write_manifest
    monkeypatch.setattr(
        builder, "_write_manifest", lambda *a: seen.append((gc.isenabled(), gc.get_freeze_count() > 0)) or write(*a)
    )
    monkeypatch.setattr(builder, "FEW_CHANGED", 1)
    assert gc.isenabled()
    build(root, out)  # three changed: more than FEW_CHANGED
    desc = root / "datasets/xh-edu/xh-schools/datapackage.yaml"
    desc.write_text(desc.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    assert build(root, out).reused == ["zj-admin-divisions", "zj-holiday-calendar"]
    assert seen == [(True, True), (False, True)]
    assert gc.isenabled()


def test_a_build_whose_process_ends_leaves_the_catalogue_to_the_exit(tmp_path, monkeypatch):
    """The ``govdata build`` command's process ends with the build (cli.build, entry._exit): the
    catalogue stays frozen and the collector off, no full pass over what the exit drops anyway;
    the command still prints its summary and succeeds."""
    import gc

    from govdata.publish import builder

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions"])
    monkeypatch.setattr(builder, "ENDS_AFTER", True)
    try:
        build(root, root / "_build", force=True)
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
    done = govdata("build", "--root", str(root), "--force")
    assert done.returncode == 0 and done.stdout.startswith("built 1 datasets"), done.stderr


def test_build_keys_take_the_parse_caches_digests_without_reading_the_files_again(tmp_path, monkeypatch):
    """The build's keys count each descriptor and schema file by the key the load parsed it under
    (not read again, no JSON dump of the schema); the keys are those a fresh process gives, and a
    change to a shared schema file changes the keys of the datasets that use it, and only theirs."""
    from pathlib import Path

    from govdata.catalog import parsecache
    from govdata.catalog.loader import load
    from govdata.publish.incremental import dataset_keys
    from govdata.verdicts import VerdictCache

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "xh-schools", "hz-budget-2025"])
    schema = root / "schemas" / "shared-budget.yaml"
    desc = root / "datasets/hz-fin/hz-budget-2025/datapackage.yaml"
    text = desc.read_text("utf-8")
    inline = text[text.index("    schema:") :]
    schema.parent.mkdir(exist_ok=True)
    import yaml

    parsed = yaml.safe_load(text)
    schema.write_text(yaml.safe_dump(parsed["resources"][0]["schema"], allow_unicode=True), "utf-8")
    desc.write_text(text.replace("    schema:", "    schema: shared:shared-budget\n    x-was:", 1), "utf-8")
    assert inline  # the resource now names the shared file instead of holding its schema
    out = tmp_path / "out"
    catalog, findings = load(root, cache=VerdictCache.under(out))
    assert not [f for f in findings if f.is_error], findings
    assert catalog.dataset("hz-budget-2025").resources[0].schema_file == schema
    reads: list[Path] = []
    real = Path.read_bytes

    def counted(path: Path) -> bytes:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    monkeypatch.setattr(parsecache, "_key_and_bytes", lambda path: (_ for _ in ()).throw(AssertionError(path)))
    keys = dataset_keys(catalog)
    assert not [p for p in reads if p.is_relative_to(root / "datasets") or p.is_relative_to(root / "schemas")], reads
    monkeypatch.undo()
    fresh, _ = load(root, cache=VerdictCache(None))
    assert dataset_keys(fresh) == keys
    schema.write_text(schema.read_text("utf-8") + "# changed\n", "utf-8")
    changed = dataset_keys(load(root, cache=VerdictCache(None))[0])
    assert {n for n in keys if keys[n] != changed[n]} == {"hz-budget-2025"}


def test_an_unchanged_stamp_gives_a_files_key_without_reading_it(tmp_path, monkeypatch):
    """The parse cache knows an unchanged file's key from its stamp (stamps.marshal); a rewritten
    file is read again, and a stamp younger than RACY_NS is not kept (read again next time)."""
    from govdata.catalog import parsecache
    from govdata.catalog.loader import load, parse_cache
    from govdata.verdicts import VerdictCache

    root = copy_catalog(tmp_path / "repo", ["xh-schools"])
    out = tmp_path / "out"
    desc = root / "datasets/xh-edu/xh-schools/datapackage.yaml"
    monkeypatch.setattr(parsecache, "RACY_NS", 0)  # the files were all written just now
    read: list[str] = []
    real = parsecache._key_and_bytes

    def counted(path):
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(parsecache, "_key_and_bytes", counted)
    first = parse_cache(load(root, cache=VerdictCache.under(out))[0].verdicts)
    assert "datapackage.yaml" in read and (out / "cache/descriptors" / parsecache.STAMPS).is_file()
    key = first.digests[desc]
    read.clear()
    again = parse_cache(load(root, cache=VerdictCache.under(out))[0].verdicts)
    assert "datapackage.yaml" not in read and again.digests[desc] == key
    # the same size, other bytes, a new stamp: read again, another key
    desc.write_text(desc.read_text("utf-8").replace("title: 示", "title: 例", 1), "utf-8")
    read.clear()
    third = parse_cache(load(root, cache=VerdictCache.under(out))[0].verdicts)
    assert "datapackage.yaml" in read and third.digests[desc] != key
    # a stamp younger than RACY_NS is not trusted: read the next time too
    monkeypatch.setattr(parsecache, "RACY_NS", 10**18)
    desc.write_text(desc.read_text("utf-8").replace("title: 例", "title: 示", 1), "utf-8")
    for _ in range(2):
        read.clear()
        load(root, cache=VerdictCache.under(out))
        assert "datapackage.yaml" in read


def test_the_parse_cache_maps_its_file_and_survives_a_rewrite(tmp_path, monkeypatch):
    """Entries read from parsed.marshal come from the mapped file (line maps too, when asked for); a
    whole rewrite (many changes) keeps this process's entries readable and the next load hits."""
    from govdata.catalog import parsecache
    from govdata.catalog.loader import load, parse_cache
    from govdata.catalog.parsecache import LazyLines
    from govdata.catalog.safeyaml import load_descriptor
    from govdata.verdicts import VerdictCache

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "xh-schools", "hz-budget-2025"])
    out = tmp_path / "out"
    load(root, cache=VerdictCache.under(out))
    catalog, _ = load(root, cache=VerdictCache.under(out))
    cache = parse_cache(catalog.verdicts)
    assert cache.parsed == 0 and len(cache._map) > 0
    ds = catalog.dataset("xh-schools")
    assert isinstance(ds.lines, LazyLines) and isinstance(ds.lines._raw, memoryview)
    assert dict(ds.lines) == load_descriptor(ds.descriptor_file)[1]
    # every descriptor changed: more than a DELTA_SHARE of the entries, the whole file is rewritten
    monkeypatch.setattr(parsecache, "DELTA_SHARE", 100)
    for d in catalog.datasets:
        d.descriptor_file.write_text(d.descriptor_file.read_text("utf-8") + "\n# changed\n", "utf-8")
    before = (out / "cache/descriptors/parsed.marshal").stat().st_ino
    catalog2, _ = load(root, cache=VerdictCache.under(out))
    assert (out / "cache/descriptors/parsed.marshal").stat().st_ino != before
    assert dict(ds.lines) == load_descriptor(ds.descriptor_file)[1]  # the old map still reads
    third, _ = load(root, cache=VerdictCache.under(out))
    assert parse_cache(third.verdicts).parsed == 0
    assert [d.descriptor for d in third.datasets] == [d.descriptor for d in catalog2.datasets]
    # a file of an older format (a marshalled dict from its first byte), or garbage: parsed again
    cache_file = out / "cache/descriptors/parsed.marshal"
    for junk in (b"\xff" * 64, b"govdata-parsed\0\0" + (10**12).to_bytes(8, "little")):
        cache_file.write_bytes(junk)
        again, _ = load(root, cache=VerdictCache.under(out))
        assert parse_cache(again.verdicts).parsed >= 3


def test_the_manifest_is_read_from_its_marshalled_copy_while_it_is_the_same_file(tmp_path, monkeypatch):
    """Each build writes beside manifest.json its marshalled copy (what the next build reads: the
    live build's manifest, and the recycled build's): equal to the JSON read back, for a full and a
    one-changed build; a manifest.json written again after the copy is read as JSON."""
    from benchmarks.many import change_one, generate
    from govdata.publish import buildfolder

    root = generate(tmp_path / "repo", 3)
    out = root / "_build"
    first = build(root, out)
    change_one(root, 1)
    second = build(root, out)
    for done in (first, second):
        as_json = json.loads((done.path / "manifest.json").read_text("utf-8"))
        assert (done.path / buildfolder.MANIFEST_COPY).is_file()
        assert buildfolder.manifest(done.path) == as_json
    with monkeypatch.context() as m:  # the copy is what is read: no JSON parsed
        m.setattr(buildfolder.json, "loads", lambda *a, **k: (_ for _ in ()).throw(AssertionError("JSON read")))
        assert buildfolder.manifest(second.path)["keys"] == as_json["keys"]
    edited = dict(as_json, reused=["edited"])
    (second.path / "manifest.json").write_text(json.dumps(edited), "utf-8")
    assert buildfolder.manifest(second.path) == edited  # not the copy: another file now
    (second.path / buildfolder.MANIFEST_COPY).write_bytes(b"\x00garbage")
    assert buildfolder.manifest(second.path) == edited


def test_patched_documents_equal_a_full_rebuilds_after_a_change_an_addition_and_a_removal(tmp_path, monkeypatch):
    """Each directory document is the previous build's patched (directory/fragments.py: the kept
    pieces' runs copied, the others rendered, the head written as it is now); after one dataset
    changed, then one added and one removed, every document holds the bytes a build from nothing
    writes."""
    import re
    import shutil
    from pathlib import Path

    from rdflib import Graph
    from rdflib.compare import isomorphic

    from benchmarks.many import change_one, generate
    from govdata.directory import formats

    monkeypatch.setattr(formats, "PRETTY_TURTLE_MAX", 3)  # the catalogue's Turtle as pieces, as at scale
    root = generate(tmp_path / "repo", 6)
    out = root / "_build"
    build(root, out)

    def documents(build_dir: Path) -> dict[str, bytes]:
        found = {p.relative_to(build_dir).as_posix(): p.read_bytes() for p in (build_dir / "directory").iterdir()}
        for name in ("metadata.json", "inspect-data.json", "counts.json"):
            found[f"site/{name}"] = (build_dir / "site" / name).read_bytes()
        return found

    def same_as_fresh(patched: Path) -> None:
        fresh = build(root, out, force=True)  # forced: nothing taken from the previous build
        mine, theirs = documents(patched), documents(fresh.path)
        assert sorted(mine) == sorted(theirs)
        # DCAT-AP's blank nodes are named anew by every render: the same graph, not the same bytes
        graphs = {"directory/dcat-ap.jsonld": "json-ld", "directory/dcat-ap.ttl": "turtle"}
        assert [name for name in mine if name not in graphs and mine[name] != theirs[name]] == []
        for name, fmt in graphs.items():
            assert isomorphic(Graph().parse(data=mine[name], format=fmt), Graph().parse(data=theirs[name], format=fmt))

    change_one(root, 2)
    second = build(root, out)
    assert second.rendered["dcat-us"] == 1
    same_as_fresh(second.path)

    datasets = root / "datasets/xh-edu"
    shutil.rmtree(datasets / "xh-schools-00004")
    shutil.copytree(datasets / "xh-schools-00005", datasets / "xh-schools-00009")
    descriptor = datasets / "xh-schools-00009/datapackage.yaml"
    text = re.sub(r"^name: .*$", "name: xh-schools-00009", descriptor.read_text("utf-8"), count=1, flags=re.M)
    descriptor.write_text(text.replace("（5）", "（9）"), "utf-8")
    third = build(root, out)
    assert third.rendered["dcat-us"] == 1 and "xh-schools-00009" in third.datasets
    assert "xh-schools-00004" not in third.datasets
    # the manifest is patched too: the reused datasets' entries copied from the previous manifest
    import marshal

    from govdata.publish.buildfolder import manifest

    text = (third.path / "manifest.json").read_text("utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    assert json.loads(text) == manifest(third.path)
    _, index = marshal.loads((third.path / "pieces.marshal").read_bytes())
    kept = [m for m in index["docs"]["manifest.json"][0].split("\0")[1::2] if m.count("\1") == 2]
    assert len(kept) == len(third.reused)  # the others (the added one) carry the build's stamp: written anew
    same_as_fresh(third.path)


def test_a_kept_piece_costs_a_lookup_not_a_hash(tmp_path, monkeypatch):
    """Patching a document of 1,000 pieces with one changed hashes nothing per piece: a piece's
    marker is its kind, its record's hash (kept from the previous build) and its extra; the
    previous document is found by its name and its runs by their markers."""
    from dataclasses import dataclass

    from govdata.directory import fragments

    @dataclass
    class Rec:
        id: str
        title: str
        releases: tuple = ()
        resources: tuple = ()
        policies: tuple = ()

    records = [Rec(f"d{i}", f"数据集 {i}") for i in range(1000)]
    keys = {r.id: f"key-{r.id}" for r in records}

    def document(pieces: fragments.Fragments) -> str:
        items = (pieces.get("item", r, lambda r=r: fragments.dumps(r.title)) for r in records)
        return fragments.json_with({"n": len(records)}, items=items)

    first = fragments.Fragments(tmp_path / "one", None, "context", keys)
    first.write(tmp_path / "one/doc.json", document(first))
    first.save()
    records[10].title = "改了"
    keys["d10"] = "key-changed"
    hashed = []
    real = fragments.hashlib.sha256
    monkeypatch.setattr(fragments.hashlib, "sha256", lambda *a: hashed.append(a) or real(*a))
    second = fragments.Fragments(tmp_path / "two", tmp_path / "one", "context", keys)
    second.write(tmp_path / "two/doc.json", document(second))
    second.flush()
    assert second.rendered["item"] == 1
    assert len(hashed) <= 3  # the changed record's hash and the document's outside text
    assert json.loads((tmp_path / "two/doc.json").read_text("utf-8"))["items"] == [r.title for r in records]


def test_the_manifest_copy_keeps_its_strings_interned(tmp_path):
    """The marshalled manifest's entries are written with interned strings, by the build that made
    them and by every build that reuses them: read back, two datasets' entries share their keys and
    repeated values (the copy of 10,000 entries: 27.7 → 15.2 MB, read in half the time)."""
    import sys

    from benchmarks.many import change_one, generate
    from govdata.publish import buildfolder

    root = generate(tmp_path / "repo", 3)
    out = root / "_build"
    build(root, out)
    change_one(root, 1)
    second = build(root, out)
    entries = buildfolder.manifest(second.path)["entries"]
    assert sorted(second.reused) == sorted(n for n in entries if n != "xh-schools-00001")
    a, b = (entries[name] for name in sorted(second.reused)[:2])
    for entry in (a, b, entries["xh-schools-00001"]):
        assert all(sys.intern(k) is k for k in entry)
    media = [e["exports"]["schools"]["csv"]["mediatype"] for e in (a, b, entries["xh-schools-00001"])]
    assert media[0] is media[1] is media[2] == "text/csv"
