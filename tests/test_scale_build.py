"""Builds and checks of many datasets (issue 12): what keeps their cost from growing with N² or
with the datasets that did not change — the folders a load resolves once, the parse cache warmed
on every core, the checks' selection, and the reused datasets' files linked in one ``cp``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from govdata.catalog import parsecache
from govdata.catalog.loader import load, parse_cache
from govdata.catalog.paths import PathRefused, real_path, resolve_inside
from govdata.publish import incremental
from govdata.verdicts import VerdictCache
from tests.conftest import copy_catalog


def test_real_path_is_realpath_with_folders_resolved_once(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.csv").write_text("x\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "g.csv").write_text("y\n")
    os.symlink(tmp_path / "a" / "b", tmp_path / "a" / "link")  # a folder link
    os.symlink("../../outside/g.csv", tmp_path / "a" / "b" / "esc.csv")  # a relative file link out
    os.symlink(tmp_path / "a" / "link", tmp_path / "chain")  # a link to a link
    memo: dict[str, str] = {}
    for rel in ["a/b/f.csv", "a/link/f.csv", "a/link/esc.csv", "chain/f.csv", "chain/missing/x", "a/b/nothing"]:
        path = tmp_path / rel
        assert real_path(path, memo) == os.path.realpath(path), rel
    # the memo is what makes it cheap, and it gives the same answer a second time
    assert str(tmp_path / "a" / "link") in memo
    assert real_path(tmp_path / "a/link/esc.csv", memo) == os.path.realpath(tmp_path / "outside" / "g.csv")
    # a symlink out of the repository is refused with the memo as without it
    root = tmp_path / "a"
    for m in (None, {}):
        with pytest.raises(PathRefused):
            resolve_inside(root / "b", "esc.csv", root, m)
        assert resolve_inside(root / "b", "f.csv", root, m) == root / "b" / "f.csv"


def _many(tmp_path: Path, n: int) -> Path:
    """The sample catalogue with ``n`` copies of the school directory (as benchmarks/many.py)."""
    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "xh-schools"])
    src = root / "datasets" / "xh-edu" / "xh-schools"
    text = (src / "datapackage.yaml").read_text("utf-8")
    for i in range(n):
        target = src.parent / f"xh-schools-{i:04d}"
        (target / "data").mkdir(parents=True)
        (target / "datapackage.yaml").write_text(
            text.replace("name: xh-schools\n", f"name: xh-schools-{i:04d}\n", 1), "utf-8"
        )
        os.link(src / "data" / "schools.csv", target / "data" / "schools.csv")
    return root


def test_parse_cache_warmed_in_processes_gives_the_same_catalogue(tmp_path, monkeypatch):
    root = _many(tmp_path, parsecache.PARALLEL_PARSES + 5)
    broken = root / "datasets" / "xh-edu" / "xh-schools-0003" / "datapackage.yaml"
    broken.write_text("name: [unclosed\n", "utf-8")  # a child cannot parse it: load() reports it
    serial_cache = VerdictCache.under(tmp_path / "serial")
    monkeypatch.setattr(parsecache, "can_fork", lambda: False)
    serial, serial_findings = load(root, cache=serial_cache)
    monkeypatch.undo()
    if not parsecache.can_fork():
        pytest.skip("this process may not fork (threads running)")
    forked_cache = VerdictCache.under(tmp_path / "forked")
    forked, forked_findings = load(root, cache=forked_cache)
    assert [ds.descriptor for ds in forked.datasets] == [ds.descriptor for ds in serial.datasets]
    assert [ds.lines for ds in forked.datasets] == [ds.lines for ds in serial.datasets]
    assert [f.to_dict() for f in forked_findings] == [f.to_dict() for f in serial_findings]
    assert any(f.code == "descriptor-parse-error" and "xh-schools-0003" in (f.file or "") for f in forked_findings)
    # every good descriptor (and catalog.yaml) parsed once, in the children or here; none again
    assert parse_cache(forked.verdicts).parsed == parse_cache(serial.verdicts).parsed
    again, _ = load(root, cache=VerdictCache.under(tmp_path / "forked"))
    assert parse_cache(again.verdicts).parsed == 0


def test_reused_files_are_linked_by_cp_or_one_by_one(tmp_path, monkeypatch):
    previous, staging = tmp_path / "prev", tmp_path / "new"
    for name in ("a", "b", "gone"):
        (previous / "downloads" / name / "releases" / "1.0.0").mkdir(parents=True)
        (previous / "downloads" / name / "t.csv").write_text(f"{name}\n")
        (previous / "downloads" / name / "releases" / "1.0.0" / "t.csv").write_text(f"{name}\n")
        (previous / "site").mkdir(exist_ok=True)
        (previous / "site" / f"{name}.db").write_bytes(b"db")
    incremental.link_reused(previous, staging, {"a", "b"})
    for name in ("a", "b"):
        for rel in (f"downloads/{name}/t.csv", f"downloads/{name}/releases/1.0.0/t.csv", f"site/{name}.db"):
            assert os.path.samefile(previous / rel, staging / rel), rel
    assert not (staging / "downloads" / "gone").exists() and not (staging / "site" / "gone.db").exists()

    # cp fails half-way (another file system, no GNU cp): each is made again, the same
    again = tmp_path / "again"
    (again / "downloads" / "a").mkdir(parents=True)
    (again / "downloads" / "a" / "t.csv").write_text("half-way\n")

    def failing(cmd, **kw):
        return subprocess.CompletedProcess(cmd, 1, b"", b"cp: cannot create hard link")

    monkeypatch.setattr(incremental.subprocess, "run", failing)
    incremental.link_reused(previous, again, {"a", "b"})
    assert (again / "downloads" / "a" / "t.csv").read_text() == "a\n"
    assert (previous / "downloads" / "a" / "t.csv").read_text() == "a\n"
    assert os.path.samefile(previous / "downloads/b/releases/1.0.0/t.csv", again / "downloads/b/releases/1.0.0/t.csv")


def test_checks_select_by_sets_not_pairs(tmp_path):
    from govdata.checks.runner import run_checks

    root = _many(tmp_path, 3)
    pub = root / "datasets" / "xh-edu"
    run = run_checks(root, [pub / "xh-schools-0001", pub / "xh-schools-0002" / "datapackage.yaml"], tmp_path / "w")
    assert [ds.name for ds in run.selected] == ["xh-schools-0001", "xh-schools-0002"]
    run.close()
    run = run_checks(root, [pub], tmp_path / "w2")  # a folder above
    assert sorted(ds.name for ds in run.selected) == [
        "xh-schools",
        "xh-schools-0000",
        "xh-schools-0001",
        "xh-schools-0002",
    ]
    run.close()
    run = run_checks(root, [pub / "xh-schools-0000" / "data"], tmp_path / "w3")  # a folder below
    assert [ds.name for ds in run.selected] == ["xh-schools-0000"]
    run.close()


def test_data_updates_one_walk_from_a_catalogue_in_a_subfolder(tmp_path):
    import datetime as dt

    from govdata.oversight import timeliness as tl

    repo = tmp_path / "repo"
    root = repo / "catalogue"  # the catalogue is not the repository's top folder
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
    }

    def commit(day: str) -> None:
        dated = {**env, "GIT_AUTHOR_DATE": f"{day}T12:00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00"}
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=dated)
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", day], check=True, env=dated)

    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    folders = [f"datasets/p/d{i}" for i in range(3)]
    for folder in folders:
        (root / folder / "data").mkdir(parents=True)
        (root / folder / "data" / "t.csv").write_text("a\n1\n")
    (root / "datasets" / "p" / "d10" / "data").mkdir(parents=True)  # d1 is a prefix of d10's name
    (root / "datasets" / "p" / "d10" / "data" / "t.csv").write_text("a\n")
    commit("2025-01-10")
    (root / "datasets" / "p" / "d1" / "data" / "t.csv").write_text("a\n1\n2\n")
    (root / "datasets" / "p" / "d10" / "data" / "t.csv").write_text("a\n3\n")
    commit("2025-03-03")
    (root / "datasets" / "p" / "d10" / "data" / "t.csv").write_text("a\n4\n")
    commit("2025-04-01")
    assert tl.data_updates(root, folders) == {"datasets/p/d1": dt.date(2025, 3, 3)}
    assert tl.data_updates(root, [*folders, "datasets/p/d10"])["datasets/p/d10"] == dt.date(2025, 4, 1)


def test_the_parse_cache_writes_only_what_was_added_while_that_is_little(tmp_path):
    """A load that parsed one descriptor of many writes that entry alone (``parsed-new.marshal``,
    tied to the cache file it follows), not the whole cache again (90 MB at 10,000 descriptors);
    the next load reads both and parses nothing; when the added entries grow past a share of the
    file, the file is written whole again (its unused entries dropped) and the delta goes."""
    files, folder = _cached(tmp_path, [f"name: d{i}\ntitle: 数据集 {i}\n" for i in range(20)])
    base = folder / parsecache.FILE
    stamp = (base.stat().st_ino, base.stat().st_mtime_ns)
    files[3].write_text("name: d3\ntitle: 改了\n", encoding="utf-8")
    second = parsecache.ParseCache(folder)
    data = [second.load(path)[0] for path in files]
    second.save(whole=True)
    assert second.parsed == 1 and (base.stat().st_ino, base.stat().st_mtime_ns) == stamp
    assert (folder / parsecache.DELTA).is_file()
    third = parsecache.ParseCache(folder)
    assert [third.load(path)[0] for path in files] == data and third.parsed == 0
    for path in files[:5]:
        path.write_text(path.read_text("utf-8") + "version: 2.0.0\n", encoding="utf-8")
    fourth = parsecache.ParseCache(folder)
    for path in files:
        fourth.load(path)
    fourth.save(whole=True)
    assert fourth.parsed == 5 and not (folder / parsecache.DELTA).exists()
    assert (base.stat().st_ino, base.stat().st_mtime_ns) != stamp
    fifth = parsecache.ParseCache(folder)
    for path in files:
        fifth.load(path)
    assert fifth.parsed == 0 and len(fifth._read()) == 20


def test_cached_descriptors_share_their_repeated_strings(tmp_path):
    """The parse cache marshals a descriptor's strings as interned: read back, the field names,
    types and titles that many descriptors repeat are one object each (less memory, fewer page
    faults at 10,000 datasets), the data is equal to a fresh parse, and a long text is kept whole."""
    from govdata.catalog.safeyaml import load_descriptor

    long_text = "很长的说明。" * 500  # past INTERNED_UP_TO
    files, folder = _cached(
        tmp_path,
        [
            f"name: d{i}\ntitle: 学校名录\ndescription: {long_text}\n"
            "resources:\n  - name: schools\n    schema:\n      fields:\n"
            "        - {name: school_code, type: string, title: 学校标识码}\n"
            for i in range(2)
        ],
    )
    reader = parsecache.ParseCache(folder)
    a, b = (reader.load(path)[0] for path in files)
    assert reader.parsed == 0
    assert a == load_descriptor(files[0])[0] and b["description"] == long_text
    field_a, field_b = (d["resources"][0]["schema"]["fields"][0] for d in (a, b))
    assert field_a["title"] is field_b["title"] and a["title"] is b["title"]
    assert next(iter(field_a)) is next(iter(field_b))  # the keys too


def _cached(tmp_path, texts: list[str]):
    """Descriptor files ``d0.yaml``… of ``texts``, parsed once into a parse cache written whole:
    the files and the cache's folder."""
    files = []
    for i, text in enumerate(texts):
        path = tmp_path / f"d{i}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    folder = tmp_path / "cache"
    writer = parsecache.ParseCache(folder)
    for path in files:
        writer.load(path)
    writer.save(whole=True)
    return files, folder
