"""A field's own ``missingValues`` replace the schema's (Table Schema v2), beyond the conformance
cases (tests/test_frictionless_conformance.py): on the fast path as on the precise one, in a table
held one row per cell (past WIDE_COLUMNS), and in what the build publishes."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from frictionless import Resource, Schema

from govdata.checks import resource, source
from govdata.publish.builder import build
from tests.conftest import edited_yaml
from tests.test_gate_corpus import CORPUS, _check, _rename, _world

ROWS = 200_000  # ~2 MB: above the fast-path threshold set below


@pytest.fixture(scope="module")
def base_catalog(tmp_path_factory):
    from tests.conftest import copy_catalog

    return copy_catalog(tmp_path_factory.mktemp("fieldmissing") / "base", ["zj-admin-divisions"])


def _case(base_catalog, tmp_path: Path, data: bytes, schema: dict) -> Path:
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0]["schema"] = {
            **schema,
            "fields": [{**f, "title": f["name"], "description": f["name"]} for f in schema["fields"]],
        }
    (target / "data" / "items.csv").write_bytes(data)
    return root


def _frictionless(schema: dict, data: bytes, tmp_path: Path) -> set[tuple]:
    tmp_path.mkdir()
    (tmp_path / "items.csv").write_bytes(data)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = Resource(path="items.csv", schema=Schema.from_descriptor(schema)).validate()
    finally:
        os.chdir(cwd)
    return {tuple(x) for x in report.flatten(["rowNumber", "fieldName", "type"])}


SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "n", "type": "integer", "missingValues": ["", "-"]},
        {"name": "s", "type": "string"},
    ],
    "primaryKey": ["id"],
    "missingValues": ["NA"],
}


def _big(problems: dict[int, str]) -> bytes:
    lines = ["id,n,s\n"] + [
        problems.get(i + 1, f"{i},{'-' if i % 3 else i},{'NA' if i % 5 else ''}\n") for i in range(1, ROWS + 1)
    ]
    return "".join(lines).encode()


@pytest.mark.parametrize("problems", [{}, {60_000: "59999,NA,x\n", 70_000: ",-,NA\n"}], ids=["clean", "errors"])
def test_fast_path_equals_precise_path_and_frictionless(problems, base_catalog, tmp_path, monkeypatch):
    data = _big(problems)
    expected = {(row, field or None, code) for row, field, code in _frictionless(SCHEMA, data, tmp_path / "fl")}
    proofs = []
    real = resource.prove
    monkeypatch.setattr(resource, "prove", lambda *a, **k: proofs.append(real(*a, **k)) or proofs[-1])
    found = []
    for quick, sub in ((1024**2, "a"), (1024**3, "b")):
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", quick)
        root = _case(base_catalog, tmp_path / sub, data, SCHEMA)
        report = _check(root, root / "datasets" / "hz-amr" / "case")
        shutil.rmtree(root)
        found.append({(f.row, f.field, f.code) for f in report.findings if f.severity == "error"})
    assert found[0] == found[1] == expected
    assert [p.clean for p in proofs] == [not problems]


def test_wide_table_blank_rows_by_each_fields_missing_values(base_catalog, tmp_path):
    """Past WIDE_COLUMNS the table is held one row per cell; a blank row is still one whose every
    cell is missing for its own field."""
    fields = [{"name": "id", "type": "integer"}, {"name": "n", "type": "integer", "missingValues": ["NA"]}]
    fields += [{"name": f"c{i}", "type": "string"} for i in range(110)]
    schema = {"fields": fields, "primaryKey": ["id"]}
    cells = ["", "NA"] + [""] * 110
    rows = [
        ",".join(["1", "5"] + ["x"] * 110),
        ",".join(cells),  # blank: "NA" is n's missing value, "" everyone else's
        ",".join(["3", ""] + ["x"] * 110),  # "" is a value of n: a type error
        ",".join(["", ""] + [""] * 110),  # not blank: n's "" is a type error, and the key is empty
    ]
    data = ("\n".join([",".join(f["name"] for f in fields)] + rows) + "\n").encode()
    expected = {(row, field or None, code) for row, field, code in _frictionless(schema, data, tmp_path / "fl")}
    root = _case(base_catalog, tmp_path, data, schema)
    report = _check(root, root / "datasets" / "hz-amr" / "case")
    ours = {(f.row, f.field, f.code) for f in report.findings if f.severity == "error"}
    # Frictionless adds a primary-key error for a blank row's empty key (a deliberate difference)
    assert ours == expected - {(3, None, "primary-key")}
    assert (3, None, "blank-row") in ours and (5, "n", "type-error") in ours


def test_build_publishes_each_fields_missing_values_as_null(base_catalog, tmp_path):
    text = "id,n,s\n1,-,NA\n2,7,\n3,,x\n"
    root = _case(base_catalog, tmp_path, text.encode(), SCHEMA)
    result = build(root, tmp_path / "out")
    assert result.report.ok, [f.message for f in result.report.findings if f.is_error]
    wh = duckdb.connect(str(result.path / "warehouse" / "case.duckdb"), read_only=True)
    # n: "-" and "" missing (its own list); s: "NA" missing (the schema's), "" a value
    assert wh.execute("SELECT id, n, s FROM items ORDER BY id").fetchall() == [
        (1, None, None),
        (2, 7, ""),
        (3, None, "x"),
    ]
    db = sqlite3.connect(result.path / "site" / "case.db")
    assert db.execute("SELECT id, n, s FROM items ORDER BY id").fetchall() == [
        (1, None, None),
        (2, 7, ""),
        (3, None, "x"),
    ]
