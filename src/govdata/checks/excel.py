"""An Excel workbook (``.xlsx``/``.xls``) read with python-calamine and written out as CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, Callable, Sequence, Union

from govdata.checks.prepared import work_file
from govdata.sheets import fill_merged, sheet_rows
from govdata.findings import Finding, Where
from govdata.pipelines.workbook import error_cells, reach


def excel_options(raw: dict[str, Any]) -> tuple[str | int | None, bool]:
    """(sheet, fill merged cells) of a resource: govdata's ``sheet`` key, or Frictionless's
    ``dialect: {excel: {sheet, fillMergedCells}}`` (what ``frictionless validate`` reads too)."""
    dialect = raw.get("dialect")
    excel = dialect.get("excel") if isinstance(dialect, dict) else None
    excel = excel if isinstance(excel, dict) else {}
    sheet = raw.get("sheet", excel.get("sheet"))
    return (sheet if isinstance(sheet, (str, int)) and not isinstance(sheet, bool) else None), excel.get(
        "fillMergedCells"
    ) is True


# the fields of a sheet's columns: in order, or, for labels mapped by name (fieldsMatch), given by
# the labels of the sheet's first row once it is read
Fields = Union[Sequence[object], Callable[[list[str]], Sequence[object]]]


def excel_to_csv(
    src: Path,
    workdir: Path,
    sheet: str | int | None,
    where: Where,
    fields: Fields = (),
    merged: bool = False,
) -> tuple[Path | None, list[Finding], set[int]]:
    """The sheet as CSV, every row from the sheet's first (so row numbers are the sheet's), each
    cell as the declared field at its position reads it (``fields`` a function: the fields it gives
    for the first row's labels, as text): a date or datetime cell in the declared
    type (calamine gives a datetime at midnight as a date), a number as its shortest text. A number
    in a field declared as text is a ``type-error`` (as Frictionless reports it: Excel shows it
    formatted, leading zeros are gone). An error cell (``#DIV/0!``, ``#N/A``: a formula that failed,
    which calamine reads as empty) is written as its text, as Frictionless reads it: a ``type-error``
    of the table checks in a field of another type, one here in a text field. ``merged``: merged
    cells take their first cell's value. Returns (CSV, findings, rows with findings)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(src))
        names = wb.sheet_names
        target: str | None
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
        data = wb.get_sheet_by_name(target)
        rows = sheet_rows(data)  # from A1, without blank rows and columns after the table
        if merged:
            fill_merged(rows, data.merged_cell_ranges or [])
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        return None, [Finding("source-error", f"the workbook cannot be read: {str(exc)[:200]}", **where)], set()
    resolve = fields if callable(fields) else None
    types, names_at = _kinds(() if callable(fields) else fields)
    errors = error_cells(src, target) if src.suffix.lower() != ".xls" else {}
    rows = reach(rows, errors)
    dst = work_file(workdir, src.stem + ".xlsx.csv")
    findings: list[Finding] = []
    bad: set[int] = set()
    header_seen = False
    with dst.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")  # CRLF: a cell holding a bare CR is quoted too
        for number, row in enumerate(rows, start=1):
            out = []
            for j, v in enumerate(row):
                kind = types[j] if j < len(types) else "any"
                error = errors.get((number, j + 1)) if errors else None
                wrong = _wrong(v, error, kind) if header_seen and j < len(types) and len(findings) < 1000 else None
                if wrong is not None:
                    findings.append(
                        Finding(
                            "type-error",
                            f"row {number}, field {names_at[j]}: {wrong[0]}",
                            row=number,
                            field=names_at[j],
                            field_number=j + 1,
                            cell=wrong[1],
                            **where,
                        )
                    )
                    bad.add(number)
                out.append(error if error is not None else "" if v is None else _excel_cell(v, kind))
            header_seen = header_seen or any(c != "" for c in out)
            if resolve is not None and number == 1:
                types, names_at = _kinds(resolve(out))
            writer.writerow(out)
    return dst, findings, bad


def _kinds(fields: Sequence[object]) -> tuple[list[str], list[Any]]:
    """(type, name) of each column's field."""
    types = [(f.get("type") or "any") if isinstance(f, dict) else "any" for f in fields]
    return types, [f.get("name") if isinstance(f, dict) else None for f in fields]


def _wrong(value: object, error: str | None, kind: str) -> tuple[str, str] | None:
    """(what is wrong, the cell) with a data cell that its field's type check cannot see: an error in
    a text field (in a field of another type the error's text is a type-error of the table checks,
    as in Frictionless), and in a ``string`` field any cell that is not text, as Frictionless reads
    a sheet: a number (Excel shows it formatted, leading zeros are gone), a date, time, duration or
    boolean (the field is of that type, or the column should be text in Excel); and a number in a
    ``boolean`` field."""
    if kind == "boolean" and isinstance(value, (int, float)) and not isinstance(value, bool):
        # Frictionless takes a boolean or a text in the true/false values: a number cell (1, 0) is
        # refused where its text "1" would pass
        return (
            f"the cell is a number ({_excel_cell(value)}) in a boolean field: enter TRUE/FALSE in Excel, "
            "or format the column as text",
            _excel_cell(value),
        )
    if kind not in ("string", "any"):
        return None
    if error is not None:
        return (
            f"the cell is an Excel error ({error}): the formula that made it failed; correct the formula or enter the value",
            error,
        )
    if kind != "string" or value is None or isinstance(value, str):
        return None
    cell = _excel_cell(value)
    if isinstance(value, float) and abs(value) >= 1e15:
        # a code or identity number typed as a number: Excel keeps 15 significant digits
        shown = f"{value:.14E}"  # as many digits as the cell kept, not the rounding's made-up ones
        return (
            f"the cell is a number of 16 digits or more ({shown}) in a text field: Excel keeps 15 significant "
            "digits, so its last digits are lost; enter the value again as text from the source (format the column "
            "as text in Excel first)",
            shown,
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (
            f"the cell is a number ({cell}) in a text field: format the column as text in Excel (numbers lose leading zeros)",
            cell,
        )
    what, declare = next(((w, t) for kinds, w, t in _NOT_TEXT if isinstance(value, kinds)), ("a value", "any"))
    return (
        f"the cell is {what} ({cell}) in a text field: declare the field's type {declare}, or format the column as "
        "text in Excel",
        cell,
    )


# cells calamine reads as another type than text (a datetime before a date: it is one), as the fix words them
_NOT_TEXT: list[tuple[type | tuple[type, ...], str, str]] = [
    (bool, "a boolean", "boolean"),
    (dt.datetime, "a date and time", "datetime"),
    (dt.date, "a date", "date"),
    (dt.time, "a time of day", "time"),
    (dt.timedelta, "a duration", "duration"),
]


def _excel_cell(value: object, kind: str = "any") -> str:
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
