"""The key checks of a loaded resource: duplicates of its unique and primary keys, and its foreign
keys against the other tables of the run; their rows go into the findings table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from govdata import duck as duckdb

from govdata.checks.loaded import LoadedTable, one_row
from govdata.checks.plan import key_present, owner, unique_keys
from govdata.checks.rules.base import Key, Reference, Table
from govdata.findings import Finding
from govdata.sql import lit

if TYPE_CHECKING:  # table.py runs the key checks of its plan
    from govdata.checks.table import TableChecks

# (dataset, resource) -> (the dataset is in the catalogue, its resource loaded in this run or None)
Lookup = Callable[[str, str], tuple[bool, LoadedTable | None]]


def repeating(tables: TableChecks, lt: LoadedTable, keys: list[Key]) -> list[Key]:
    """Of a long table: the keys among ``keys`` that may repeat. The one-field keys (a wide file's
    ``unique`` columns) are tested together, one GROUP BY (field, typed value) over the long table
    per typed form instead of a distinct count per column; keys of several fields are returned as
    they are (:func:`duplicates` tests them)."""
    single = [k for k in keys if len(k.fields) == 1]
    forms: dict[str, list[int]] = {}  # typed expression over the value column -> field numbers
    for k in single:
        forms.setdefault(lt.cells[lt.number(k.fields[0]) - 1].typed(), []).append(lt.number(k.fields[0]))
    if not forms:
        return keys
    branches = [
        f"SELECT DISTINCT fn FROM (SELECT fn, {typed} AS k FROM {lt.table} WHERE fn IN ({', '.join(map(str, fns))})) "
        f"WHERE k IS NOT NULL GROUP BY fn, k HAVING count(*) > 1"
        for typed, fns in forms.items()
    ]
    try:
        repeated = {fn for (fn,) in tables.con.execute(" UNION ".join(branches)).fetchall()}
    except duckdb.Error:
        return keys  # each key on its own: duplicates() reports what is wrong
    return [k for k in keys if len(k.fields) > 1 or lt.number(k.fields[0]) in repeated]


def duplicates(tables: TableChecks, lt: LoadedTable, key: Key, repeats: bool = False) -> None:
    """Rows whose key another row before them has (the rows where the key takes part); ``repeats``:
    the key is known to repeat (:func:`repeating`), no need to count first."""
    fields = list(key.fields)
    typed = ", ".join(f.typed() for f in fields)
    not_null = key_present(key)
    try:  # the usual case, no duplicates, costs one distinct count instead of a window over the table
        if repeats:
            pass  # counted already
        elif lt.long:
            keys = f"({typed})" if len(fields) > 1 else typed
            distinct = f"SELECT count(*) = count(DISTINCT {keys}) FROM {lt.rel(fields)} WHERE {not_null}"
            if one_row(tables.con, distinct)[0]:
                return
        elif tables.counts(lt, [(key.label, unique_keys(key))])[key.label]:
            return
    except duckdb.Error:
        pass  # the window query below reports what is wrong
    cells = " || ', ' || ".join(f"coalesce({f.col}, '')" for f in fields)
    tables.insert(
        lt,
        f"SELECT r, {lit(key.number)}, {lit(key.field)}, {lit(owner(key).code)}, {lit(key.label)}, "
        f"cells FROM (SELECT rowid AS r, {cells} AS cells, row_number() OVER (PARTITION BY {typed} "
        f"ORDER BY rowid) AS n FROM {lt.rel(fields)} WHERE {not_null}) WHERE n > 1",
    )


def check_foreign_keys(
    tables: TableChecks, lt: LoadedTable, lookup: Lookup, done: frozenset[tuple[str, str, str]] = frozenset()
) -> list[Finding]:
    """The plan's references (``rules/foreign_key.py``) against their tables:
    ``lookup(dataset, resource) -> (dataset in the catalogue, LoadedTable | None)``; ``done``: the
    (dataset, resource, reference) checked already (:func:`foreign_keys_together`)."""
    problems = []
    for ref in lt.plan.references:
        if (lt.dataset, lt.resource, ref.label) in done:
            continue
        check = owner(ref)
        dataset, resource = ref.dataset or lt.dataset, ref.resource or lt.resource
        known, target = lookup(dataset, resource)
        missing = check.missing(ref, lt, target) if target is not None else None
        if missing is None:
            args = (
                check.unresolved(ref, dataset, resource, known)
                if target is None
                else {**dict(ref.args), "variant": "no-fields"}
            )
            field = ref.fields[0] if ref.fields else None
            problems.append(Finding(check.code, check.message("en", args), field=field, args=args, **lt.where))
            continue
        tables.insert(lt, reference_select(lt, ref, missing))
    return problems


def reference_select(lt: Table, ref: Reference, missing: tuple[str, str]) -> str:
    """The findings of a reference's missing values: ``missing`` is its check's ``(source, cells)``,
    the ``FROM … WHERE …`` of the rows and the SQL of the cells shown (``rules/foreign_key.py``)."""
    source, cells = missing
    return f"SELECT rowid, {reference_item(lt, ref)}, {cells} {source}"


def reference_item(lt: Table, ref: Reference) -> str:
    """The field number, field, code and label of a reference's findings in ``lt``, as SQL."""
    first = lt.field_sql(ref.fields[0])
    assert first is not None, "the check found the reference's fields (missing() is None otherwise)"
    return f"{lt.fields.index(first) + 1}, {lit(ref.fields[0])}, {lit(owner(ref).code)}, {lit(ref.label)}"
