"""The structure pass: one strict pass of Python's csv reader finds blank, short and long rows,
unterminated quotes, huge cells and bad headers, with row numbers. Rows that cannot be loaded are
reported and left out of a cleaned copy, with a map from the copy's rows back to the original
row numbers."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, Union

from govdata.checks.bytescan import CHUNK, has_spaced_quote
from govdata.checks.prepared import Prepared, work_file
from govdata.csvlimit import field_size_limit
from govdata.findings import Finding, Where

LABEL_CODES = ("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")
MAX_CELL_CHARS = 100_000
MISSING_CELL = "\x01govdata: missing cell\x01"  # pads short rows in the cleaned copy; read back as NULL


@dataclass(frozen=True)
class ColumnMissing:
    """Missing values by column when a field declares its own ``missingValues`` (Table Schema v2: a
    field's list replaces the schema's): each schema field's, the schema's past them."""

    by_column: tuple[frozenset[str], ...]
    rest: frozenset[str]

    @classmethod
    def of(cls, schema: dict[str, Any]) -> "MissingValues":
        from govdata.checks.sqltypes import field_missing, has_field_missing

        shared = schema.get("missingValues", [""])
        if not has_field_missing(schema):
            return [str(m) for m in shared]
        fields = schema.get("fields") or []
        return cls(tuple(frozenset(field_missing(f, shared)) for f in fields), frozenset(field_missing({}, shared)))


MissingValues = Union[Sequence[str], ColumnMissing]


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


def scan_structure(
    path: Path,
    workdir: Path,
    expected: Sequence[str],
    where: Where,
    missing: MissingValues = ("",),
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
        prep.path = work_file(workdir, path.stem + ".clean.csv")
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
            if has_spaced_quote(tail + chunk):
                return True
            tail = chunk[-1:]
    return False


def _blank(row: list[str], missing: MissingValues) -> bool:
    """A row whose every cell is a missing value (the schema's ``missingValues``, or its field's
    own), as Frictionless sees it."""
    if isinstance(missing, ColumnMissing):
        cols = missing.by_column
        return not row or all(c in (cols[i] if i < len(cols) else missing.rest) for i, c in enumerate(row))
    return not row or all(c in missing for c in row)


def _write_clean(
    path: Path,
    clean_path: Path,
    bad_rows: set[int],
    names: Sequence[str],
    width: int,
    missing: MissingValues = ("",),
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


def check_header(header: list[str], expected: Sequence[str], where: Where) -> list[Finding]:
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


def fast_header(src: Path, expected: Sequence[str], where: Where) -> Prepared | None:
    """The fast path's header check (the byte facts and DuckDB's read decide the rest)."""
    prep = Prepared(path=src, scanned=False)
    with src.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        try:
            prep.header = next(csv.reader(fh), [])
        except csv.Error:
            return None
    prep.findings = check_header(prep.header, expected, where)
    return prep
