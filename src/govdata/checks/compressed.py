"""A resource declared ``compression: gz`` or ``zip`` (as Frictionless reads it): the file it holds
is written out, under the size cap, and read as any committed file (its declared ``hash`` and
``bytes`` are those of the committed, compressed file)."""

from __future__ import annotations

import gzip
import zipfile
import zlib
from pathlib import Path
from typing import IO

from govdata.checks.prepared import work_file
from govdata.findings import Finding, Where

_CHUNK = 1024 * 1024


def decompress(
    src: Path, workdir: Path, compression: object, cap: int, where: Where
) -> tuple[Path | None, list[Finding]]:
    """The file held in ``src``, or None and why not."""
    kind = str(compression).lower()
    if kind not in ("gz", "gzip", "zip"):
        return None, [Finding("source-error", f"compression {compression!r} cannot be read: gz or zip", **where)]
    inner = src.stem if src.suffix.lower() in (".gz", ".gzip", ".zip") else src.name
    try:
        if kind == "zip":
            with zipfile.ZipFile(src) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    text = f"the zip archive holds {len(names)} files; a resource is one file"
                    return None, [Finding("source-error", text, **where)]
                with zf.open(names[0]) as fh:
                    return _copied(fh, work_file(workdir, Path(names[0]).name or inner), cap, where)
        with gzip.open(src, "rb") as fh:
            return _copied(fh, work_file(workdir, inner), cap, where)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        text = f"the file cannot be decompressed as declared (compression: {kind}): {str(exc)[:200]}"
        return None, [Finding("source-error", text, **where)]


def _copied(fh: IO[bytes] | gzip.GzipFile, dst: Path, cap: int, where: Where) -> tuple[Path | None, list[Finding]]:
    written = 0
    with dst.open("wb") as out:
        while chunk := fh.read(_CHUNK):
            written += len(chunk)
            if written > cap:
                text = f"the compressed file holds over {cap} bytes, over the cap"
                return None, [Finding("file-too-large", text, **where)]
            out.write(chunk)
    return dst, []
