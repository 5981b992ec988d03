"""Directory formats generated from the one descriptor: DCAT-AP 3 (official SHACL shapes),
schema.org in the landing pages, the Chinese catalogue core metadata, the dump."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH


@pytest.fixture(scope="module")
def shapes(shared):
    g = Graph()
    folder = shared / "standards" / "dcat-ap-3.0.1"
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        g.parse(folder / name)
    # The official 3.0.1 release references five property shapes that neither file defines;
    # pyshacl refuses such a shapes graph, so the dangling references are dropped (documented in docs/api.md).
    dangling = [(s, o) for s, o in g.subject_objects(SH.property) if (o, SH.path, None) not in g]
    assert len(dangling) <= 5
    for s, o in dangling:
        g.remove((s, SH.property, o))
    return g


def _validate(graph, shapes):
    from pyshacl import validate

    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none")
    return conforms, text


def test_dcat_ap_catalogue_conforms(built, shapes):
    g = Graph().parse(built / "directory" / "dcat-ap.jsonld", format="json-ld")
    conforms, text = _validate(g, shapes)
    assert conforms, text[:3000]
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) >= 8
    titles = {
        (str(t), t.language)
        for t in g.objects(URIRef("http://127.0.0.1:8001/datasets/zj-admin-divisions"), DCTERMS.title)
    }
    assert ("全国行政区划代码", "zh") in titles and any(lang == "en" for _, lang in titles)
    assert list(g.subjects(RDF.type, DCAT.DataService))
    # a planted violation is caught: a dataset without a title
    for t in list(g.objects(datasets[0], DCTERMS.title)):
        g.remove((datasets[0], DCTERMS.title, t))
    assert not _validate(g, shapes)[0]


def test_dcat_ap_version_notes_once_and_rights_where_they_belong(built):
    """A restricted dataset's conditions are its distributions' dct:rights, not a second
    adms:versionNotes: every dataset has at most one, its current release's notes."""
    from rdflib import RDFS, Namespace

    adms = Namespace("http://www.w3.org/ns/adms#")
    g = Graph().parse(built / "directory" / "dcat-ap.jsonld", format="json-ld")
    portal = json.loads((built / "directory" / "portal.json").read_text("utf-8"))
    restricted = 0
    for entry in portal["datasets"]:
        ds = URIRef(f"http://127.0.0.1:8001/datasets/{entry['id']}")
        notes = [str(n) for n in g.objects(ds, adms.versionNotes)]
        index = built / "downloads" / entry["id"] / "releases" / "index.json"
        releases = json.loads(index.read_text("utf-8"))["releases"] if index.is_file() else []
        expected = [r["notes"] for r in releases if r["latest"] and r["notes"]]
        assert notes == expected and len(expected) == len(releases[:1]), entry["id"]  # none without a release
        if entry.get("open_condition") in ("conditional", "not_open"):
            dists = list(g.objects(ds, DCAT.distribution))
            labels = {
                str(label) for d in dists for r in g.objects(d, DCTERMS.rights) for label in g.objects(r, RDFS.label)
            }
            assert len(labels) == (1 if dists else 0) and all("开放" in t for t in labels), entry["id"]
            restricted += 1
    assert restricted >= 2


def test_dcat_ap_turtle_and_per_dataset_documents(built, shapes):
    ttl = Graph().parse(built / "directory" / "dcat-ap.ttl", format="turtle")
    jsonld = Graph().parse(built / "directory" / "dcat-ap.jsonld", format="json-ld")
    assert len(ttl) == len(jsonld)
    one = Graph().parse(built / "downloads" / "zj-admin-divisions" / "dcat-ap.jsonld", format="json-ld")
    assert _validate(one, shapes)[0]


def test_schema_org_in_every_landing_page(datasette_app, built):
    import asyncio

    data = json.loads((built / "directory" / "data.json").read_text())
    for entry in data["dataset"]:
        page = asyncio.run(datasette_app.client.get(f"/datasets/{entry['identifier']}"))
        assert page.status_code == 200
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
        assert len(blocks) == 1
        ld = json.loads(blocks[0])
        assert ld["@type"] == "Dataset" and ld["name"] == entry["title"]
        assert 50 <= len(ld["description"]) <= 5000
        for key in (
            "url",
            "identifier",
            "keywords",
            "license",
            "creator",
            "datePublished",
            "dateModified",
            "includedInDataCatalog",
            "variableMeasured",
        ):
            assert ld.get(key), (entry["identifier"], key)
        if entry["accessLevel"] == "public":
            assert ld["distribution"] and all(d["contentUrl"].startswith("http") for d in ld["distribution"])
        assert f'href="/downloads/{entry["identifier"]}/datapackage.json"' in page.text
        assert f'href="/downloads/{entry["identifier"]}/dcat-ap.jsonld"' in page.text


def test_chinese_catalogue_metadata(built):
    doc = json.loads((built / "directory" / "catalog-cn.json").read_text())
    assert doc["format_version"] == "1.0"
    keys = [
        "分类",
        "名称",
        "代码",
        "提供方",
        "提供方代码",
        "摘要",
        "格式",
        "信息项",
        "共享属性",
        "开放属性",
        "更新周期",
        "发布日期",
        "关联资源代码",
    ]
    for e in doc["entries"]:
        assert list(e) == keys
    rows = list(csv.reader(io.StringIO((built / "directory" / "catalog-cn.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == keys and len(rows) == len(doc["entries"]) + 1
    assert {e["开放属性"] for e in doc["entries"]} == {"无条件开放", "有条件开放", "不予开放"}


def test_dump_and_versions(built):
    dump = json.loads((built / "directory" / "catalog-dump.json").read_text())
    data = json.loads((built / "directory" / "data.json").read_text())
    assert dump["format_version"] == "1.0" and len(dump["datasets"]) == len(data["dataset"])
    assert data["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"


def test_dcat_ap_joined_from_pieces_is_the_whole_graph(built):
    """The catalogue's DCAT-AP is joined from per-dataset pieces (directory/fragments.py, written
    without rdflib's serialisers); parsed back, JSON-LD and Turtle are the graph rdflib builds whole."""
    from rdflib.compare import isomorphic

    from govdata.catalog.loader import load
    from govdata.directory import dcatap
    from govdata.directory.record import build_record

    manifest = json.loads((built / "manifest.json").read_text("utf-8"))
    catalog, _ = load(Path(manifest["root"]))
    records = []
    for name in manifest["datasets"]:
        entry = manifest["entries"][name]
        rec = build_record(catalog, catalog.dataset(name), entry["exports"], entry["rows"])
        rec.releases = entry.get("releases") or []
        records.append(rec)
    whole = dcatap.build_graph(catalog, records)
    jsonld = Graph().parse(built / "directory" / "dcat-ap.jsonld", format="json-ld")
    ttl = Graph().parse(built / "directory" / "dcat-ap.ttl", format="turtle")
    assert len(whole) > 1000 and isomorphic(jsonld, whole) and isomorphic(ttl, whole)
    one = Graph().parse(built / "downloads" / "xh-schools" / "dcat-ap.jsonld", format="json-ld")
    assert isomorphic(one, dcatap.build_graph(catalog, [r for r in records if r.id == "xh-schools"]))


def test_a_names_json_is_the_encoders():
    """fragments.name_json (no encoder for plain names) writes what json.dumps writes, for any text."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from govdata.directory.fragments import dumps, name_json

    @settings(max_examples=300, deadline=None)
    @given(st.text())
    def same(name: str) -> None:
        assert name_json(name) == dumps(name)

    same()
    for name in ("xh-schools-00001", 'a"b', "a\\b", "\x7f", "\u2028", "处罚"):
        assert name_json(name) == dumps(name)
