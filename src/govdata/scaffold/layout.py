"""Reading a file as agencies make them: the delimiter of a text file, the header row below
titles and notes, the cells of an Excel sheet rendered as text."""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path
from typing import Any, Sequence


from govdata.csvlimit import field_size_limit
from govdata.errors import GovdataError


class ScaffoldError(GovdataError):
    pass


_DELIMITERS = [",", ";", "\t", "|", "，"]
LAYOUT_ROWS = 60  # rows looked at to find the header
SCAFFOLD_CELL_LIMIT = 1 << 30  # a huge cell is the gate's to report (cell-too-large), not a reason to fail here


@field_size_limit(SCAFFOLD_CELL_LIMIT)
def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the sample's lines most consistently into several cells."""
    lines = [line for line in text.splitlines()[:LAYOUT_ROWS] if line.strip()]
    best, score = ",", 0
    for d in _DELIMITERS:
        counts = []
        for line in lines:
            try:
                counts.append(len(next(csv.reader([line], delimiter=d), [])))
            except csv.Error:  # a quote left open on this line: the cells go on past it
                counts.append(0)
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        s = wide.count(mode) * (mode > 1)
        if s > score:
            best, score = d, s
    return best


def _filled(row: list) -> int:
    return sum(1 for c in row if str(c if c is not None else "").strip())


def _numberish(cell: str) -> bool:
    """A value, not a label: digits, a date, or a number in a form agencies write (``1.2万``,
    ``(200)``, ``12.5万元``) — a data row of such values is not a second header row."""
    from govdata.valueforms import form_of

    text = cell.strip()
    return bool(re.fullmatch(r"[\s+\-.,，０-９0-9%]+|\d{4}[-/年].*", text)) or form_of(text) is not None


def side_columns(rows: list[list[Any]]) -> list[int]:
    """Columns right of the table holding one cell in all the rows looked at (a note beside the
    table, ``注：金额单位为万元``): not part of the table, so not what makes a row the widest."""
    filled: dict[int, int] = {}
    for r in rows[:LAYOUT_ROWS]:
        for j, c in enumerate(r):
            if str(c if c is not None else "").strip():
                filled[j] = filled.get(j, 0) + 1
    if len([r for r in rows[:LAYOUT_ROWS] if _filled(r) >= 2]) < 4:
        return []  # too few rows to tell a note from a column
    widest = max((j for j, n in filled.items() if n > 1), default=-1)
    return sorted(j for j, n in filled.items() if n == 1 and j > widest)


def find_header(rows: list[list[str]], merged: Sequence[Any] = ()) -> tuple[list[int], list[str]]:
    """(header rows, 1-based; rows above them) in the first rows of a sheet or CSV as agencies
    export them: a title row, unit and date lines, then the header, possibly on two rows where
    cells are merged (the second row fills in under a merged group and leaves blank what the
    first row's cells span), or on as many rows as a sheet's header cells are merged down
    (``merged``: the sheet's merged ranges, 0-based, as calamine gives them)."""
    sample = rows[:LAYOUT_ROWS]
    lonely = set(side_columns(sample))
    counts = [_filled([c for j, c in enumerate(r) if j not in lonely]) for r in sample]
    # a row of several cells some merged across columns (检查结果 over C1:D1, 企业信息 over A1:C1) is as
    # wide as the columns it spans (a title merged across the table is one cell: still a title)
    spans: dict[int, int] = {}
    for (r0, c0), (r1, c1) in merged:
        for r in range(r0, min(r1, len(counts) - 1) + 1):
            spans[r] = spans.get(r, 0) + c1 - c0
    grouped = {r for r in spans if counts[r] >= 2}
    counts = [c + spans[i] if i in grouped else c for i, c in enumerate(counts)]
    several = [c for c in counts if c >= 2]
    if not several:
        return [1], []
    width = max(set(several), key=several.count)  # the data rows' usual number of cells
    width = max(width, max(several))
    # the first row nearly as wide as the data that is not much narrower than the row after it
    # (a title row "某某局, 2024年" over a three-column table is not the header)
    h = next(
        (
            i
            for i, c in enumerate(counts)
            if c >= max(2, 0.6 * width) and (i + 1 >= len(counts) or c >= 0.8 * counts[i + 1])
        ),
        0,
    )
    header = [h + 1]
    first = [str(c if c is not None else "").strip() for c in sample[h]]
    if h + 1 < len(sample):
        nxt = [str(c if c is not None else "").strip() for c in sample[h + 1]]
        texts = [c for c in nxt if c]
        gaps = [i for i, c in enumerate(first) if not c and i < len(nxt) and nxt[i]]
        if texts and h + 2 < len(sample) and all(_UNIT.fullmatch(c) for c in texts):
            header.append(h + 2)  # the units under the labels ("（万元）"): part of the header, not a data row
        elif texts and gaps and not any(_numberish(c) for c in texts) and (_filled(nxt) < width or h in grouped):
            header.append(h + 2)
        elif (
            texts and len(texts) == _filled(sample[h]) and not any(_numberish(c) for c in texts) and h + 2 < len(sample)
        ):
            # a second header row in another language ("编号 名称" over "ID Name"): text wherever the
            # rows below hold numbers or dates
            below = [str(c if c is not None else "").strip() for c in sample[h + 2]]
            if any(_numberish(b) for b, n in zip(below, nxt) if n and b):
                header.append(h + 2)
    end = header[-1] - 1  # a header cell merged down over more rows: the header is that deep
    for _ in range(len(merged)):
        deeper = [r1 for (r0, _c0), (r1, _c1) in merged if h <= r0 <= end < r1]
        if not deeper:
            break
        end = max(deeper)
    header = list(range(h + 1, end + 2)) if end + 1 > header[-1] else header
    above = [" ".join(str(c).strip() for c in r if str(c if c is not None else "").strip()) for r in sample[:h]]
    return header, [a for a in above if a]


# a unit under a header label: （万元）, (元), 单位：人
_UNIT = re.compile(r"[（(]\s*(单位\s*[:：]\s*)?[^\d()（）]{1,8}\s*[)）]|单位\s*[:：]\s*[^\d\s]{1,8}")


# rows agencies add below the data of an export: a total, signatures, dates, notes and sources
_TOTAL = re.compile(r"\s*(合\s*计|总\s*计|小\s*计|共\s*计|总\s*数)\s*[:：]?\s*")
_SIGNED = re.compile(r"\s*(制表|填表|填报|审核|负责人|单位负责人|统计人|联系人|注|备\s*注|说\s*明|数据来源|资料来源)")
FOOTER_ROWS = 20  # rows looked at from the end


def footer_rows(tail: list[tuple[int, list[str]]], width: int) -> list[int]:
    """Row numbers of the rows that end a table but are not data — a total (合计, 总计, …), lines
    signed by the makers (制表人：…, 审核：…), notes and sources, and blank rows among them — found
    from the last row up to the first data row. A signature or note counts only with a colon or
    fewer cells than the data, so that a data row whose first value is such a word stays data; any
    row of one cell (or of labelled text over less than half the row) below a table of three columns
    or more is such a line too."""
    found: list[int] = []
    footer = False
    last_data = None
    for number, cells in reversed(tail):
        texts = [c.strip() for c in cells if c.strip()]
        if not texts:
            found.append(number)
            continue
        joined = " ".join(texts)
        colon = ":" in joined or "：" in joined
        signed = _SIGNED.match(texts[0]) and (colon or len(texts) < 0.8 * max(width, 1))
        # whatever its words (经办人：…, 联系电话：…, 数据截止日期：…, （盖章）): one cell of a table of three or
        # more, or labelled text filling less than half the row
        lone = width >= 3 and (len(texts) == 1 or (colon and len(texts) < 0.5 * width))
        if _TOTAL.fullmatch(texts[0]) or signed or lone:
            found.append(number)
            footer = True
            continue
        last_data = number
        break
    if not footer:
        return []
    # with the rows between (blank rows the structure pass set aside are not in ``tail``)
    return list(range((last_data if last_data is not None else min(found) - 1) + 1, max(found) + 1))


_SUBTOTAL = re.compile(r".{0,30}?(小\s*计|合\s*计|总\s*计|共\s*计)\s*[:：]?\s*")


# a total of the whole table, whatever the row holds (合计, 60, 12345.5 under the header): not a line item
# such as 资产总计, which a statement publishes as data
_GRAND = re.compile(r"\s*(全\s*[省市区县镇乡村]|总)?\s*(合\s*计|总\s*计)\s*[:：]?\s*")


def summary_row(cells: list[str], width: int) -> bool:
    """A row inside the data that is not data: a subtotal (``西湖区小计``, ``合计`` with cells left
    blank, or its label repeated by a merged cell) or a note line (``注：以下为补录数据``, alone on
    its row in a table of three columns or more). Published as a row, a subtotal is counted twice by
    whoever sums the column."""
    texts = [c.strip() for c in cells if c.strip()]
    if not texts:
        return False
    if _SUBTOTAL.fullmatch(texts[0]) and (
        len(texts) < width or (len(texts) > 1 and texts[1] == texts[0]) or _GRAND.fullmatch(texts[0])
    ):
        return True
    colon = ":" in texts[0] or "：" in texts[0]
    return width >= 3 and len(texts) == 1 and colon and bool(_SIGNED.match(texts[0]))


class NumberCell(str):
    """A numeric Excel cell in the layout sample (its text does not matter there)."""


class LostDigits(NumberCell):
    """A numeric cell of 16 digits or more (9.13301E+17): Excel keeps 15 significant digits, so a code
    or an identity number typed as a number has lost its last ones."""


class DateCell(str):
    """A date or datetime Excel cell in the layout sample (as its ISO text)."""


_NUMBER = NumberCell("0")
_LOST = LostDigits("0")
LOST_DIGITS = 1e15  # the smallest number of 16 digits


def excel_layout(source: Path) -> tuple[str, list[list[str]], list[str], list[Any]]:
    """The sheet to publish (the one with the most filled cells), its first rows as text, notes, and
    its merged ranges ``((first row, first column), (last row, last column))``, 0-based."""
    from python_calamine import CalamineWorkbook

    from govdata.sheets import sheet_rows

    try:
        wb = CalamineWorkbook.from_path(str(source))
        sheets = {name: sheet_rows(wb.get_sheet_by_name(name), limit=LAYOUT_ROWS * 4) for name in wb.sheet_names}
    except Exception as exc:  # calamine's own error types
        raise ScaffoldError(f"the workbook cannot be read: {str(exc)[:200]}") from None
    if not sheets:
        raise ScaffoldError("the workbook has no sheet")
    # a hidden sheet (a lookup list, the codes behind a drop-down) is not what the agency publishes,
    # however many cells it holds: the visible sheet with the most filled cells is
    hidden = {m.name for m in (getattr(wb, "sheets_metadata", None) or []) if str(m.visible).endswith("Hidden")}
    # (the data only on a hidden sheet, the visible ones blank: the hidden sheet, said in the note)
    shown = [n for n in sheets if n not in hidden and any(_filled(r) for r in sheets[n])] or list(sheets)
    name = max(shown, key=lambda n: sum(_filled(r) for r in sheets[n]))
    notes = []
    if len(sheets) > 1:
        others = ", ".join(f"「{n}」" + ("（隐藏）" if n in hidden else "") for n in sheets if n != name)
        notes.append(
            f"工作簿有 {len(sheets)} 个工作表：使用「{name}」（"
            + (
                "隐藏的工作表；其他工作表为空"
                if name in hidden
                else "未隐藏的工作表中数据最多"
                if hidden
                else "数据最多"
            )
            + f"），未使用 {others}；"
            "如需发布其他工作表，请另建资源并设置 sheet。"
        )
    rows = [
        [
            ""
            if v is None
            else (
                v
                if isinstance(v, str)
                else (_LOST if isinstance(v, float) and abs(v) >= LOST_DIGITS else _NUMBER)
                if isinstance(v, (int, float)) and not isinstance(v, bool)
                else DateCell(v)
                if isinstance(v, (datetime.date, datetime.datetime))
                else str(v)
            )
            for v in r
        ]
        for r in sheets[name]
    ]
    return name, rows, notes, list(wb.get_sheet_by_name(name).merged_cell_ranges or [])


@field_size_limit(SCAFFOLD_CELL_LIMIT)
def text_layout(source: Path, tmp: Path) -> tuple[str, list[list[str]], str]:
    from govdata.checks.encoding import normalise_encoding

    utf8, encoding, findings = normalise_encoding(source, tmp, None, {"file": source.name})
    if utf8 is None and encoding == "unknown":  # neither UTF-8, GB18030/GBK nor UTF-16
        western = western_encoding(source)
        if western is None:
            raise ScaffoldError(
                "the file cannot be read: "
                + "; ".join(f.message for f in findings)[:400]
                + ". Its encoding could not be detected: save it as UTF-8 (Excel/WPS: 另存为 → CSV UTF-8) and run "
                "govdata new again, or declare the encoding the agency's system writes (encoding: in the descriptor)"
            )
        utf8, encoding, findings = normalise_encoding(source, tmp, western, {"file": source.name})
    if utf8 is None:
        raise ScaffoldError("the file cannot be read: " + "; ".join(f.message for f in findings)[:500])
    with utf8.open(encoding="utf-8", newline="") as fh:
        text = fh.read(256 * 1024)
    delimiter = "\t" if source.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    rows = []
    reader = csv.reader(text.splitlines()[:LAYOUT_ROWS], delimiter=delimiter)
    while True:
        try:
            rows.append(next(reader))
        except StopIteration:
            break
        except csv.Error:
            break  # the layout is found in the rows before; the gate reports the rest
    return delimiter, rows, encoding


# the single-byte Western encodings a file that is neither UTF-8, GB18030 nor UTF-16 may be in
# (an export of a European system): charset-normalizer's name -> the name the descriptor declares
WESTERN = {"cp1252": "windows-1252", "latin_1": "iso-8859-1"}
WESTERN_CHAOS = 0.2  # charset-normalizer's mess ratio above which a reading is noise, not text


def western_encoding(source: Path) -> str | None:
    """The Western encoding (Windows-1252, Latin-1) charset-normalizer reads ``source`` in, when it
    reads it as text (not noise): the encoding ``govdata new`` declares, for the gate to read the
    file in. None when no reading is text."""
    from charset_normalizer import from_bytes

    from govdata.checks.bytescan import CHUNK

    with source.open("rb") as fh:
        sample = fh.read(4 * CHUNK)
    best = from_bytes(sample, cp_isolation=list(WESTERN)).best()
    if best is None or best.chaos > WESTERN_CHAOS:
        return None
    return WESTERN.get(best.encoding)
