"""Foreign keys are a check of checks/rules (foreign_key.py): a value not found in the table a key
references is a finding at its row, and a reference that cannot be applied says why, in both
languages."""

from __future__ import annotations

import pytest

from govdata import render
from govdata.checks.rules import foreign_key
from tests.conftest import edited_yaml
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset

FIELDS = [{"name": "id", "type": "integer"}, {"name": "region", "type": "string"}]
DATA = "id,region\n1,330106\n2,339999\n".encode()


def _run(base_catalog, tmp_path, reference: dict, fields=("region",)):
    root, target = dataset(base_catalog, tmp_path, FIELDS, DATA)
    with edited_yaml(target / "datapackage.yaml") as d:
        d["resources"][0]["schema"]["foreignKeys"] = [{"fields": list(fields), "reference": reference}]
    return _check(root, target)


def _fk(report):
    return [f for f in report.findings if f.code == "foreign-key"]


def test_a_missing_value_is_found_at_its_row(base_catalog, tmp_path):
    report = _run(
        base_catalog, tmp_path, {"dataset": "zj-admin-divisions", "resource": "divisions", "fields": ["code"]}
    )
    (f,) = _fk(report)
    assert (f.row, f.field, f.cell) == (3, "region", "339999")
    assert f.message == "'339999' not found in zj-admin-divisions.divisions (code)"
    assert f.text("zh") == "'339999' 在 zj-admin-divisions.divisions（code）中不存在"


@pytest.mark.parametrize(
    "reference, fields, en, zh",
    [
        (
            {"dataset": "no-such-dataset", "resource": "x", "fields": ["code"]},
            ("region",),
            "foreign key ['region'] cannot be checked: dataset 'no-such-dataset' is not in the catalogue",
            "外键 ['region'] 无法检查：数据集 'no-such-dataset' 不在目录中",
        ),
        (
            {"dataset": "zj-admin-divisions", "resource": "no-such-resource", "fields": ["code"]},
            ("region",),
            "foreign key ['region'] cannot be checked: zj-admin-divisions/no-such-resource has no readable data",
            "外键 ['region'] 无法检查：zj-admin-divisions/no-such-resource 没有可读的数据",
        ),
        (
            {"dataset": "zj-admin-divisions", "resource": "divisions", "fields": ["no_such_field"]},
            ("region",),
            "foreign key ['region'] -> ['no_such_field']: fields not found",
            "外键 ['region'] -> ['no_such_field']：字段不存在",
        ),
    ],
    ids=["unknown dataset", "no data", "unknown field"],
)
def test_a_reference_that_cannot_be_applied_says_why(base_catalog, tmp_path, reference, fields, en, zh):
    report = _run(base_catalog, tmp_path, reference, fields)
    (f,) = _fk(report)
    assert (f.row, f.field, f.message, f.text("zh")) == (None, "region", en, zh)
    assert zh in render.text(report, "zh")


def test_the_check_is_in_the_plan():
    class Table:
        fields: list = []
        schema = {"foreignKeys": [{"fields": "region", "reference": {"resource": "other", "fields": "code"}}]}
        resource = "items"

    (ref,) = foreign_key.CHECK.references(Table())
    assert (ref.fields, ref.dataset, ref.resource, ref.remote) == (("region",), None, "other", ("code",))
    assert dict(ref.args)["target"] == "other"
