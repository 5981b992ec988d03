"""Per-resource downloads: Parquet (zstd) and UTF-8 CSV, with byte size and sha256."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from govdata.checks.source import file_digest


@dataclass
class Export:
    format: str
    path: Path
    bytes: int
    sha256: str
    media_type: str

    def to_dict(self, url: str) -> dict:
        return {"format": self.format, "url": url, "bytes": self.bytes, "hash": f"sha256:{self.sha256}",
                "mediatype": self.media_type, "file": self.path.name}


def export_resource(con: duckdb.DuckDBPyConnection, table: str, out_dir: Path, name: str) -> list[Export]:
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet = out_dir / f"{name}.parquet"
    csv = out_dir / f"{name}.csv"
    con.execute(f"COPY (SELECT * FROM {table}) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"COPY (SELECT * FROM {table}) TO '{csv}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    out = []
    for fmt, path, media in (("csv", csv, "text/csv"), ("parquet", parquet, "application/vnd.apache.parquet")):
        sha, size = file_digest(path)
        out.append(Export(fmt, path, size, sha, media))
    return out
