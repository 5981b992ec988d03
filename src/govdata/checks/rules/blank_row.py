"""blank-row: a row whose cells are all missing (``,,,``), as Frictionless and the structure pass see it."""

from __future__ import annotations

from typing import Any

from govdata.checks.rules.base import Check, Row, Table
from govdata.findings import Finding


class BlankRow(Check):
    code = "blank-row"
    title_zh, title_en = "空行", "Blank row"
    hint_zh, hint_en = "删除空行。", "Delete the blank row."
    message_zh, message_en = "整行为空", "the row is blank"
    phase = "structure"  # the precise path removes such rows before the other checks

    def table_rows(self, table: Table) -> list[Row]:
        if not table.fields:
            return []
        return [Row("blank-row", " AND ".join(f"{f.value} IS NULL" for f in table.fields))]


CHECK = BlankRow()


def finding(row: int, **where: Any) -> Finding:
    """A blank row found outside the plan (the Python structure pass; the rows the precise path removes)."""
    return Finding("blank-row", CHECK.message("en", {}), row=row, args={}, **where)
