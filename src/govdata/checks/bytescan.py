"""One read of a file's bytes: size, sha256, the first NUL and non-UTF-8 byte, blank lines
(:func:`byte_pass`); the line of a byte offset (:func:`line_at`)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Callable
from pathlib import Path

CHUNK = 1 << 20


def file_digest(path: Path) -> tuple[str, int]:
    import hashlib  # OpenSSL's, fast on big files: loaded when a file is hashed (~3 ms of a cold check)

    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


@dataclass
class ByteFacts:
    """What the byte pass learned of a file: its hash and size, its first NUL or non-UTF-8 byte, blank lines."""

    sha256: str
    size: int
    nul: int | None  # offset of the first NUL byte
    utf8_error: int | None  # offset of the first byte that is not UTF-8
    blank_line: bool  # an empty line somewhere (needs the precise structure pass)
    spaced_quote: bool = False  # `, "`: read with the initial spaces skipped (see scan_structure)


def has_spaced_quote(data: bytes) -> bool:
    # a quote is rare (one memchr); `, "` starts with the commas of every row (~0.7 ms a MB)
    return b'"' in data and b', "' in data


_BLANK_LINE = re.compile(rb"\n\r?\n")  # one regex search beats two substring searches


def byte_pass(
    path: Path, digest: bool = True, utf8: bool = True, feed: Callable[[bytes], None] | None = None
) -> ByteFacts:
    """One read of the file: sha256 (when asked), size, first NUL, first non-UTF-8 byte (when
    ``utf8``; the fast path leaves that to DuckDB's strict read), blank lines. ``feed`` sees every
    chunk (the personal-data scan of :class:`govdata.checks.privacy.CellScanner`)."""
    if digest:
        import hashlib
    h = hashlib.sha256() if digest else None
    decoder = codecs.getincrementaldecoder("utf-8")("strict") if utf8 else None
    size, nul, bad, blank, spaced, tail = 0, None, None, False, False, b"\n"
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(CHUNK):  # 1 MB: every pass over a chunk stays in cache
            if h is not None:
                h.update(chunk)
            if nul is None:
                pos = chunk.find(b"\x00")
                if pos >= 0:
                    nul = size + pos
            if decoder is not None and bad is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad = size + max(exc.start - len(decoder.getstate()[0]), 0)
            edge = tail + chunk[:2]  # across the chunk boundary
            if not blank:
                blank = bool(_BLANK_LINE.search(chunk) or _BLANK_LINE.search(edge))
            if not spaced:
                spaced = has_spaced_quote(chunk) or has_spaced_quote(edge)
            tail = chunk[-2:]
            if feed is not None:
                feed(chunk)
            size += len(chunk)
    if decoder is not None and bad is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = size
    return ByteFacts(h.hexdigest() if h is not None else "", size, nul, bad, blank, spaced)


def line_at(path: Path, offset: int) -> int:
    line = 1
    done = 0
    with path.open("rb") as fh:
        while done < offset:
            chunk = fh.read(min(CHUNK, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
    return line
