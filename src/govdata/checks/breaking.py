"""Breaking changes against the base ref: a dropped, renamed or re-typed field or a
changed primary key is an error unless the dataset's major version was bumped."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


from govdata.catalog.model import Dataset
from govdata.catalog.safeyaml import loads_yaml
from govdata.checks.changes import git_show
from govdata.findings import Finding


def _parse(text: str | None, path: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text) if path.endswith(".json") else loads_yaml(text, path)[0]
    except Exception:  # the base version may be broken; then there is nothing to compare
        return None


def _major(version: Any) -> int | None:
    m = re.match(r"^(\d+)\.", str(version or ""))
    return int(m.group(1)) if m else None


def _base_schemas(root: Path, ref: str, base: dict) -> dict[str, dict]:
    out = {}
    for res in base.get("resources") or []:
        if not isinstance(res, dict):
            continue
        schema = res.get("schema")
        if isinstance(schema, str) and schema.startswith("shared:"):
            name = schema.split(":", 1)[1]
            for ext in (".yaml", ".yml", ".json"):
                schema_data = _parse(git_show(root, ref, f"schemas/{name}{ext}"), ext)
                if schema_data is not None:
                    break
            schema = schema_data
        if isinstance(schema, dict) and isinstance(res.get("name"), str):
            out[res["name"]] = schema
    return out


def _pk(schema: dict) -> list[str]:
    pk = schema.get("primaryKey") or []
    return [pk] if isinstance(pk, str) else list(pk)


def check_breaking(root: Path, ref: str, ds: Dataset) -> list[Finding]:
    rel = ds.rel_file
    base = _parse(git_show(root, ref, rel), rel)
    if not isinstance(base, dict):
        return []  # a new dataset
    old = _base_schemas(root, ref, base)
    changes: list[str] = []
    for res in ds.resources:
        if res.name not in old or res.schema is None:
            continue
        before = {f.get("name"): f.get("type", "any") for f in old[res.name].get("fields") or []}
        after = {f.get("name"): f.get("type", "any") for f in res.fields}
        for name, typ in before.items():
            if name not in after:
                changes.append(f"{res.name}: field '{name}' dropped or renamed")
            elif after[name] != typ:
                changes.append(f"{res.name}: field '{name}' re-typed {typ} → {after[name]}")
        if _pk(old[res.name]) != _pk(res.schema):
            changes.append(f"{res.name}: primary key {_pk(old[res.name])} → {_pk(res.schema)}")
    for name in old:
        if name not in {r.name for r in ds.resources}:
            changes.append(f"resource '{name}' removed")
    if not changes:
        return []
    old_major, new_major = _major(base.get("version")), _major(ds.descriptor.get("version"))
    bumped = old_major is not None and new_major is not None and new_major > old_major
    code = "breaking-change-versioned" if bumped else "breaking-change"
    tail = (
        f"version {base.get('version')} → {ds.descriptor.get('version')}"
        if bumped
        else f"bump version to {(old_major or 0) + 1}.0.0 to publish it"
    )
    return [
        Finding(code, f"{c} ({tail})", file=rel, dataset=ds.name, key="version", line=ds.line("version"))
        for c in changes
    ]
