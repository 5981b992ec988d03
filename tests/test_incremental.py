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
    con = duckdb.connect(str(live / "warehouse.duckdb"), read_only=True)
    assert con.execute('SELECT count(*) FROM "zj-admin-divisions".divisions').fetchone()[0] > 3000
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name='zj-admin-divisions' "
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
