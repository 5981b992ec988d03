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
        pairs = [_compared(a, b) for a, b in zip(lf, rf)]
        # as Frictionless: a key whose cells are all missing is not checked; one partly missing is
        # looked up with its missing cells as they are (a target row missing the same cells matches)
        key = " AND ".join(f"t.{ident('k%d' % i)} IS NOT DISTINCT FROM {here}" for i, (here, _) in enumerate(pairs))
        keys = ", ".join(f"{there} AS {ident('k%d' % i)}" for i, (_, there) in enumerate(pairs))
        present = " OR ".join(f"{here} IS NOT NULL" for here, _ in pairs)
        cells = " || ', ' || ".join(f"coalesce({f.col}, '')" for f in lf) if len(lf) > 1 else lf[0].col
        return (
            f"FROM {table.rel(lf)} WHERE ({present}) AND NOT EXISTS "
            f"(SELECT 1 FROM (SELECT DISTINCT {keys} FROM {target.rel(rf)}) t WHERE {key})",
            cells,
        )


_NUMBERS = ("integer", "number")


def _compared(here: Any, there: Any) -> tuple[str, str]:
    """The SQL of a local field's and its referenced field's values as the reference compares them:
    typed when both are of one type (or both numbers), as Frictionless compares them (``01`` is the
    integer 1, an invalid cell is missing); as written otherwise (Frictionless would find no integer
    among strings, so a reference from an integer code to a text code would fail on every row: a
    deliberate difference, docs/architecture.md)."""
    if here.type == there.type or (here.type in _NUMBERS and there.type in _NUMBERS):
        return here.typed(), there.typed()
    return here.value, there.value


CHECK = ForeignKey()
