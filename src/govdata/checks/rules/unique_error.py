"""unique-error: a value repeated in a field declared ``unique`` (also on a key field, as Frictionless)."""

from __future__ import annotations

from govdata.checks.rules.base import Check, Key, Table


class UniqueError(Check):
    code = "unique-error"
    title_zh, title_en = "唯一性冲突", "Unique constraint violated"
    hint_zh, hint_en = (
        "该字段的值必须唯一：删除或更正重复行。",
        "Values of this field must be unique: remove or correct the duplicate.",
    )
    message_zh, message_en = "{cell} 与上面某行的 {fields} 相同", "{cell} is the same as a row above in {fields}"

    def keys(self, table: Table) -> list[Key]:
        return [
            Key(f"unique-error:{f.name}", (f,), number, f.name)
            for number, f in enumerate(table.fields, start=1)
            if (f.field.get("constraints") or {}).get("unique")
        ]


CHECK = UniqueError()
