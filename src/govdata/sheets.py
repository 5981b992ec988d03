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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def sheet_rows(sheet: Any, limit: int | None = None) -> list[list[Any]]:
    """The rows of a calamine sheet as the sheet numbers them (from A1), without the blank rows and
    columns after the last cell that holds something: a stray space in A1048576 or XFD6 made the
    used range a million rows (70 s of blank rows) or 16,384 columns. ``limit``: the first rows only."""
    start = getattr(sheet, "start", None) or (0, 0)
    pad = [""] * int(start[1])  # calamine's rows begin at the used range's first column
    rows: list[list[Any]] = []
    # rows not yet known to come before a row holding something: empty ones are counted, rows of
    # spaces kept (a million empty rows before a stray space cost no memory)
    pending: list[tuple[int, list[Any]]] = []
    empty_run = 0
    seen = width = 0
    for row in sheet.iter_rows():
        seen += 1
        if limit is not None and seen > limit:
            break
        if row.count("") == len(row):
            empty_run += 1
            continue
        row = pad + list(row)
        filled = [j for j, v in enumerate(row) if not _blank(v)]
        pending.append((empty_run, row))
        empty_run = 0
        if filled:  # a row of spaces is kept as it is, but does not make the table longer or wider
            width = max(width, filled[-1] + 1)
            for empties, kept in pending:
                rows.extend([] for _ in range(empties))
                rows.append(kept)
            pending.clear()
    return [(r + [""] * width)[:width] for r in rows]
