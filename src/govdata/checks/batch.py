"""Many small files checked together: each file's statements, bound once for the batch.

A DuckDB statement costs about half a millisecond to bind per condition whatever the table's
size; a file's row conditions in one statement (``plan.combined_items``) take ~15-27 ms of CPU
for a ten-field schema, and ~20 ms more go to the key, column and personal-data counts. A
catalogue of small datasets is thus mostly binding. Small plain files are copied into one table
(``UNION ALL BY NAME``: a column no file of the batch shares is NULL on the other files' rows)
tagged with the file (``__govdata_t``) and the row (``__govdata_r``). Each distinct row condition
is bound once: the files of a template share theirs, and a condition only some files of the batch
have (a column of their own, another constraint) holds only on their rows (``__govdata_t IN
(…)``). The row conditions run once over the batch, partitioned by file as the per-file
statement partitions by nothing, and the counts are grouped by file (each file keeps the counts
it asked for). Each file's findings go to its own findings table and its counts to
``LoadedTable.counted``, so the per-file steps that follow (:meth:`TableChecks.check_cells`,
``counts``) find their answers without a statement, and report exactly what they report for one
file alone. A batch that fails to run (a declared pattern DuckDB cannot compile) is split in two
until the failing files are left to their per-file statements, which say what is wrong.

Their foreign keys too (:func:`foreign_keys_together`, once every table of the run is loaded):
the files whose reference reads the same columns of the same target have those columns stacked
in one table, and the reference's own anti-join (``rules/foreign_key.py``) runs once over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import duckdb

from govdata.checks.keys import Lookup, reference_select
from govdata.checks.loaded import LoadedTable
from govdata.checks.plan import combined_item, item_list, owner
from govdata.checks.rules.base import Reference, Row
from govdata.checks.rules.foreign_key import ForeignKey
from govdata.checks.sqltypes import FieldSQL
from govdata.checks.table import COMBINED_BYTES, TableChecks
from govdata.sql import lit

TAG, ROW = "__govdata_t", "__govdata_r"
BATCH_FILES = 256  # files per statement
MIN_FILES = 4  # fewer files are checked one by one
# columns of a batch's table: every branch of the union is padded to all of them, and a table of
# 256 files each with a column of its own took 1-3 s to build (0.05 s at 64 columns)
BATCH_COLUMNS = 64


@dataclass
class _Member:
    lt: LoadedTable
    rows: list[tuple[tuple[str, int], Row]]  # (the condition's item, its occurrence in the file), the row
    aggregates: tuple[str, ...]


def check_together(
    tables: TableChecks, items: Iterable[tuple[LoadedTable, Callable[[], list[tuple[str, str]]]]]
) -> None:
    """``items``: (table, the aggregates its later steps will count). Plain small tables are checked
    in batches; the others are left alone."""
    members: list[_Member] = []
    for lt, counts in items:
        if lt.streamed or lt.long or lt.cells_checked or not lt.prep.bytes or lt.prep.bytes > COMBINED_BYTES:
            continue
        if {f.name.casefold() for f in lt.fields} & {TAG, ROW}:
            continue
        try:
            texts = [(combined_item(r), r) for r in tables.cell_rows(lt)]
            aggregates = tuple(sorted({a for _, a in counts()}))
        except Exception:
            continue  # a plan that cannot be compiled (a schema Frictionless rejects): the file's own steps say so
        if any("rowid" in text for text, _ in texts) or any("rowid" in a for a in aggregates):
            continue  # a condition reading the row number: the per-file statement knows it
        seen: dict[str, int] = {}
        rows = []
        for text, r in texts:  # a condition twice in a file reports twice, as in its own statement
            seen[text] = seen.get(text, -1) + 1
            rows.append(((text, seen[text]), r))
        members.append(_Member(lt, rows, aggregates))
    if len(members) < MIN_FILES:
        return
    # files of one template side by side: fewer distinct conditions to bind per batch
    members.sort(key=lambda m: [f.name for f in m.lt.fields])
    chunk: list[_Member] = []
    columns: set[str] = set()
    for m in members:
        names = {f.name.casefold() for f in m.lt.fields}
        if chunk and (len(chunk) >= BATCH_FILES or len(columns | names) > BATCH_COLUMNS):
            _split(tables, chunk)
            chunk, columns = [], set()
        chunk.append(m)
        columns |= names
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


def _gated(chunk: list[_Member]) -> str:
    """Every member's row conditions as one list per row of the batch: each distinct condition once,
    on the rows of the files that have it."""
    holders: dict[tuple[str, int], list[int]] = {}
    row_of: dict[tuple[str, int], Row] = {}
    for i, m in enumerate(chunk):
        for key, r in m.rows:
            holders.setdefault(key, []).append(i)
            row_of.setdefault(key, r)
    items = []
    for key, files in holders.items():
        if len(files) == len(chunk):
            items.append(key[0])
        else:
            gate = f"{TAG} = {files[0]}" if len(files) == 1 else f"{TAG} IN ({', '.join(map(str, files))})"
            items.append(combined_item(row_of[key], gate))
    return item_list(items)


def _batch(tables: TableChecks, chunk: list[_Member]) -> bool:
    """Check ``chunk`` in one table; False (and nothing changed) when a statement fails."""
    con, n = tables.con, next(tables._counter)
    batch, found = f"batch_{n}", f"batch_findings_{n}"
    union = " UNION ALL BY NAME ".join(
        f"SELECT {i} AS {TAG}, rowid AS {ROW}, * FROM {m.lt.table}" for i, m in enumerate(chunk)
    )
    aggregates = sorted({a for m in chunk for a in m.aggregates})
    combined = _gated(chunk)
    counted: dict[int, tuple] = {}
    with_findings: set[int] = set()
    try:
        # materialised first: a condition over a union is planned once per branch
        con.execute(f"CREATE OR REPLACE {tables.temp}TABLE {batch} AS {union}")
        if aggregates:
            for row in con.execute(f"SELECT {TAG}, {', '.join(aggregates)} FROM {batch} GROUP BY {TAG}").fetchall():
                counted[row[0]] = row[1:]
        if combined:
            con.execute(
                f"CREATE OR REPLACE {tables.temp}TABLE {found} AS SELECT t, r, x.fn, x.field, x.code, x.note, x.cell "
                f"FROM (SELECT {TAG} AS t, {ROW} AS r, unnest({combined}) AS x FROM {batch}) "
                "QUALIFY x.lim IS NULL OR row_number() OVER (PARTITION BY t, x.note ORDER BY r) <= x.lim"
            )
            with_findings = {t for (t,) in con.execute(f"SELECT DISTINCT t FROM {found}").fetchall()}
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {found}")
        con.execute(f"DROP TABLE IF EXISTS {batch}")
        return False
    try:
        for i, m in enumerate(chunk):
            if i in counted:  # a file without rows has no group: its own statements count it
                values = dict(zip(aggregates, counted[i]))
                m.lt.counted = {a: values[a] for a in m.aggregates}
            if i in with_findings:
                tables.add_findings(m.lt, f"SELECT r, fn, field, code, note, cell FROM {found} WHERE t = {lit(i)}")
            m.lt.cells_checked = True
    finally:
        con.execute(f"DROP TABLE IF EXISTS {found}")
        con.execute(f"DROP TABLE IF EXISTS {batch}")
    return True


@dataclass
class _Stacked:
    """The key columns of many small tables stacked in one (``__govdata_t``: which table, ``rowid``:
    its row there), seen by a reference's check as one table with the fields of each."""

    fields: list[FieldSQL]
    relation: str
    schema: dict[str, Any]

    def field_sql(self, name: str) -> FieldSQL | None:
        return next((f for f in self.fields if f.name == name), None)

    def rel(self, fields: list[FieldSQL] | None = None) -> str:
        return self.relation


STACK_FILES = 256  # tables per stacked statement


def foreign_keys_together(tables: TableChecks, loaded: list[LoadedTable], lookup: Lookup) -> set[tuple[str, str, str]]:
    """The foreign keys of many small tables that read the same columns of the same target, one
    statement per group: their key columns stacked in one table, the check's own anti-join over it.
    Returns the (dataset, resource, reference) checked, whose findings are in their tables."""
    n = next(tables._counter)
    stack, found = f"fk_stack_{n}", f"fk_found_{n}"
    stacked = f"(SELECT {TAG}, {ROW} AS rowid, * EXCLUDE ({TAG}, {ROW}) FROM {stack})"
    groups: dict[tuple[int, str, str], list[tuple[LoadedTable, Reference, list[FieldSQL]]]] = {}
    for lt in loaded:
        if lt.long or lt.streamed or not lt.prep.bytes or lt.prep.bytes > COMBINED_BYTES:
            continue
        for ref in lt.plan.references:
            if type(owner(ref)) is not ForeignKey:
                continue  # a plugin's reference: its own statement
            known, target = lookup(ref.dataset or lt.dataset, ref.resource or lt.resource)
            lf = [lt.field_sql(name) for name in ref.fields]
            if target is None or target is lt or not all(lf):
                continue
            missing = owner(ref).missing(ref, _Stacked(lt.fields, stacked, lt.schema), target)
            if missing is None:
                continue
            statement = reference_select(_Stacked(lt.fields, stacked, lt.schema), ref, missing, tag=f"{TAG}, ")
            columns = ", ".join(f.col for f in lf if f is not None)
            groups.setdefault((id(target), statement, columns), []).append((lt, ref, lf))
    done: set[tuple[str, str, str]] = set()
    for (_, statement, columns), members in groups.items():
        for start in range(0, len(members), STACK_FILES):
            chunk = members[start : start + STACK_FILES]
            if len(chunk) < MIN_FILES:
                continue
            union = " UNION ALL ".join(
                f"SELECT {i} AS {TAG}, rowid AS {ROW}, {columns} FROM {lt.table}" for i, (lt, _, _) in enumerate(chunk)
            )
            try:
                tables.con.execute(f"CREATE OR REPLACE {tables.temp}TABLE {stack} AS {union}")
                tables.con.execute(f"CREATE OR REPLACE {tables.temp}TABLE {found} AS {statement}")
                with_findings = {t for (t,) in tables.con.execute(f"SELECT DISTINCT {TAG} FROM {found}").fetchall()}
            except duckdb.Error:
                continue  # each table's own statement says what is wrong
            finally:
                tables.con.execute(f"DROP TABLE IF EXISTS {stack}")
            try:
                for i, (lt, ref, _) in enumerate(chunk):
                    if i in with_findings:
                        tables.add_findings(lt, f"SELECT * EXCLUDE ({TAG}) FROM {found} WHERE {TAG} = {i}")
                    done.add((lt.dataset, lt.resource, ref.label))
            finally:
                tables.con.execute(f"DROP TABLE IF EXISTS {found}")
    return done
