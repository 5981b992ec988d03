"""Many small files of one shape checked together: the same statements, bound once.

A DuckDB statement costs about half a millisecond to bind per condition whatever the table's
size; a file's row conditions in one statement (``plan.combined_items``) take ~15 ms of CPU for
a nine-field schema, and ~20 ms more go to the key, column and personal-data counts. A
catalogue of small datasets is thus mostly binding. Files whose plans are the same (same fields,
same conditions, same counts: the usual case of a publisher's many datasets of one template) are
copied into one table tagged with the file (``__govdata_t``) and the row (``__govdata_r``); the
row conditions run once over it, partitioned by file as the per-file statement partitions by
nothing, and the counts are grouped by file. Each file's findings go to its own findings table
and its counts to ``LoadedTable.counted``, so the per-file steps that follow
(:meth:`TableChecks.check_cells`, ``counts``) find their answers without a statement, and report
exactly what they report for one file alone. A batch that fails to run leaves its files to the
per-file statements.
"""

from __future__ import annotations

from typing import Callable, Iterable

import duckdb

from govdata.checks.loaded import LoadedTable
from govdata.checks.plan import combined_items
from govdata.checks.table import COMBINED_BYTES, TableChecks
from govdata.sql import lit

TAG, ROW = "__govdata_t", "__govdata_r"
BATCH_FILES = 256  # files per statement
MIN_FILES = 4  # fewer files of a shape are checked one by one


def check_together(
    tables: TableChecks, items: Iterable[tuple[LoadedTable, Callable[[], list[tuple[str, str]]]]]
) -> None:
    """``items``: (table, the aggregates its later steps will count). Plain small tables of the same
    shape are checked in batches; the others are left alone."""
    groups: dict[tuple, list[LoadedTable]] = {}
    for lt, counts in items:
        if lt.streamed or lt.long or lt.cells_checked or not lt.prep.bytes or lt.prep.bytes > COMBINED_BYTES:
            continue
        names = [f.name for f in lt.fields]
        if {n.casefold() for n in names} & {TAG, ROW}:
            continue
        try:
            combined = combined_items(tables.cell_rows(lt))
            aggregates = tuple(sorted({a for _, a in counts()}))
        except Exception:
            continue  # a plan that cannot be compiled (a schema Frictionless rejects): the file's own steps say so
        if "rowid" in combined or any("rowid" in a for a in aggregates):
            continue  # a condition reading the row number: the per-file statement knows it
        groups.setdefault((tuple(names), combined, aggregates), []).append(lt)
    for (_, combined, aggregates), members in groups.items():
        if len(members) < MIN_FILES:
            continue
        for start in range(0, len(members), BATCH_FILES):
            _batch(tables, members[start : start + BATCH_FILES], combined, list(aggregates))


def _batch(tables: TableChecks, chunk: list[LoadedTable], combined: str, aggregates: list[str]) -> None:
    con, n = tables.con, next(tables._counter)
    batch, found = f"batch_{n}", f"batch_findings_{n}"
    union = " UNION ALL ".join(f"SELECT {i} AS {TAG}, rowid AS {ROW}, * FROM {lt.table}" for i, lt in enumerate(chunk))
    try:
        # materialised first: a condition over a union is planned once per branch
        con.execute(f"CREATE OR REPLACE {tables.temp}TABLE {batch} AS {union}")
        if aggregates:
            for row in con.execute(f"SELECT {TAG}, {', '.join(aggregates)} FROM {batch} GROUP BY {TAG}").fetchall():
                chunk[row[0]].counted = dict(zip(aggregates, row[1:]))
        if combined:
            con.execute(
                f"CREATE OR REPLACE {tables.temp}TABLE {found} AS SELECT t, r, x.fn, x.field, x.code, x.note, x.cell "
                f"FROM (SELECT {TAG} AS t, {ROW} AS r, unnest({combined}) AS x FROM {batch}) "
                "QUALIFY x.lim IS NULL OR row_number() OVER (PARTITION BY t, x.note ORDER BY r) <= x.lim"
            )
            with_findings = {t for (t,) in con.execute(f"SELECT DISTINCT t FROM {found}").fetchall()}
            for i, lt in enumerate(chunk):
                if i in with_findings:
                    con.execute(
                        f"INSERT INTO {lt.findings_table} SELECT r, fn, field, code, note, cell FROM {found} "
                        f"WHERE t = {lit(i)}"
                    )
                lt.cells_checked = True
    except duckdb.Error:
        for lt in chunk:  # a declared constraint that cannot be applied: the per-file statements say which
            lt.counted = {}
    finally:
        con.execute(f"DROP TABLE IF EXISTS {found}")
        con.execute(f"DROP TABLE IF EXISTS {batch}")
