"""spreadsheet-formula: a text cell a spreadsheet would run as a formula (CSV injection); a warning
listed for the first rows of each field."""

from __future__ import annotations

from govdata.checks.rules.base import Check, Row, Table
from govdata.checks.sqltypes import FORMULA_ROWS, FieldSQL


class SpreadsheetFormula(Check):
    code = "spreadsheet-formula"
    severity = "warning"
    title_zh, title_en = "单元格会被电子表格当作公式执行", "Cell a spreadsheet would run as a formula"
    hint_zh = (
        "以 = + - @（或制表符、回车）开头的文本在 Excel/WPS 中打开时会被当作公式执行（CSV 注入）：确认该值无害；"
        "若是数字或电话号码，去掉前导符号或声明为数值类型。下载的 CSV 会加前缀使其失效。"
    )
    hint_en = (
        "Text starting with = + - @ (or a tab or carriage return) runs as a formula when the CSV is opened in Excel or "
        "WPS (CSV injection): make sure the value is harmless; for numbers or phone numbers drop the sign or declare a "
        "numeric type. Spreadsheet downloads neutralise it."
    )
    message_zh = "{cell} 以 = + - @ 或控制字符开头：用电子表格打开 CSV 时会被当作公式执行"
    message_en = (
        "{cell} starts with = + - @ or a control character: a spreadsheet opening the CSV would run it as a formula"
    )

    def field_rows(self, f: FieldSQL, number: int, table: Table) -> list[Row]:
        formula = f.formula()
        if not formula:
            return []
        return [
            Row(f"spreadsheet-formula:{f.name}", formula, number=number, field=f.name, cell=f.col, limit=FORMULA_ROWS)
        ]


CHECK = SpreadsheetFormula()
