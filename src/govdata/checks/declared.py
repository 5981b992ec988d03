"""What a resource's declaration says before its data is read: field names every SQL database can
hold apart, no more columns than the published database holds, and findings about the
declaration pointed at its line in the descriptor."""

from __future__ import annotations

import dataclasses
from typing import Any

from govdata.catalog.model import Dataset, Resource
from govdata.findings import Finding, Where

MAX_SERVED_COLUMNS = 2000  # SQLite's SQLITE_MAX_COLUMN: the serving database holds no more


def field_where(ds: Dataset, res: Resource, j: int, where: Where) -> dict[str, Any]:
    meta = {k: v for k, v in where.items() if k != "file"}
    return dict(
        meta,
        file=ds.rel_file,
        line=ds.line("resources", res.index, "schema", "fields", j, "name"),
        key=f"resources.{res.index}.schema.fields.{j}.name",
    )


def at_descriptor(ds: Dataset, res: Resource, f: Finding) -> Finding:
    """A finding about the resource's declaration, pointed at its line in the descriptor."""
    key = [k for k in (f.key or "dialect").split(".") if k]
    return dataclasses.replace(
        f, file=ds.rel_file, key=f"resources.{res.index}.{'.'.join(key)}", line=ds.line("resources", res.index, *key)
    )


def name_clashes(ds: Dataset, res: Resource, schema: dict[str, Any], where: Where) -> list[Finding]:
    """Field names that are empty or equal but for case: every SQL database (the warehouse, the
    published SQLite) reads them as one column, so the data cannot be checked or published as declared."""
    out: list[Finding] = []
    seen: dict[str, tuple[int, str]] = {}
    for j, f in enumerate(schema.get("fields") or []):
        name = f.get("name") if isinstance(f, dict) else None
        if not isinstance(name, str):
            continue
        key = name.strip().casefold()
        if not key:
            out.append(
                Finding(
                    "field-name-clash",
                    f"field {j + 1} has an empty name: give it one (the file's header can be its title)",
                    field_number=j + 1,
                    **field_where(ds, res, j, where),
                )
            )
        elif key in seen:
            first = seen[key]
            out.append(
                Finding(
                    "field-name-clash",
                    f"field {j + 1} '{name}' and field {first[0] + 1} '{first[1]}' differ "
                    "only in case: databases read them as one column; rename one",
                    field=name,
                    field_number=j + 1,
                    **field_where(ds, res, j, where),
                )
            )
        else:
            seen[key] = (j, name)
    return out


def too_wide(ds: Dataset, res: Resource, schema: dict[str, Any], where: Where) -> list[Finding]:
    n = len(schema.get("fields") or [])
    if n <= MAX_SERVED_COLUMNS:
        return []
    return [
        Finding(
            "too-many-columns",
            f"the schema has {n} fields; the published database holds at most "
            f"{MAX_SERVED_COLUMNS} columns per table: split the table or publish it long",
            field_number=MAX_SERVED_COLUMNS + 1,
            **field_where(ds, res, MAX_SERVED_COLUMNS, where),
        )
    ]
