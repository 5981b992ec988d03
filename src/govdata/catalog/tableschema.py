"""Table Schema as the catalogue declares it, in one normal form for every later stage."""

from __future__ import annotations

import copy
from typing import Any


def normalise_schema(schema: dict[str, Any], keep_labels: bool = False) -> dict[str, Any]:
    """Table Schema with single-string keys turned into lists (v2 allows both), and missing values
    given as objects (v2: ``{value: "-", label: 无}``) as their values, unless ``keep_labels`` (the
    descriptor as Frictionless validates it, and as the directory publishes it)."""
    schema = copy.deepcopy(schema)
    if not keep_labels:
        for holder in [schema, *(f for f in schema.get("fields") or [] if isinstance(f, dict))]:
            values = holder.get("missingValues")
            if isinstance(values, list) and any(isinstance(m, dict) for m in values):
                holder["missingValues"] = [m.get("value", "") if isinstance(m, dict) else m for m in values]
    if isinstance(schema.get("primaryKey"), str):
        schema["primaryKey"] = [schema["primaryKey"]]
    for fk in schema.get("foreignKeys") or []:
        if isinstance(fk, dict):
            if isinstance(fk.get("fields"), str):
                fk["fields"] = [fk["fields"]]
            ref = fk.get("reference")
            if isinstance(ref, dict) and isinstance(ref.get("fields"), str):
                ref["fields"] = [ref["fields"]]
    return schema


def as_list(value: Any) -> list[str]:
    """A Table Schema key that may be one name or a list of names (``primaryKey``, ``fields``), as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
