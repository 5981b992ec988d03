"""The build's outputs: exports match their recorded hashes and the warehouse row counts,
data.json is valid DCAT-US, Datasette metadata comes from the descriptors."""

from __future__ import annotations

import hashlib
import json

import duckdb
import jsonschema
import pyarrow.parquet as pq
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_download_matches_its_hash_and_the_warehouse(built):
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["published"], "nothing was published"
    checked = 0
    for dataset, resources in manifest["published"].items():
        con = duckdb.connect(str(built / "warehouse" / f"{dataset}.duckdb"), read_only=True)  # one file a dataset
        dp = json.loads((built / "downloads" / dataset / "datapackage.json").read_text())
        by_name = {r["name"]: r for r in dp["resources"]}
        for name in resources:
            res = by_name[name]
            expected_rows = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert expected_rows > 0
            csv_path = built / "downloads" / dataset / res["path"]
            assert res["hash"] == f"sha256:{_sha256(csv_path)}"
            assert res["bytes"] == csv_path.stat().st_size
            csv_rows = con.execute(f"SELECT count(*) FROM read_csv('{csv_path}', all_varchar=true)").fetchone()[0]
            assert csv_rows == expected_rows
            pq_path = built / "downloads" / dataset / res["x-parquet"]["path"]
            assert res["x-parquet"]["hash"] == f"sha256:{_sha256(pq_path)}"
            assert pq.ParquetFile(pq_path).metadata.num_rows == expected_rows
            assert pq.ParquetFile(pq_path).metadata.row_group(0).column(0).compression == "ZSTD"
            checked += 1
    assert checked >= 8


def test_data_json_is_valid_dcat_us(built, shared):
    folder = shared / "standards" / "dcat-us-1.1-non-federal"
    base = "https://project-open-data.cio.gov/v1.1/schema/"
    catalog_schema = json.loads((folder / "catalog.json").read_text())
    dataset_schema = json.loads((folder / "dataset-non-federal.json").read_text())
    registry = Registry().with_resources(
        [
            (base + "catalog.json", Resource.from_contents(catalog_schema, default_specification=DRAFT4)),
            (base + "dataset-non-federal.json", Resource.from_contents(dataset_schema, default_specification=DRAFT4)),
        ]
    )
    data = json.loads((built / "directory" / "data.json").read_text())
    validator = jsonschema.Draft4Validator(catalog_schema, registry=registry, format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(data))
    assert errors == [], [e.message for e in errors[:5]]
    # the validator really reaches into the dataset schema: a broken entry must fail
    broken = json.loads(json.dumps(data))
    del broken["dataset"][0]["contactPoint"]
    assert list(validator.iter_errors(broken))
    levels = {d["accessLevel"] for d in data["dataset"]}
    assert levels == {"public", "restricted public", "non-public"}
    for entry in data["dataset"]:
        assert entry["contactPoint"]["hasEmail"].startswith("mailto:")
        if entry["accessLevel"] == "public":
            assert entry["distribution"], entry["identifier"]
        else:
            assert "distribution" not in entry and entry["rights"]


def test_warehouse_types_and_comments(built):
    con = duckdb.connect(str(built / "warehouse" / "zj-holiday-calendar.duckdb"), read_only=True)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema='main' AND table_name='days'"
        ).fetchall()
    )
    assert types["date"] == "DATE" and types["is_workday"] == "BOOLEAN"
    con = duckdb.connect(str(built / "warehouse" / "zj-admin-divisions.duckdb"), read_only=True)
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name='main' AND table_name='divisions' "
        "AND column_name='code'"
    ).fetchone()[0]
    assert "行政区划代码" in comment


def test_datasette_metadata_comes_from_descriptors(built):
    meta = json.loads((built / "site" / "metadata.json").read_text())
    db = meta["databases"]["zj-admin-divisions"]
    assert db["title"].startswith("全国行政区划代码")
    assert db["license"] == "CC0-1.0"
    assert db["tables"]["divisions"]["columns"]["code"].startswith("行政区划代码")
    settings = json.loads((built / "site" / "settings.json").read_text())
    assert settings["suggest_facets"] is False
    inspect = json.loads((built / "site" / "inspect-data.json").read_text())
    assert inspect["zj-admin-divisions"]["tables"]["divisions"]["count"] > 3000


def test_sqlite_has_indexes_on_filterable_columns(built):
    import sqlite3

    db = sqlite3.connect(built / "site" / "zj-admin-divisions.db")
    indexed = {
        row[2]
        for idx in db.execute("PRAGMA index_list(divisions)").fetchall()
        for row in db.execute(f"PRAGMA index_info('{idx[1]}')").fetchall()
    }
    assert {"level", "parent_code", "province_code"} <= indexed


def test_conditional_and_not_open_data_are_not_published(built):
    manifest = json.loads((built / "manifest.json").read_text())
    data = json.loads((built / "directory" / "data.json").read_text())
    hidden = [d["identifier"] for d in data["dataset"] if d["accessLevel"] != "public"]
    assert hidden
    for name in hidden:
        assert name not in manifest["published"]
        assert not (built / "site" / f"{name}.db").exists()
        assert not list((built / "downloads" / name).glob("*.csv"))
