"""cell-too-large: a cell longer than the cap (huge cells are published as files, not cells)."""

from __future__ import annotations

from govdata.checks.rules.base import Check, Row, Table
from govdata.checks.structure import MAX_CELL_CHARS
from govdata.checks.sqltypes import FieldSQL


class CellTooLarge(Check):
    code = "cell-too-large"
    title_zh, title_en = "单元格过大", "Cell too large"
    hint_zh, hint_en = (
        "单元格不能超过上限；大文本请作为附件单独发布。",
        "A cell may not exceed the cap; publish long text as a separate file.",
    )
    message_zh, message_en = "超过 {limit} 个字符", "longer than {limit} characters"
    phase = "structure"  # the Python structure pass caps cells itself

    def field_rows(self, f: FieldSQL, number: int, table: Table) -> list[Row]:
        # bytes bound characters: the proof counts the cheap byte length, the precise path measures characters
        return [
            Row(
                f"cell-too-large:{f.name}",
                f"strlen({f.col}) > {MAX_CELL_CHARS} AND length({f.col}) > {MAX_CELL_CHARS}",
                bound=f"strlen({f.col}) > {MAX_CELL_CHARS}",
                number=number,
                field=f.name,
                args=(("limit", MAX_CELL_CHARS),),
            )
        ]


CHECK = CellTooLarge()
