"""Refusing Excel zip bombs before a workbook is opened: caps on the expanded size
and on the compression ratio, read from the zip directory without inflating."""

from __future__ import annotations

import zipfile
from pathlib import Path

from govdata.findings import Finding, Where

MAX_EXPANDED = 200 * 1024**2
MAX_RATIO = 100


def guard_workbook(path: Path, where: Where) -> list[Finding]:
    if path.suffix.lower() == ".xls":
        return []  # legacy BIFF is not a zip; the file-size cap applies
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        return [Finding("source-error", "not a valid .xlsx file (not a zip archive)", **where)]
    expanded = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if expanded > MAX_EXPANDED:
        return [
            Finding("file-too-large", f"the workbook expands to {expanded} bytes, over the {MAX_EXPANDED} cap", **where)
        ]
    if expanded / packed > MAX_RATIO and expanded > 10 * 1024**2:
        return [Finding("file-too-large", f"compression ratio {expanded // packed}:1 looks like a zip bomb", **where)]
    return []
