"""Per-resource downloads: Parquet (zstd) and UTF-8 CSV, with byte size and sha256.

The CSV download is the registered file itself (byte for byte, so its hash is the one the
agency declared) when that file already is what the export would be: UTF-8 without BOM, the
schema's field names as header, empty cells as the only missing value and no field options
that change how values are written. Otherwise DuckDB writes it from the warehouse table.
"""

from __future__ import annotations

import datetime as dt
import shutil
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govdata.checks.bytescan import file_digest
from govdata.sql import lit

if TYPE_CHECKING:  # importing DuckDB is left to the build proper (early_copies runs before it)
    import duckdb

# field options under which the source text differs from how the typed export writes values
_REWRITING_KEYS = ("groupChar", "decimalChar", "bareNumber", "trueValues", "falseValues")


@dataclass
class Export:
    format: str
    path: Path
    bytes: int
    sha256: str
    media_type: str

    def to_dict(self, url: str) -> dict:
        return {
            "format": self.format,
            "url": url,
            "bytes": self.bytes,
            "hash": f"sha256:{self.sha256}",
            "mediatype": self.media_type,
            "file": self.path.name,
        }


def source_is_canonical(
    raw: dict[str, Any], schema: dict[str, Any], prepared_path: Path | None, source: Path | None, header: list[str]
) -> bool:
    """Can the registered CSV be published as it is?"""
    fields = schema.get("fields") or []
    return (
        source is not None
        and prepared_path == source
        and not raw.get("pipeline")
        and (raw.get("format") or source.suffix.lstrip(".")).lower() == "csv"
        and header == [f.get("name") for f in fields]
        and schema.get("missingValues", [""]) == [""]
        and not any("missingValues" in f for f in fields)
        and not any(k in f for f in fields for k in _REWRITING_KEYS)
        and all(
            (f.get("format") or "default") == "default" for f in fields if f.get("type") in ("date", "datetime", "time")
        )
    )


def early_copies(datasets: Any, downloads: Path) -> list[Path]:
    """Copy, before anything else runs, the big registered CSVs that look publishable as they are
    (a copy is kernel work, done while the build is still importing its libraries on one core).
    :func:`export_resource` decides later from the checked header; a copy it does not want is
    overwritten. Returns the copies made."""
    from govdata.catalog.tableschema import normalise_schema
    from govdata.checks.source import fast_path

    made = []
    for ds in datasets:
        for res in ds.resources if ds.publishes_data else []:
            if res.source is None or res.schema is None or res.pipeline or not fast_path(res.source, res.raw):
                continue
            with res.source.open("r", encoding="utf-8", errors="replace", newline="") as fh:
                header = fh.readline().rstrip("\r\n").split(",")
            if source_is_canonical(res.raw, normalise_schema(res.schema), res.source, res.source, header):
                target = downloads / ds.name / f"{res.name}.csv"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(res.source, target)
                made.append(target)
    return made


def export_resource(
    con: duckdb.DuckDBPyConnection,
    table: str,
    out_dir: Path,
    name: str,
    pool: Executor,
    source: Path | None = None,
    source_sha: str = "",
    copied: bool = False,
) -> list[Export]:
    """Write Parquet with DuckDB and the CSV (a copy of ``source`` when given, unless ``copied``
    already by :func:`early_copies`); the sha256 of each file is computed in ``pool`` (hashlib
    releases the GIL) while the next file is written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet = out_dir / f"{name}.parquet"
    csv = out_dir / f"{name}.csv"
    if source is None:
        con.execute(
            f"COPY (SELECT * FROM {table}) TO {lit(str(csv))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')"
        )
    elif not copied:
        shutil.copyfile(source, csv)
    csv_digest = pool.submit(lambda: (source_sha, csv.stat().st_size) if source_sha else file_digest(csv))
    con.execute(f"COPY (SELECT * FROM {table}) TO {lit(str(parquet))} (FORMAT parquet, COMPRESSION zstd)")
    out = []
    for fmt, path, media, digest in (
        ("csv", csv, "text/csv", csv_digest.result()),
        ("parquet", parquet, "application/vnd.apache.parquet", file_digest(parquet)),
    ):
        sha, size = digest
        out.append(Export(fmt, path, size, sha, media))
    return out


# ---- spreadsheet-ready copies -------------------------------------------------------------

FORMULA_START = "^[=+\\-@\t\r]"  # what Excel, LibreOffice and Sheets may execute (OWASP CSV injection)
XLSX_MAX_CELLS = 500_000  # beyond this a workbook costs seconds per build: CSV and Parquet serve it
XLSX_IN_MEMORY_CELLS = 100_000  # up to this a workbook is built in memory (~100 bytes a cell)
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_CREATED = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)


def _headers(fields: list[dict[str, Any]]) -> list[str]:
    """Chinese column titles (the field name when there is none, or when two titles collide)."""
    titles = [str(f.get("title") or f["name"]) for f in fields]
    return [t if titles.count(t) == 1 else f"{t} ({f['name']})" for t, f in zip(titles, fields)]


def _neutralised(fields: list[dict[str, Any]], headers: list[str]) -> str:
    cols = []
    for f, h in zip(fields, headers):
        c = '"' + f["name"].replace('"', '""') + '"'
        if (f.get("type") or "any") in ("string", "any"):
            c = f"CASE WHEN regexp_matches({c}, {lit(FORMULA_START)}) THEN chr(39) || {c} ELSE {c} END"
        cols.append(f"{c} AS " + '"' + h.replace('"', '""') + '"')
    return ", ".join(cols)


def export_spreadsheet(
    con: duckdb.DuckDBPyConnection, table: str, out_dir: Path, name: str, fields: list[dict[str, Any]], rows: int
) -> list[Export]:
    """An Excel-ready CSV (UTF-8 with BOM, Chinese column titles, cells a spreadsheet would run
    as formulas prefixed with ``'``) and, when the table has at most XLSX_MAX_CELLS cells, an
    XLSX workbook written as text and numbers (never formulas). The canonical CSV is untouched."""
    headers = _headers(fields)
    select = f"SELECT {_neutralised(fields, headers)} FROM {table}"
    target = out_dir / f"{name}.excel.csv"
    tmp = out_dir / f".{name}.excel.tmp"
    con.execute(f"COPY ({select}) TO {lit(str(tmp))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    with target.open("wb") as out, tmp.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out, 1 << 20)
    tmp.unlink()
    sha, size = file_digest(target)
    made = [Export("excel-csv", target, size, sha, "text/csv")]
    if rows * max(len(fields), 1) <= XLSX_MAX_CELLS:
        import xlsxwriter

        book_path = out_dir / f"{name}.xlsx"
        book = xlsxwriter.Workbook(
            str(book_path),
            {
                # a small workbook is built in memory (xlsxwriter's temporary files cost more than the
                # sheet: 14 vs 50 ms wall for 120 x 12 cells); a big one row by row through them
                "in_memory": rows * max(len(fields), 1) <= XLSX_IN_MEMORY_CELLS,
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        # a fixed creation time (xlsxwriter's default is now): the same table gives the same bytes,
        # whichever build or process writes it (its zip entries are dated 1980 already)
        book.set_properties({"created": _XLSX_CREATED})
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, headers, book.add_format({"bold": True}))
        sheet.freeze_panes(1, 0)
        result = con.execute(f"SELECT * FROM {table}")
        r = 1
        while batch := result.fetchmany(10_000):
            for row in batch:
                sheet.write_row(r, 0, [v if v is None or isinstance(v, (int, float, str)) else str(v) for v in row])
                r += 1
        book.close()
        sha, size = file_digest(book_path)
        made.append(Export("xlsx", book_path, size, sha, XLSX_MEDIA))
    return made
