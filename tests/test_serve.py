"""Datasette serving the build: JSON API in-process, and one real server over a port."""

from __future__ import annotations

import json

import httpx
import pytest


def _get(app, path):
    import asyncio

    return asyncio.run(app.client.get(path))


def test_json_api_answers_for_a_sample_table(datasette_app):
    r = _get(datasette_app, "/zj-holiday-calendar/days.json?_shape=array&day_type=makeup_workday&_size=5")
    assert r.status_code == 200
    rows = r.json()
    assert len(rows) == 5 and all(row["day_type"] == "makeup_workday" for row in rows)
    assert rows[0]["date"] == "2004-01-17"


def test_directory_routes(datasette_app):
    data = _get(datasette_app, "/data.json")
    assert data.status_code == 200 and data.json()["conformsTo"].endswith("/v1.1/schema")
    page = _get(datasette_app, "/datasets/zj-admin-divisions")
    assert page.status_code == 200 and "全国行政区划代码" in page.text
    assert _get(datasette_app, "/datasets/no-such-thing").status_code == 404


def test_security_headers_and_backslash_refused(datasette_app):
    r = _get(datasette_app, "/")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert _get(datasette_app, "/%5cexample.com/").status_code == 400


def test_huge_blob_queries_are_refused(datasette_app):
    """SQLite's length limit (hardening.LIMITS): a 20 MB blob fits in memory, so an unhardened
    SQLite answers 200 with its length; the limit refuses it with SQLite's own error."""
    r = _get(datasette_app, "/zj-admin-divisions.json?sql=select+length(randomblob(20000000))+as+n")
    assert r.status_code == 400, r.text[:200]
    assert r.json()["error"] == "string or blob too big"


def test_writes_are_refused(datasette_app, built):
    """Below Datasette's own SELECT-only check (which refuses these over HTTP before SQLite sees
    them): the connections themselves are read-only and refuse ATTACH."""
    import asyncio

    db = datasette_app.databases["zj-admin-divisions"]
    before = (built / "site" / "zj-admin-divisions.db").read_bytes()
    for sql in ["delete from divisions", "create table t (x)", "update divisions set name = 'x'"]:
        with pytest.raises(Exception, match="readonly"):
            asyncio.run(db.execute(sql))
    with pytest.raises(Exception, match="not authorized"):
        asyncio.run(db.execute(f"attach database '{built / 'x.db'}' as x"))
    assert not (built / "x.db").exists()
    assert (built / "site" / "zj-admin-divisions.db").read_bytes() == before


def test_real_server_over_a_port(repo, tmp_path, server_factory):
    from govdata.publish.builder import build
    from tests.conftest import copy_catalog

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions", "zj-holiday-calendar"])
    build(root, root / "_build")
    base = server_factory(root, root / "_build")
    r = httpx.get(f"{base}/zj-admin-divisions/divisions.json", params={"code": "330106", "_shape": "array"})
    assert r.status_code == 200
    assert r.json()[0]["name"] == "西湖区"
    csv = httpx.get(f"{base}/downloads/zj-admin-divisions/divisions.csv")
    assert csv.status_code == 200 and csv.text.startswith("code,name,level")
    dp = httpx.get(f"{base}/downloads/zj-admin-divisions/datapackage.json").json()
    assert dp["resources"][0]["bytes"] == len(csv.content)


def test_cached_filtered_counts_equal_sqlite_counts(datasette_app, built):
    """Filtered counts come from the build's counts.json, and they are the counts SQLite gives."""
    import sqlite3

    counts = json.loads((built / "site" / "counts.json").read_text("utf-8"))
    values = counts["hz-shuanggongshi"]["penalties"]["region_code"]
    assert len(values) > 1
    db = sqlite3.connect(built / "site" / "hz-shuanggongshi.db")
    for value in [*list(values)[:3], "999999", "0330106"]:
        expected = db.execute("select count(*) from penalties where region_code = ?", [value]).fetchone()[0]
        r = _get(datasette_app, f"/hz-shuanggongshi/penalties.json?region_code={value}&_size=1")
        assert r.status_code == 200
        assert r.json()["filtered_table_rows_count"] == expected, value
    # the cache answers, not SQLite: a wrapped execute serves the count statement
    from govdata.serve.counts import count_statement

    stmt = count_statement("penalties", "region_code")
    first = next(iter(values))
    import asyncio

    result = asyncio.run(datasette_app.databases["hz-shuanggongshi"].execute(stmt, {"p0": first}))
    assert result.rows == [(values[first],)] and result.rows[0] != ()
    # other statements still reach SQLite
    rows = asyncio.run(
        datasette_app.databases["hz-shuanggongshi"].execute(
            "select count(*) from penalties where region_code = :p0 and 1=1", {"p0": first}
        )
    ).rows
    assert rows[0][0] == values[first]
