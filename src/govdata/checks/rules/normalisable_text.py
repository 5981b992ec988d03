"""normalisable-text: a text column holding only values of one family of agency forms (Chinese
dates and year-months, numbers with full-width digits, thousands separators, units, % or accounting
brackets: :mod:`govdata.valueforms`), a warning naming the type to declare and the pipeline step."""

from __future__ import annotations

import re

from govdata.checks.rules.base import Check, Column, Table
from govdata.valueforms import KINDS, NUMBER_FORMS, Form, form_of

# a type-error's cell that is an Excel error value (no step normalises it: the formula must be corrected)
EXCEL_ERROR = (
    re.compile(
        r"^#(?:DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!)$"
    ),
    "an Excel error value: the formula that made this cell failed; correct the formula or enter the value",
    "Excel 错误值：生成该单元格的公式出错，请更正公式或填入数值",
)


def hint(cell: str) -> tuple[str, str] | None:
    """(English, Chinese) hint for a cell written in a form a pipeline step normalises, or an Excel
    error value, if it is one."""
    form = form_of(cell)
    if form is not None and not form.plain:
        return form.hint_en, form.hint_zh
    pattern, en, zh = EXCEL_ERROR
    return (en, zh) if pattern.search(cell) else None


def kind(form: Form) -> str:
    """The type to declare for a column of ``form``'s family (a number without a unit or % may be
    whole)."""
    found = next((k for k, allowed in KINDS if form.bit & allowed), "")
    return "integer or number" if found == "number" and form.name in NUMBER_FORMS else found


class NormalisableText(Check):
    code = "normalisable-text"
    severity = "warning"
    title_zh, title_en = "文本列可规范为数值或日期", "Text column holds only normalisable values"
    hint_zh = (
        "该列声明为字符串，但所有值都是中文日期或年月（2024年3月5日、2024年3月）、全角数字、带千分位、单位（万元）、"
        "百分号或会计括号的数字：机器无法直接使用。声明真实类型（date、yearmonth、integer、number）并在 pipeline "
        "中加入相应的规范化步骤；单位写在字段说明中。"
    )
    hint_en = (
        "The column is declared a string but every value is a Chinese date or year-month (2024年3月5日, 2024年3月), "
        "or a number with full-width digits, thousands separators, a unit (万元), % or accounting brackets: machines "
        "cannot use it. Declare the real type (date, yearmonth, integer, number), add the normalising step to a "
        "pipeline and say the unit in the field's description."
    )
    message_zh = "声明为字符串，但每个值都类似 '{example}'（如第 {rows_zh} 行）：{hint_zh}；请声明类型 {kind}"
    message_en = "declared a string but every value is like '{example}' (rows {rows}): {hint_en}; declare type {kind}"

    def columns(self, table: Table) -> list[Column]:
        out = []
        for number, f in enumerate(table.fields, start=1):
            value, likely = f.normalisable(), f.normalisable_likely()
            if value and likely:
                label = f"normalisable-text:{f.name}"
                out.append(Column(label, likely, value, number, f.name, exact=f.normalisable_exact()))
        return out

    def listed(self, cell: str) -> bool | None:
        """The rows listed: those of values that need a step (not plain numbers or ISO dates)."""
        form = form_of(cell)
        return form is not None and not form.plain

    def column_args(self, example: str) -> dict[str, str]:
        form = form_of(example)
        en, zh = hint(example) or ("", "")
        return {
            "example": example[:40],
            "hint_en": en,
            "hint_zh": zh,
            "kind": kind(form) if form is not None else "",
        }


CHECK = NormalisableText()
