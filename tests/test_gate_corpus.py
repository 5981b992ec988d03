"""The registration gate against a corpus of bad (and good) agency submissions."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import zipfile
from pathlib import Path

import pytest
import yaml

from govdata.checks.runner import run_checks
from tests.conftest import edited_yaml

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())


def _world(base: Path, tmp_path: Path, case_dir: Path | None = None, name: str = "case") -> tuple[Path, Path]:
    root = tmp_path / "repo"
    shutil.copytree(base, root, symlinks=True)
    target = root / "datasets" / "hz-amr" / name
    if case_dir is not None:
        shutil.copytree(case_dir, target)
        (target / "expected.yaml").unlink()
    return root, target


def _check(root: Path, target: Path):
    run = run_checks(root, [target])
    try:
        return run.report
    finally:
        run.close()


def _got(report) -> list[list]:
    return sorted(
        ([f.code, f.row, f.field] for f in report.findings if f.severity != "warning"),
        key=lambda x: (x[0], x[1] or 0, x[2] or ""),
    )


def _rename(case: str, target: Path) -> None:
    descriptor = target / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text.replace(f"name: {case}\n", "name: case\n", 1), encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case, base_catalog, tmp_path):
    expected = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))["findings"]
    root, target = _world(base_catalog, tmp_path, CORPUS / case)
    _rename(case, target)
    report = _check(root, target)
    assert _got(report) == sorted(expected, key=lambda x: (x[0], x[1] or 0, x[2] or ""))
    for f in report.findings:
        assert f.file and f.file.startswith("datasets/hz-amr/case"), f
        assert len(f.message) < 600
    for stats in report.stats:
        assert stats.rows_read == stats.rows_valid + stats.rows_with_findings


@pytest.mark.parametrize("case", ["gb18030", "utf8-bom", "utf16"])
def test_normalised_files_keep_their_content(case, base_catalog, tmp_path):
    from govdata.publish.builder import build

    root, target = _world(base_catalog, tmp_path, CORPUS / case)
    _rename(case, target)
    build(root, root / "_build")
    out = (root / "_build" / "current" / "downloads" / "case" / "items.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["company"] for r in rows] == ["杭州云帆科技有限公司", "杭州青禾食品有限公司", "杭州远景建材有限公司"]
    assert rows[1]["amount"] == "250.5" and rows[0]["decided"] == "2024-01-05"


def test_symlink_out_of_the_repository_is_refused(base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    (target / "data" / "items.csv").unlink()
    os.symlink("/etc/passwd", target / "data" / "items.csv")
    assert _got(_check(root, target)) == [["path-unsafe", None, None]]


def test_inline_data_is_refused_once_with_the_reason(base_catalog, tmp_path):
    """A resource with inline ``data`` instead of a path: one finding saying a path (or pipeline) is
    needed, not also Frictionless's "path and data are mutually exclusive" about a path it never had."""
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    with edited_yaml(target / "datapackage.yaml") as d:
        resource = d["resources"][0]
        resource.pop("path")
        resource["data"] = [["id", "company"], [1, "x"]]
    report = _check(root, target)
    assert [(f.code, "needs a path" in f.message) for f in report.findings if f.is_error] == [("resource-error", True)]


def test_huge_cell_is_an_error_without_echoing_it(base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    path = target / "data" / "items.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("杭州青禾食品有限公司", "长" * 200_000), encoding="utf-8")
    report = _check(root, target)
    assert _got(report) == [["cell-too-large", 3, None]]
    assert all(len(f.message) < 600 and (f.cell is None or len(f.cell) < 120) for f in report.findings)


def test_oversized_descriptor_is_refused_before_parsing(base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    with (target / "datapackage.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# " + "x" * 1_100_000 + "\n")
    assert _got(_check(root, target)) == [["yaml-unsafe", None, None]]


@pytest.mark.parametrize(
    "tail",
    ["x_note: " + "[" * 100_000 + "]" * 100_000, "x_note: " + "{a: " * 50_000 + "1" + "}" * 50_000, "- " * 100_000],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_deeply_nested_descriptor_is_refused_without_crashing(tail, base_catalog, tmp_path):
    # 100,000 levels crashed libyaml's composer (a segmentation fault: the whole gate gone, no report)
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    with (target / "datapackage.yaml").open("a", encoding="utf-8") as fh:
        fh.write(tail + "\n")
    report = _check(root, target)
    assert _got(report) == [["yaml-unsafe", None, None]]
    assert "nested more than 100 levels deep" in report.findings[0].message


def test_deeply_nested_json_descriptor_is_refused(base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    data = yaml.safe_load((target / "datapackage.yaml").read_text(encoding="utf-8"))
    (target / "datapackage.yaml").unlink()
    text = json.dumps(data, ensure_ascii=False)
    (target / "datapackage.json").write_text(text[:-1] + ', "x_note": ' + "[" * 50_000 + "]" * 50_000 + "}")
    assert _got(_check(root, target)) == [["yaml-unsafe", None, None]]


def _xlsx(rows: list[list], path: Path, pad: int = 0) -> None:
    """A minimal .xlsx written with zipfile (inline strings), optionally padded into a zip bomb."""

    def cell(ref, v):
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{i + 1}">' + "".join(cell(f"{chr(65 + j)}{i + 1}", v) for j, v in enumerate(r)) + "</row>"
        for i, r in enumerate(rows)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{sheet_rows}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if pad:
            z.writestr("xl/padding.xml", "<p>" + " " * pad + "</p>")


def _excel_case(base_catalog, tmp_path, pad=0):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    (target / "data" / "items.csv").unlink()
    rows = [
        ["id", "company", "region_code", "decided", "amount"],
        [1, "杭州云帆科技有限公司", "330106", "2024-01-05", 1000],
        [2, "杭州青禾食品有限公司", "330102", "2024-02-11", 250.5],
    ]
    _xlsx(rows, target / "data" / "items.xlsx", pad)
    with edited_yaml(target / "datapackage.yaml") as data:
        data["resources"][0].update({"path": "data/items.xlsx", "format": "xlsx", "sheet": "数据", "header_row": 1})
    return root, target


def test_excel_workbook_passes_with_content_intact(base_catalog, tmp_path):
    from govdata.publish.builder import build

    root, target = _excel_case(base_catalog, tmp_path)
    assert _got(_check(root, target)) == []
    build(root, root / "_build")
    out = (root / "_build" / "current" / "downloads" / "case" / "items.csv").read_text(encoding="utf-8")
    assert "杭州青禾食品有限公司,330102,2024-02-11,250.5" in out


def test_excel_zip_bomb_is_refused(base_catalog, tmp_path):
    root, target = _excel_case(base_catalog, tmp_path, pad=300 * 1024 * 1024)
    assert target.joinpath("data/items.xlsx").stat().st_size < 2 * 1024 * 1024
    assert _got(_check(root, target)) == [["file-too-large", None, None]]


def test_the_gate_makes_no_network_connection(base_catalog, tmp_path, monkeypatch):
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(OSError()))
    for case in ("path-url", "schema-url", "clean"):
        root, target = _world(base_catalog, tmp_path / case, CORPUS / case)
        _rename(case, target)
        _check(root, target)
    assert attempts == []


def _big_case(base_catalog, tmp_path, mutate):
    """A > 8 MB file, so the fast path (DuckDB's strict read, no Python structure pass) is taken."""
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    rows = ["id,company,region_code,decided,amount"]
    rows += [
        f"{i},杭州示例{i}号科技有限公司备注备注备注备注备注备注备注备注备注,330106,2024-01-05,{i}.5"
        for i in range(1, 120_001)
    ]
    mutate(rows)
    (target / "data" / "items.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert (target / "data" / "items.csv").stat().st_size > 8 * 1024 * 1024
    return _check(root, target)


def test_big_file_fast_path_keeps_row_numbers(base_catalog, tmp_path):
    def plant(rows):
        rows[50_000] = rows[50_000].replace(",2024-01-05,", ",2024-13-05,")
        rows[100_000] = rows[100_000].replace("330106", "339999")
        rows[110_000] = rows[110_000].replace("科技", "长" * 150_000)

    report = _big_case(base_catalog, tmp_path, plant)
    assert _got(report) == [
        ["cell-too-large", 110_001, "company"],
        ["foreign-key", 100_001, "region_code"],
        ["type-error", 50_001, "decided"],
    ]
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (120_000, 3)


def test_big_file_with_a_ragged_row_falls_back_to_the_precise_pass(base_catalog, tmp_path):
    def plant(rows):
        rows[70_000] += ",extra"
        rows[90_000] = rows[90_000].replace(",2024-01-05,", ",yesterday,")

    report = _big_case(base_catalog, tmp_path, plant)
    assert _got(report) == [["extra-cell", 70_001, None], ["type-error", 90_001, "decided"]]
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_valid) == (120_000, 119_998)


@pytest.mark.parametrize(
    "case, words",
    [
        ("chinese-date", "normalize_chinese_dates"),
        ("fullwidth-digits", "normalize_fullwidth"),
        ("thousands-separator", "strip_thousands_separators"),
        ("amount-with-unit", "normalize_amounts"),
        ("percentage", "normalize_percentages"),
        ("accounting-negative", "normalize_accounting_negatives"),
        ("chinese-yearmonth", "normalize_chinese_dates"),
    ],
)
def test_agency_forms_are_reported_with_the_declared_fix(case, words, base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / case)
    _rename(case, target)
    (finding,) = [f for f in _check(root, target).findings if f.code == "type-error"]
    assert words in finding.message


def test_declared_pipeline_normalises_chinese_forms(base_catalog, tmp_path):
    from govdata.publish.builder import build

    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    path = target / "data" / "items.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("2024-01-05", "2024年1月5日").replace(",1000\n", ',"１,０００"\n'),
        encoding="utf-8",
    )
    (root / "pipelines" / "clean-items.yaml").write_text(
        "title: normalise\nsteps:\n  - {step: read_csv, path: data/items.csv}\n"
        "  - {step: normalize_fullwidth, fields: [amount]}\n  - {step: strip_thousands_separators, fields: [amount]}\n"
        "  - {step: normalize_chinese_dates, fields: [decided]}\n",
        encoding="utf-8",
    )
    with edited_yaml(target / "datapackage.yaml") as data:
        data["resources"][0].pop("path")
        data["resources"][0]["pipeline"] = "clean-items"
    assert _got(_check(root, target)) == []
    build(root, root / "_build")
    out = (root / "_build" / "current" / "downloads" / "case" / "items.csv").read_text(encoding="utf-8")
    assert "2024-01-05,1000.0" in out
