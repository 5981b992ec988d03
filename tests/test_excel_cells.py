"""Excel cells that are not text in a text field, and error cells (judge G21, G30): the gate reports
them at their sheet row and field as Frictionless reads the sheet (openpyxl: a cell that is not text
in a ``string`` field is a type-error), with the fix; an error cell in a text field is a deliberate
difference (Frictionless accepts its text)."""

from __future__ import annotations

import datetime as dt
from openpyxl import Workbook

from govdata.pipelines.workbook import error_cells
from tests.conftest import edited_yaml
from tests.frictionless_run import frictionless_findings
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset
from tests.test_pipeline_read import sheet_dataset

FIELDS = [{"name": "id", "type": "integer"}, {"name": "s", "type": "string"}]
CELLS = [
    True,
    dt.date(2024, 1, 2),
    dt.datetime(2024, 1, 2, 3, 4),
    dt.time(9, 30),  # the judge's G30: a time-of-day cell
    dt.timedelta(hours=5),
    1.5,
    "文本",
    "#N/A",  # openpyxl writes an error cell for an error's text
]


def _workbook(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["id", "s"])
    for i, value in enumerate(CELLS, start=1):
        sheet.append([i, value])
    book.save(path)


def test_cells_that_are_not_text_in_a_text_field_as_frictionless_reads_them(base_catalog, tmp_path):
    root, target = dataset(base_catalog, tmp_path, FIELDS, b"", name="items.xlsx", format="xlsx", sheet="数据")
    _workbook(target / "data" / "items.xlsx")
    report = _check(root, target)
    ours = sorted((f.row, f.field, f.code) for f in report.findings if f.is_error)
    theirs = frictionless_findings(
        target,
        {"name": "t", "path": "data/items.xlsx", "schema": {"fields": FIELDS}, "dialect": {"excel": {"sheet": "数据"}}},
    )
    expected = sorted(theirs)
    assert expected == [(row, "s", "type-error") for row in range(2, 8)]
    assert ours == expected + [(9, "s", "type-error")]  # the error cell: a deliberate difference
    by_row = {f.row: f for f in report.findings}
    assert "a time of day (09:30:00)" in by_row[5].message and "declare the field's type time" in by_row[5].message
    assert (
        by_row[5].text("zh")
        == "文本字段中的单元格是时间（09:30:00）：把字段类型声明为 time，或在 Excel 中把该列设为文本格式"
    )
    assert "Excel error (#N/A)" in by_row[9].message and "Excel 错误值" in by_row[9].text("zh")
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (8, 7)


def _save_sheet(path, rows) -> None:
    """A workbook whose one sheet "数据" holds ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    for row in rows:
        sheet.append(row)
    book.save(path)


def _sheet_checked(base_catalog, tmp_path, fields: list[dict], rows) -> tuple:
    """The gate's report and Frictionless's findings on a sheet "数据" of ``rows``."""
    root, target = dataset(base_catalog, tmp_path, fields, b"", name="items.xlsx", format="xlsx", sheet="数据")
    _save_sheet(target / "data" / "items.xlsx", rows)
    theirs = frictionless_findings(
        target,
        {"name": "t", "path": "data/items.xlsx", "schema": {"fields": fields}, "dialect": {"excel": {"sheet": "数据"}}},
    )
    return _check(root, target), theirs


def test_a_number_cell_in_a_boolean_field_as_frictionless_reads_it(base_catalog, tmp_path):
    """Frictionless takes a boolean cell or a text among the true/false values: a number cell 1 is
    refused (its text "1" would pass the default true values)."""
    fields = [{"name": "id", "type": "integer"}, {"name": "b", "type": "boolean"}]
    rows = (["id", "b"], [1, True], [2, False], [3, "true"], [4, 1], [5, 0.0], [6, "是"])
    report, theirs = _sheet_checked(base_catalog, tmp_path, fields, rows)
    assert sorted((f.row, f.field, f.code) for f in report.findings if f.is_error) == sorted(theirs)
    assert sorted(theirs) == [(5, "b", "type-error"), (6, "b", "type-error"), (7, "b", "type-error")]
    by_row = {f.row: f for f in report.findings}
    assert by_row[5].text("zh") == "布尔字段中的单元格是数字（1）：在 Excel 中填入 TRUE/FALSE，或把该列设为文本格式"


def test_error_cells_of_a_sheet_part_written_in_other_ways(tmp_path):
    """Cells without a reference (their place follows the previous cell's), an absolute target, a
    sheet not in the workbook, a file that is not a workbook."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} {rel}><sheets><sheet name="表" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId7" Target="/xl/worksheets/data.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/data.xml",
            f"<worksheet {ns}><sheetData><row><c><v>1</v></c><c t='e'><v>#DIV/0!</v></c></row>"
            '<row r="4"><c r="C4" t="e"><v>#REF!</v></c><c t="e"/></row></sheetData></worksheet>',
        )
    assert error_cells(path, "表") == {(1, 2): "#DIV/0!", (4, 3): "#REF!", (4, 4): "#ERROR"}
    assert error_cells(path, "其他") == {}
    (tmp_path / "not.xlsx").write_bytes(b"not a zip")
    assert error_cells(tmp_path / "not.xlsx", "表") == {}


def test_frictionless_sheet_key_is_read(base_catalog, tmp_path):
    """Frictionless's own ``dialect: {excel: {sheet: …}}`` names the sheet the gate reads, and
    Frictionless reads the same (judge G29: with govdata's ``sheet`` only, it reads the first sheet)."""
    book = Workbook()
    first = book.active
    first.title = "旧数据"
    first.append(["a"])
    first.append(["x"])
    data = book.create_sheet("公示")
    for row in (["id", "s"], [1, "甲"], ["bad", "乙"]):
        data.append(row)
    keys = {"dialect": {"excel": {"sheet": "公示"}}}
    root, target = dataset(base_catalog, tmp_path, FIELDS, b"", name="items.xlsx", format="xlsx", **keys)
    book.save(target / "data" / "items.xlsx")
    report = _check(root, target)
    assert sorted((f.row, f.field, f.code) for f in report.findings if f.is_error) == [(3, "id", "type-error")]
    descriptor = {"name": "t", "path": "data/items.xlsx", "schema": {"fields": FIELDS}, **keys}
    assert frictionless_findings(target, descriptor) == [(3, "id", "type-error")]


def test_a_stray_cell_far_from_the_table_makes_no_rows_or_columns(base_catalog, tmp_path):
    """The judge's G35: a space typed far below (A5000) and far right (Z3) of the table stretches the
    sheet's range; those rows and columns are no data (govdata.sheets.sheet_rows), on the plain and
    the pipeline path. An error cell alone in a row after the table, which calamine reads as empty,
    is still a row (pipelines/workbook.reach)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    for row in [["id", "s"]] + [[i, f"单位{i}"] for i in range(1, 11)]:
        sheet.append(row)
    sheet["A5000"] = " "
    sheet["Z3"] = " "
    verdicts = []
    for piped in (False, True):
        root, target = sheet_dataset(base_catalog, tmp_path / str(piped), FIELDS, book, piped)
        report = _check(root, target)
        (stats,) = report.stats
        verdicts.append(
            ([(f.code, f.row) for f in report.findings if f.is_error], (stats.rows_read, stats.rows_with_findings))
        )
    assert verdicts == [([], (10, 0)), ([], (10, 0))]
    sheet["B40"] = "#N/A"  # an error cell: calamine reads it as empty, yet it is a cell of the table
    root, target = dataset(
        base_catalog, tmp_path / "error", FIELDS, b"", name="items.xlsx", format="xlsx", sheet="数据"
    )
    book.save(target / "data" / "items.xlsx")
    report = _check(root, target)
    (stats,) = report.stats
    errors = sorted({(f.code, f.row) for f in report.findings if f.is_error})
    assert errors[0][0] == "blank-row" and errors[-1] == ("type-error", 40) and stats.rows_read == 39


def test_a_code_typed_as_a_number_of_16_digits_says_its_digits_are_lost(base_catalog, tmp_path):
    """统一社会信用代码 typed as a number (9.13301E+17 on screen): Excel kept 15 significant digits.
    Formatting the column as text (the advice for a number) does not bring the others back: the
    finding says they are lost and shows the digits the cell kept, at the row Frictionless reports
    (session 12, unseen files)."""
    fields = [{"name": "id", "type": "integer"}, {"name": "code", "type": "string"}]
    rows = (["id", "code"], [1, "91330106MA2B00001X"], [2, 913301061234567890], [3, 330106], [4, 9.13301e17])
    report, theirs = _sheet_checked(base_catalog, tmp_path, fields, rows)
    assert sorted((f.row, f.field, f.code) for f in report.findings if f.is_error) == sorted(theirs)
    by_row = {f.row: f for f in report.findings}
    assert "number of 16 digits or more (9.13301061234568E+17)" in by_row[3].message
    assert by_row[3].text("zh").startswith("文本字段中的单元格是 16 位以上的数字（9.13301061234568E+17）：Excel 只保留")
    assert "(numbers lose leading zeros)" in by_row[4].message and "16 digits" not in by_row[4].message
    assert "(9.13301000000000E+17)" in by_row[5].message


def test_an_empty_cell_is_missing_whatever_missing_values_say(base_catalog, tmp_path):
    """Frictionless reads an empty sheet cell as None, missing under any ``missingValues`` (the
    schema's or a field's own, without ""): not a type-error in a number field."""
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "n", "type": "number", "missingValues": ["-"]},
        {"name": "m", "type": "number"},
    ]
    rows = (["id", "n", "m"], [1, "-", None], [2, None, "-"], [3, 1.5, 2], [4, "x", None])
    root, target = dataset(base_catalog, tmp_path, fields, b"", name="items.xlsx", format="xlsx", sheet="数据")
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0]["schema"]["missingValues"] = ["-"]
    _save_sheet(target / "data" / "items.xlsx", rows)
    schema = {"fields": fields, "missingValues": ["-"]}
    theirs = frictionless_findings(
        target, {"name": "t", "path": "data/items.xlsx", "schema": schema, "dialect": {"excel": {"sheet": "数据"}}}
    )
    report = _check(root, target)
    assert sorted((f.row, f.field, f.code) for f in report.findings if f.is_error) == sorted(theirs)
    assert sorted(theirs) == [(5, "n", "type-error")]
