"""constraint-error: a cell that breaks one of its field's constraints (required, enum, range,
length, pattern)."""

from __future__ import annotations

import re

from govdata.checks.rules.base import Check, Row, Table
from govdata.checks.sqltypes import FieldSQL

_NOTE = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)


class ConstraintError(Check):
    code = "constraint-error"
    title_zh, title_en = "约束不满足", "Constraint error"
    hint_zh = "该值违反字段约束（必填、枚举、范围、长度或模式）。"
    hint_en = "The value breaks a field constraint (required, enum, range, length or pattern)."
    message_zh = "{cell} 不满足约束 {constraint} = {value}"
    message_en = '{cell} breaks constraint "{constraint}" = "{value}"'

    def field_rows(self, f: FieldSQL, number: int, table: Table) -> list[Row]:
        out = []
        # the proof fails on any invalid value already (type-error), so its bounds leave out the type guard
        for (note, condition), (_, bound) in zip(f.constraints(), f.constraints(assume_valid=True)):
            name, value = _NOTE.fullmatch(note).groups()  # type: ignore[union-attr]
            out.append(
                Row(
                    f"constraint-error:{f.name}:{note}",
                    condition,
                    bound=bound,
                    number=number,
                    field=f.name,
                    cell=f.col,
                    args=(("constraint", name), ("value", value)),
                )
            )
        return out


CHECK = ConstraintError()
