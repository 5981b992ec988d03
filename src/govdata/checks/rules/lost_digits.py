"""lost-digits: an identifier (统一社会信用代码, 身份证号码, an account number …) that Excel turned into a
number and wrote into the CSV in scientific notation (``9.13301E+17``): its last digits are lost for
good. ``govdata new`` refuses such a column; in a hand-written descriptor's ``string`` field the gate
warns, at the row (the first rows of each field), when the field's name, title or format names an
identifier, and once for the column, with its first rows, when other values of the column are long
digit strings or codes. A warning: the value is text the schema accepts, but it is not the code."""

from __future__ import annotations

import re

from govdata.checks.rules.base import Check, Column, Row, Table
from govdata.checks.sqltypes import FieldSQL
from govdata.sql import lit

# a field of identifiers, by its name, title or format: codes, identity, card, account and phone numbers
IDENTIFIERS = re.compile(
    r"代码|编码|编号|号码|证号|身份证|证件|卡号|账号|帐号|电话|手机|code|_no$|_id$|^id$|identifier|number$", re.I
)
# a number in scientific notation of 12 digits and more, as Excel writes a long number into a CSV
# (RE2 and Python read it alike)
SCIENTIFIC = r"\s*[+-]?\d(\.\d+)?[eE]\+?(1[1-9]|[2-9]\d)\s*"
# a long identifier as written correctly: 12 digits and more, an identity number, a credit code
LONG_CODE = r"\d{12,}|\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"
ROWS = 20  # rows listed per field
_SCIENTIFIC = re.compile(SCIENTIFIC)


def _plain_text(f: FieldSQL) -> bool:
    c = f.field.get("constraints") or {}
    # a pattern or an enum already refuses such a cell (an error)
    return f.type == "string" and "pattern" not in c and "enum" not in c


def _scientific(v: str) -> str:
    # the regular expression only on cells starting below ":" (a digit, a sign, a space) with an E
    # (each WHEN runs on the rows the ones before it left: the expression on few cells)
    return (
        f"CASE WHEN {v} >= ':' THEN false WHEN NOT (contains({v}, 'E') OR contains({v}, 'e')) THEN false "
        f"ELSE regexp_full_match({v}, {lit(SCIENTIFIC)}) END"
    )


def identifier_field(f: FieldSQL) -> bool:
    words = [str(f.field.get(k) or "") for k in ("name", "title", "format")]
    return any(IDENTIFIERS.search(w) for w in words if w)


class LostDigits(Check):
    code = "lost-digits"
    severity = "warning"
    title_zh, title_en = (
        "代码被 Excel 写成科学计数法，末尾数字已丢失",
        "Code written by Excel in scientific notation: digits lost",
    )
    hint_zh = (
        "Excel 把长代码（统一社会信用代码、身份证号码、账号等）当作数字，只保留 15 位有效数字，另存为 CSV 时写成 "
        "9.13301E+17 这样的科学计数法，末尾数字已丢失，无法恢复：请从原系统把该列按文本重新导出（在 Excel 中先把该列"
        "设为“文本”格式再录入或粘贴）。"
    )
    hint_en = (
        "Excel took a long code (unified social credit code, identity or account number) for a number, kept 15 "
        "significant digits and wrote it into the CSV in scientific notation such as 9.13301E+17: its last digits are "
        "lost for good. Export the column again from the source system as text (in Excel, format the column as text "
        "before entering or pasting the codes)."
    )
    message_zh = "{cell} 是 Excel 写成科学计数法的数字：该代码的末尾数字已丢失"
    message_en = "{cell} is a number Excel wrote in scientific notation: the code's last digits are lost"
    variants = {
        "column": (
            "该列其他值是长代码，但有值被 Excel 写成科学计数法（如第 {rows_zh} 行的 '{example}'）：末尾数字已丢失",
            "other values of the column are long codes, but some were written by Excel in scientific notation "
            "('{example}', rows {rows}): their last digits are lost",
        )
    }

    def field_rows(self, f: FieldSQL, number: int, table: Table) -> list[Row]:
        if not _plain_text(f) or not identifier_field(f):
            return []
        return [Row(f"lost-digits:{f.name}", _scientific(f.value), number=number, field=f.name, cell=f.col, limit=ROWS)]

    def columns(self, table: Table) -> list[Column]:
        out = []
        for number, f in enumerate(table.fields, start=1):
            if not _plain_text(f) or identifier_field(f):
                continue
            v = f.value
            sci = _scientific(v)
            # the comparison reads the string's inlined prefix; under CASE, contains runs on digit-led
            # cells only (7 ms per million Chinese cells, 25 ms per million digit codes, one thread)
            likely = f"count_if(CASE WHEN {v} < ':' THEN contains({v}, 'E+') OR contains({v}, 'e+') END)"
            value = (
                f"(CASE WHEN count_if(regexp_full_match({v}, {lit(LONG_CODE)})) > 0 "
                f"THEN min({v}) FILTER (WHERE {sci}) END)"
            )
            out.append(Column(f"lost-digits:{f.name}", likely, value, number, f.name))
        return out

    def listed(self, cell: str) -> bool | None:
        return _SCIENTIFIC.fullmatch(cell) is not None

    def column_args(self, example: str) -> dict[str, str]:
        return {"example": example[:40], "variant": "column"}


CHECK = LostDigits()
