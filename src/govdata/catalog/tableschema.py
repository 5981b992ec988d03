"""Table Schema as the catalogue declares it, in one normal form for every later stage."""

from __future__ import annotations

import copy
from typing import Any


def normalise_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Table Schema with single-string keys turned into lists (v2 allows both)."""
    schema = copy.deepcopy(schema)
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
