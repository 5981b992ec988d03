"""A source file's encoding: UTF-8 is used as is; a BOM, UTF-16 and GB18030/GBK (detected with
charset-normalizer) are normalised to UTF-8 and reported; anything else is an ``encoding-error``
at its line."""

from __future__ import annotations

import codecs
from pathlib import Path

from govdata.checks.bytescan import CHUNK, line_at
from govdata.checks.prepared import work_file
from govdata.findings import Finding, Where

ACCEPTED = {
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "hz": None,
    "big5": "big5",
    "big5hkscs": "big5hkscs",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "utf_8": "utf-8",
    "utf_32": "utf-32",
    "utf_32_le": "utf-32-le",
    "utf_32_be": "utf-32-be",
}


def _decode_error_offset(path: Path, encoding: str) -> int | None:
    """Offset of the first byte ``encoding`` cannot decode (None: the whole file decodes)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    done = 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return done + max(exc.start - len(decoder.getstate()[0]), 0)
            if not chunk:
                return None
            done += len(chunk)


def _has_cjk_before(path: Path, encoding: str, offset: int) -> bool:
    with path.open("rb") as fh:
        text = fh.read(min(offset, 4 * CHUNK)).decode(encoding, errors="ignore")
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") >= 2


def _has_non_ascii(path: Path) -> bool:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if not chunk.isascii():
                return True
    return False


def _detect(path: Path) -> str | None:
    from charset_normalizer import from_bytes

    with path.open("rb") as fh:
        sample = fh.read(4 * CHUNK)
    best = from_bytes(sample, cp_isolation=["utf_8", "gb18030", "big5", "utf_16"]).best()
    return best.encoding if best else None


def _transcode(src: Path, dst: Path, encoding: str) -> int | None:
    """Decode ``src`` strictly and write UTF-8; return the line of the first bad byte, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        first = True
        while True:
            chunk = fin.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                good = chunk[: max(exc.start, 0)]
                try:
                    line += good.decode(encoding, errors="ignore").count("\n")
                except LookupError:  # pragma: no cover
                    pass
                return line
            if first and text.startswith("\ufeff"):
                text = text[1:]
            first = False
            line += text.count("\n")
            fout.write(text)
            if not chunk:
                return None


def normalise_encoding(
    src: Path, workdir: Path, declared: str | None, where: Where, utf8_error: int | None | bool = False
) -> tuple[Path | None, str, list[Finding]]:
    """Return (UTF-8 path, source encoding, findings). ``utf8_error``: known offset (None: valid
    UTF-8), False: not known yet."""
    with src.open("rb") as fh:
        head = fh.read(4)
    if declared:
        enc = declared.lower().replace("-", "_")
        accepted = ACCEPTED.get(enc, declared)
        if accepted is None:  # a codec Python has but the gate does not accept (HZ)
            return None, declared, [_unknown(declared, where)]
        target = accepted
        if target == "utf-8" and head.startswith(codecs.BOM_UTF8):
            # declared UTF-8 with a BOM (Excel's "CSV UTF-8"): the BOM is no part of the first label,
            # as Frictionless reads it
            target = "utf-8-sig"
        if target not in ("utf-8", "utf_8", "utf-8-sig") and utf8_error is None and _has_non_ascii(src):
            # valid UTF-8 read as GB18030 (or another declared encoding) gives silent mojibake
            return (
                None,
                target,
                [
                    Finding(
                        "encoding-error",
                        f"encoding is declared as {declared!r} but the file is valid "
                        "UTF-8: remove the encoding key (or save the file in the declared encoding)",
                        **where,
                    )
                ],
            )
    elif head.startswith(codecs.BOM_UTF8):
        target = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts like it
        target = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        target = "utf-16"
    else:
        bad = _decode_error_offset(src, "utf-8") if utf8_error is False else utf8_error
        if bad is None:
            return src, "utf-8", []
        detected = (_detect(src) or "").lower()
        detected_as = ACCEPTED.get(detected)
        if not detected_as or detected_as == "utf-8":
            # one corrupt byte makes detection fail: a file that reads as GB18030 well past its first
            # non-UTF-8 byte is a GB18030 file, and the corrupt byte is where that reading stops
            gb_error = _decode_error_offset(src, "gb18030")
            if gb_error is not None and gb_error > bad and _has_cjk_before(src, "gb18030", gb_error):
                line, snippet = _bytes_at(src, gb_error)
                return (
                    None,
                    "gb18030",
                    [
                        Finding(
                            "encoding-error",
                            f"the file is GB18030 (GBK) but line {line} holds bytes that are not "
                            f"({snippet}): correct that line or export the file again (UTF-8 preferred)",
                            row=line,
                            **where,
                        )
                    ],
                )
            line, snippet = _bytes_at(src, bad)
            return (
                None,
                "unknown",
                [
                    Finding(
                        "encoding-error",
                        f"not valid UTF-8 at line {line} (bytes {snippet}) and not a recognised GB18030/GBK/UTF-16 file"
                        + (f" (looks like {detected})" if detected else ""),
                        row=line,
                        **where,
                    )
                ],
            )
        target = detected_as
    if target in ("utf-8", "utf_8") and utf8_error is None:
        return src, "utf-8", []  # declared UTF-8 and known to be: read as it is (a copy would not be used)
    try:
        dst = work_file(workdir, src.stem + ".utf8.csv")  # the folder made only when a file is written
        bad_line = _transcode(src, dst, target)
    except LookupError:
        return None, declared or target, [_unknown(declared, where)]
    if bad_line is not None:
        return (
            None,
            target,
            [
                Finding(
                    "encoding-error", f"bytes at line {bad_line} cannot be decoded as {target}", row=bad_line, **where
                )
            ],
        )
    if target in ("utf-8", "utf_8"):
        return src, "utf-8", []
    return dst, target, [Finding("encoding-normalised", f"read as {target} and normalised to UTF-8", **where)]


def _unknown(declared: str | None, where: Where) -> Finding:
    return Finding("encoding-error", f"unknown encoding {declared!r}", **where)


def _bytes_at(src: Path, offset: int) -> tuple[int, str]:
    """The line of the byte at ``offset`` and the four bytes from there, in hex."""
    with src.open("rb") as fh:
        fh.seek(offset)
        return line_at(src, offset), fh.read(4).hex(" ")
