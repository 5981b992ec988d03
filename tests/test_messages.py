"""Findings speak the reader's language and say their location once; a capped list of findings
ends with a notice, not with one more finding."""

from __future__ import annotations

import json

from govdata import render
from govdata.checks.collect import MAX_FINDINGS_PER_RESOURCE
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset

FIELDS = [{"name": "id", "type": "integer"}, {"name": "fine_amount", "type": "number"}]


def test_the_chinese_text_is_chinese_and_names_the_location_once(base_catalog, tmp_path):
    root, target = dataset(base_catalog, tmp_path, FIELDS, "id,fine_amount\n1,5\n2,一万元\n".encode())
    report = _check(root, target)
    (finding,) = report.findings
    assert (finding.code, finding.row, finding.field) == ("type-error", 3, "fine_amount")
    (zh,) = [line for line in render.text(report, "zh").splitlines() if "[type-error]" in line]
    assert zh.count("row 3") == 1 and zh.count("fine_amount") == 1, zh
    assert zh.endswith("错误 [type-error] 类型错误: '一万元' 不是 number 类型（格式 default）的值"), zh
    (en,) = [line for line in render.text(report, "en").splitlines() if "[type-error]" in line]
    assert en.endswith("error [type-error] Type error: '一万元' is not a number value (format default)"), en
    # the JSON keeps its shape: the English text, without the location, and no template arguments
    (data,) = json.loads(report.to_json())["findings"]
    assert data["message"] == "'一万元' is not a number value (format default)"
    assert "args" not in data and data["rowNumber"] == 3 and data["fieldName"] == "fine_amount"


def test_findings_beyond_the_cap_are_a_notice_not_a_finding(base_catalog, tmp_path):
    bad = MAX_FINDINGS_PER_RESOURCE + 234
    rows = "".join(f"{i},x{i}\n" for i in range(1, bad + 1))
    root, target = dataset(base_catalog, tmp_path, FIELDS, ("id,fine_amount\n" + rows).encode())
    report = _check(root, target)
    assert [f.code for f in report.findings] == ["type-error"] * MAX_FINDINGS_PER_RESOURCE
    assert not any("not shown" in f.message for f in report.findings)
    (notice,) = report.notices
    assert (notice.not_shown, notice.resource) == (234, "items")
    data = json.loads(report.to_json())
    assert data["errors"] == MAX_FINDINGS_PER_RESOURCE and len(data["findings"]) == MAX_FINDINGS_PER_RESOURCE
    assert data["notices"] == [notice.to_dict()] and "code" not in data["notices"][0]
    assert "另有 234 条检查结果未列出" in render.text(report, "zh")
    (stats,) = report.stats
    assert stats.rows_with_findings == bad  # every bad row counted, listed or not
