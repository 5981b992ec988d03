"""lost-digits: a code Excel wrote into a CSV in scientific notation (``9.13301E+17``) in a ``string``
field of a hand-written descriptor is a warning (``govdata new`` refuses it outright): at the row when
the field is named as an identifier, once for the column when its other values are long codes; never
for text that merely holds such a number, nor in a free-text column."""

from __future__ import annotations

from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "credit_code", "type": "string"},
    {"name": "holder", "type": "string"},
    {"name": "note", "type": "string"},
]
TEXT = (
    "id,credit_code,holder,note\n"
    "1,9.13301E+17,913301000000000001,1.5E+3 units\n"
    "2,91330100MA27XXXXXX,9.13301E+17,9.13301E+17\n"
    "3,91330100MA27XXXXXY,1E+20,1E+20 yuan\n"
)


def test_codes_in_scientific_notation_are_a_warning(base_catalog, tmp_path):
    root, target = dataset(base_catalog, tmp_path, FIELDS, TEXT.encode(), primary_key=["id"])
    report = _check(root, target)
    assert report.ok  # warnings do not fail the gate
    found = sorted((f.code, f.row or 0, f.field) for f in report.findings)
    assert found == [("lost-digits", 0, "holder"), ("lost-digits", 2, "credit_code")]
    by_field = {f.field: f for f in report.findings}
    assert by_field["credit_code"].cell == "9.13301E+17" and by_field["credit_code"].severity == "warning"
    assert "last digits are lost" in by_field["credit_code"].message
    assert by_field["credit_code"].text("zh") == "'9.13301E+17' 是 Excel 写成科学计数法的数字：该代码的末尾数字已丢失"
    assert "rows 3, 4" in by_field["holder"].message and "第 3、4 行" in by_field["holder"].text("zh")


def test_identifier_named_by_its_chinese_title(base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "c", "type": "string", "title": "统一社会信用代码"}]
    root, target = dataset(base_catalog, tmp_path, fields, b"id,c\n1,9.13301E+17\n2,9.1E+5\n", primary_key=["id"])
    report = _check(root, target)
    assert [(f.code, f.row, f.field) for f in report.findings] == [("lost-digits", 2, "c")]


def test_no_warning_on_free_text_or_a_pattern_field(base_catalog, tmp_path):
    """No long codes among the other values: a lone number in scientific notation in free text is
    not reported; a ``pattern`` field refuses the cell itself (a constraint-error)."""
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "remark", "type": "string"},
        {"name": "code", "type": "string", "constraints": {"pattern": "[0-9A-Z]{18}"}},
    ]
    text = "id,remark,code\n1,9.13301E+17,913301000000000001\n2,约 1.5E+12 次,9.13301E+17\n"
    root, target = dataset(base_catalog, tmp_path, fields, text.encode(), primary_key=["id"])
    report = _check(root, target)
    assert [(f.code, f.row, f.field) for f in report.findings] == [("constraint-error", 3, "code")]
