"""Inferring a Table Schema field from a column's values: its type, constraints (required,
enum, unique, minimum, a code pattern), the normalising step a column needs, and an ASCII name
(pinyin) for a Chinese header."""

from __future__ import annotations

import re
from typing import Any

from pypinyin import lazy_pinyin


SAMPLE_ROWS = 100_000
TODO = "TODO"
_PATTERNS = [
    (r"^\d{6}$", "^\\d{6}$"),
    (r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", "^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
]


def ascii_name(label: str, taken: set[str]) -> str:
    words = lazy_pinyin(label.strip())
    name = "_".join(w for w in (re.sub(r"[^a-z0-9]+", "_", w.lower()).strip("_") for w in words) if w)
    name = re.sub(r"_+", "_", name).strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?")


# the most common Chinese surnames (about 85 % of people), and compound ones: a name is one of them
# and one or two more characters
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_NAME = re.compile(rf"(?:[{_SURNAMES}]|欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|司徒|夏侯)[\u3400-\u9fff]{{1,2}}")


def looks_like_name(value: str) -> bool:
    """A common surname and one or two characters (张伟, 欧阳娜娜); also masked (张*, 李**)."""
    v = value.strip()
    return bool(_NAME.fullmatch(v) or re.fullmatch(rf"[{_SURNAMES}][*＊]{{1,2}}", v))


def names_column(values: list[str]) -> bool:
    """Most of a column's distinct values look like people's names (户主, 申请人, 当事人, 负责人 …
    whatever its title): at least 3 of them, four in five."""
    distinct = {v.strip() for v in values if v.strip()}
    return len(distinct) >= 3 and sum(map(looks_like_name, distinct)) >= 0.8 * len(distinct)


# what agency exports write for "none" in a column of numbers
PLACEHOLDERS = frozenset(
    {"-", "--", "—", "——", "－", "/", "／", "无", "暂无", "空", "N/A", "n/a", "NA", "/ "}
    # what a database export writes for NULL
    | {"NULL", "null", "Null", "(null)", "<NULL>"}
)
_NUMBERISH = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


def placeholders(values: list[str]) -> set[str]:
    """The placeholders of a column of numbers or dates (``-``, ``/``, ``无``, ``NULL`` …): what the schema's
    ``missingValues`` must list for the column to be typed. Empty unless every other value is a
    number (also in a form a step normalises: ``12.5万元``, ``3%``, ``(100)``) and numbers are most
    of the values."""
    from govdata.valueforms import number_form

    seen = {v.strip() for v in values if v.strip() in PLACEHOLDERS}
    others = [v.strip() for v in values if v.strip() and v.strip() not in PLACEHOLDERS]
    if (
        seen
        and others
        and len(others) >= len(values) // 2
        and (
            all(_NUMBERISH.fullmatch(v) or number_form(v) for v in others)
            or all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in others)  # a column of dates
        )
    ):
        return seen
    return set()


_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{8}")  # 2024-12-31, 20241231: dates, kept
_REDACT = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), lambda m: "***@***"),  # e-mail addresses
    (
        re.compile(r"\d[\d\s()（）-]{4,}[\dXx]"),
        lambda m: m.group() if _DATE.fullmatch(m.group()) else "*" * len(m.group()),
    ),
    # a person named after the role that signs an export: 制表人：赵六, 联系人 王五, 审核：李四
    (
        re.compile(
            r"((?:制表|填表|填报|联系|经办|审核|负责|统计|申请|领款)人\s*[:：]?\s*|(?:制表|填表|填报|审核)\s*[:：]\s*)"
            r"([\u3400-\u9fff]{2,4})"
        ),
        lambda m: m.group(1) + "*" * len(m.group(2)),
    ),
)


def redact(text: str) -> str:
    """Text of the rows around a table (a title, a unit line, signatures under it) as the scaffold may
    quote it in the descriptor, a file meant for a public pull request: numbers of six digits and
    more, e-mail addresses and the names after a signing role starred."""
    for pattern, star in _REDACT:
        text = pattern.sub(star, text)
    return text


def _looks_personal(value: str) -> bool:
    """A value never copied into a descriptor: digits enough to be an identity, phone or card number,
    an e-mail address, a masked value, or what looks like a person's name."""
    from govdata.checks.rules.personal_data import BOUNDED as _BOUNDED, holds as _holds

    return (
        bool(re.search(r"\d{6,}|@|\*{3,}", value))
        or looks_like_name(value)
        or any(_holds(kind, value) for kind in _BOUNDED)
    )


# what a sheet's failed formula shows (the gate reads it as the cell's text and reports it)
EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)


def serial_dates(present: list[str]) -> bool:
    """Most values of a sheet's column are date cells and the others whole numbers (a date typed
    without a date format reads as its serial number, 45357): a column of dates, whose number
    cells the gate reports at their rows."""
    dates = sum(1 for v in present if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v))
    return 2 * dates > len(present) and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,6}", v) for v in present)


def _mostly_dates(present: list[str]) -> bool:
    """Dates and datetimes but for one value in ten (at least one)."""
    others = [v for v in present if not re.fullmatch(rf"\d{{4}}-\d{{2}}-\d{{2}}|{_DATETIME.pattern}", v)]
    return 0 < len(others) <= max(1, len(present) // 10)


def _masked_kind(present: list[str], listed: str | None = None) -> str | None:
    """Every value masked as the gate verifies masking (checks/rules/masking_error.py): the kind of
    personal data. The negative-list item the column's name or title names comes first (身份证号码
    masked 4+10+4 is an identity number, not a card; 姓名 masked 张* is a name)."""
    from govdata.checks.rules.masking_error import MASKED

    if listed and present and all("*" in v and re.fullmatch(MASKED.get(listed, MASKED["default"]), v) for v in present):
        return listed
    for kind in ("id_card", "mobile", "bank_card", "email"):
        if present and all(re.fullmatch(MASKED[kind], v) for v in present):
            return kind
    return None


def _normalised(present: list[str]) -> tuple[str, list[str], str] | None:
    """(type, pipeline steps, the unit for the description) when every value is of one family of
    agency forms (:mod:`govdata.valueforms`: Chinese dates and year-months, numbers with full-width
    digits, thousands separators, a unit, % or accounting brackets), one at least needing a step,
    as the gate's ``normalisable-text`` reads them."""
    from govdata.valueforms import column_steps

    found = column_steps(present)
    if found is None:
        return None
    kind, steps, form = found
    unit = ""
    if form.name == "amount":
        unit = "元" if any("元" in v for v in present) else f"{TODO}（原值以“万”“亿”计，已换算为基本单位）"
    elif form.name == "percent":
        unit = "%（百分数，3% 记为 3）"
    return kind, steps, unit


def infer_field(
    name: str,
    title: str,
    values: list[str],
    rows: int,
    *,
    excel: bool = False,
    number_cells: bool = False,
    listed: str | None = None,
    date_cells: bool = False,
) -> dict[str, Any]:
    """The field of a column. ``excel``: the values come from a sheet (a datetime at midnight reads
    as a date there); ``number_cells``: every cell of the column is a number in the sheet (a code
    written as a number has no leading zeros left to keep); ``listed``: the item of the catalogue's
    negative list that the name or title names (its values are never copied into an enum; a
    masked column is declared as that item); ``date_cells``: most cells of the column are date cells in
    the sheet."""
    present = [v for v in values if v != ""]
    if excel:  # a failed formula (#N/A) says nothing of the column's type: the gate reports it at its row
        present = [v for v in present if v.strip() not in EXCEL_ERRORS]
    field: dict[str, Any] = {
        "name": name,
        "type": "string",
        "title": title,
        "description": f"{TODO}: 说明「{title}」的含义和单位",
    }
    constraints: dict[str, Any] = {}

    def all_match(pattern: str) -> bool:
        return bool(present) and all(re.fullmatch(pattern, v) for v in present)

    code_like = re.search(r"代码|编码|编号|号码|code|_no$|_id$", f"{name} {title}", re.I)
    lengths = {len(v) for v in present}
    normalised = _normalised(present)
    masked = _masked_kind(present, listed)
    if masked:
        field.update(
            {
                "personal": masked,
                "masked": True,
                "description": f"{TODO}: 确认「{title}」每个值都已脱敏（govdata new 识别为已脱敏的 {masked}）",
            }
        )
    elif normalised:
        field["type"] = normalised[0]
        field["x-normalise"] = normalised[1]  # moved into the pipeline by scaffold()
        if normalised[2]:
            field["description"] = f"{TODO}: 说明「{title}」的含义。单位：{normalised[2]}"
    elif (
        all_match(r"\d+")
        and not number_cells
        and (code_like or (len(lengths) == 1 and min(lengths) >= 6) or all_match(r"0\d+"))
    ):
        field["type"] = "string"  # codes keep their leading zeros
        # a fixed width is a code's (330106, 0571): not that of a short serial number (编号 1 to 9,
        # which a pattern ^\d{1}$ would refuse at the tenth row)
        if len(lengths) == 1 and (min(lengths) >= 4 or any(v.startswith("0") for v in present)):
            constraints["pattern"] = f"^\\d{{{lengths.pop()}}}$"
    elif all_match(r"[+-]?(0|[1-9]\d{0,17})"):
        field["type"] = "integer"
    elif all_match(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?") and not all_match(r"0\d+"):
        field["type"] = "number"
    elif all_match(r"\d{4}-\d{2}-\d{2}") or (excel and serial_dates(present)):
        field["type"] = "date"  # in a sheet, a few number cells among dates are dates not formatted as such
    elif all_match(_DATETIME.pattern) or (
        excel
        and all_match(f"{_DATETIME.pattern}|\\d{{4}}-\\d{{2}}-\\d{{2}}")
        and any(_DATETIME.fullmatch(v) for v in present)
    ):
        field["type"] = "datetime"  # in a sheet, the gate reads a date cell of a datetime field as midnight
    elif date_cells and len(present) >= 5 and _mostly_dates(present):
        # a sheet's date cells with a few text cells (未办结, 长期): typed as text every date cell would be
        # a type-error; as dates only the text cells are, at their rows
        field["type"] = "datetime" if any(_DATETIME.fullmatch(v) for v in present) else "date"
    elif all_match(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"):
        field["type"] = "time"  # a time-of-day cell of a sheet reads as 09:30:00
    elif all_match(r"true|false|TRUE|FALSE|True|False"):
        field["type"] = "boolean"
    if present and len(present) == len(values):
        constraints["required"] = True
    if field["type"] in ("integer", "number") and present and not normalised and all(float(v) >= 0 for v in present):
        constraints["minimum"] = 0
    if field["type"] == "string" and "pattern" not in constraints and not masked:
        for test, pattern in _PATTERNS:
            if all_match(test):
                constraints["pattern"] = pattern
                break
        distinct = set(present)
        # an enum lists values in a file meant for a public pull request: never personal-looking ones,
        # never those of a column whose name or title is on the negative list (联系人: 王伟, 王芳)
        if (
            not listed
            and rows >= 20
            and 1 < len(distinct) <= 12
            and "pattern" not in constraints
            and not any(_looks_personal(v) for v in distinct)
        ):
            constraints["enum"] = sorted(distinct)
    # unique only where the column names an identifier: a measure, a date or a count whose sample
    # happens to be distinct would fail the next release with two equal values
    identifier = code_like or re.search(r"序号|文号|证号|单号|^id$|^no$", f"{name}\n{title}", re.I | re.M)
    if (
        present
        and len(set(present)) == len(values)
        and rows > 1
        and not masked
        and identifier
        and field["type"] in ("string", "integer")
    ):
        constraints["unique"] = True
    if constraints:
        field["constraints"] = constraints
    return field
