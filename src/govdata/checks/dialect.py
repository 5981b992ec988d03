"""A declared CSV dialect (delimiter, quoting, header and comment rows, ...) read as Frictionless
reads it and written out as a plain CSV, with the original row number of each row."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Any, Sequence

from govdata.checks.prepared import Prepared, work_file
from govdata.checks.structure import MAX_CELL_CHARS
from govdata.csvlimit import field_size_limit
from govdata.findings import Finding, Where


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


def read_dialect(raw: dict[str, Any], where: Where, excel: bool = False) -> tuple[dict[str, Any] | None, list[Finding]]:
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
    # headerRows given: physical row numbers, comment rows counted (as Frictionless 5.21 counts them);
    # not given: the header is the first row that is not a comment (as Frictionless's detector finds it)
    d["_header_given"] = "headerRows" in declared
    return (None if plain else d), []


SKIPPED_ROWS = 10_000  # rows left out of the table handed back for the confidentiality scan, at most


def apply_dialect(
    path: Path,
    workdir: Path,
    d: dict[str, Any],
    expected: Sequence[str],
    where: Where,
    skipped: list[tuple[int, list[str]]] | None = None,
) -> tuple[Path | None, list[int | None], list[Finding]]:
    """Read ``path`` (UTF-8) as the dialect says, as Frictionless does (comment rows, header rows joined,
    rows before the header skipped), and write it as a plain CSV: one header row, then the data rows.
    Returns (plain CSV, original row number of each of its rows (header first), findings); the rows
    left out (comments, a title or unit line above the header: still in the committed file) are
    added to ``skipped`` as (row number, cells)."""
    out_path = work_file(workdir, path.stem + ".dialect.csv")
    quoting = csv.QUOTE_NONE if d["quoteChar"] == "" else csv.QUOTE_MINIMAL
    options: dict[str, Any] = dict(
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
    physical = d.get("_header_given", False)
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

        def write_header() -> None:
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
                if skipped is not None and len(skipped) < SKIPPED_ROWS:
                    skipped.append((row_number, cells))
                continue
            kept += 1
            at = row_number if physical else kept  # see read_dialect: declared header rows are physical rows
            if at < first_data:
                if at not in header_rows and skipped is not None and len(skipped) < SKIPPED_ROWS:
                    skipped.append((row_number, cells))
                if at in header_rows:
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
        if physical and kept and row_number >= header_rows[-1]:  # every header row is a comment row
            named = ", ".join(map(str, header_rows))
            text = f"dialect headerRows: row {named} is a comment row (commentChar or commentRows), not a header"
            return None, numbers, [Finding("dialect-error", text, key="dialect.headerRows", **where)]
        text = (
            "the file is empty (no header row)"
            if not kept
            else f"no header row: the dialect's headerRows name row {header_rows[-1]} but the file has "
            + (f"{row_number} rows" if physical else f"{kept} rows that are not comments")
        )
        return None, numbers, [Finding("source-error", text, row=header_rows[-1] if kept else 1, **where)]
    return out_path, numbers, [error] if error else []


def remap_rows(prep: Prepared, numbers: list[int | None]) -> None:
    """Findings and row numbers of a structure pass over a rewritten copy (its row n is the
    original row ``numbers[n - 1]``) given back in the original file's row numbers."""

    def orig(n: int | None) -> int | None:
        return numbers[n - 1] if n is not None and 0 < n <= len(numbers) else n

    def moved(f: Finding) -> Finding:
        message = f.message
        if message.startswith(f"row {f.row} "):
            message = f"row {orig(f.row)} " + message[len(f"row {f.row} ") :]
        return dataclasses.replace(f, row=orig(f.row), message=message)

    prep.findings = [moved(f) if f.row is not None else f for f in prep.findings]

    def orig_row(n: int) -> int:
        row = orig(n)
        assert row is not None, "only the header's number may be missing (no header rows): data rows have one"
        return row

    prep.bad_rows = {orig_row(r) for r in prep.bad_rows}
    count = len(numbers) - 1
    prep.row_map = [orig_row(r) for r in (prep.row_map if prep.row_map is not None else range(2, count + 2))]
