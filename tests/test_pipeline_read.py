"""A resource made by a pipeline that reads a committed file (what ``govdata new`` writes for
Chinese dates, full-width digits and thousands separators) gets the verdict the same file gets as a
plain resource: the same codes at the same rows and fields, at the agency's file (issue 14, the
judge's G7 mutations)."""

from __future__ import annotations

from typing import Callable

import pytest

from tests.conftest import edited_yaml
from tests.frictionless_run import frictionless_findings
from tests.test_gate_shapes import dataset

FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "decided", "type": "date", "constraints": {"required": True}},
    {"name": "amount", "type": "number", "constraints": {"required": True}},
    {"name": "people", "type": "integer", "constraints": {"required": True}},
]
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _lines(chinese: bool) -> list[str]:
    """30 rows; the same values in ISO form, or as an agency writes them (the pipeline's input)."""
    lines = ["id,decided,amount,people"]
    for i in range(1, 31):
        day, amount, people = f"2024-05-{i:02d}", f"{1234 * i}.00", str(1000 * i)
        if chinese:
            day, amount, people = f"2024年5月{i}日", f'"{1234 * i:,}.00"', people.translate(WIDE)
        lines.append(f"{i},{day},{amount},{people}")
    return lines


def _set(line: int, edit: Callable[[str], str]) -> Callable[[list[str]], None]:
    def apply(lines: list[str]) -> None:
        lines[line - 1] = edit(lines[line - 1])

    return apply


def _both(*edits: Callable[[list[str]], None]) -> Callable[[list[str]], None]:
    def apply(lines: list[str]) -> None:
        for e in edits:
            e(lines)

    return apply


def _first_cells(n: int) -> Callable[[str], str]:
    return lambda line: ",".join(line.split(",")[:n])


MUTATIONS = {
    "a bad amount": (_set(21, lambda s: s.replace(".00", ".0x")), [("type-error", 21, "amount")]),
    "a row of empty cells": (_set(16, lambda s: ",,,"), [("blank-row", 16, None)]),
    "extra cell": (_set(16, lambda s: s + ",多余"), [("extra-cell", 16, None)]),
    "blank line": (_set(16, lambda s: ""), [("blank-row", 16, None)]),
    "blank line, then a bad id": (
        _both(_set(20, lambda s: "x" + s), _set(16, lambda s: "")),
        [("blank-row", 16, None), ("type-error", 20, "id")],
    ),
    "short row": (
        _set(16, _first_cells(2)),
        [("constraint-error", 16, f) for f in ("amount", "people")]
        + [("missing-cell", 16, f) for f in ("amount", "people")],
    ),
    "unterminated quote": (_set(16, lambda s: s.replace(",", ',"x', 1)), [("source-error", 16, None)]),
    "bad date after a blank line": (
        _both(_set(22, lambda s: s.replace("-05-", "-13-").replace("5月", "13月")), _set(10, lambda s: "")),
        [("blank-row", 10, None), ("type-error", 22, "decided")],
    ),
}


def _world(base_catalog, tmp_path, chinese: bool, edit, data: bytes | None = None):
    lines = _lines(chinese)
    edit(lines)
    body = data if data is not None else ("\n".join(lines) + "\n").encode()
    root, target = dataset(base_catalog, tmp_path / ("pipeline" if chinese else "plain"), FIELDS, body)
    if chinese:
        declare_pipeline(
            root,
            target,
            "  - {step: read_csv, path: data/items.csv}\n"
            "  - {step: normalize_chinese_dates, fields: [decided]}\n"
            "  - {step: strip_thousands_separators, fields: [amount]}\n"
            "  - {step: normalize_fullwidth, fields: [people]}\n",
        )
    return root, target


def declare_pipeline(root, target, steps: str, drop=("path",)) -> None:
    """pipelines/items.yaml of ``steps``, named by the resource in place of its ``drop`` keys."""
    (root / "pipelines" / "items.yaml").write_text(f"title: normalise\nsteps:\n{steps}", encoding="utf-8")
    with edited_yaml(target / "datapackage.yaml") as d:
        for key in drop:
            d["resources"][0].pop(key)
        d["resources"][0]["pipeline"] = "items"


def _verdict(base_catalog, tmp_path, chinese: bool, edit, data: bytes | None = None):
    from tests.test_gate_corpus import _check

    root, target = _world(base_catalog, tmp_path, chinese, edit, data)
    report = _check(root, target)
    errors = [f for f in report.findings if f.is_error]
    (stats,) = report.stats
    return (
        sorted((f.code, f.row, f.field) for f in errors),
        {f.file for f in errors},
        (stats.rows_read, stats.rows_with_findings),
    )


@pytest.mark.parametrize("quick", [False, True], ids=["small", "big"])
def test_the_clean_file_passes_both_ways(quick, base_catalog, tmp_path, monkeypatch):
    from govdata.checks import source

    if quick:
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 64)
    for chinese in (False, True):
        assert _verdict(base_catalog, tmp_path / str(chinese), chinese, lambda lines: None) == (
            [],
            set(),
            (30, 0),
        )


@pytest.mark.parametrize("quick", [False, True], ids=["small", "big"])
@pytest.mark.parametrize("case", list(MUTATIONS))
def test_a_pipeline_read_gives_the_plain_verdict(case, quick, base_catalog, tmp_path, monkeypatch):
    """Also as a big file (over QUICK_SCAN_BYTES), whose plain reading skips the Python structure pass."""
    from govdata.checks import source

    if quick:
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 64)
    edit, expected = MUTATIONS[case]
    plain = _verdict(base_catalog, tmp_path, False, edit)
    piped = _verdict(base_catalog, tmp_path, True, edit)
    assert plain[0] == sorted(expected)
    assert piped == plain
    assert piped[1] == {"datasets/hz-amr/case/data/items.csv"}  # the agency's file, not <pipeline items>


def test_a_byte_that_is_not_utf8_is_an_encoding_error_at_its_line(base_catalog, tmp_path):
    verdicts = []
    for chinese in (False, True):
        data = ("\n".join(_lines(chinese)) + "\n").encode()
        at = data.index(b"\n5,") + 4  # in the date of line 6
        verdicts.append(
            _verdict(base_catalog, tmp_path, chinese, lambda lines: None, data[:at] + b"\xff" + data[at + 1 :])
        )
    plain, piped = verdicts
    assert plain[0] == [("encoding-error", 6, None)]
    assert piped == plain


def test_a_pipeline_that_reshapes_columns_still_runs_whole(base_catalog, tmp_path):
    """``select`` after ``read_csv``: not a cell rewrite, so the pipeline runs as a whole (its output checked)."""
    from tests.test_gate_corpus import _check

    root, target = _world(base_catalog, tmp_path, True, lambda lines: None)
    pipeline = root / "pipelines" / "items.yaml"
    pipeline.write_text(
        pipeline.read_text(encoding="utf-8") + "  - {step: select, fields: [id, decided, amount, people]}\n",
        encoding="utf-8",
    )
    report = _check(root, target)
    assert [f for f in report.findings if f.is_error] == []
    assert report.stats[0].file == "datasets/hz-amr/case/<pipeline items>"


CANNOT_RUN = {
    "a file that is not there": ("path: data/items.csv", "path: data/gone.csv", "data/gone.csv does not exist"),
    "a step without its fields": (
        "{step: normalize_fullwidth, fields: [people]}",
        "{step: normalize_fullwidth}",
        "fields",
    ),
    "a whole-run step without its fields": (
        "{step: normalize_fullwidth, fields: [people]}",
        "{step: select}",
        "fields",
    ),
    "an unknown encoding": (
        "path: data/items.csv",
        "path: data/items.csv, encoding: klingon",
        "'klingon' is not an encoding",
    ),
    "header rows that are no rows": (
        "path: data/items.csv",
        "path: data/items.csv, header_rows: 1",
        "list of row numbers",
    ),
}


@pytest.mark.parametrize("case", list(CANNOT_RUN))
def test_a_step_that_cannot_run_is_a_pipeline_error_at_the_descriptor(case, base_catalog, tmp_path):
    from tests.test_gate_corpus import _check

    old, new, words = CANNOT_RUN[case]
    root, target = _world(base_catalog, tmp_path, True, lambda lines: None)
    pipeline = root / "pipelines" / "items.yaml"
    text = pipeline.read_text(encoding="utf-8")
    assert old in text
    pipeline.write_text(text.replace(old, new), encoding="utf-8")
    (finding,) = [f for f in _check(root, target).findings if f.is_error]
    assert finding.code == "pipeline-error" and words in finding.message
    assert finding.file == "datasets/hz-amr/case/datapackage.yaml" and finding.key == "resources.0.pipeline"


def test_a_sheet_read_by_a_pipeline_gives_the_plain_verdict_at_sheet_rows(base_catalog, tmp_path):
    """read_excel with a title row above the header and a total row below the data: a blank row and
    a row with empty cells reported at their sheet rows, a bad normalised date at its sheet row, as on the plain sheet."""
    from tests.test_gate_corpus import _check
    from tests.xlsx import write_xlsx

    verdicts = []
    for chinese in (False, True):
        rows: list[list] = [["某某局行政处罚公示表"], ["id", "decided", "amount", "people"]]
        for i in range(1, 13):
            rows.append([i, f"2024年5月{i}日" if chinese else f"2024-05-{i:02d}", 12.5 * i, 3 * i])
        rows[5] = [None, None, None, None]  # sheet row 6: blank
        rows[7] = [6, "2024年5月6日" if chinese else "2024-05-06"]  # sheet row 8: two empty cells
        rows[10][1] = "2024年13月9日" if chinese else "2024-13-09"  # sheet row 11: no such month
        rows.append(["合计", None, 999, None])  # sheet row 15: a total, a comment row
        root, target = dataset(
            base_catalog, tmp_path / str(chinese), FIELDS, b"", name="items.xlsx", format="xlsx", sheet="数据"
        )
        write_xlsx(target / "data" / "items.xlsx", {"数据": rows})
        if chinese:
            declare_pipeline(
                root,
                target,
                "  - {step: read_excel, path: data/items.xlsx, sheet: 数据, header_rows: [2], comment_rows: [15]}\n"
                "  - {step: normalize_chinese_dates, fields: [decided]}\n",
                drop=("path", "format", "sheet"),
            )
        else:
            with edited_yaml(target / "datapackage.yaml") as d:
                d["resources"][0]["dialect"] = {"headerRows": [2], "commentRows": [15]}
        report = _check(root, target)
        (stats,) = report.stats
        verdicts.append(
            (
                sorted((f.code, f.row, f.field) for f in report.findings if f.is_error),
                {f.file for f in report.findings if f.is_error},
                (stats.rows_read, stats.rows_with_findings),
            )
        )
    plain, piped = verdicts
    assert plain[0] == [
        ("blank-row", 6, None),
        ("constraint-error", 8, "amount"),
        ("constraint-error", 8, "people"),
        ("type-error", 11, "decided"),
    ]
    assert piped == plain
    assert piped[1] == {"datasets/hz-amr/case/data/items.xlsx"}


def test_an_excel_error_cell_is_a_type_error_at_its_sheet_row_on_both_paths(base_catalog, tmp_path):
    """An error cell (#DIV/0!, #N/A: a formula that failed, which calamine reads as empty) is a
    type-error at its sheet row and field, plain or read by a pipeline (judge G21): in a number field
    as Frictionless reports it (it reads the error's text), in a text field too (Frictionless passes
    the text: a deliberate difference), and the rows count among the rows with findings."""
    from openpyxl import Workbook

    from tests.test_gate_corpus import _check

    fields = [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "number"},
    ]
    rows: list[list] = [["某某局统计表"], ["id", "name", "amount"]]
    rows += [[i, f"单位{i}", 10.5 * i] for i in range(1, 11)]
    rows[4][2] = "#DIV/0!"  # sheet row 5 (openpyxl writes an error cell for an error's text)
    rows[8][2] = "#N/A"  # sheet row 9
    rows[10][1] = "#REF!"  # sheet row 11
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    for row in rows:
        sheet.append(row)
    verdicts = []
    for piped in (False, True):
        root, target = sheet_dataset(base_catalog, tmp_path / str(piped), fields, book, piped, header_rows=[2])
        if not piped:
            plain_dir = target
        report = _check(root, target)
        (stats,) = report.stats
        errors = [f for f in report.findings if f.is_error]
        verdicts.append(
            (sorted((f.code, f.row, f.field, f.cell) for f in errors), (stats.rows_read, stats.rows_with_findings))
        )
        assert all("Excel error" in f.message or "Excel error" in f.text("en") for f in errors)
        assert all("Excel 错误值" in f.text("zh") for f in errors)
    plain, piped_verdict = verdicts
    assert plain == (
        [
            ("type-error", 5, "amount", "#DIV/0!"),
            ("type-error", 9, "amount", "#N/A"),
            ("type-error", 11, "name", "#REF!"),
        ],
        (10, 3),
    )
    assert piped_verdict == plain
    # Frictionless on the same sheet: the number field's errors at the same rows, the text field's passed
    descriptor = {"name": "t", "path": "data/items.xlsx", "schema": {"fields": fields}}
    descriptor["dialect"] = {"headerRows": [2], "excel": {"sheet": "数据"}}
    assert sorted(frictionless_findings(plain_dir, descriptor)) == [
        (5, "amount", "type-error"),
        (9, "amount", "type-error"),
    ]


def sheet_dataset(base_catalog, path, fields, book, piped: bool, header_rows: list[int] | None = None):
    """A dataset of the workbook ``book`` (sheet 数据) read plainly or by a pipeline's read_excel."""
    root, target = dataset(base_catalog, path, fields, b"", name="items.xlsx", format="xlsx", sheet="数据")
    book.save(target / "data" / "items.xlsx")
    rows = f", header_rows: {header_rows}" if header_rows else ""
    if piped:
        step = f"  - {{step: read_excel, path: data/items.xlsx, sheet: 数据{rows}}}\n"
        declare_pipeline(root, target, step, drop=("path", "format", "sheet"))
    elif header_rows:
        with edited_yaml(target / "datapackage.yaml") as d:
            d["resources"][0]["dialect"] = {"headerRows": header_rows}
    return root, target


def _reordered(lines: list[str]) -> list[str]:
    """The columns in another order (people, amount, id, decided) plus a note column no field has."""
    import csv
    import io

    out = []
    for n, cells in enumerate(csv.reader(io.StringIO("\n".join(lines) + "\n"))):
        if not cells:
            out.append("")
            continue
        cells = cells + [""] * (4 - len(cells))
        note = "备注" if n == 0 else f"注{n}"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow([cells[3], cells[2], cells[0], cells[1], note])
        out.append(buf.getvalue())
    return out


@pytest.mark.parametrize("quick", [False, True], ids=["small", "big"])
@pytest.mark.parametrize("case", ["clean", "a bad amount", "blank line, then a bad id", "bad date after a blank line"])
def test_a_pipeline_read_under_name_matching(case, quick, base_catalog, tmp_path, monkeypatch):
    """``fieldsMatch: subset`` on a resource whose pipeline reads a committed file with the columns in
    another order and one more: the steps name columns by label, the checks map labels to fields by
    name, and the verdict is the plain file's under the same schema, at the agency's file and rows."""
    from govdata.checks import source
    from tests.test_gate_corpus import _check

    if quick:
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 64)
    edit, expected = MUTATIONS[case] if case != "clean" else ((lambda lines: None), [])
    verdicts = []
    for chinese in (False, True):

        def reorder(lines: list[str]) -> None:
            edit(lines)
            lines[:] = _reordered(lines)

        root, target = _world(base_catalog, tmp_path / str(chinese), chinese, reorder)
        with edited_yaml(target / "datapackage.yaml") as d:
            d["resources"][0]["schema"]["fieldsMatch"] = "subset"
        report = _check(root, target)
        (stats,) = report.stats
        errors = [f for f in report.findings if f.is_error]
        verdicts.append((sorted((f.code, f.row, f.field) for f in errors), {f.file for f in errors}, stats.rows_read))
    plain, piped = verdicts
    assert plain[0] == sorted(expected)
    assert piped == plain


@pytest.mark.parametrize("header_rows", [None, [2]], ids=["header first", "title row above"])
def test_a_sheet_read_by_a_pipeline_under_name_matching(header_rows, base_catalog, tmp_path):
    """read_excel of a sheet whose columns are in another order (``fieldsMatch: equal``): cells are
    typed by the field their label names (a number in the text field ``code`` is a type-error at its
    sheet row), the normalising step names its column by label, as on the plain sheet."""
    from openpyxl import Workbook

    from tests.test_gate_corpus import _check

    fields = [
        {"name": "id", "type": "integer"},
        {"name": "decided", "type": "date"},
        {"name": "code", "type": "string"},
    ]
    verdicts = []
    for piped in (False, True):
        book = Workbook()
        sheet = book.active
        sheet.title = "数据"
        if header_rows:
            sheet.append(["某局行政处罚"])
        sheet.append(["code", "decided", "id"])
        sheet.append(["A1", "2024年5月1日" if piped else "2024-05-01", 1])
        sheet.append([330106, "2024年5月2日" if piped else "2024-05-02", 2])
        sheet.append(["A3", "2024年13月3日" if piped else "2024-13-03", 3])
        root, target = sheet_dataset(base_catalog, tmp_path / str(piped), fields, book, piped, header_rows)
        if piped:
            pipeline = root / "pipelines" / "items.yaml"
            pipeline.write_text(
                pipeline.read_text(encoding="utf-8") + "  - {step: normalize_chinese_dates, fields: [decided]}\n",
                encoding="utf-8",
            )
        with edited_yaml(target / "datapackage.yaml") as d:
            d["resources"][0]["schema"]["fieldsMatch"] = "equal"
        report = _check(root, target)
        verdicts.append(
            (
                sorted((f.code, f.row, f.field) for f in report.findings if f.is_error),
                {f.file for f in report.findings if f.is_error},
            )
        )
    plain, piped_verdict = verdicts
    top = 1 if header_rows else 0
    assert plain[0] == [("type-error", 3 + top, "code"), ("type-error", 4 + top, "decided")]
    assert piped_verdict == plain
