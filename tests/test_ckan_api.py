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
    assert set(result["records"][0]) == {"_id", "date", "holiday_zh"}
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
