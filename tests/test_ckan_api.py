"""The CKAN-compatible API with the real `ckanapi` client against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import httpx
import pytest


@pytest.fixture(scope="module")
def ckan(live_server):
    return ckanapi.RemoteCKAN(live_server)


def test_status_and_lists(ckan, built):
    assert ckan.action.status_show()["ckan_version"].startswith("2.")
    data = json.loads((built / "directory" / "data.json").read_text())
    assert sorted(ckan.action.package_list()) == sorted(d["identifier"] for d in data["dataset"])
    orgs = ckan.action.organization_list(all_fields=True)
    assert {o["name"] for o in orgs} >= {"zj-gov", "hz-amr", "xh-village"}
    levels = {e["value"] for o in orgs for e in o["extras"] if e["key"] == "level"}
    assert levels == {"province", "city", "county", "township", "village"}
    assert "credit" in ckan.action.group_list()
    assert {lic["id"] for lic in ckan.action.license_list()} >= {"CC-BY-4.0", "CC0-1.0"}


def test_package_search_chinese_and_facets(ckan):
    result = ckan.action.package_search(
        q="行政处罚", rows=100, **{"facet.field": ["organization", "groups", "res_format"]}
    )
    names = {p["name"] for p in result["results"]}
    assert {"zj-admin-penalties", "hz-shuanggongshi"} <= names
    assert result["count"] == len(result["results"])
    orgs = {i["name"]: i["count"] for i in result["search_facets"]["organization"]["items"]}
    assert orgs.get("hz-amr") == 1 and orgs.get("zj-amr") == 1
    only = ckan.action.package_search(fq="organization:hz-amr", rows=5)
    assert [p["name"] for p in only["results"]] == ["hz-shuanggongshi"]
    by_group = ckan.action.package_search(fq="groups:environment")
    assert by_group["count"] >= 1
    page = ckan.action.package_search(rows=2, start=1, sort="name asc")
    everything = ckan.action.package_search(rows=1000, sort="name asc")
    assert [p["name"] for p in page["results"]] == [p["name"] for p in everything["results"][1:3]]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows=5000)


def test_package_and_organization_show(ckan):
    pkg = ckan.action.package_show(id="zj-admin-divisions")
    assert pkg["title"] == "全国行政区划代码" and pkg["license_id"] == "CC0-1.0" and pkg["isopen"]
    csv_res = [r for r in pkg["resources"] if r["format"] == "CSV"][0]
    assert csv_res["hash"].startswith("sha256:") and csv_res["size"] > 0
    assert ckan.action.resource_show(id=csv_res["id"])["url"] == csv_res["url"]
    org = ckan.action.organization_show(id="hz-gov", include_datasets=True)
    assert set(org["children"]) >= {"hz-amr", "hz-fin", "hz-eco", "xh-gov"}
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")


def test_datastore_search(ckan):
    pkg = ckan.action.package_show(id="zj-holiday-calendar")
    rid = [r for r in pkg["resources"] if r["datastore_active"]][0]["id"]
    result = ckan.action.datastore_search(
        resource_id=rid, filters={"day_type": "makeup_workday"}, limit=3, sort="date desc", fields="date,holiday_zh"
    )
    assert result["total"] > 100 and len(result["records"]) == 3
    assert set(result["records"][0]) == {"date", "holiday_zh"}  # CKAN: _id only when asked for
    assert result["records"][0]["date"] > result["records"][1]["date"]
    assert ckan.action.datastore_search(resource_id=rid, q="国庆节", limit=0)["total"] > 50
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=rid, sort="date; drop table days")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=rid, limit=100000)


def test_get_only_client_and_both_paths(live_server):
    get_only = ckanapi.RemoteCKAN(live_server, get_only=True)
    # the holiday calendar, and the timeliness list that counts working days by it
    assert get_only.action.package_search(q="节假日")["count"] == 2
    for path in ("/api/3/action/package_list", "/api/action/package_list"):
        r = httpx.get(live_server + path, follow_redirects=False)
        assert r.status_code == 200 and r.json()["success"] is True
    r = httpx.post(live_server + "/api/3/action/package_show", json={"id": "nope"})
    assert r.status_code == 404
    assert r.json()["error"]["__type"] == "Not Found Error" and r.json()["success"] is False


def test_ckanapi_dump_datasets_all(live_server, tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    out = tmp_path / "dump.jsonl"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "ckanapi"),
            "dump",
            "datasets",
            "--all",
            "-r",
            live_server,
            "-O",
            str(out),
            "-p",
            "2",
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    names = ckanapi.RemoteCKAN(live_server).action.package_list()
    assert sorted(r["name"] for r in records) == sorted(names)


# ---- Solr syntax in q / fq (serve/ckanquery.py): CKAN's meaning, or a 409 Search Error --------------


@pytest.fixture(scope="module")
def packages(built) -> dict[str, dict]:
    return {p["name"]: p for p in json.loads((built / "directory" / "ckan.json").read_text("utf-8"))["packages"]}


def _names(ckan, **params) -> set[str]:
    result = ckan.action.package_search(rows=1000, **params)
    names = {p["name"] for p in result["results"]}
    assert result["count"] == len(names)
    return names


def test_incremental_harvest_ranges(ckan, packages):
    """ckanext-harvest's CKAN harvester asks `metadata_modified:[<last run>Z TO *]`, sorted by id."""
    stamps = sorted({p["metadata_modified"] for p in packages.values()})
    since = stamps[len(stamps) // 2]  # a date some datasets were modified after and some before
    after = {n for n, p in packages.items() if p["metadata_modified"] >= since}
    assert 0 < len(after) < len(packages)
    result = ckan.action.package_search(fq=f"metadata_modified:[{since}Z TO *]", sort="id asc", rows=1000)
    assert [p["name"] for p in result["results"]] == sorted(after)
    assert _names(ckan, fq=f"metadata_modified:{{{since}Z TO *]") == after - {
        n for n, p in packages.items() if p["metadata_modified"] == since
    }
    assert _names(ckan, fq=f"metadata_created:[* TO {since}Z]") == {
        n for n, p in packages.items() if p["metadata_created"] <= since
    }
    assert _names(ckan, fq="metadata_modified:[* TO NOW]") == set(packages)
    assert _names(ckan, fq="num_resources:[1 TO *]") == {n for n, p in packages.items() if p["num_resources"] >= 1}
    assert _names(ckan, fq="num_tags:{4 TO *]") == {n for n, p in packages.items() if p["num_tags"] > 4}
    assert _names(ckan, fq="num_resources:0") == {n for n, p in packages.items() if p["num_resources"] == 0}


def test_boolean_filters_and_prefixes(ckan, packages):
    lic = lambda *ids: {n for n, p in packages.items() if p["license_id"] in ids}  # noqa: E731
    org = lambda *ids: {n for n, p in packages.items() if p["owner_org"] in ids}  # noqa: E731
    assert _names(ckan, fq="license_id:CC-BY-4.0 OR license_id:CC0-1.0") == lic("CC-BY-4.0", "CC0-1.0")
    assert _names(ckan, fq="license_id:(CC-BY-4.0 || CC0-1.0)") == lic("CC-BY-4.0", "CC0-1.0")
    assert _names(ckan, fq="(organization:hz-amr OR organization:zj-amr)") == org("hz-amr", "zj-amr")
    assert len(org("hz-amr", "zj-amr")) == 2
    assert _names(ckan, fq="NOT license_id:CC0-1.0") == set(packages) - lic("CC0-1.0")
    assert _names(ckan, fq="organization:(zj-gov OR hz-amr) AND -license_id:CC0-1.0") == org("zj-gov", "hz-amr") - lic(
        "CC0-1.0"
    )
    assert _names(ckan, fq="organization:zj-gov", fq_list=["license_id:CC0-1.0"]) == org("zj-gov") & lic("CC0-1.0")
    assert _names(ckan, fq="name:hz-*") == {n for n in packages if n.startswith("hz-")}
    assert _names(ckan, fq="level:[* TO *]") == set(packages)  # every dataset has a level
    assert _names(ckan, fq="tags:*") == {n for n, p in packages.items() if p["tags"]}
    assert _names(ckan, q="*:*", fq="+state:active +capacity:public") == set(packages)


def _folded(text: str) -> str:
    from govdata.textsearch import fold

    return fold(text)


def test_field_queries_and_operators_in_q(ckan, packages):
    def in_field(field: str, word: str) -> set[str]:
        return {n for n, p in packages.items() if _folded(word) in _folded(p.get(field) or "")}

    titled = in_field("title", "行政处罚")
    assert len(titled) >= 2
    assert _names(ckan, q="title:行政处罚") == titled
    assert _names(ckan, q='title:"行政处罚"') == titled
    assert _names(ckan, q="notes:处罚") == in_field("notes", "处罚")
    assert _names(ckan, q="tags:行政处罚") == {
        n for n, p in packages.items() if "行政处罚" in {t["name"] for t in p["tags"]}
    }
    assert _names(ckan, q="name:zj-*") == {n for n in packages if n.startswith("zj-")}
    assert _names(ckan, q="organization:hz-amr") == {n for n, p in packages.items() if p["owner_org"] == "hz-amr"}
    assert _names(ckan, q="res_format:CSV") == {
        n for n, p in packages.items() if "CSV" in {r["format"] for r in p["resources"]}
    }
    # free words keep the portal's substring match; the operators combine them as Solr does
    penalty, budget = _names(ckan, q="处罚"), _names(ckan, q="预算")
    assert penalty and budget and not penalty >= budget
    assert _names(ckan, q="处罚 OR 预算") == penalty | budget
    assert _names(ckan, q="处罚 AND 预算") == _names(ckan, q="处罚 预算") == penalty & budget
    assert _names(ckan, q="NOT 处罚") == set(packages) - penalty
    assert _names(ckan, q="-处罚 预算") == budget - penalty
    assert _names(ckan, q="(处罚 OR 预算) AND license_id:CC0-1.0") == (penalty | budget) & {
        n for n, p in packages.items() if p["license_id"] == "CC0-1.0"
    }


@pytest.mark.parametrize(
    "param, value, names",
    [
        ("fq", "((((((((((", "nested deeper"),
        ("fq", "((organization:zj-gov)", "never closed"),
        ("fq", "organization:zj-gov)", "closes nothing"),
        ("q", '"行政处罚', "quote"),
        ("q", "title:处罚~2", "fuzzy"),
        ("fq", "name:*-gov", "wildcard"),
        ("fq", "organisation:zj-gov", "organisation"),
        ("fq", "metadata_modified:[last-week TO *]", "last-week"),
        ("fq", "metadata_modified:[2025-01-01T00:00:00Z *]", "range"),
        ("q", "/处.罚/", "regular expressions"),
        ("q", "{!lucene}处罚", "Local parameters"),
        ("q", "处罚 AND", "AND"),
        ("fq", "num_tags:[x TO *]", "integer"),
    ],
)
def test_syntax_not_understood_is_a_search_error(ckan, live_server, param, value, names):
    """Never `success: true` with 0 results: CKAN answers a Solr syntax error with 409 Search Error."""
    with pytest.raises(ckanapi.SearchError) as caught:
        ckan.action.package_search(**{param: value})
    assert names in str(caught.value) and param in str(caught.value)
    r = httpx.get(f"{live_server}/api/3/action/package_search", params={param: value})
    assert r.status_code == 409 and r.json()["success"] is False and r.json()["error"]["__type"] == "Search Error"


def _solr_strings():
    from hypothesis import strategies as st

    atom = st.sampled_from(
        [
            "处罚",
            '"行政 处罚"',
            "organization:zj-gov",
            "name:hz-*",
            "tags:*",
            "metadata_modified:[2025-01-01T00:00:00Z TO *]",
            "num_tags:{3 TO 5]",
            "title:(预算 OR 学校)",
            "*:*",
            "(",
            ")",
            '"',
            "[",
            "]",
            "{",
            "}",
            ":",
            "*",
            "?",
            "~",
            "^2",
            "\\",
            "-",
            "+",
            "!",
            "AND",
            "OR",
            "NOT",
            "&&",
            "||",
            "TO",
            "/",
            "x:",
            "level:",
        ]
    )
    return st.lists(st.one_of(atom, st.text(max_size=6)), max_size=40).flatmap(
        lambda parts: st.sampled_from([" ", ""]).map(lambda sep: sep.join(parts))
    )


def test_generated_q_and_fq_never_fail_the_server(datasette_app):
    """Any q / fq: 200 or a 409 envelope, never a 5xx."""
    import asyncio

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.sampled_from(["q", "fq"]), _solr_strings())
    def check(param, text):
        r = asyncio.run(datasette_app.client.get("/api/3/action/package_search", params={param: text}))
        assert r.status_code in (200, 409), (text, r.text[:300])
        body = r.json()
        if r.status_code == 409:
            assert body["success"] is False and body["error"]["__type"] in ("Search Error", "Validation Error")

    check()


def test_generated_queries_do_bounded_work(built):
    """No super-linear work on user input (issue 12): a query of n characters is at most n tokens,
    each parsed once, and at most MAX_CLAUSES leaf clauses are evaluated, each once."""
    from hypothesis import HealthCheck, given, settings

    from govdata.serve import ckanquery
    from govdata.serve.buildstate import BuildState

    directory = BuildState(built).directory
    assert directory is not None
    leaves = []

    class Counting(ckanquery.Evaluator):
        def leaf(self, leaf, score):
            leaves.append(leaf)
            return super().leaf(leaf, score)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(_solr_strings())
    def check(text):
        text = text * 30  # long inputs: up to thousands of characters
        leaves.clear()
        try:
            tokens = ckanquery.tokenize(text, "q")
            assert len(tokens) <= len(text)
            Counting(directory).match(text, "q", score=True)
        except ckanquery.SearchSyntaxError:
            pass
        assert len(leaves) <= ckanquery.MAX_CLAUSES

    check()


def test_datastore_records_formats_and_distinct(ckan, built):
    import sqlite3

    pkg = ckan.action.package_show(id="zj-holiday-calendar")
    res = [r for r in pkg["resources"] if r["datastore_active"]][0]
    common = dict(resource_id=res["id"], limit=5, sort="date desc", fields="date,day_type")
    objects = ckan.action.datastore_search(**common)
    assert [f["id"] for f in objects["fields"]] == ["date", "day_type"]  # CKAN: the fields asked for
    lists = ckan.action.datastore_search(records_format="lists", **common)
    assert lists["records"] == [[r["date"], r["day_type"]] for r in objects["records"]]
    text = ckan.action.datastore_search(records_format="csv", **common)["records"]
    assert text == "".join(f"{r['date']},{r['day_type']}\n" for r in objects["records"])
    tsv = ckan.action.datastore_search(records_format="tsv", **common)["records"]
    assert tsv == text.replace(",", "\t")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=res["id"], records_format="xml")
    db = sqlite3.connect(next(built.rglob("zj-holiday-calendar.db")))
    expected = sorted(v for (v,) in db.execute(f'SELECT DISTINCT day_type FROM "{res["table"]}"'))
    distinct = ckan.action.datastore_search(resource_id=res["id"], distinct=True, fields="day_type")
    assert sorted(r["day_type"] for r in distinct["records"]) == expected and distinct["total"] == len(expected)
    everything = ckan.action.datastore_search(resource_id=res["id"], limit=1)
    assert everything["fields"][0]["id"] == "_id" and "_id" in everything["records"][0]


def test_help_links_answer_and_writes_are_refused(ckan, live_server):
    from govdata.serve.ckan import ACTIONS

    for name in [*ACTIONS, "datastore_search"]:
        r = httpx.get(f"{live_server}/api/3/action/help_show", params={"name": name})
        assert r.status_code == 200 and r.json()["success"] is True, name
        assert len(r.json()["result"]) > 20, name
    assert "metadata_modified" in ckan.action.help_show(name="package_search")
    envelope = httpx.get(f"{live_server}/api/3/action/package_search", params={"q": "预算"}).json()
    assert httpx.get(envelope["help"]).json()["result"] == ckan.action.help_show(name="package_search")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.help_show(name="package_create")
    for method in ("PUT", "DELETE", "PATCH"):
        r = httpx.request(method, f"{live_server}/api/3/action/package_list")
        assert (
            r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST, OPTIONS" and r.json()["success"] is False
        )


def test_the_directory_is_read_package_by_package_with_repeats_shared(built):
    """Each worker holds the CKAN directory: read one package at a time, equal parts (organisation,
    tags, groups, extras, short strings) one object, the same document as a whole parse — also
    when ckan.json is not laid out as the build writes it (pretty-printed: parsed whole)."""
    from govdata.serve.ckanparams import read_directory

    text = (built / "directory" / "ckan.json").read_text("utf-8")
    whole = json.loads(text)
    for layout in (text, json.dumps(whole, ensure_ascii=False, indent=2)):
        data = read_directory(layout)
        assert data == whole
        by_org: dict[str, list] = {}
        for p in data["packages"]:
            by_org.setdefault(p["owner_org"], []).append(p)
        shared = [ps for ps in by_org.values() if len(ps) > 1]
        assert shared and all(p["organization"] is ps[0]["organization"] for ps in shared for p in ps)
        formats = [r["format"] for p in data["packages"] for r in p["resources"] if r["format"] == "CSV"]
        assert len(formats) > 1 and all(f is formats[0] for f in formats)
    assert read_directory(text.replace('"packages":[', '"packages":[ ', 1)) == whole  # not as written: whole


def test_organization_show_includes_the_first_10_datasets(built):
    """As CKAN 2.10: ``include_datasets`` lists the first 10 (package_search's default rows; at
    10,000 datasets one publisher's whole list was a 48 MB answer, and the first 1,000 4.8 MB); the
    count stays whole."""
    from govdata.serve.ckan import organization_show
    from govdata.serve.ckanparams import Directory

    data = json.loads((built / "directory" / "ckan.json").read_text("utf-8"))
    template = data["packages"][0]
    data["packages"] = [dict(template, name=f"p-{i:05d}", id=f"p-{i:05d}") for i in range(1200)]
    org = template["owner_org"]
    for o in data["organizations"]:
        if o["name"] == org:
            o["package_count"] = 1200
    shown = organization_show(Directory(data), {"id": org, "include_datasets": "true"})
    assert len(shown["packages"]) == 10 and shown["package_count"] == 1200
    assert shown["packages"][0]["name"] == "p-00000"


def test_current_package_list_with_resources_pages_newest_first(ckan):
    """The action harvesters page through (ckanext-harvest's CKAN harvester, ckanapi): whole
    packages, most recently modified first, ``limit``/``offset``, bounded."""
    every = ckan.action.current_package_list_with_resources(limit=1000)
    assert len(every) == len(ckan.action.package_list())
    stamps = [p["metadata_modified"] for p in every]
    assert stamps == sorted(stamps, reverse=True) and all(p["resources"] for p in every if p["num_resources"])
    page = ckan.action.current_package_list_with_resources(limit=3, offset=2)
    assert [p["name"] for p in page] == [p["name"] for p in every[2:5]]
    assert len(ckan.action.current_package_list_with_resources()) == min(10, len(every))
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.current_package_list_with_resources(limit=5000)
