"""primary-key: a repeated primary key, or a row whose key cells are all missing or invalid."""

from __future__ import annotations

from govdata.catalog.tableschema import as_list
from govdata.checks.rules.base import Check, Key, Row, Table


class PrimaryKey(Check):
    code = "primary-key"
    title_zh, title_en = "主键重复", "Primary key violated"
    hint_zh = "主键值必须唯一且非空：删除或更正重复行。"
    hint_en = "Primary key values must be unique and not empty: remove or correct the duplicate."
    message_zh, message_en = "{cell} 与上面某行的 {fields} 相同", "{cell} is the same as a row above in {fields}"
    variants = {
        "missing": ("组成主键的单元格全部缺失或无效", "cells composing the primary key are all missing or invalid")
    }

    def _key(self, table: Table) -> list:
        fields = [table.field_sql(name) for name in as_list(table.schema.get("primaryKey"))]
        return fields if fields and all(fields) else []

    def keys(self, table: Table) -> list[Key]:
        fields = self._key(table)
        return [Key("primary-key", tuple(fields))] if fields else []

    def table_rows(self, table: Table) -> list[Row]:
        fields = self._key(table)
        if not fields:
            return []
        # as Frictionless: a row whose key cells are all missing or invalid has no key; the proof counts
        # missing ones only (an invalid key value has already failed the type condition)
        none = " AND ".join(f"({f.value} IS NULL" + (f" OR {f.invalid()})" if f.invalid() else ")") for f in fields)
        return [
            Row(
                "primary-key:missing",
                none,
                bound=" AND ".join(f"{f.value} IS NULL" for f in fields),
                reads=tuple(f.name for f in fields),
                args=(("variant", "missing"),),
                covers=False,
            )
        ]


CHECK = PrimaryKey()
