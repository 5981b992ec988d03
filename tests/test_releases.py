"""Releases (issue 16): a sample dataset released four times in a git repository (1.0.0; 1.0.1 a
value changed; 1.1.0 a column and a row added; 2.0.0 a column renamed with a major bump and a row
removed), the exact diffs, the store rebuilt byte for byte from a fresh clone, every release's
files downloaded from a real server with their recorded checksums, valid Atom feeds, DCAT-AP
version links against the official shapes, CKAN activities and data.json versions."""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF

from govdata.publish import packs
from govdata.publish.releases import Store
from govdata.publish.sides import view_locator
from tests import releases_sample as sample
from tests.conftest import GOVDATA, free_port, start_server
from tests.test_directory_formats import _validate, shapes  # noqa: F401 (the official DCAT-AP shapes fixture)

DS = sample.NAME
V = "http://www.w3.org/ns/dcat#"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The sample repository built after each of its four commits, and a fresh clone replayed."""
    from govdata.publish.builder import build

    base = tmp_path_factory.mktemp("releases")
    repo, out = base / "repo", base / "out"
    sample.init(repo)
    for i in range(len(sample.RELEASES)):
        sample.write_release(repo, i)
        build(repo, out)
    clone, replay = base / "clone", base / "replay"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
    subprocess.run([*GOVDATA, "releases", "rebuild", "--out", str(replay)], cwd=clone, check=True, capture_output=True)
    return {"repo": repo, "out": out, "clone": clone, "replay": replay}


@pytest.fixture(scope="module")
def server(history):
    port = free_port()
    proc = start_server(history["clone"], history["replay"], port)
    yield f"http://127.0.0.1:{port}"
    proc.kill()
    proc.wait()


def _diff(out: Path, release: str) -> dict:
    return json.loads((out / "releases" / DS / release / "diff.json").read_text("utf-8"))


def _view(out: Path) -> Path:
    return (out / "current").resolve() / "downloads" / DS / "releases"


def test_three_releases_exact_diffs(history):
    out = history["out"]
    assert json.loads((out / "releases" / DS / "log.json").read_text()) == ["1.0.0", "1.0.1", "1.1.0", "2.0.0"]
    assert not (out / "releases" / DS / "1.0.0" / "diff.json").exists()  # the first release
    empty = {
        "added": [],
        "dropped": [],
        "renamed": [],
        "retyped": [],
        "constraints": [],
        "primary_key": None,
        "foreign_keys": None,
    }
    expected = {
        "1.0.1": (
            {**empty, "breaking": False, "changed": False},
            (0, 0, 1),
            {"amount": 1},
            'changed,B,amount,"[{""field"":""amount"",""before"":""20"",""after"":""25""}]"',
        ),
        "1.1.0": (
            {**empty, "added": [{"field": "unit", "type": "string"}], "breaking": False, "changed": True},
            (1, 0, 0),
            {},
            "added,F,,",
        ),
        "2.0.0": (
            {**empty, "renamed": [{"from": "amount", "to": "fee"}], "breaking": True, "changed": True},
            (0, 1, 0),
            {},
            "removed,A,,",
        ),
    }
    previous = {"1.0.1": "1.0.0", "1.1.0": "1.0.1", "2.0.0": "1.1.0"}
    for release, (schema, counts, fields, line) in expected.items():
        d = _diff(out, release)
        assert (d["from"], d["to"]) == (previous[release], release)
        assert d["schema"]["resources"]["fees"] == schema, release
        assert d["schema"]["breaking"] is schema["breaking"]
        rows = d["rows"]["fees"]
        assert (rows["added"], rows["removed"], rows["changed"]) == counts, release
        assert rows["fields"] == fields and rows["key"] == ["code"]
        text = (_view(out) / release / "diff-fees.csv").read_text("utf-8")
        assert text == "_change,code,_changed_fields,_detail\n" + line + "\n", release
        assert hashlib.sha256(text.encode()).hexdigest() == rows["sha256"]
    assert _diff(out, "2.0.0")["rows"]["fees"]["compared"] == ["code", "item", "fee", "unit"]


def test_release_manifests_dates_notes_and_immutable_store(history, tmp_path):
    out, repo = history["out"], history["repo"]
    commits = sample.git(repo, "log", "--format=%H", "--reverse").split()[1:]
    for i, (version, notes, message, _, rows) in enumerate(sample.RELEASES):
        m = json.loads((out / "releases" / DS / version / "release.json").read_text("utf-8"))
        assert (m["version"], m["release"], m["commit"]) == (version, version, commits[i])
        assert m["date"] == f"2025-0{i + 1}-01T01:00:00Z"  # the commit's date (09:00 +08:00), in UTC
        assert m["notes"] == (notes or message)  # version_notes, else the commit's subject
        csv = next(f for f in m["files"] if f["format"] == "csv")
        assert csv["rows"] == len(rows)
        for f in m["files"]:
            obj = out / "releases" / "objects" / f["sha256"][:2] / f["sha256"]
            stored = [obj] if obj.is_file() else [obj.with_name(f"{f['sha256']}{x}") for x in (".zst", ".pack.json")]
            for path in stored:
                assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
            whole = Store(out).materialize(f["sha256"], tmp_path)
            assert hashlib.sha256(whole.read_bytes()).hexdigest() == f["sha256"] and whole.stat().st_size == f["bytes"]
    # 1.0.0 is what a researcher cited: B still costs 20 there, 25 in 1.0.1
    assert "B,乙,20" in _release_file(out, "1.0.0", "fees.csv").decode("utf-8")
    assert "B,乙,25" in _release_file(out, "1.0.1", "fees.csv").decode("utf-8")
    assert (_view(out) / "latest" / "fees.csv").read_bytes() == (_view(out) / "2.0.0" / "fees.csv").read_bytes()


def _release_file(out: Path, release: str, path: str) -> bytes:
    """A release's file as the build's view holds it: whole, or reconstructed from its pack."""
    folder = _view(out) / release
    if (folder / path).is_file():
        return (folder / path).read_bytes()
    m = json.loads((folder / "release.json").read_text("utf-8"))
    sha = next(f["sha256"] for f in m["files"] if f["path"] == path)
    with tempfile.TemporaryDirectory() as tmp:
        return packs.materialize(view_locator(folder.parent), sha, Path(tmp)).read_bytes()


def test_superseded_releases_are_packed_and_the_latest_is_whole(history):
    """The newest release's CSV and Parquet are whole in the store (hard links of the build's
    exports); a superseded release's CSV is a reverse delta against its successor's; every
    file reconstructs to its recorded sha256."""
    out = history["out"]
    store, ids = Store(out), json.loads((out / "releases" / DS / "log.json").read_text())
    for i, release in enumerate(ids):
        m = store.manifest(DS, release)
        for f in m["files"]:
            if f["format"] == "json":
                continue
            obj = store.object(f["sha256"])
            if i == len(ids) - 1:
                exported = (out / "current").resolve() / "downloads" / DS / f["path"]
                assert obj.is_file() and os.path.samestat(obj.stat(), exported.stat()), (release, f["path"])
            elif f["format"] == "csv":
                meta = packs.read_meta(obj, f["sha256"])
                assert not obj.exists() and meta is not None, (release, f["path"])
                successor = store.manifest(DS, ids[i + 1])
                assert meta["base"] == next(g["sha256"] for g in successor["files"] if g["path"] == f["path"])
                assert meta["packed_bytes"] < f["bytes"] / 2
            assert _release_file(out, release, f["path"]) == _release_file(history["replay"], release, f["path"])


def test_unchanged_data_is_stored_once_and_changes_without_bump_get_a_revision(history, tmp_path):
    from govdata.publish.builder import build

    repo, out = tmp_path / "repo", tmp_path / "out"
    shutil.copytree(history["repo"], repo)
    shutil.copytree(history["out"], out, symlinks=True)
    objects = lambda: sorted(p.name for p in (out / "releases" / "objects").rglob("*") if p.is_file())  # noqa: E731
    before = objects()
    descriptor = repo / sample.FOLDER / "datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text("utf-8")
        .replace("version: 2.0.0", "version: 2.0.1")
        .replace("用于测试版本历史。", "用于测试版本历史（说明已修订）。"),
        encoding="utf-8",
    )
    build(repo, out)
    new = json.loads((out / "releases" / DS / "2.0.1" / "release.json").read_text("utf-8"))
    old = json.loads((out / "releases" / DS / "2.0.0" / "release.json").read_text("utf-8"))
    same = {f["path"]: f["sha256"] for f in old["files"] if f["format"] != "json"}
    assert {f["path"]: f["sha256"] for f in new["files"] if f["format"] != "json"} == same
    assert len(objects()) == len(before) + 2  # the new datapackage.json and the (empty) row diff, nothing else
    d = json.loads((out / "releases" / DS / "2.0.1" / "diff.json").read_text("utf-8"))
    assert (d["rows"]["fees"]["added"], d["rows"]["fees"]["removed"], d["rows"]["fees"]["changed"]) == (0, 0, 0)
    # the data changes, the version does not: a revision; 2.0.1's files stay as they were
    data = repo / sample.FOLDER / "data" / "fees.csv"
    data.write_text(data.read_text("utf-8").replace("C,丙,30", "C,丙,35"), encoding="utf-8")
    build(repo, out)
    assert json.loads((out / "releases" / DS / "log.json").read_text())[-2:] == ["2.0.1", "2.0.1+2"]
    assert json.loads((out / "releases" / DS / "2.0.1" / "release.json").read_text("utf-8")) == new
    rev = json.loads((out / "releases" / DS / "2.0.1+2" / "diff.json").read_text("utf-8"))["rows"]["fees"]
    assert (rev["changed"], rev["fields"]) == (1, {"fee": 1})
    # a rebuild of everything publishes nothing new
    build(repo, out, force=True)
    assert json.loads((out / "releases" / DS / "log.json").read_text())[-1] == "2.0.1+2"


def test_default_notes_are_this_datasets_commit_or_a_summary_of_the_diff(history, tmp_path):
    """Without version_notes, a release's notes are the subject of the commit that changed the
    dataset's own files for it, never a newer unrelated commit's (here one touching schemas/):
    with no such commit, a summary written from the diff."""
    from govdata.publish.builder import build

    repo, out = tmp_path / "repo", tmp_path / "out"
    shutil.copytree(history["repo"], repo)
    shutil.copytree(history["out"], out, symlinks=True)
    (repo / "schemas" / "unrelated.schema.json").write_text('{"fields": []}', encoding="utf-8")
    sample.git(repo, "add", "-A")
    sample.git(repo, "commit", "--quiet", "-m", "schemas: an unrelated shared schema")
    descriptor = repo / sample.FOLDER / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text("utf-8").replace("version: 2.0.0", "version: 2.0.1"), encoding="utf-8")
    data = repo / sample.FOLDER / "data" / "fees.csv"
    data.write_text(data.read_text("utf-8").replace("C,丙,30", "C,丙,35"), encoding="utf-8")
    build(repo, out)  # the change is not committed: the last commit of the dataset's folder made 2.0.0
    m = json.loads((out / "releases" / DS / "2.0.1" / "release.json").read_text("utf-8"))
    assert m["commit"] == sample.git(repo, "rev-parse", "HEAD").strip()  # date and commit: still the newest
    assert (m["notes"], m["notes_from"]) == ("fees：修改 1 行（fee 1） / fees: 1 row changed (fee 1)", "diff")
    # committed, the next change is named by its own commit
    data.write_text(data.read_text("utf-8").replace("C,丙,35", "C,丙,36"), encoding="utf-8")
    descriptor.write_text(descriptor.read_text("utf-8").replace("version: 2.0.1", "version: 2.0.2"), encoding="utf-8")
    sample.git(repo, "add", "-A")
    sample.git(repo, "commit", "--quiet", "-m", "fees: C costs 36")
    build(repo, out)
    m = json.loads((out / "releases" / DS / "2.0.2" / "release.json").read_text("utf-8"))
    assert (m["notes"], m["notes_from"]) == ("fees: C costs 36", "commit")


def test_summary_notes_name_every_kind_of_change():
    from govdata.publish.diff import summary

    assert summary(None, 1234) == "首次发布：1,234 行 / first release: 1,234 rows"
    d = {
        "schema": {
            "resources_added": ["extra"],
            "resources_removed": [],
            "resources": {
                "fees": {
                    "added": [{"field": "unit", "type": "string"}],
                    "dropped": [],
                    "renamed": [{"from": "fee", "to": "amount"}],
                    "retyped": [],
                    "constraints": [],
                    "primary_key": None,
                    "foreign_keys": None,
                }
            },
        },
        "rows": {"fees": {"added": 1, "removed": 2, "changed": 3, "fields": {"item": 3}}},
    }
    assert summary(d) == (
        "新增资源 extra；fees：新增 1 行，删除 2 行，修改 3 行（item 3），新增字段 unit，字段 fee 改名为 amount / "
        "resource extra added; fees: 1 row added, 2 rows removed, 3 rows changed (item 3), field unit added, "
        "field fee renamed amount"
    )
    assert (
        summary({"schema": {"resources": {}}, "rows": {"fees": {}}}) == "数据未变，版本号更新 / same data, new version"
    )


def test_fresh_clone_rebuilds_every_release_byte_identical(history):
    a, b = history["out"] / "releases", history["replay"] / "releases"
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 20
    mismatch = [str(p) for p in files_a if not filecmp.cmp(a / p, b / p, shallow=False)]
    assert mismatch == []


def test_every_release_downloadable_with_its_checksum_after_rebuild(history, server):
    index = httpx.get(f"{server}/downloads/{DS}/releases/index.json").json()
    assert [h["id"] for h in index["releases"]] == ["2.0.0", "1.1.0", "1.0.1", "1.0.0"] and index["latest"] == "2.0.0"
    fetched = 0
    for h in index["releases"]:
        manifest = httpx.get(f"{server}/downloads/{DS}/releases/{h['id']}/release.json").json()
        assert manifest["content_hash"] == h["content_hash"]
        for f in manifest["files"] + h["diff_files"]:
            r = httpx.get(f"{server}/downloads/{DS}/releases/{h['id']}/{f['path']}")
            assert r.status_code == 200, f["path"]
            assert hashlib.sha256(r.content).hexdigest() == f["sha256"], (h["id"], f["path"])
            assert r.headers["etag"] == f'"{f["sha256"]}"'
            fetched += 1
    assert fetched == 4 * 3 + 3
    cited = httpx.get(f"{server}/downloads/{DS}/releases/1.0.0/fees.csv")
    assert "B,乙,20" in cited.text and cited.headers["content-disposition"].endswith(f'"{DS}-1.0.0-fees.csv"')
    latest = httpx.get(f"{server}/downloads/{DS}/releases/latest/fees.parquet")
    two = next(f for f in index["releases"][0]["files"] if f["path"] == "fees.parquet")
    assert hashlib.sha256(latest.content).hexdigest() == two["sha256"]
    assert httpx.get(f"{server}/downloads/{DS}/releases/9.9.9/fees.csv").status_code == 404
    # 1.0.0's CSV is kept packed: not a file of the view, reconstructed on request (HEAD and
    # If-None-Match answered from release.json without reconstructing)
    view = (history["replay"] / "current").resolve() / "downloads" / DS / "releases"
    old = next(f for f in index["releases"][-1]["files"] if f["path"] == "fees.csv")
    assert not (view / "1.0.0" / "fees.csv").exists() and (view / ".packed" / f"{old['sha256']}.zst").is_file()
    head = httpx.head(f"{server}/downloads/{DS}/releases/1.0.0/fees.csv")
    assert head.status_code == 200 and int(head.headers["content-length"]) == old["bytes"]
    again = httpx.get(
        f"{server}/downloads/{DS}/releases/1.0.0/fees.csv", headers={"If-None-Match": f'"{old["sha256"]}"'}
    )
    assert again.status_code == 304
    assert httpx.get(f"{server}/downloads/{DS}/releases/1.0.0/nothing.csv").status_code == 404
    assert httpx.get(f"{server}/downloads/{DS}/releases/.packed/{old['sha256']}.zst").status_code == 404


def test_feeds_are_valid_atom(history, server):
    import feedparser

    for path, entries in ((f"/datasets/{DS}/changelog.atom", 4), ("/changelog.atom", 4)):
        r = httpx.get(server + path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(r.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10" and len(parsed.entries) == entries
        # RFC 4287 §4.1: one id, title and updated per feed and entry; an author; an alternate link or content
        root = ET.fromstring(r.content)
        atom = "{http://www.w3.org/2005/Atom}"
        assert root.tag == f"{atom}feed"
        for node in [root, *root.findall(f"{atom}entry")]:
            for tag in ("id", "title", "updated"):
                assert len(node.findall(f"{atom}{tag}")) == 1, (path, tag)
        assert root.find(f"{atom}author/{atom}name").text
        ids = [e.find(f"{atom}id").text for e in root.findall(f"{atom}entry")]
        assert len(set(ids)) == len(ids)
        assert all(e.find(f"{atom}link[@rel='alternate']") is not None for e in root.findall(f"{atom}entry"))
        assert parsed.entries[0].title.endswith("2.0.0") and parsed.entries[-1].title.endswith("1.0.0")
        assert parsed.feed.updated == "2025-04-01T01:00:00Z"
        assert "fees: amount → fee" in parsed.entries[0].summary


def test_dcat_version_links_pass_the_shapes(history, shapes):  # noqa: F811
    g = Graph().parse((history["replay"] / "current" / "directory" / "dcat-ap.jsonld").resolve(), format="json-ld")
    conforms, text = _validate(g, shapes)
    assert conforms, text[:3000]
    ds = URIRef(f"http://127.0.0.1:8001/datasets/{DS}")
    versions = sorted(g.objects(ds, URIRef(V + "hasVersion")))
    assert len(versions) == 4
    assert g.value(ds, URIRef(V + "version")) == Literal("2.0.0")
    node = {str(g.value(v, URIRef(V + "version"))): v for v in versions}
    for new, old in (("1.0.1", "1.0.0"), ("1.1.0", "1.0.1"), ("2.0.0", "1.1.0")):
        assert g.value(node[new], URIRef(V + "previousVersion")) == node[old]
    assert g.value(ds, URIRef(V + "previousVersion")) == node["1.1.0"]
    assert (node["1.0.0"], RDF.type, DCAT.Dataset) in g and g.value(node["1.0.0"], URIRef(V + "isVersionOf")) == ds
    notes = {str(n) for n in g.objects(ds, URIRef("http://www.w3.org/ns/adms#versionNotes"))}
    assert "金额字段改名为 fee；取消甲项目" in notes
    downloads = {str(d) for d in g.objects(node["1.0.0"], DCAT.distribution)}
    assert f"http://127.0.0.1:8001/downloads/{DS}/releases/1.0.0/fees.csv" in downloads
    # a planted violation is caught: a release without a title
    for t in list(g.objects(node["1.0.0"], URIRef("http://purl.org/dc/terms/title"))):
        g.remove((node["1.0.0"], URIRef("http://purl.org/dc/terms/title"), t))
    assert not _validate(g, shapes)[0]


def test_ckan_activities_and_data_json_versions(server):
    r = httpx.get(f"{server}/api/3/action/package_activity_list", params={"id": DS}).json()
    assert r["success"]
    acts = r["result"]
    assert [a["data"]["package"]["version"] for a in acts] == ["2.0.0", "1.1.0", "1.0.1", "1.0.0"]
    assert [a["activity_type"] for a in acts] == ["changed package"] * 3 + ["new package"]
    assert acts[0]["data"]["release"]["rows"] == {"added": 0, "removed": 1, "changed": 0}
    assert httpx.get(f"{server}/api/3/action/package_show", params={"id": DS}).json()["result"]["version"] == "2.0.0"
    assert httpx.get(f"{server}/api/3/action/package_activity_list", params={"id": "nope"}).status_code == 404
    entry = next(d for d in httpx.get(f"{server}/data.json").json()["dataset"] if d["identifier"] == DS)
    assert (entry["version"], entry["release"], entry["releaseNotes"]) == (
        "2.0.0",
        "2.0.0",
        "金额字段改名为 fee；取消甲项目",
    )


def test_pages_show_history_and_diffs_on_demand(server):
    page = httpx.get(f"{server}/datasets/{DS}").text
    assert "版本历史" in page and "fees: amount → fee" in page and "2.0.0" in page
    assert f"/downloads/{DS}/releases/2.0.0/diff-fees.csv" in page
    log = httpx.get(f"{server}/datasets/{DS}/changelog").text
    assert all(f'id="v{v}"' in log for v in ("1.0.0", "1.0.1", "1.1.0", "2.0.0"))
    en = httpx.get(f"{server}/datasets/{DS}/changelog", cookies={"lang": "en"}).text
    assert "Version history" in httpx.get(f"{server}/datasets/{DS}", cookies={"lang": "en"}).text and "Rows added" in en
    assert "示例区行政事业性收费项目 2.0.0" in httpx.get(f"{server}/changelog").text
    d = httpx.get(f"{server}/datasets/{DS}/diff.json", params={"from": "1.0.0", "to": "2.0.0"}).json()
    fees = d["rows"]["fees"]
    assert (fees["added"], fees["removed"], fees["changed"], fees["fields"]) == (1, 1, 1, {"fee": 1})
    assert d["schema"]["resources"]["fees"]["renamed"] == [{"from": "amount", "to": "fee"}]
    assert [s["code"] for s in fees["sample"]] == ["F", "B", "A"]
    assert httpx.get(f"{server}/datasets/{DS}/diff.json", params={"from": "0.1", "to": "2.0.0"}).status_code == 400
    assert httpx.get(f"{server}/datasets/{DS}/diff.json", params={"from": "../..", "to": "2.0.0"}).status_code == 400


def test_diff_cli_between_any_two_releases(history, tmp_path):
    r = subprocess.run(
        [
            *GOVDATA,
            "releases",
            "diff",
            DS,
            "1.0.0",
            "1.1.0",
            "--out",
            str(history["replay"]),
            "--rows-to",
            str(tmp_path),
        ],
        cwd=history["clone"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert r.returncode == 0, r.stderr
    fees = json.loads(r.stdout)["rows"]["fees"]
    assert (fees["added"], fees["removed"], fees["changed"]) == (1, 0, 1)
    assert (tmp_path / "diff-fees.csv").read_text("utf-8").splitlines()[1:] == [
        "added,F,,",
        'changed,B,amount,"[{""field"":""amount"",""before"":""20"",""after"":""25""}]"',
    ]


def test_schema_diff_names_every_kind_of_change():
    from govdata.publish.diff import schema_diff

    old = {
        "t": {
            "primaryKey": ["id"],
            "fields": [
                {"name": "id", "type": "integer"},
                {"name": "name", "type": "string", "title": "名称"},
                {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
                {"name": "note", "type": "string"},
                {"name": "day", "type": "string"},
            ],
        },
        "gone": {"fields": []},
    }
    new = {
        "t": {
            "primaryKey": ["id", "day"],
            "fields": [
                {"name": "id", "type": "integer"},
                {"name": "full_name", "type": "string", "title": "名称"},
                {"name": "amount", "type": "number", "constraints": {"minimum": 1}},
                {"name": "day", "type": "date"},
                {"name": "extra", "type": "boolean"},
            ],
        },
        "fresh": {"fields": []},
    }
    d = schema_diff(old, new)
    t = d["resources"]["t"]
    assert t["renamed"] == [{"from": "name", "to": "full_name"}]
    assert t["dropped"] == [{"field": "note", "type": "string"}]
    assert t["added"] == [{"field": "extra", "type": "boolean"}]
    assert t["retyped"] == [{"field": "day", "from": "string", "to": "date"}]
    assert t["constraints"] == [{"field": "amount", "from": {"minimum": 0}, "to": {"minimum": 1}}]
    assert t["primary_key"] == {"from": ["id"], "to": ["id", "day"]}
    assert (d["resources_added"], d["resources_removed"], d["breaking"]) == (["fresh"], ["gone"], True)
    assert schema_diff({"t": old["t"]}, {"t": old["t"]}) == {
        "resources_added": [],
        "resources_removed": [],
        "breaking": False,
        "resources": {
            "t": {
                "added": [],
                "dropped": [],
                "renamed": [],
                "retyped": [],
                "constraints": [],
                "primary_key": None,
                "foreign_keys": None,
                "breaking": False,
                "changed": False,
            }
        },
    }


def test_row_diff_retyped_and_keyless(tmp_path):
    import duckdb

    from govdata.publish.diff import row_diff, schema_diff

    con = duckdb.connect()
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    con.execute(
        f"COPY (SELECT * FROM (VALUES (1, '2024-01-01', 5), (2, '2024-01-02', 6), (3, 'x', 7)) t(id, day, n)) TO '{a}'"
    )
    con.execute(
        f"COPY (SELECT * FROM (VALUES (1, DATE '2024-01-01', 5), (2, DATE '2024-01-03', 6), (4, NULL, 8))"
        f" t(id, day, n)) TO '{b}'"
    )
    old = {
        "primaryKey": ["id"],
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "day", "type": "string"},
            {"name": "n", "type": "integer"},
        ],
    }
    new = {
        **old,
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "day", "type": "date"},
            {"name": "n", "type": "integer"},
        ],
    }
    sdiff = schema_diff({"t": old}, {"t": new})["resources"]["t"]
    keyed = row_diff(con, a, b, old, new, sdiff, tmp_path / "keyed.csv")
    assert (keyed["added"], keyed["removed"], keyed["changed"], keyed["fields"]) == (1, 1, 1, {"day": 1})
    assert (tmp_path / "keyed.csv").read_text().splitlines() == [
        "_change,id,_changed_fields,_detail",
        "added,4,,",
        'changed,2,day,"[{""field"":""day"",""before"":""2024-01-02"",""after"":""2024-01-03""}]"',
        "removed,3,,",
    ]
    keyless = row_diff(con, a, b, {**old, "primaryKey": []}, {**new, "primaryKey": []}, sdiff, tmp_path / "rows.csv")
    assert (keyless["key"], keyless["added"], keyless["removed"], keyless["changed"]) == ([], 2, 2, 0)


def test_the_catalogues_newest_releases_are_those_a_full_sort_gives():
    """catalogue_entries keeps the newest releases by a partial sort: the same rows, in the same
    order, as sorting every release (same dates across datasets included)."""
    import random
    from types import SimpleNamespace

    from govdata.directory import changelog

    rng = random.Random(3)
    records = [
        SimpleNamespace(
            id=f"ds-{i:03d}",
            title=f"数据集{i}",
            releases=[{"id": f"r{k}", "date": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"} for k in range(3)],
        )
        for i in range(300)
    ]
    rows = [{"dataset": r.id, "title": r.title, **h} for r in records for h in r.releases]
    rows.sort(key=lambda h: (h["date"], h["dataset"], h["id"]), reverse=True)
    assert changelog.catalogue_entries(records) == rows[: changelog.CATALOGUE_ENTRIES]
