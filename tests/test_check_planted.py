"""`govdata check` on the catalogue: clean exits 0; planted errors are reported with
exactly their codes at their rows and fields, and exit 1."""

from __future__ import annotations

import csv
import json


from tests.conftest import REPO, copy_catalog, edited_yaml, govdata

PENALTIES = "datasets/hz-amr/hz-shuanggongshi"


def test_clean_catalogue_passes():
    result = govdata("check", "--root", str(REPO), "--format", "json")
    report = json.loads(result.stdout)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert result.returncode == 0
    assert len(report["datasets"]) >= 8
    for stats in report["resources"]:
        assert stats["rows_read"] == stats["rows_valid"] + stats["rows_with_findings"]
        assert stats["rows_read"] > 0


def _plant(root):
    path = root / PENALTIES / "data" / "penalties.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    rows[3][col["fine_amount"]] = "一万元"  # row 4: wrong type
    rows[5][col["fine_amount"]] = "-100"  # row 6: below minimum 0
    rows[7][col["decision_no"]] = rows[1][col["decision_no"]]  # row 8: duplicate primary key
    rows[9][col["region_code"]] = "999999"  # row 10: no such division
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with edited_yaml(root / PENALTIES / "datapackage.yaml") as data:
        del data["contact"]


def test_planted_errors_are_reported_exactly(tmp_path):
    root = copy_catalog(tmp_path / "repo")
    _plant(root)
    result = govdata("check", "--root", str(root), "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    got = sorted((f["code"], f.get("rowNumber"), f.get("fieldName"), f.get("key")) for f in errors)
    assert got == sorted(
        [
            ("metadata-required", None, None, "contact"),
            ("type-error", 4, "fine_amount", None),
            ("constraint-error", 6, "fine_amount", None),
            ("primary-key", 8, None, None),
            ("unique-error", 8, "decision_no", None),  # the key field is also declared unique (as Frictionless)
            ("foreign-key", 10, "region_code", None),
        ]
    )
    for f in errors:
        assert f["file"].startswith(PENALTIES)
    stats = {s["resource"]: s for s in report["resources"] if s["dataset"] == "hz-shuanggongshi"}
    assert stats["penalties"]["rows_with_findings"] == 4
    assert stats["penalties"]["rows_read"] == stats["penalties"]["rows_valid"] + 4


def test_text_output_names_the_place_in_both_languages(tmp_path):
    root = copy_catalog(tmp_path / "repo")
    _plant(root)
    zh = govdata("check", "--root", str(root))
    assert zh.returncode == 1
    assert f"{PENALTIES}/data/penalties.csv, row 10, field region_code" in zh.stdout
    assert "外键引用不存在" in zh.stdout
    en = govdata("check", "--root", str(root), "--lang", "en")
    assert "Foreign key violated" in en.stdout
    gh = govdata("check", "--root", str(root), "--format", "github")
    assert f"::error file={PENALTIES}/data/penalties.csv,line=4," in gh.stdout


def test_usage_error_exits_2():
    assert govdata("check", "--no-such-option", cwd=REPO).returncode == 2
