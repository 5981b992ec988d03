"""type-error: a cell that is not a value of its field's type (Table Schema semantics, :mod:`sqltypes`)."""

from __future__ import annotations

from govdata.checks.rules.base import Check, Row, Table
from govdata.checks.sqltypes import FieldSQL


class TypeError_(Check):
    code = "type-error"
    title_zh, title_en = "类型错误", "Type error"
    hint_zh = "该值不符合字段类型（日期用 YYYY-MM-DD，数字不带千分位或单位）。"
    hint_en = "The value does not match the field type (dates YYYY-MM-DD, numbers without separators or units)."
    message_zh = "{cell} 不是 {type} 类型（格式 {format}）的值{hint_zh}"
    message_en = "{cell} is not a {type} value (format {format}){hint_en}"

    def field_rows(self, f: FieldSQL, number: int, table: Table) -> list[Row]:
        invalid = f.invalid()
        if not invalid:
            return []
        return [
            Row(
                f"type-error:{f.name}",
                f"{f.value} IS NOT NULL AND ({invalid})",
                number=number,
                field=f.name,
                cell=f.col,
                args=(("type", f.type), ("format", f.format)),
            )
        ]


CHECK = TypeError_()
