"""Many small files checked together: the same condition bound once for all the files that have it.

A DuckDB statement costs about half a millisecond to bind per condition whatever the table's
size; a file's row conditions in one statement (``plan.combined_items``) take ~15-27 ms of CPU
for a ten-field schema, and ~20 ms more go to the key, column and personal-data counts. A
catalogue of small datasets is thus mostly binding.

Small plain files are copied into one table by position: the k-th field of each file in column
``__govdata_c<k>``, tagged with the file (``__govdata_t``) and the row (``__govdata_r``). Each
file's plan is compiled a second time over those columns (its *twin*), so that a condition reads
the same wherever two files declare a field alike at the same place, whatever its name: the files
of one template, or of different agencies whose fields are typed alike, share it. Each distinct
condition is bound once and holds only on the rows of the files that have it (``__govdata_t IN
(…)`` when not all do); a row where it holds records the condition and the cell. The files with
such rows then have them named as their own plan names them (field, code, label, row limit) and
written to their findings table; each file's aggregates (key, column and personal-data counts)
are computed grouped by file and kept under the file's own SQL in ``LoadedTable.counted``. The
per-file steps that follow (:meth:`TableChecks.check_cells`, ``counts``) find their answers
without a statement, and report exactly what they report for one file alone. A batch that fails
to run (a declared pattern DuckDB cannot compile) is split in two until the failing files are
left to their per-file statements, which say what is wrong.

Their foreign keys too (:func:`foreign_keys_together`, once every table of the run is loaded):
the files whose reference reads alike into the same target have its columns stacked in one
table, and the reference's own anti-join (``rules/foreign_key.py``) runs once over it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from govdata import duck as duckdb

from govdata.checks.keys import Lookup, reference_item
from govdata.checks.loaded import LoadedTable
from govdata.checks.plan import item_list, owner
from govdata.checks.rules.base import Reference, Row
from govdata.checks.rules.foreign_key import ForeignKey
from govdata.checks.sqltypes import FieldSQL
from govdata.checks.table import COMBINED_BYTES, TableChecks

TAG, ROW, SLOT, KEY = "__govdata_t", "__govdata_r", "__govdata_c", "__govdata_k"
BATCH_FILES = 256  # files per statement
MIN_FILES = 4  # fewer files are checked one by one
# distinct conditions and aggregates per batch: a batch of files that share few of them binds as
# many as their own statements would, and every aggregate is computed over every row of the batch
BATCH_CONDITIONS = 400
BATCH_AGGREGATE_BYTES = 4 * 1024**3  # distinct aggregates × the batch's bytes
ITEM = "STRUCT(t INTEGER, k INTEGER, fn INTEGER, field VARCHAR, code VARCHAR, note VARCHAR, lim INTEGER)[]"

Counts = Callable[[LoadedTable], list[tuple[str, str]]]


@dataclass
class _Member:
    """A file in a batch: its twin's conditions and aggregates, named as its own."""

    lt: LoadedTable
    rows: list[tuple[tuple[str, str], Row]]  # (the twin's condition and cell, the file's own row)
    aggregates: dict[str, str]  # the twin's aggregate -> the file's own (the key of lt.counted)


def _twin(lt: LoadedTable) -> LoadedTable:
    """``lt`` with each field read from its position's column of a batch table."""
    missing = lt.schema.get("missingValues", [""])
    fields = [FieldSQL(f.field, missing, column=f"{SLOT}{k}") for k, f in enumerate(lt.fields, start=1)]
    return dataclasses.replace(lt, fields=fields, counted={}, _numbers={}, _plan=None, _cell_plan=None)


def _member(tables: TableChecks, lt: LoadedTable, counts: Counts) -> _Member | None:
    """``lt`` as a member of a batch, or None when it is to be checked alone."""
    if lt.streamed or lt.long or lt.cells_checked or not lt.prep.bytes or lt.prep.bytes > COMBINED_BYTES:
        return None
    try:
        twin = _twin(lt)
        own, slot = tables.cell_rows(lt), tables.cell_rows(twin)
        own_counts, slot_counts = counts(lt), counts(twin)
    except Exception:
        return None  # a plan that cannot be compiled (a schema Frictionless rejects): the file's own steps say so
    if [r.label for r in own] != [r.label for r in slot] or [a for a, _ in own_counts] != [a for a, _ in slot_counts]:
        return None  # pragma: no cover - the same checks over the same fields make the same items
    aggregates = {s: a for (_, a), (_, s) in zip(own_counts, slot_counts)}
    sqls = [r.condition + (r.cell or "") for r in slot] + list(aggregates)
    if any("rowid" in sql for sql in sqls) or any(f.col in sql for f in lt.fields for sql in sqls):
        return None  # a condition reading the row number, or a column by its name: the per-file statement knows it
    rows = [((r.condition, r.cell or "NULL"), mine) for r, mine in zip(slot, own)]
    return _Member(lt, rows, aggregates)


def check_together(tables: TableChecks, items: Iterable[tuple[LoadedTable, Counts]]) -> None:
    """``items``: (table, what its later steps will count of a table). Plain small tables are
    checked in batches; the others are left alone."""
    items = list(items)
    if len(items) < MIN_FILES:
        return  # too few to batch, whatever they are (no twin plan compiled for them)
    members = [m for lt, counts in items if (m := _member(tables, lt, counts)) is not None]
    if len(members) < MIN_FILES:
        return
    # files declared alike side by side: fewer distinct conditions per batch
    members.sort(key=lambda m: ([key for key, _ in m.rows], sorted(m.aggregates)))
    chunk: list[_Member] = []
    conditions: set[tuple[str, str]] = set()
    aggregates: set[str] = set()
    size = 0
    for m in members:
        more_conditions = conditions | {key for key, _ in m.rows}
        more_aggregates = aggregates | set(m.aggregates)
        full = len(more_conditions) + len(more_aggregates) > BATCH_CONDITIONS
        if chunk and (
            len(chunk) >= BATCH_FILES or full or len(more_aggregates) * (size + m.lt.prep.bytes) > BATCH_AGGREGATE_BYTES
        ):
            _split(tables, chunk)
            chunk, more_conditions, more_aggregates, size = [], {key for key, _ in m.rows}, set(m.aggregates), 0
        chunk.append(m)
        conditions, aggregates, size = more_conditions, more_aggregates, size + m.lt.prep.bytes
    _split(tables, chunk)


def _split(tables: TableChecks, chunk: list[_Member]) -> None:
    """A batch, or when it fails, each half of it (down to fewer than MIN_FILES files: their own statements)."""
    if len(chunk) < MIN_FILES:
        return
    if _batch(tables, chunk):
        return
    half = len(chunk) // 2
    _split(tables, chunk[:half])
    _split(tables, chunk[half:])


def _conditions(chunk: list[_Member]) -> tuple[str, dict[tuple[str, str], int]]:
    """Each distinct condition of the batch once, on the rows of the files that have it: a list per
    row of (condition number, cell) where one holds; and the numbers."""
    holders: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(chunk):
        for key, _ in m.rows:
            files = holders.setdefault(key, [])
            if not files or files[-1] != i:
                files.append(i)
    numbers = {key: k for k, key in enumerate(holders)}
    items = []
    for (condition, cell), files in holders.items():
        gate = "" if len(files) == len(chunk) else f"{TAG} IN ({', '.join(map(str, files))}) AND "
        k = numbers[(condition, cell)]
        items.append(f"CASE WHEN {gate}coalesce({condition}, false) THEN {{'k': {k}, 'cell': ({cell})::VARCHAR}} END")
    return item_list(items), numbers


def _batch(tables: TableChecks, chunk: list[_Member]) -> bool:
    """Check ``chunk`` in one table; False (and nothing changed) when a statement fails."""
    con, n = tables.con, next(tables._counter)
    batch, found, named = f"batch_{n}", f"batch_found_{n}", f"batch_findings_{n}"
    width = max(len(m.lt.fields) for m in chunk)
    union = " UNION ALL ".join(
        f"SELECT {i} AS {TAG}, rowid AS {ROW}, "
        + ", ".join(
            [f"{f.col} AS {SLOT}{k}" for k, f in enumerate(m.lt.fields, start=1)]
            + [f"NULL::VARCHAR AS {SLOT}{k}" for k in range(len(m.lt.fields) + 1, width + 1)]
        )
        + f" FROM {m.lt.table}"
        for i, m in enumerate(chunk)
    )
    aggregates = sorted({a for m in chunk for a in m.aggregates})
    combined, numbers = _conditions(chunk)
    counted: dict[int, tuple] = {}
    with_findings: list[int] = []
    try:
        # materialised first: a condition over a union is planned once per branch
        con.execute(f"CREATE OR REPLACE {tables.temp}TABLE {batch} AS {union}")
        if aggregates:
            for row in con.execute(f"SELECT {TAG}, {', '.join(aggregates)} FROM {batch} GROUP BY {TAG}").fetchall():
                counted[row[0]] = row[1:]
        if combined:
            con.execute(
                f"CREATE OR REPLACE {tables.temp}TABLE {found} AS SELECT t, r, x.k, x.cell "
                f"FROM (SELECT {TAG} AS t, {ROW} AS r, unnest({combined}) AS x FROM {batch})"
            )
            with_findings = sorted(t for (t,) in con.execute(f"SELECT DISTINCT t FROM {found}").fetchall())
        if with_findings:  # each file's rows named as its own plan names them, with its row limits
            named_items = [
                {
                    "t": i,
                    "k": numbers[key],
                    "fn": r.number,
                    "field": r.field,
                    "code": owner(r).code,
                    "note": r.label,
                    "lim": r.limit,
                }
                for i in with_findings
                for key, r in chunk[i].rows
            ]
            con.execute(
                f"CREATE OR REPLACE {tables.temp}TABLE {named} AS SELECT f.t, f.r, i.fn, i.field, i.code, i.note, "
                f"f.cell FROM {found} f JOIN (SELECT unnest(?::{ITEM}, recursive := true)) i ON f.t = i.t AND f.k = i.k "
                "QUALIFY i.lim IS NULL OR row_number() OVER (PARTITION BY f.t, i.note ORDER BY f.r) <= i.lim",
                [named_items],
            )
    except duckdb.Error:
        _drop(con, named, found, batch)
        return False
    try:
        for i, m in enumerate(chunk):
            if i in counted:  # a file without rows has no group: its own statements count it
                values = dict(zip(aggregates, counted[i]))
                m.lt.counted = {mine: values[slot] for slot, mine in m.aggregates.items()}
            if i in with_findings:
                tables.add_findings(m.lt, f"SELECT r, fn, field, code, note, cell FROM {named} WHERE t = {i}")
            m.lt.cells_checked = True
    finally:
        _drop(con, named, found, batch)
    return True


def _drop(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    for name in names:
        con.execute(f"DROP TABLE IF EXISTS {name}")


@dataclass
class _Stacked:
    """The key columns of many small tables stacked in one (``__govdata_t``: which table, ``rowid``:
    its row there), seen by a reference's check as one table with the reference's fields."""

    fields: list[FieldSQL]
    relation: str
    schema: dict[str, Any]

    def field_sql(self, name: str) -> FieldSQL | None:
        return next((f for f in self.fields if f.name == name), None)

    def rel(self, fields: list[FieldSQL] | None = None) -> str:
        return self.relation


STACK_FILES = 256  # tables per stacked statement


def foreign_keys_together(tables: TableChecks, loaded: list[LoadedTable], lookup: Lookup) -> set[tuple[str, str, str]]:
    """The foreign keys of many small tables that read alike into the same target, one statement per
    group: their key columns stacked in one table, the check's own anti-join over it. Returns the
    (dataset, resource, reference) checked, whose findings are in their tables."""
    n = next(tables._counter)
    stack, found = f"fk_stack_{n}", f"fk_found_{n}"
    stacked = f"(SELECT {TAG}, {ROW} AS rowid, * EXCLUDE ({TAG}, {ROW}) FROM {stack})"
    groups: dict[tuple[int, str, str], list[tuple[LoadedTable, Reference, list[FieldSQL]]]] = {}
    for lt in loaded:
        if lt.long or lt.streamed or not lt.prep.bytes or lt.prep.bytes > COMBINED_BYTES:
            continue
        missing_values = lt.schema.get("missingValues", [""])
        for ref in lt.plan.references:
            if type(owner(ref)) is not ForeignKey:
                continue  # a plugin's reference: its own statement
            known, target = lookup(ref.dataset or lt.dataset, ref.resource or lt.resource)
            lf = [f for name in ref.fields if (f := lt.field_sql(name)) is not None]
            if target is None or target is lt or len(lf) != len(ref.fields) or len(set(ref.fields)) != len(lf):
                continue
            keys = [FieldSQL(f.field, missing_values, column=f"{KEY}{j}") for j, f in enumerate(lf)]
            missing = owner(ref).missing(ref, _Stacked(keys, stacked, lt.schema), target)
            if missing is None:
                continue
            source, cells = missing
            groups.setdefault((id(target), source, cells), []).append((lt, ref, lf))
    done: set[tuple[str, str, str]] = set()
    for (_, source, cells), members in groups.items():
        for start in range(0, len(members), STACK_FILES):
            chunk = members[start : start + STACK_FILES]
            if len(chunk) < MIN_FILES:
                continue
            union = " UNION ALL ".join(
                f"SELECT {i} AS {TAG}, rowid AS {ROW}, "
                + ", ".join(f"{f.col} AS {KEY}{j}" for j, f in enumerate(lf))
                + f" FROM {lt.table}"
                for i, (lt, _, lf) in enumerate(chunk)
            )
            try:
                tables.con.execute(f"CREATE OR REPLACE {tables.temp}TABLE {stack} AS {union}")
                tables.con.execute(
                    f"CREATE OR REPLACE {tables.temp}TABLE {found} AS SELECT {TAG}, rowid, {cells} AS cell {source}"
                )
                with_findings = {t for (t,) in tables.con.execute(f"SELECT DISTINCT {TAG} FROM {found}").fetchall()}
            except duckdb.Error:
                _drop(tables.con, found, stack)
                continue  # each table's own statement says what is wrong
            try:
                for i, (lt, ref, _) in enumerate(chunk):
                    if i in with_findings:
                        tables.add_findings(
                            lt, f"SELECT rowid, {reference_item(lt, ref)}, cell FROM {found} WHERE {TAG} = {i}"
                        )
                    done.add((lt.dataset, lt.resource, ref.label))
            finally:
                _drop(tables.con, found, stack)
    return done
