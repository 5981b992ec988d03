"""foreign-key: a value not found in the table a foreign key references (another resource of the
dataset, or a resource of another dataset of the catalogue)."""

from __future__ import annotations

from typing import Any

from govdata.catalog.tableschema import as_list
from govdata.checks.rules.base import Check, Reference, Table
from govdata.sql import ident


class ForeignKey(Check):
    code = "foreign-key"
    title_zh, title_en = "外键引用不存在", "Foreign key violated"
    hint_zh, hint_en = (
        "引用的值在目标表中不存在：更正该值或先发布目标数据。",
        "The referenced value is missing from the target table: correct it or publish the target first.",
    )
    message_zh, message_en = "{cell} 在 {target}（{remote}）中不存在", "{cell} not found in {target} ({remote})"
    variants = {
        "no-dataset": (
            "外键 {local} 无法检查：数据集 '{dataset}' 不在目录中",
            "foreign key {local} cannot be checked: dataset '{dataset}' is not in the catalogue",
        ),
        "no-data": (
            "外键 {local} 无法检查：{dataset}/{resource} 没有可读的数据",
            "foreign key {local} cannot be checked: {dataset}/{resource} has no readable data",
        ),
        "no-fields": (
            "外键 {local} -> {remote_list}：字段不存在",
            "foreign key {local} -> {remote_list}: fields not found",
        ),
    }

    def references(self, table: Table) -> list[Reference]:
        out = []
        for i, fk in enumerate(table.schema.get("foreignKeys") or []):
            local = as_list(fk.get("fields"))
            ref = fk.get("reference") or {}
            remote = as_list(ref.get("fields"))
            # the table it names (a resource of the same name when it names only a dataset)
            target = ".".join(
                x for x in (ref.get("dataset"), ref.get("resource") or getattr(table, "resource", "")) if x
            )
            args = {"local": str(local), "remote": ", ".join(remote), "remote_list": str(remote), "target": target}
            out.append(
                Reference(
                    f"foreign-key:{i}",
                    tuple(local),
                    ref.get("dataset"),
                    ref.get("resource"),
                    tuple(remote),
                    tuple(args.items()),
                )
            )
        return out

    def unresolved(self, ref: Reference, dataset: str, resource: str, known: bool) -> dict[str, Any]:
        """The message arguments when the referenced table cannot be read."""
        return {
            **dict(ref.args),
            "variant": "no-data" if known else "no-dataset",
            "dataset": dataset,
            "resource": resource,
        }

    def missing(self, ref: Reference, table: Any, target: Any) -> tuple[str, str] | None:
        """``(source, cells)``: the ``FROM … WHERE …`` of the rows of ``table`` whose key is not found
        in ``target`` (both loaded tables, :class:`govdata.checks.loaded.LoadedTable`) and the SQL of
        the cells a finding shows; None when a field is missing on either side."""
        lf = [table.field_sql(n) for n in ref.fields]
        rf = [target.field_sql(n) for n in ref.remote]
        if not all(lf) or not all(rf) or len(lf) != len(rf):
            return None
        key = " AND ".join(f"t.{ident('k%d' % i)} = {lf[i].value}" for i in range(len(lf)))
        keys = ", ".join(f"{rf[i].value} AS {ident('k%d' % i)}" for i in range(len(rf)))
        not_null = " AND ".join(f"{f.value} IS NOT NULL" for f in lf)
        cells = " || ', ' || ".join(f.col for f in lf)
        return (
            f"FROM {table.rel(lf)} WHERE {not_null} AND NOT EXISTS "
            f"(SELECT 1 FROM (SELECT DISTINCT {keys} FROM {target.rel(rf)}) t WHERE {key})",
            cells,
        )


CHECK = ForeignKey()
