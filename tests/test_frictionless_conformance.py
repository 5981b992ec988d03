"""Conformance with Frictionless: the vectorised DuckDB checks report the same findings
(row, field, type) as `frictionless` on the same file and schema, for every data-level case
of the corpus. Deliberate differences are listed in DIFFERENCES and in docs/architecture.md."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from frictionless import Resource, Schema

from govdata.checks.metadata import normalise_schema
from tests.test_gate_corpus import CORPUS, _check, _rename, _world

LABEL_ERRORS = {"blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label"}
# case -> (findings only Frictionless reports, findings only govdata reports), each a set of (row, field, type)
DIFFERENCES = {
    # Frictionless adds a primary-key error for the blank row's empty key; govdata reports the blank row once.
    "blank-row": ({(3, None, "primary-key")}, set()),
    # Python's float() accepts full-width digits, so Frictionless passes ＄１０００; govdata reports it (issue 3).
    "fullwidth-digits": (set(), {(2, "amount", "type-error")}),
    # Frictionless reads the unterminated quote as one long cell that swallows the rest of the file and
    # reports the row's other cells as missing; govdata names the cause (an unterminated quote).
    "unterminated-quote": ({(3, "region_code", "missing-cell"), (3, "decided", "missing-cell"),
                            (3, "amount", "missing-cell")}, {(3, None, "source-error")}),
}
CASES = ["clean", "wrong-type", "out-of-range", "duplicate-primary-key", "required-missing", "ragged-rows",
         "blank-row", "blank-header", "duplicate-header", "chinese-date", "fullwidth-digits", "thousands-separator",
         "unterminated-quote", "masking-complete"]


def _frictionless(case: str, tmp_path: Path) -> set[tuple]:
    d = yaml.safe_load((CORPUS / case / "datapackage.yaml").read_text(encoding="utf-8"))
    schema = normalise_schema(d["resources"][0]["schema"])
    schema.pop("foreignKeys", None)  # cross-dataset references are govdata's extension
    shutil.copy(CORPUS / case / "data" / "items.csv", tmp_path / "items.csv")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = Resource(path="items.csv", schema=Schema.from_descriptor(schema)).validate()
    finally:
        os.chdir(cwd)
    out = set()
    for row, field, code in report.flatten(["rowNumber", "fieldName", "type"]):
        if code in LABEL_ERRORS:
            row = 1  # govdata puts header findings on line 1
        out.add((row, field or None, code))
    return out


@pytest.mark.parametrize("case", CASES)
def test_same_findings_as_frictionless(case, tmp_path, base_catalog):
    (tmp_path / "fl").mkdir()
    expected = _frictionless(case, tmp_path / "fl")
    root, target = _world(base_catalog, tmp_path, CORPUS / case)
    _rename(case, target)
    ours = {(f.row, f.field, f.code) for f in _check(root, target).findings
            if f.severity == "error" and f.code not in ("personal-data", "negative-list-field", "masking-error")}
    only_fl, only_ours = DIFFERENCES.get(case, (set(), set()))
    assert expected - only_fl == ours - only_ours
    assert only_fl <= expected and only_ours <= ours  # the documented differences are real


@pytest.fixture(scope="module")
def base_catalog(tmp_path_factory):
    from tests.conftest import copy_catalog

    return copy_catalog(tmp_path_factory.mktemp("conformance") / "base", ["zj-admin-divisions"])
