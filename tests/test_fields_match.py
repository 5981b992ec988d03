"""Table Schema ``fieldsMatch`` (datapackage v2) beyond the conformance cases
(tests/test_frictionless_conformance.py): the fast path gives the precise path's findings, repeated
labels under name matching are refused with a finding, and the build publishes the declared fields
in declared order, by name, whatever the file's column order."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from frictionless import FrictionlessException, Resource, Schema

from govdata.checks import resource, source
from govdata.messages import translate
from govdata.publish.builder import build
from tests.conftest import edited_yaml
from tests.test_gate_corpus import CORPUS, _check, _rename, _world

HEADER = "amount,备注,decided,company,id,region_code\n"
ROW = "{amount},note {i},2024-01-05,公司{i},{i},330106\n"
ROWS = 80_000  # ~4 MB: above the fast-path threshold set below


@pytest.fixture(scope="module")
def base_catalog(tmp_path_factory):
    from tests.conftest import copy_catalog

    return copy_catalog(tmp_path_factory.mktemp("fieldsmatch") / "base", ["zj-admin-divisions"])


def _case(base_catalog, tmp_path: Path, data: bytes, mode: str) -> Path:
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0]["schema"]["fieldsMatch"] = mode
        spec["resources"][0]["schema"].pop("foreignKeys")  # without one a big clean file is proven in one pass
    (target / "data" / "items.csv").write_bytes(data)
    return root


def _big(problems: dict[int, str]) -> bytes:
    lines = [HEADER] + [problems.get(i + 1, ROW.format(i=i, amount=i % 977)) for i in range(1, ROWS + 1)]
    return "".join(lines).encode()


@pytest.mark.parametrize("mode", ["equal", "subset"])
def test_fast_path_equals_precise_path_under_name_matching(mode, base_catalog, tmp_path, monkeypatch):
    data = _big({70_000: "-5,x,2024-13-01,公司,69999,33010\n", 70_001: "1,x,2024-01-05,,abc,330106\n"})
    found, proofs = [], []
    real = resource.prove
    monkeypatch.setattr(resource, "prove", lambda *a, **k: proofs.append(1) or real(*a, **k))
    for quick, sub in ((1024**2, "a"), (1024**3, "b")):
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", quick)
        root = _case(base_catalog, tmp_path / sub, data, mode)
        report = _check(root, root / "datasets" / "hz-amr" / "case")
        shutil.rmtree(root)
        found.append(sorted((f.code, f.row, f.field) for f in report.findings if f.severity == "error"))
    fast, precise = found
    assert fast == precise
    assert proofs == [1], "the big file was read by the fast path (its one-pass proof ran)"
    expected = {
        ("constraint-error", 70_000, "amount"),
        ("type-error", 70_000, "decided"),
        ("constraint-error", 70_000, "region_code"),
        ("constraint-error", 70_001, "company"),
        ("type-error", 70_001, "id"),
        ("primary-key", 70_001, None),
    }
    if mode == "equal":  # the extra column 备注 is reported; subset tolerates it
        expected.add(("extra-label", 1, None))
    assert set(fast) == expected


def test_repeated_labels_under_name_matching_are_a_finding(base_catalog, tmp_path):
    text = "id,company,amount,company,decided,region_code\n1,甲,1,乙,2024-01-05,330106\n2,,x,丙,bad,330106\n"
    os.makedirs(tmp_path / "fl")
    (tmp_path / "fl" / "items.csv").write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path / "fl")
    try:  # Frictionless refuses to map such a header: no row is read
        with pytest.raises(FrictionlessException, match="requires unique labels"):
            fields = [{"name": n} for n in ("id", "company", "region_code", "decided", "amount")]
            Resource(
                path="items.csv", schema=Schema.from_descriptor({"fields": fields, "fieldsMatch": "subset"})
            ).read_rows()
    finally:
        os.chdir(cwd)
    root = _case(base_catalog, tmp_path, text.encode(), "subset")
    report = _check(root, root / "datasets" / "hz-amr" / "case")
    errors = [(f.code, f.row, f.field, f.field_number) for f in report.findings if f.severity == "error"]
    assert errors == [("duplicate-label", 1, "company", 4)]
    assert "fieldsMatch 'subset'" in report.findings[0].message
    assert translate("duplicate-label", report.findings[0].message) == (
        "第 4 列重复了第 2 列的表头 'company'：fieldsMatch 'subset' 按名称将列对应到字段，每列表头须唯一"
    )


def _published(result_path: Path) -> tuple[list, list, list]:
    wh = duckdb.connect(str(result_path / "warehouse" / "case.duckdb"), read_only=True)
    columns = [c for c, *_ in wh.execute("DESCRIBE items").fetchall()]
    rows = wh.execute("SELECT * FROM items ORDER BY id").fetchall()
    db = sqlite3.connect(result_path / "site" / "case.db")
    served = db.execute("SELECT id, company, region_code, decided, amount FROM items ORDER BY id").fetchall()
    assert [r[1] for r in db.execute("PRAGMA table_info(items)")] == columns
    return columns, rows, served


def test_build_publishes_declared_fields_by_name(base_catalog, tmp_path):
    """partial: columns reordered, one the schema lacks (not published), a declared field the file
    lacks (NULL)."""
    text = "amount,备注,company,id,region_code\n1.5,x,甲,2,330106\n3,y,乙,1,330102\n"
    root = _case(base_catalog, tmp_path, text.encode(), "partial")
    result = build(root, tmp_path / "out")
    assert result.report.ok, [f.message for f in result.report.findings if f.is_error]
    columns, rows, served = _published(result.path)
    assert columns == ["id", "company", "region_code", "decided", "amount"]
    assert rows == [(1, "乙", "330102", None, 3.0), (2, "甲", "330106", None, 1.5)]
    assert served == [(1, "乙", "330102", None, 3.0), (2, "甲", "330106", None, 1.5)]
    download = (result.path / "downloads" / "case" / "items.csv").read_text(encoding="utf-8")
    assert download.splitlines()[0] == "id,company,region_code,decided,amount"
    assert "备注" not in download


def test_build_of_a_big_file_by_name_on_the_fast_path(base_catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 1024**2)
    root = _case(base_catalog, tmp_path, _big({}), "subset")
    proofs = []
    real = resource.prove
    monkeypatch.setattr(resource, "prove", lambda *a, **k: proofs.append(real(*a, **k)) or proofs[-1])
    result = build(root, tmp_path / "out")
    assert [p.clean for p in proofs] == [True]  # proven clean in one pass, published by name all the same
    assert result.report.ok, [f.message for f in result.report.findings if f.is_error]
    columns, rows, served = _published(result.path)
    assert columns == ["id", "company", "region_code", "decided", "amount"]
    assert len(rows) == ROWS
    assert rows[12344][:3] == (12345, "公司12345", "330106") and rows[12344][4] == 12345 % 977
    assert served[12344] == (12345, "公司12345", "330106", "2024-01-05", 12345 % 977)


def test_titles_map_by_name_under_header_labels_titles(base_catalog, tmp_path):
    """``header_labels: titles`` (the file keeps its Chinese headers): the labels are the fields'
    titles, in any order, and the findings name the fields."""
    text = "金额,备注,企业名称,编号,区划代码,决定日期\n1,x,甲,1,330106,2024-01-05\n-1,y,乙,二,330106,2024-13-01\n"
    root = _case(base_catalog, tmp_path, text.encode(), "superset")
    with edited_yaml(root / "datasets" / "hz-amr" / "case" / "datapackage.yaml") as spec:
        spec["resources"][0]["header_labels"] = "titles"
    report = _check(root, root / "datasets" / "hz-amr" / "case")
    errors = {(f.code, f.row, f.field, f.field_number) for f in report.findings if f.severity == "error"}
    assert errors == {
        ("extra-label", 1, None, 2),
        ("constraint-error", 3, "amount", 1),
        ("type-error", 3, "id", 4),
        ("type-error", 3, "decided", 6),
        ("primary-key", 3, None, None),
    }


def test_blank_rows_by_each_fields_own_missing_values_under_name_matching(base_catalog, tmp_path):
    """A field's own ``missingValues`` decide the blank rows also when labels map by name: row 2 is
    ``-`` (missing for ``a``) and empty (missing for ``id``), a blank row as Frictionless reads it,
    not a row with an empty key."""
    from tests.test_gate_shapes import dataset

    fields = [{"name": "id", "type": "integer"}, {"name": "a", "type": "string", "missingValues": ["-"]}]
    root, target = dataset(base_catalog, tmp_path, fields, "a,id\n-,\nx,2\n,3\n".encode(), primary_key=["id"])
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0]["schema"]["fieldsMatch"] = "subset"
    report = _check(root, target)
    assert {(f.code, f.row, f.field) for f in report.findings if f.is_error} == {("blank-row", 2, None)}
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (3, 1)


@pytest.mark.parametrize("title_row", [False, True], ids=["header first", "title row above"])
def test_excel_cells_are_typed_by_the_field_their_label_names(title_row, base_catalog, tmp_path, monkeypatch):
    """Under name matching an Excel cell is rendered and typed as the field its column's label names
    (not the field at its position): a number cell in the text field ``code`` is a type-error, as
    Frictionless reads the sheet; a datetime cell in ``d`` is the field's datetime. A sheet whose
    header is its first row is read once (its cells typed as the labels are mapped); one with a
    title row above the header twice (the header is known after the first reading)."""
    import datetime as dt

    from openpyxl import Workbook

    from tests.frictionless_run import frictionless_findings
    from tests.test_gate_shapes import dataset

    fields = [
        {"name": "id", "type": "integer"},
        {"name": "code", "type": "string"},
        {"name": "d", "type": "datetime"},
    ]
    root, target = dataset(base_catalog, tmp_path, fields, b"", name="items.xlsx", format="xlsx", primary_key=["id"])
    dialect = {"headerRows": [2]} if title_row else {}
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0].pop("encoding", None)
        spec["resources"][0]["schema"]["fieldsMatch"] = "equal"
        if dialect:
            spec["resources"][0]["dialect"] = dialect
    book = Workbook()
    sheet = book.active
    rows = [["d", "code", "id"], [dt.datetime(2024, 1, 2), "A1", 1], [dt.datetime(2024, 1, 3, 8), 123, 2]]
    for row in [["某局行政处罚"]] * title_row + rows:
        sheet.append(row)
    book.save(target / "data" / "items.xlsx")
    calls = []
    real = resource.prepare
    monkeypatch.setattr(resource, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    report = _check(root, target)
    assert len(calls) == 1 + title_row
    ours = sorted((f.row, f.field, f.code) for f in report.findings if f.is_error)
    schema = {"fields": fields, "primaryKey": ["id"], "fieldsMatch": "equal"}
    descriptor = {"name": "t", "path": "data/items.xlsx", "schema": schema, "dialect": dialect}
    assert ours == sorted(frictionless_findings(target, descriptor)) == [(3 + title_row, "code", "type-error")]


def test_a_composite_foreign_key_with_a_field_the_file_lacks_is_not_checked(base_catalog, tmp_path):
    """As in Frictionless (its foreign-key groups need every field of the key among the file's): a
    composite key whose part ``q`` the file lacks (``partial`` tolerates it) would compare a NULL
    part, never found; it is not checked, and the rows are not reported."""
    from tests.frictionless_run import frictionless_findings
    from tests.test_gate_shapes import dataset

    fields = [{"name": "id", "type": "integer"}, {"name": "p", "type": "integer"}, {"name": "q", "type": "integer"}]
    fk = [{"fields": ["p", "q"], "reference": {"resource": "", "fields": ["id", "id"]}}]
    root, target = dataset(base_catalog, tmp_path, fields, b"id,p\n1,\n2,1\n3,9\n", primary_key=["id"])
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0]["schema"].update(fieldsMatch="partial", foreignKeys=fk)
    report = _check(root, target)
    assert [f for f in report.findings if f.is_error] == []
    schema = {"fields": fields, "primaryKey": ["id"], "fieldsMatch": "partial", "foreignKeys": fk}
    assert frictionless_findings(target, {"name": "t", "path": "data/items.csv", "schema": schema}) == []


def test_a_column_no_field_names_has_only_the_empty_cell_missing(base_catalog, tmp_path):
    """Frictionless makes the field of a label no field has outside the schema (``any``, "" its only
    missing value): a row of the schema's missing values with such a column is not blank, and its
    empty key is a ``primary-key`` error, as Frictionless reports it."""
    from tests.frictionless_run import frictionless_findings
    from tests.test_gate_shapes import dataset

    fields = [{"name": "id", "type": "integer"}, {"name": "a", "type": "string"}]
    root, target = dataset(base_catalog, tmp_path, fields, "a,id,z\n-,-,-\nx,1,\n".encode(), primary_key=["id"])
    schema = {"fields": fields, "primaryKey": ["id"], "fieldsMatch": "subset", "missingValues": ["-"]}
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0]["schema"].update(fieldsMatch="subset", missingValues=["-"])
    report = _check(root, target)
    ours = sorted((f.row, f.field, f.code) for f in report.findings if f.is_error)
    theirs = frictionless_findings(target, {"name": "t", "path": "data/items.csv", "schema": schema})
    assert ours == sorted(theirs) == [(2, None, "primary-key")]
