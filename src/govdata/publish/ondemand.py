"""Diffs on demand between any two releases of a dataset (consecutive ones are computed at
publish, see :mod:`govdata.publish.releases`). Bounded: both releases together may hold at most
MAX_ROWS rows, and at most SAMPLE changed rows per resource are returned with the counts."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from govdata.errors import GovdataError
from govdata.publish.sides import Side, compare

MAX_ROWS = 2_000_000
SAMPLE = 1000


class DiffRefused(GovdataError):
    pass


def diff_releases(
    view: Path, old: str, new: str, sample: int = SAMPLE, max_rows: int = MAX_ROWS, keep: Path | None = None
) -> dict[str, Any]:
    """The diff of releases ``old`` → ``new`` of the dataset whose view is ``view``
    (``downloads/<dataset>/releases``); the row files are written into ``keep`` when given."""
    import duckdb

    manifests = []
    for rid in (old, new):
        folder = view / rid
        if (
            rid in ("", ".", "..")
            or "/" in rid
            or "\0" in rid
            or rid.startswith(".")
            or len(rid.encode("utf-8", "replace")) > 200  # no release is named so (the OS refuses over 255)
            or not (folder / "release.json").is_file()
        ):
            raise DiffRefused(f"no release '{rid}'")
        manifests.append(json.loads((folder / "release.json").read_text("utf-8")))
    total = sum(int(f.get("rows") or 0) for m in manifests for f in m["files"] if f["format"] == "parquet")
    if total > max_rows:
        raise DiffRefused(
            f"{total:,} rows: more than {max_rows:,} for a diff on demand; "
            "download both releases' Parquet files and compare them locally"
        )
    with tempfile.TemporaryDirectory(prefix="govdata-diff-") as tmp:
        sides = [Side.from_view(view / rid, Path(tmp) / "objects") for rid in (old, new)]
        con = duckdb.connect()
        try:
            con.execute("SET threads=1")
            result, files = compare(con, sides[0], sides[1], Path(tmp))
        finally:
            con.close()
        for res, path in files.items():
            with path.open(encoding="utf-8", newline="") as fh:
                result["rows"][res]["sample"] = [row for _, row in zip(range(sample), csv.DictReader(fh))]
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                path.replace(keep / result["rows"][res]["file"])
    return result
