"""Turning a committed data file into a clean UTF-8 CSV the table checks can read.

Steps, each reporting findings rather than raising:

1. size cap, declared ``bytes`` and ``hash``;
2. encoding: UTF-8 is used as is; a BOM, UTF-16 and GB18030/GBK (detected with
   charset-normalizer) are normalised to UTF-8 and reported; anything else is an
   ``encoding-error`` at its line. NUL bytes are an error at their line;
3. Excel (``.xlsx``/``.xls``) is read with python-calamine (declared ``sheet`` and
   ``header_row``) and written out as CSV;
4. structure: one strict pass of Python's csv reader finds blank, short and long
   rows, unterminated quotes, huge cells and bad headers, with row numbers. Rows
   that cannot be loaded are reported and left out of a cleaned copy, with a map
   from the copy's rows back to the original row numbers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from govdata.csvlimit import field_size_limit
from govdata.findings import Finding

MAX_FILE_BYTES = 2 * 1024**3
LABEL_CODES = ("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")
MAX_CELL_CHARS = 100_000
QUICK_SCAN_BYTES = 8 * 1024**2  # below this the precise Python structure pass always runs
CHUNK = 1 << 20
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


class Label(str):
    """A header label the schema expects (a field's name, or its title under ``header_labels:
    titles``) that knows its field's name: findings name the field, whatever its header says."""

    field: str

    def __new__(cls, label: str, field: str | None = None) -> "Label":
        obj = super().__new__(cls, label)
        obj.field = field if field is not None else label
        return obj


def _field_of(label: str) -> str:
    return getattr(label, "field", label)


@dataclass
class Prepared:
    """A resource's data as a clean UTF-8 CSV plus what was learned reading it."""

    path: Path | None  # None when the data could not be read at all
    header: list[str] = field(default_factory=list)
    rows_read: int = 0
    bad_rows: set[int] = field(default_factory=set)  # row numbers reported by the structure pass
    row_map: list[int] | None = None  # cleaned-copy row i -> original row number (None: i + 2)
    kept_bad: list[int] = field(default_factory=list)  # cleaned-copy rows that are also in bad_rows (ragged rows)
    findings: list[Finding] = field(default_factory=list)
    encoding: str = "utf-8"
    sha256: str = ""
    bytes: int = 0
    scanned: bool = True  # False: the structure pass was skipped (DuckDB's strict read stands in)

    def row_number(self, index: int) -> int:
        return self.row_map[index] if self.row_map is not None else index + 2


def _out(workdir: Path, name: str) -> Path:
    """A file to write in ``workdir``, made only when needed (most resources need none: a folder
    per resource cost a catalogue of small files seconds of mkdir and rmdir)."""
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir / name


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


@dataclass
class ByteFacts:
    sha256: str
    size: int
    nul: int | None  # offset of the first NUL byte
    utf8_error: int | None  # offset of the first byte that is not UTF-8
    blank_line: bool  # an empty line somewhere (needs the precise structure pass)
    spaced_quote: bool = False  # `, "`: read with the initial spaces skipped (see scan_structure)


def _spaced(data: bytes) -> bool:
    return b', "' in data


MISSING_CELL = "\x01govdata: missing cell\x01"  # pads short rows in the cleaned copy; read back as NULL
_BLANK_LINE = re.compile(rb"\n\r?\n")  # one regex search beats two substring searches


def byte_pass(
    path: Path, digest: bool = True, utf8: bool = True, feed: Callable[[bytes], None] | None = None
) -> ByteFacts:
    """One read of the file: sha256 (when asked), size, first NUL, first non-UTF-8 byte (when
    ``utf8``; the fast path leaves that to DuckDB's strict read), blank lines. ``feed`` sees every
    chunk (the personal-data scan of :class:`govdata.checks.privacy.CellScanner`)."""
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
                spaced = _spaced(chunk) or _spaced(edge)
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


def _line_at(path: Path, offset: int) -> int:
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
    src: Path, workdir: Path, declared: str | None, where: dict, utf8_error: int | None | bool = False
) -> tuple[Path | None, str, list[Finding]]:
    """Return (UTF-8 path, source encoding, findings). ``utf8_error``: known offset (None: valid UTF-8)."""
    with src.open("rb") as fh:
        head = fh.read(4)
    dst = _out(workdir, src.stem + ".utf8.csv")
    if declared:
        enc = declared.lower().replace("-", "_")
        target = ACCEPTED.get(enc, declared)
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
        target = ACCEPTED.get(detected)
        if not target or target == "utf-8":
            # one corrupt byte makes detection fail: a file that reads as GB18030 well past its first
            # non-UTF-8 byte is a GB18030 file, and the corrupt byte is where that reading stops
            gb_error = _decode_error_offset(src, "gb18030")
            if gb_error is not None and gb_error > bad and _has_cjk_before(src, "gb18030", gb_error):
                line = _line_at(src, gb_error)
                with src.open("rb") as fh:
                    fh.seek(gb_error)
                    snippet = fh.read(4).hex(" ")
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
            line = _line_at(src, bad)
            with src.open("rb") as fh:
                fh.seek(bad)
                snippet = fh.read(4).hex(" ")
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
    try:
        bad_line = _transcode(src, dst, target)
    except LookupError:
        return None, declared or target, [Finding("encoding-error", f"unknown encoding {declared!r}", **where)]
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


def excel_to_csv(
    src: Path, workdir: Path, sheet: str | int | None, where: dict, fields: Sequence[dict] = ()
) -> tuple[Path | None, list[Finding], set[int]]:
    """The sheet as CSV, every row from the sheet's first (so row numbers are the sheet's), each
    cell as the declared field at its position reads it: a date or datetime cell in the declared
    type (calamine gives a datetime at midnight as a date), a number as its shortest text. A number
    in a field declared as text is a ``type-error`` (as Frictionless reports it: Excel shows it
    formatted, leading zeros are gone). Returns (CSV, findings, rows with findings)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(src))
        names = wb.sheet_names
        if sheet is None:
            target = names[0]
        elif isinstance(sheet, int):
            target = names[sheet - 1] if 0 < sheet <= len(names) else None
        else:
            target = sheet if sheet in names else None
        if target is None:
            return (
                None,
                [Finding("source-error", f"sheet {sheet!r} not found; the workbook has {names}", **where)],
                set(),
            )
        rows = wb.get_sheet_by_name(target).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        return None, [Finding("source-error", f"the workbook cannot be read: {str(exc)[:200]}", **where)], set()
    types = [(f.get("type") or "any") if isinstance(f, dict) else "any" for f in fields]
    names_at = [f.get("name") if isinstance(f, dict) else None for f in fields]
    dst = _out(workdir, src.stem + ".xlsx.csv")
    findings: list[Finding] = []
    bad: set[int] = set()
    header_seen = False
    with dst.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")  # CRLF: a cell holding a bare CR is quoted too
        for number, row in enumerate(rows, start=1):
            out = []
            for j, v in enumerate(row):
                kind = types[j] if j < len(types) else "any"
                if (
                    header_seen
                    and kind == "string"
                    and isinstance(v, (int, float))
                    and not isinstance(v, bool)
                    and len(findings) < 1000
                ):
                    findings.append(
                        Finding(
                            "type-error",
                            f"row {number}, field {names_at[j]}: the cell is a number "
                            f"({_excel_cell(v)}) in a text field: format the column as text in Excel "
                            "(numbers lose leading zeros)",
                            row=number,
                            field=names_at[j],
                            field_number=j + 1,
                            cell=_excel_cell(v),
                            **where,
                        )
                    )
                    bad.add(number)
                out.append("" if v is None else _excel_cell(v, kind))
            header_seen = header_seen or any(c != "" for c in out)
            writer.writerow(out)
    return dst, findings, bad


def _excel_cell(value: object, kind: str = "any") -> str:
    import datetime as dt

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if kind == "date" and value.time() == dt.time(0):
            return value.date().isoformat()
        if kind in ("datetime", "any", "string") or value.time() != dt.time(0):
            return value.isoformat()
        return value.date().isoformat()
    if isinstance(value, dt.date):
        if kind == "datetime":  # calamine reads a datetime at midnight as a date
            return dt.datetime(value.year, value.month, value.day).isoformat()
        return value.isoformat()
    return str(value)


# A Frictionless CSV dialect (v1 keys on the resource's ``dialect``; v2's ``csv`` sub-object too):
# what Frictionless 5.21 reads, plus CSVW's ``skipRows``.
_DIALECT_KEYS = {
    "delimiter",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "skipInitialSpace",
    "lineTerminator",
    "header",
    "headerRows",
    "headerJoin",
    "commentChar",
    "commentRows",
    "skipRows",
    "caseSensitiveHeader",
    "headerCase",
    "csvddfVersion",
    "nullSequence",
    "skipBlankRows",
}
_DIALECT_DEFAULT = {
    "delimiter": ",",
    "quoteChar": '"',
    "doubleQuote": True,
    "escapeChar": None,
    "skipInitialSpace": False,
    "header": True,
    "headerRows": [1],
    "headerJoin": " ",
    "commentChar": None,
    "commentRows": [],
    "skipRows": 0,
    "skipBlankRows": False,
}


def read_dialect(raw: dict, where: dict, excel: bool = False) -> tuple[dict | None, list[Finding]]:
    """The declared dialect merged over the defaults, or None when it changes nothing (the file is
    then read as is). Findings for values no CSV reader can use."""
    declared = raw.get("dialect")
    fmt = str(raw.get("format") or Path(str(raw.get("path") or "")).suffix.lstrip(".")).lower()
    if excel:  # a sheet: only the row keys apply; govdata's header_row is headerRows: [header_row]
        declared = (
            {
                k: v
                for k, v in (declared or {}).items()
                if k
                in ("header", "headerRows", "headerJoin", "commentChar", "commentRows", "skipRows", "skipBlankRows")
            }
            if isinstance(declared, dict)
            else {}
        )
        if raw.get("header_row") and "headerRows" not in declared:
            declared["headerRows"] = [int(raw["header_row"])]
        declared["_excel"] = True
    if fmt == "tsv" and (declared is None or isinstance(declared, dict)):  # as Frictionless reads a .tsv
        declared = {"delimiter": "\t", **(declared or {})}
    if declared is None:
        return None, []
    if not isinstance(declared, dict):
        return None, [Finding("dialect-error", "dialect must be a mapping of CSV dialect keys", key="dialect", **where)]
    declared = {**{k: v for k, v in declared.items() if k != "csv"}, **(declared.get("csv") or {})}
    d = dict(_DIALECT_DEFAULT)
    problems = []
    for key, value in declared.items():
        if key not in _DIALECT_KEYS:
            continue
        ok = True
        if key in ("delimiter",):
            ok = isinstance(value, str) and len(value) == 1 and value not in ("\r", "\n")
        elif key == "quoteChar":  # "" is no quoting at all
            ok = isinstance(value, str) and len(value) <= 1 and value not in ("\r", "\n")
        elif key == "escapeChar":
            ok = value is None or (isinstance(value, str) and len(value) == 1)
        elif key in ("doubleQuote", "skipInitialSpace", "header", "skipBlankRows"):
            ok = isinstance(value, bool)
        elif key in ("headerRows", "commentRows"):
            ok = isinstance(value, list) and all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in value
            )
            ok = ok and (key != "headerRows" or bool(value))
        elif key == "skipRows":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif key in ("commentChar", "headerJoin"):
            ok = value is None or isinstance(value, str) and (key == "headerJoin" or len(value) >= 1)
        if not ok:
            problems.append(
                Finding("dialect-error", f"dialect {key}: {value!r} cannot be used", key=f"dialect.{key}", **where)
            )
        else:
            d[key] = value
    if problems:
        return None, problems
    if d["delimiter"] == d["quoteChar"]:
        return None, [
            Finding("dialect-error", "dialect delimiter and quoteChar are the same character", key="dialect", **where)
        ]
    plain = all(d[k] == v for k, v in _DIALECT_DEFAULT.items()) and not declared.get("_excel")
    return (None if plain else d), []


def apply_dialect(
    path: Path, workdir: Path, d: dict, expected: list[str], where: dict
) -> tuple[Path | None, list[int | None], list[Finding]]:
    """Read ``path`` (UTF-8) as the dialect says, as Frictionless does (comment rows, header rows joined,
    rows before the header skipped), and write it as a plain CSV: one header row, then the data rows.
    Returns (plain CSV, original row number of each of its rows (header first), findings)."""
    out_path = _out(workdir, path.stem + ".dialect.csv")
    quoting = csv.QUOTE_NONE if d["quoteChar"] == "" else csv.QUOTE_MINIMAL
    options = dict(
        delimiter=d["delimiter"],
        quoting=quoting,
        skipinitialspace=d["skipInitialSpace"],
        doublequote=d["doubleQuote"] if d["escapeChar"] else True,
        escapechar=d["escapeChar"],
        strict=True,
    )
    if quoting != csv.QUOTE_NONE:
        options["quotechar"] = d["quoteChar"]
    header_rows = d["headerRows"] if d["header"] else []
    first_data = (header_rows[-1] + 1) if header_rows else 1
    comment_rows = set(d["commentRows"]) | set(range(1, d["skipRows"] + 1))
    labels: list[str] = []
    previous: dict[int, str] = {}
    numbers: list[int | None] = [header_rows[-1] if header_rows else None]
    rows: list[list[str]] = []
    error = None
    with (
        field_size_limit(MAX_CELL_CHARS + 1),
        path.open("r", encoding="utf-8", newline="") as fh,
        out_path.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, lineterminator="\r\n")  # CRLF: a cell holding a bare CR is quoted too
        reader = csv.reader(fh, **options)
        row_number = kept = 0
        header_written = False

        def write_header():
            writer.writerow(
                labels if header_rows else (expected or [f"field{i + 1}" for i in range(len(rows[0]) if rows else 0)])
            )

        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                # what follows stays out, as after an unterminated quote in the structure pass
                text = str(exc)
                code = "cell-too-large" if "field larger" in text else "source-error"
                if "unexpected end of data" in text or "EOF" in text:
                    text = "unterminated quote: the rest of the file was swallowed into one cell"
                error = Finding(code, f"row {row_number} (line {reader.line_num}): {text}", row=row_number, **where)
                break
            row_number += 1
            if row_number in comment_rows or (d["commentChar"] and cells and cells[0].startswith(d["commentChar"])):
                continue
            kept += 1  # header rows count the rows that are not comments, as Frictionless finds them
            if kept < first_data:
                if kept in header_rows:
                    numbers[0] = row_number
                    for i, cell in enumerate(cells):
                        if previous.get(i) == cell:
                            continue  # a merged cell repeated across header rows, as Frictionless joins them
                        previous[i] = cell
                        if len(labels) <= i:
                            labels.append(cell)
                        else:
                            labels[i] = d["headerJoin"].join([labels[i], cell])
                continue
            if d["skipBlankRows"] and not any(cells):
                continue
            if not header_written:
                rows.append(cells)
                write_header()
                rows.clear()
                header_written = True
            writer.writerow(cells)
            numbers.append(row_number)
        if not header_written:
            write_header()
    if header_rows and not labels and error is None:
        text = (
            "the file is empty (no header row)"
            if not kept
            else f"no header row: the dialect's headerRows name row {header_rows[-1]} but the file has {kept} "
            "rows that are not comments"
        )
        return None, numbers, [Finding("source-error", text, row=header_rows[-1] if kept else 1, **where)]
    return out_path, numbers, [error] if error else []


def remap_rows(prep: "Prepared", numbers: list[int | None]) -> None:
    """Findings and row numbers of a structure pass over a rewritten copy (its row n is the
    original row ``numbers[n - 1]``) given back in the original file's row numbers."""

    def orig(n: int | None) -> int | None:
        return numbers[n - 1] if n is not None and 0 < n <= len(numbers) else n

    import dataclasses

    def moved(f: Finding) -> Finding:
        message = f.message
        if message.startswith(f"row {f.row} "):
            message = f"row {orig(f.row)} " + message[len(f"row {f.row} ") :]
        return dataclasses.replace(f, row=orig(f.row), message=message)

    prep.findings = [moved(f) if f.row is not None else f for f in prep.findings]
    prep.bad_rows = {orig(r) for r in prep.bad_rows}
    count = len(numbers) - 1
    prep.row_map = [orig(r) for r in (prep.row_map if prep.row_map is not None else range(2, count + 2))]


def scan_structure(
    path: Path,
    workdir: Path,
    expected: list[str],
    where: dict,
    missing: Sequence[str] = ("",),
    rewrite_always: bool = False,
) -> Prepared:
    """One strict csv pass: header, blank/ragged rows, unterminated quotes, huge cells.

    As in Frictionless, a ragged row is still a row: its extra cells are reported and left out,
    its missing cells are reported and read as empty, and its other cells are checked like any
    row's. Cells map to the schema's fields by position, also when the header is wrong. Blank
    rows and rows after an unterminated quote are left out. When anything is left out or the
    widths differ, the checks read a cleaned copy with one column per schema field."""
    prep = Prepared(path=path)
    # `1, "2.5"`: DuckDB drops the space and reads 2.5, and so does Frictionless (Python's csv
    # sniffer turns skipinitialspace on for the file when a quote follows a delimiter and a space).
    # Such a file is read so, and the checks read the copy this pass writes: one verdict either way.
    spaced = _file_has_spaced_quote(path)
    with field_size_limit(MAX_CELL_CHARS + 1), path.open("r", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, strict=True, skipinitialspace=spaced)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            prep.findings.append(Finding("source-error", f"header cannot be parsed: {exc}", row=1, **where))
            prep.path = None
            return prep
        if header is None or (not any(c.strip() for c in header) and _only_blank(path)):
            prep.findings.append(Finding("source-error", "the file is empty (no header row)", row=1, **where))
            prep.path = None
            return prep
        prep.header = header
        prep.findings.extend(check_header(header, expected, where))
        width = len(header)
        rewrite = (bool(expected) and width != len(expected)) or spaced or rewrite_always
        row_number = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                prep.rows_read += 1
                prep.bad_rows.add(row_number)
                text = str(exc)
                code = "cell-too-large" if "field larger" in text else "source-error"
                if "unexpected end of data" in text or "EOF" in text:
                    text = "unterminated quote: the rest of the file was swallowed into one cell"
                prep.findings.append(
                    Finding(code, f"row {row_number} (line {reader.line_num}): {text}", row=row_number, **where)
                )
                rewrite = True
                if code == "source-error":
                    break
                continue
            row_number += 1
            prep.rows_read += 1
            if _blank(row, missing):
                prep.bad_rows.add(row_number)
                from govdata.checks.rules import blank_row

                prep.findings.append(blank_row.finding(row_number, **where))
                rewrite = True
                continue
            if len(row) != width:
                prep.bad_rows.add(row_number)
                # one finding per extra or missing cell, as Frictionless reports them
                for i in range(width, len(row)):
                    prep.findings.append(
                        Finding(
                            "extra-cell",
                            f"row {row_number} has {len(row)} cells, the header {width}",
                            row=row_number,
                            field_number=i + 1,
                            cell=row[i],
                            **where,
                        )
                    )
                for i in range(len(row), width):
                    name = _field_of(expected[i]) if i < len(expected) else header[i]
                    prep.findings.append(
                        Finding(
                            "missing-cell",
                            f"row {row_number} has {len(row)} cells, the header {width}",
                            row=row_number,
                            field=name,
                            field_number=i + 1,
                            **where,
                        )
                    )
                rewrite = True
    if rewrite:
        prep.path = _out(workdir, path.stem + ".clean.csv")
        prep.row_map, prep.kept_bad = _write_clean(
            path, prep.path, prep.bad_rows, expected or header, width, missing, spaced
        )
    return prep


def _only_blank(path: Path) -> bool:
    """Nothing but blanks and line ends (a file of only ``\r\n`` is empty)."""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if chunk.strip(b" \t\r\n\x0b\x0c"):
                return False
    return True


def _file_has_spaced_quote(path: Path) -> bool:
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if _spaced(tail + chunk):
                return True
            tail = chunk[-1:]
    return False


def _blank(row: list[str], missing: Sequence[str]) -> bool:
    """A row whose every cell is a missing value (the schema's ``missingValues``), as Frictionless sees it."""
    return not row or all(c in missing for c in row)


def _write_clean(
    path: Path,
    clean_path: Path,
    bad_rows: set[int],
    names: list[str],
    width: int,
    missing: Sequence[str] = ("",),
    spaced: bool = False,
) -> tuple[list[int], list[int]]:
    """Copy the rows the checks read, one cell per schema field (ragged rows cut to the header's
    width, then padded or cut to the schema's); return their original row numbers and the copy's
    indices of the ragged rows kept."""
    kept: list[int] = []
    kept_bad: list[int] = []
    n = len(names)
    with (
        field_size_limit(MAX_CELL_CHARS + 1),
        path.open("r", encoding="utf-8", newline="") as fh,
        clean_path.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(fh, strict=True, skipinitialspace=spaced)
        writer = csv.writer(out, lineterminator="\r\n")  # CRLF: a cell holding a bare CR is quoted too
        next(reader)
        writer.writerow(names)
        row_number = 1
        while True:
            try:
                row = next(reader)
            except (StopIteration, csv.Error):
                break
            row_number += 1
            if row_number in bad_rows:
                if _blank(row, missing) or len(row) == width:
                    continue  # blank rows (and rows the csv module could not read) stay out
                kept_bad.append(len(kept))
            row = row[:width]
            writer.writerow(
                (row + [MISSING_CELL] * n)[:n]
            )  # a cell the row lacks is missing, whatever missingValues say
            kept.append(row_number)
    return kept, kept_bad


def check_header(header: list[str], expected: list[str], where: dict) -> list[Finding]:
    out = []
    seen: set[str] = set()
    for i, label in enumerate(header, start=1):
        name = _field_of(expected[i - 1]) if i <= len(expected) else None  # the schema field at this position
        if label.strip() == "":
            out.append(
                Finding("blank-label", f"column {i} has a blank header", row=1, field_number=i, field=name, **where)
            )
        elif label.strip() in seen:
            out.append(
                Finding(
                    "duplicate-label",
                    f"column {i} repeats the header '{label}'",
                    row=1,
                    field_number=i,
                    field=name or label,
                    cell=label,
                    **where,
                )
            )
        seen.add(label.strip())  # Frictionless strips labels before comparing them
    if expected and not out:
        for i, name in enumerate(expected, start=1):
            if i > len(header):
                out.append(
                    Finding(
                        "missing-label",
                        f"column {i} '{name}' is missing",
                        row=1,
                        field=_field_of(name),
                        field_number=i,
                        **where,
                    )
                )
            elif header[i - 1].strip() != name:
                out.append(
                    Finding(
                        "incorrect-label",
                        f"column {i} is '{header[i - 1]}', the schema expects '{name}'",
                        row=1,
                        field=_field_of(name),
                        field_number=i,
                        cell=header[i - 1],
                        **where,
                    )
                )
        for i in range(len(expected) + 1, len(header) + 1):
            out.append(
                Finding(
                    "extra-label",
                    f"column {i} '{header[i - 1]}' is not in the schema",
                    row=1,
                    field_number=i,
                    cell=header[i - 1],
                    **where,
                )
            )
    return out


def declared_findings(src: Path, raw: dict, sha: str, size: int, where: dict) -> list[Finding]:
    findings = []
    declared_hash = raw.get("hash")
    if isinstance(declared_hash, str):
        algo, _, value = declared_hash.rpartition(":")
        if algo in ("", "md5") and len(value) == 32:
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


def fast_path(src: Path, raw: dict) -> bool:
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
        and not head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    )


def fast_header(src: Path, expected: list[str], where: dict) -> Prepared | None:
    """The fast path's header check (the byte facts and DuckDB's read decide the rest)."""
    prep = Prepared(path=src, scanned=False)
    with src.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        try:
            prep.header = next(csv.reader(fh), [])
        except csv.Error:
            return None
    prep.findings = check_header(prep.header, expected, where)
    return prep


def prepare(
    src: Path,
    workdir: Path,
    raw: dict,
    expected: list[str],
    where: dict,
    missing: Sequence[str] = ("",),
    fields: Sequence[dict] = (),
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
    fmt = (raw.get("format") or src.suffix.lstrip(".")).lower()
    excel_findings: list[Finding] = []
    if fmt in ("xlsx", "xls"):
        from govdata.checks.excel_guard import guard_workbook

        guard = guard_workbook(src, where)
        if guard:
            return Prepared(path=None, findings=findings + guard, sha256=sha, bytes=size)
        utf8, excel_findings, _ = excel_to_csv(src, workdir, raw.get("sheet"), where, fields)
        findings.extend(f for f in excel_findings if f.code != "type-error")
        encoding = "xlsx"
    else:
        nul = facts.nul
        with src.open("rb") as fh:
            utf16 = fh.read(4).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE))
        if nul is not None and not utf16:
            line = _line_at(src, nul)
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
        plain, numbers, read_errors = apply_dialect(utf8, workdir, dialect, expected, where)
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
