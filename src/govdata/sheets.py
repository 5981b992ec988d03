"""Merged cells of a sheet, read as Frictionless's ``fillMergedCells`` reads them (shared by the
pipelines' ``read_excel``, the gate's Excel reader and ``govdata new``)."""

from __future__ import annotations

from typing import Any, Sequence


def fill_merged(rows: list[list[Any]], ranges: Sequence[Any]) -> None:
    """Every cell of a merged range takes the value of its first cell, as Frictionless's
    ``fillMergedCells`` reads a sheet (Excel keeps the value in the top-left cell only)."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            while len(row) <= c1:
                row.append("")
            for c in range(c0, c1 + 1):
                row[c] = value
