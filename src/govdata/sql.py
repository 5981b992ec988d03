"""SQL text helpers shared by every stage that writes SQL (the checks, the warehouse, the serving
database): quoting an identifier and writing a Python value as a literal. Imports nothing of the
platform, so any stage may use it."""

from __future__ import annotations

from typing import Any


def ident(name: str) -> str:
    """A quoted SQL identifier (DuckDB and SQLite alike)."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: Any) -> str:
    """A Python value as a SQL literal: NULL, TRUE/FALSE, a number, or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
