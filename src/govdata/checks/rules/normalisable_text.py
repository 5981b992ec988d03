"""normalisable-text: a text column holding only Chinese dates or numbers written with full-width
digits or thousands separators (a warning naming the type to declare and the pipeline step)."""

from __future__ import annotations

import re

from govdata.checks.rules.base import Check, Column, Table

# (pattern, English hint, Chinese hint) for a cell that looks like a value of another type
HINTS = [
    (
        re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?\s*$"),
        "a Chinese date form (2020年9月17日): write 2020-09-17, or declare the pipeline step normalize_chinese_dates",
        "中文日期（2020年9月17日）：写成 2020-09-17，或声明处理步骤 normalize_chinese_dates",
    ),
    (
        re.compile(r"[０-９．，]"),
        "full-width digits (１２３): write ASCII digits, or declare the pipeline step normalize_fullwidth",
        "全角数字（１２３）：改用半角数字，或声明处理步骤 normalize_fullwidth",
    ),
    (
        re.compile(r"^\s*[+-]?\d{1,3}([,，]\d{3})+(\.\d+)?\s*$"),
        "thousands separators (1,234): remove them, or declare the pipeline step strip_thousands_separators",
        "千分位分隔符（1,234）：去掉分隔符，或声明处理步骤 strip_thousands_separators",
    ),
    (
        re.compile(r"^\s*\d{4}[/.]\d{1,2}[/.]\d{1,2}\s*$"),
        "a slashed date (2020/9/17): write 2020-09-17, or declare the pipeline step normalize_chinese_dates",
        "斜线日期（2020/9/17）：写成 2020-09-17，或声明处理步骤 normalize_chinese_dates",
    ),
]
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
    for pattern, en, zh in HINTS + [EXCEL_ERROR]:
        if pattern.search(cell):
            return en, zh
    return None


class NormalisableText(Check):
    code = "normalisable-text"
    severity = "warning"
    title_zh, title_en = "文本列可规范为数值或日期", "Text column holds only normalisable values"
    hint_zh = (
        "该列声明为字符串，但所有值都是中文日期（2024年3月5日）、全角数字或带千分位的数字：机器无法直接使用。"
        "声明真实类型（date、integer、number）并在 pipeline 中加入相应的规范化步骤。"
    )
    hint_en = (
        "The column is declared a string but every value is a Chinese date (2024年3月5日), full-width digits or a number "
        "with thousands separators: machines cannot use it. Declare the real type (date, integer, number) and add the "
        "normalising step to a pipeline."
    )
    message_zh = "声明为字符串，但每个值都类似 '{example}'：{hint_zh}；请声明类型 {kind}"
    message_en = "declared a string but every value is like '{example}': {hint_en}; declare type {kind}"

    def columns(self, table: Table) -> list[Column]:
        out = []
        for number, f in enumerate(table.fields, start=1):
            value, likely = f.normalisable(), f.normalisable_likely()
            if value and likely:
                out.append(Column(f"normalisable-text:{f.name}", likely, value, number, f.name))
        return out

    def column_args(self, example: str) -> dict[str, str]:
        en, zh = hint(example) or ("", "")
        return {
            "example": example[:40],
            "hint_en": en,
            "hint_zh": zh,
            "kind": "date" if "date" in en else "integer or number",
        }


CHECK = NormalisableText()
