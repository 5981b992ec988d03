"""Table Schema ``fieldsMatch`` (datapackage v2): how the file's header labels map to the schema's
fields. ``exact`` (the default) maps them by position and is the checks' own reading; the other
modes map them by name, as Frictionless 5.21's ``Header.get_expected_fields`` does, and differ in
the mismatches they tolerate:

| mode | a label no field has | a declared field no label has |
|---|---|---|
| ``equal`` | ``extra-label`` | ``missing-label`` |
| ``subset`` | tolerated | ``missing-label`` |
| ``superset`` | ``extra-label`` | ``missing-label`` for a required or key field only |
| ``partial`` | tolerated | ``missing-label`` for a required or key field only; ``unmatched-header`` when no label matches |

:func:`match_fields` turns the declared schema into the schema of the file as it is (one field per
column, in the file's order: the declared field its label names, or an ``any`` field for a label
no field has; the fields no label names left out, with the keys over them), so that every
positional step after it (structure pass, DuckDB read, cell and key checks, fast path) runs
unchanged. :func:`published_select` reads the declared fields back in declared order for the
build (the columns no field names are not published; a field the file lacks is NULL)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Sequence

from govdata.checks.structure import Label
from govdata.findings import Finding, Where

EXTRA_TOLERATED = ("subset", "partial")
MISSING_TOLERATED = ("superset", "partial")
BY_NAME = ("equal", "subset", "superset", "partial")


def by_name(schema: dict[str, Any], raw: dict[str, Any]) -> str | None:
    """The mode when the schema's labels map to fields by name, else None (``exact``, or a file
    without a header row: Frictionless then maps by position whatever ``fieldsMatch`` says)."""
    mode = schema.get("fieldsMatch")
    dialect = raw.get("dialect")
    if isinstance(dialect, dict) and dialect.get("header") is False:
        return None
    return mode if mode in BY_NAME else None


@dataclass
class Matched:
    """The schema of the file as it is, the labels the structure pass expects, the header findings."""

    schema: dict[str, Any]
    expected: list[Label]
    findings: list[Finding] = field(default_factory=list)
    stop: bool = False  # the labels cannot be mapped (a label repeated): no row is checked


def match_fields(schema: dict[str, Any], labels: Sequence[str], label_key: str, mode: str, where: Where) -> Matched:
    fields = list(schema.get("fields") or [])
    keys = [str(f.get(label_key) or f["name"]) for f in fields]
    by_key: dict[str, dict[str, Any]] = {}
    for k, f in zip(keys, fields):
        by_key.setdefault(k, f)
    stripped = [str(label).strip() for label in labels]  # Frictionless strips labels
    out = Matched(schema, [Label(s) for s in stripped])
    seen: dict[str, int] = {}
    for i, label in enumerate(stripped, start=1):
        if label in seen:
            out.findings.append(
                Finding(
                    "duplicate-label",
                    f"column {i} repeats the header '{label}' of column {seen[label]}: fieldsMatch "
                    f"'{mode}' maps columns to fields by name, which needs every header to be unique",
                    row=1,
                    field_number=i,
                    field=by_key[label]["name"] if label in by_key else None,
                    cell=label,
                    **where,
                )
            )
        seen.setdefault(label, i)
    if out.findings:
        out.stop = True
        return out
    matched = [by_key.get(label) for label in stripped]
    if mode not in EXTRA_TOLERATED:
        for i, (label, f) in enumerate(zip(stripped, matched), start=1):
            if f is None:
                out.findings.append(
                    Finding(
                        "extra-label",
                        f"column {i} '{label}' is not in the schema (fieldsMatch '{mode}')",
                        row=1,
                        field_number=i,
                        cell=label,
                        **where,
                    )
                )
    if mode == "partial" and fields and not any(f is not None for f in matched):
        out.findings.append(
            Finding(
                "unmatched-header",
                f"no column of the header is a field of the schema (fieldsMatch 'partial'): {', '.join(stripped)}",
                row=1,
                **where,
            )
        )
    present = {f["name"] for f in matched if f is not None}
    key_fields = set(_names(schema.get("primaryKey")))
    absent = [f for f in fields if f["name"] not in present]
    if mode in MISSING_TOLERATED:
        absent = [f for f in absent if (f.get("constraints") or {}).get("required") is True or f["name"] in key_fields]
    for offset, f in enumerate(absent):
        out.findings.append(
            Finding(
                "missing-label",
                f"the schema's field '{f['name']}' is not a column of the file (fieldsMatch '{mode}')",
                row=1,
                field=f["name"],
                field_number=len(stripped) + offset + 1,
                **where,
            )
        )
    used = {str(f["name"]).lower() for f in fields}  # an added field never clashes with a declared one
    effective: list[dict[str, Any]] = []
    for i, (label, f) in enumerate(zip(stripped, matched), start=1):
        if f is None:
            base = label or f"field{i}"
            name, n = base, 2
            while name.lower() in used:
                name, n = f"{base}{n}", n + 1
            used.add(name.lower())
            f = {"name": name, "type": "any"}
            if schema.get("missingValues", [""]) != [""]:
                # Frictionless makes it outside the schema: "" is its only missing value (a row of
                # the schema's missing values is not blank when such a column holds one)
                f["missingValues"] = [""]
        effective.append(f)
    out.expected = [Label(label, f["name"]) for label, f in zip(stripped, effective)]
    result = copy.deepcopy({k: v for k, v in schema.items() if k != "fieldsMatch"})
    result["fields"] = copy.deepcopy(effective)
    # keys over a field the file lacks are not checked (as in Frictionless: the field is not read)
    if not set(_names(schema.get("primaryKey"))) <= present:
        result.pop("primaryKey", None)
    if "uniqueKeys" in result:
        result["uniqueKeys"] = [k for k in result["uniqueKeys"] if set(_names(k)) <= present]
    if "foreignKeys" in result:
        result["foreignKeys"] = [
            fk for fk in result["foreignKeys"] if isinstance(fk, dict) and set(_names(fk.get("fields"))) <= present
        ]
    out.schema = result
    return out


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []
