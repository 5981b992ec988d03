"""Turning a committed data file into a clean UTF-8 CSV the table checks can read
(:func:`prepare`): the steps in order, each reporting findings rather than raising, each in
its own module:

1. size cap, declared ``bytes`` and ``hash`` (here; one read of the bytes: :mod:`.bytescan`);
2. encoding (:mod:`.encoding`): UTF-8 as is, a BOM, UTF-16 and GB18030/GBK normalised to UTF-8,
   anything else an ``encoding-error`` at its line. NUL bytes are an error at their line;
3. Excel (:mod:`.excel`): ``.xlsx``/``.xls`` read with python-calamine and written out as CSV;
4. a declared CSV dialect (:mod:`.dialect`) read and written out as a plain CSV;
5. structure (:mod:`.structure`): one strict csv pass for blank, short and long rows,
   unterminated quotes, huge cells and bad headers, with a cleaned copy when rows are left out.

Big plain UTF-8 CSV files skip the Python structure pass (:func:`fast_path`): DuckDB's strict
read stands in for it.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from govdata.checks.bytescan import byte_pass, line_at
from govdata.checks.dialect import apply_dialect, read_dialect, remap_rows
from govdata.checks.encoding import normalise_encoding
from govdata.checks.rules.personal_data import in_skipped_rows
from govdata.checks.prepared import Prepared
from govdata.checks.structure import MissingValues, check_header, scan_structure
from govdata.findings import Finding, Where

if TYPE_CHECKING:
    from govdata.checks.excel import Fields  # a workbook's module, imported for a sheet only

MAX_FILE_BYTES = 2 * 1024**3
QUICK_SCAN_BYTES = 8 * 1024**2  # below this the precise Python structure pass always runs


def declared_findings(src: Path, raw: dict[str, Any], sha: str, size: int, where: Where) -> list[Finding]:
    """The file against its declared ``hash`` (sha256, or md5 as Frictionless allows) and ``bytes``."""
    findings = []
    declared_hash = raw.get("hash")
    if isinstance(declared_hash, str):
        algo, _, value = declared_hash.rpartition(":")
        if algo in ("", "md5") and len(value) == 32:
            import hashlib

            actual = hashlib.md5(src.read_bytes()).hexdigest()
        else:
            actual = sha
        if value.lower() != actual:
            findings.append(
                Finding("hash-count", f"declared hash {declared_hash[:80]} but the file's is {actual}", **where)
            )
    if isinstance(raw.get("bytes"), int) and raw["bytes"] != size:
        findings.append(Finding("byte-count", f"declared bytes {raw['bytes']} but the file has {size}", **where))
    return findings


def fast_path(src: Path, raw: dict[str, Any]) -> bool:
    """Big plain UTF-8 CSV: DuckDB's strict read can start while the byte pass runs beside it."""
    fmt = (raw.get("format") or src.suffix.lstrip(".")).lower()
    declared = str(raw.get("encoding") or "utf-8").lower().replace("_", "-")
    try:
        size = src.stat().st_size
        with src.open("rb") as fh:
            head = fh.read(4)
    except OSError:
        return False
    return (
        QUICK_SCAN_BYTES < size <= MAX_FILE_BYTES
        and fmt == "csv"
        and declared == "utf-8"
        and not raw.get("dialect")
        and not raw.get("compression")
        and not head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    )


def prepare(
    src: Path,
    workdir: Path,
    raw: dict[str, Any],
    expected: Sequence[str],
    where: Where,
    missing: MissingValues = ("",),
    fields: Fields = (),
) -> Prepared:
    """All of the above for one resource file. The Python structure pass runs on small files,
    transcoded files and files with blank lines; otherwise DuckDB's strict CSV read stands in
    for it and the runner falls back to it only if that read fails."""
    size = src.stat().st_size
    if size > MAX_FILE_BYTES:
        return Prepared(
            path=None,
            bytes=size,
            findings=[Finding("file-too-large", f"{size} bytes, over the {MAX_FILE_BYTES}-byte cap", **where)],
        )
    facts = byte_pass(src, digest=isinstance(raw.get("hash"), str))
    sha = facts.sha256
    findings = declared_findings(src, raw, sha, size, where)
    if raw.get("compression"):  # the file it holds is read (declared hash and bytes: the committed file's)
        from govdata.checks.compressed import decompress  # gzip, zipfile: only for such a file

        inner, problems = decompress(src, workdir, raw["compression"], MAX_FILE_BYTES, where)
        if inner is None:
            return Prepared(path=None, findings=findings + problems, sha256=sha, bytes=size)
        src, facts = inner, byte_pass(inner, digest=False)
    fmt = (raw.get("format") or src.suffix.lstrip(".")).lower()
    excel_findings: list[Finding] = []
    if fmt in ("xlsx", "xls"):
        from govdata.checks.excel_guard import guard_workbook

        guard = guard_workbook(src, where)
        if guard:
            return Prepared(path=None, findings=findings + guard, sha256=sha, bytes=size)
        from govdata.checks.excel import excel_options, excel_to_csv  # workbooks only (XML, openpyxl)

        sheet, merged = excel_options(raw)
        utf8, excel_findings, _ = excel_to_csv(src, workdir, sheet, where, fields, merged)
        findings.extend(f for f in excel_findings if f.code != "type-error")
        encoding = "xlsx"
    else:
        nul = facts.nul
        with src.open("rb") as fh:
            utf16 = fh.read(4).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE))
        if nul is not None and not utf16:
            line = line_at(src, nul)
            return Prepared(
                path=None,
                sha256=sha,
                bytes=size,
                findings=findings + [Finding("nul-byte", f"NUL byte at line {line} (byte {nul})", row=line, **where)],
            )
        utf8, encoding, enc_findings = normalise_encoding(src, workdir, raw.get("encoding"), where, facts.utf8_error)
        findings.extend(enc_findings)
    excel = fmt in ("xlsx", "xls")
    dialect, dialect_findings = read_dialect({"format": fmt, **raw}, where, excel)
    if dialect_findings:
        return Prepared(path=None, findings=findings + dialect_findings, sha256=sha, bytes=size)
    if utf8 is None:
        return Prepared(path=None, findings=findings, sha256=sha, bytes=size, encoding=encoding)
    if dialect is not None:
        skipped: list[tuple[int, list[str]]] = []
        plain, numbers, read_errors = apply_dialect(utf8, workdir, dialect, expected, where, skipped)
        if plain is None:
            return Prepared(path=None, findings=findings + read_errors, sha256=sha, bytes=size, encoding=encoding)
        prep = scan_structure(plain, workdir, expected, where, missing)
        cells: list[Finding] = []
        if excel:  # a number in a text field (reported at its sheet row) makes the row invalid
            sheet_rows = {n: i + 1 for i, n in enumerate(numbers) if i}
            cells = [f for f in excel_findings if f.row in sheet_rows]
            prep.bad_rows |= {sheet_rows[f.row] for f in cells}
        if read_errors:
            prep.rows_read += 1
            prep.bad_rows.add(len(numbers) + 1)
            numbers.append(read_errors[0].row)
        remap_rows(prep, numbers)
        prep.findings[:0] = findings
        prep.findings.extend(read_errors + cells)
        prep.outside = in_skipped_rows(skipped, where)
        prep.sha256, prep.bytes, prep.encoding = sha, size, encoding
        return prep
    if utf8 == src and not facts.blank_line and not facts.spaced_quote and size > QUICK_SCAN_BYTES:
        prep = Prepared(path=src, scanned=False)
        with src.open("r", encoding="utf-8-sig", newline="") as fh:
            prep.header = next(csv.reader(fh), [])
        prep.findings = check_header(prep.header, expected, where)
    else:
        prep = scan_structure(utf8, workdir, expected, where, missing)
    prep.findings[:0] = findings
    prep.sha256, prep.bytes, prep.encoding = sha, size, encoding
    return prep
