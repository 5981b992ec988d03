"""Missing values of the published tables, read from the build's own Parquet exports.

A Parquet file records, per column chunk, how many values are null (the writer counts them; the
gate turned every declared missing value — ``missingValues``, by default the empty string — into
a null when it typed the table). Summing those counts reads only the files' footers: no row is read
again, whatever the table's size.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from govdata import duck


def null_cells(path: Path) -> int | None:
    """Null cells of one Parquet file, or None when it cannot be read or a chunk has no statistics.
    Read with DuckDB's ``parquet_metadata`` (the footer only), on one in-memory connection."""
    try:
        chunks = (
            _connection()
            .execute("SELECT row_group_num_rows, stats_null_count FROM parquet_metadata(?)", [str(path)])
            .fetchall()
        )
    except duck.Error:
        return None
    if any(rows and nulls is None for rows, nulls in chunks):
        return None
    return sum(nulls or 0 for _, nulls in chunks)


_CONNECTION: dict[int, Any] = {}  # by process id: a forked child opens its own (the parent's is left alone, not closed)
_LOCK = threading.Lock()


def _connection():
    """A cursor of this process's connection for footers (a cursor per call: threads may ask at once)."""
    with _LOCK:
        con = _CONNECTION.get(os.getpid())
        if con is None:
            con = _CONNECTION[os.getpid()] = duck.connect(
                config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, "threads": 1}
            )
        return con.cursor()


def missing_cells(downloads: Path | None, dataset: str, resources: list[str]) -> int | None:
    """Null cells over a dataset's published tables; None when one of them has no Parquet export."""
    if downloads is None or not resources:
        return None
    total = 0
    for name in resources:
        n = null_cells(downloads / dataset / f"{name}.parquet")
        if n is None:
            return None
        total += n
    return total
