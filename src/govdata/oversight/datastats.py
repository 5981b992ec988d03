"""Missing values of the published tables, read from the build's own Parquet exports.

A Parquet file records, per column chunk, how many values are null (the writer counts them; the
gate turned every declared missing value — ``missingValues``, by default the empty string — into
a null when it typed the table). Summing those counts reads only the files' footers: no row is read
again, whatever the table's size.
"""

from __future__ import annotations

from pathlib import Path


def null_cells(path: Path) -> int | None:
    """Null cells of one Parquet file, or None when it cannot be read or a chunk has no statistics."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, ValueError):
        return None
    total = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            stats = group.column(c).statistics
            if group.num_rows and (stats is None or not stats.has_null_count):
                return None
            total += stats.null_count if stats is not None else 0
    return total


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
