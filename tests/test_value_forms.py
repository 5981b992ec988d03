"""Agency value forms (issue 14): amounts with units, percentages, accounting negatives, Chinese
year-months and dates: one definition each (govdata/valueforms.py), read alike by the gate's SQL
(normalisable-text), the type-error hint, the pipeline steps and ``govdata new``."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest

from govdata import plugins
from govdata.checks.sqltypes import FieldSQL
from govdata.pipelines import steps
from govdata.valueforms import column_steps, form_of
from tests.conftest import edited_yaml
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset, found
from tests.test_pipeline_read import declare_pipeline

FORMS = {
    "12.5万元": "amount",
    "3亿元": "amount",
    "1,200元": "amount",
    "5万": "amount",
    "100 元": "amount",
    "(3)万元": "amount",
    "3%": "percent",
    "12.5 %": "percent",
    "３％": "percent",
    "(100)": "accounting",
    "（1,200.50）": "accounting",
    "+5": "number",  # a number as written (Frictionless reads it): no step
    "＋5": "accounting",
    "2024年3月": "chinese-yearmonth",
    "2024年03月": "chinese-yearmonth",
    "2024.3.5": "chinese-date",
    "2024/3/5": "chinese-date",
    "2024年3月5日": "chinese-date",
    "１２３": "fullwidth",
    "1,234": "thousands",
    "500": "number",
    "-3.5": "number",
    "2024-03-05": "date",
    "2024-03": "yearmonth",
    "12.5万人次": None,
    "3%%": None,
    "(100": None,
    "2024年13": None,
    "万元": None,
}


@pytest.mark.parametrize("value, name", FORMS.items())
def test_each_value_has_its_form(value, name):
    form = form_of(value)
    assert (form.name if form else None) == name


# columns: (values, the type and steps govdata new declares, or None: not normalisable)
COLUMNS = {
    "amounts": (["12.5万元", "3亿元", "1,200元", "5万", "100 元"], ("number", ["normalize_amounts"])),
    "amounts mixed with plain numbers": (["12.5万元", "500", "1,000"], ("number", ["normalize_amounts"])),
    "percentages": (["3%", "12.5 %", "３％", "7"], ("number", ["normalize_percentages"])),
    "accounting negatives": (["(100)", "（1,200.50）", "+5", "20"], ("number", ["normalize_accounting_negatives"])),
    "whole accounting negatives": (["(100)", "+5", "-3.00"], ("integer", ["normalize_accounting_negatives"])),
    "thousands with cents": (["1,234.00", "5"], ("number", ["strip_thousands_separators"])),
    "year-months": (["2024年3月", "2024年03月", "2024-05"], ("yearmonth", ["normalize_chinese_dates"])),
    "dotted and slashed dates": (["2024.3.5", "2024/3/5", "2024-01-01"], ("date", ["normalize_chinese_dates"])),
    "full-width with separators": (
        ["１,０００", "12"],
        ("integer", ["normalize_fullwidth", "strip_thousands_separators"]),
    ),
    "amounts and percentages": (["12.5万元", "3%"], None),
    "dates and year-months": (["2024年3月5日", "2024年3月"], None),
    "numbers and dates": (["12.5万元", "2024年3月5日"], None),
    "one value of no form": (["12.5万元", "500", "约 3 万元"], None),
    "plain numbers only (codes)": (["330106", "330102"], None),
    "ISO dates only": (["2024-01-05"], None),
}


@pytest.mark.parametrize("name", COLUMNS)
def test_the_gate_and_govdata_new_read_a_column_alike(name):
    """The gate's aggregates (DuckDB, RE2: the first test, then the exact one) report exactly the
    columns govdata new types (Python re)."""
    values, expected = COLUMNS[name]
    got = column_steps(values)
    assert (got[:2] if got else None) == expected
    f = FieldSQL({"name": "v", "type": "string"}, [""])
    rows = ", ".join("('" + v.replace("'", "''") + "')" for v in [*values, ""])
    con = duckdb.connect()
    (example, exact) = con.execute(
        f"SELECT {f.normalisable()}, {f.normalisable_exact()} FROM (VALUES {rows}) t(v)"
    ).fetchone()
    assert (example is not None and exact is True) == (expected is not None)


STEPS = {
    "normalize_amounts": {
        "12.5万元": "125000",
        "3亿元": "300000000",
        "1,200元": "1200",
        "5万": "50000",
        "100 元": "100",
        "0.35万元": "3500",
        "（2）万元": "-20000",
        "500": "500",
        "约3万元": "约3万元",  # no form: left for the gate to report at its row
    },
    "normalize_percentages": {"3%": "3", "12.5 %": "12.5", "３％": "3", "-0.5%": "-0.5", "7": "7", "3万": "3万"},
    "normalize_accounting_negatives": {
        "(100)": "-100",
        "（1,200.50）": "-1200.5",
        "+5": "5",
        "＋１２": "12",
        "1,000": "1000",
        "-3": "-3",
        "(x)": "(x)",
    },
    "normalize_chinese_dates": {
        "2024年3月": "2024-03",
        "2024年03月": "2024-03",
        "２０２４年３月": "2024-03",
        "2024.3.5": "2024-03-05",
        "2024/3/5": "2024-03-05",
        "2024年3月5日": "2024-03-05",
        "2024-03": "2024-03",
    },
}


@pytest.mark.parametrize("step", STEPS)
def test_each_step_writes_the_plain_value(step):
    cases = STEPS[step]
    rows = [{"v": value} for value in cases]
    out = list(steps.TRANSFORMS[step](iter(rows), {}, fields=["v"]))
    assert [r["v"] for r in out] == list(cases.values())
    assert step in steps.CELL_TRANSFORMS  # the gate runs it over the agency's rows (findings at their rows)


# ---- the gate -----------------------------------------------------------------------------


def _text_columns(base_catalog, tmp_path):
    fields = [{"name": n, "type": "string"} for n in ("amount", "rate", "balance", "month", "day", "code")]
    lines = ["amount,rate,balance,month,day,code"]
    values = [
        ("500", "3%", "20", "2024年3月", "2024.3.5", "330106"),
        ("12.5万元", "12.5 %", "(100)", "2024年03月", "2024/3/5", "330102"),
        ("3亿元", "７", '"（1,200.50）"', "2024-05", "2024-01-01", "330108"),
        ("", "３％", "＋5", "", "2024/12/31", "330110"),
    ]
    lines += [",".join(v) for v in values]
    return dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())


@pytest.mark.parametrize(
    "quick, wide", [(1000, 100), (1 << 30, 100), (1 << 30, 2)], ids=["one-pass proof", "precise path", "long table"]
)
def test_text_columns_of_the_new_forms_are_warned_at_their_field_with_rows(
    quick, wide, base_catalog, tmp_path, monkeypatch
):
    from govdata.checks import source, table

    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", quick)
    monkeypatch.setattr(table, "WIDE_COLUMNS", wide)  # past it, a table is held one row per cell
    root, target = _text_columns(base_catalog, tmp_path)
    report = _check(root, target)
    assert found(report, warnings=True) == [
        ("normalisable-text", None, "amount"),
        ("normalisable-text", None, "balance"),
        ("normalisable-text", None, "day"),
        ("normalisable-text", None, "month"),
        ("normalisable-text", None, "rate"),
    ]
    by_field = {f.field: f for f in report.findings}
    expected = {
        "amount": ("normalize_amounts", "3, 4", "number"),
        "rate": ("normalize_percentages", "2, 3, 4", "number"),  # ７ too: the step reads it
        "balance": ("normalize_accounting_negatives", "3, 4, 5", "integer or number"),
        "month": ("normalize_chinese_dates", "2, 3", "yearmonth"),
        "day": ("normalize_chinese_dates", "2, 3, 5", "date"),
    }
    for name, (step, rows, kind) in expected.items():
        f = by_field[name]
        assert step in f.message and f"(rows {rows})" in f.message and f"declare type {kind}" in f.message, f.message
        assert f.args is not None and f.args["rows"] == rows
        zh = plugins.check("normalisable-text").message("zh", f.args)
        assert step in zh and f"如第 {rows.replace(', ', '、')} 行" in zh, zh


def test_a_number_field_holding_an_amount_gets_the_step_in_its_type_error(base_catalog, tmp_path):
    fields = [{"name": "amount", "type": "number"}, {"name": "rate", "type": "number"}]
    root, target = dataset(base_catalog, tmp_path, fields, "amount,rate\n12.5万元,3%\n1,(2)\n".encode())
    report = _check(root, target)
    assert found(report) == [("type-error", 2, "amount"), ("type-error", 2, "rate"), ("type-error", 3, "rate")]
    messages = {(f.row, f.field): f.message for f in report.findings}
    assert "normalize_amounts" in messages[(2, "amount")]
    assert "normalize_percentages" in messages[(2, "rate")]
    assert "normalize_accounting_negatives" in messages[(3, "rate")]


# ---- the declared pipeline, built ----------------------------------------------------------


def test_a_declared_pipeline_of_the_new_steps_passes_and_builds_the_values(base_catalog, tmp_path):
    from govdata.publish.builder import build

    fields = [
        {"name": "id", "type": "integer"},
        {"name": "amount", "type": "number", "description": "罚没金额。单位：元"},
        {"name": "rate", "type": "number", "description": "增长率。单位：%"},
        {"name": "balance", "type": "number"},
        {"name": "month", "type": "yearmonth"},
        {"name": "day", "type": "date"},
    ]
    lines = [
        "id,amount,rate,balance,month,day",
        "1,12.5万元,3%,(100),2024年3月,2024.3.5",
        '2,"1,200元",12.5 %,"（1,200.50）",2024年03月,2024/3/5',
        "3,5万,３％,+5,2024-05,2024-01-01",
        "4,100 元,7,20,2024年12月,2024/12/31",
    ]
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    declare_pipeline(
        root,
        target,
        "  - {step: read_csv, path: data/items.csv}\n"
        "  - {step: normalize_amounts, fields: [amount]}\n"
        "  - {step: normalize_percentages, fields: [rate]}\n"
        "  - {step: normalize_accounting_negatives, fields: [balance]}\n"
        "  - {step: normalize_chinese_dates, fields: [month, day]}\n",
    )
    with edited_yaml(target / "datapackage.yaml") as d:
        d["resources"][0]["schema"].pop("foreignKeys", None)
    assert found(_check(root, target), warnings=True) == []
    build(root, root / "_build")
    out = (root / "_build" / "current" / "downloads" / "case" / "items.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["amount"], r["rate"], r["balance"], r["month"], r["day"]) for r in rows] == [
        ("125000.0", "3.0", "-100.0", "2024-03", "2024-03-05"),
        ("1200.0", "12.5", "-1200.5", "2024-03", "2024-03-05"),
        ("50000.0", "3.0", "5.0", "2024-05", "2024-01-01"),
        ("100.0", "7.0", "20.0", "2024-12", "2024-12-31"),
    ]


def test_a_value_of_no_form_in_a_normalised_column_is_reported_at_its_row(base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "amount", "type": "number"}]
    root, target = dataset(base_catalog, tmp_path, fields, "id,amount\n1,12.5万元\n2,约3万元\n".encode())
    declare_pipeline(
        root, target, "  - {step: read_csv, path: data/items.csv}\n  - {step: normalize_amounts, fields: [amount]}\n"
    )
    assert found(_check(root, target)) == [("type-error", 3, "amount")]
