"""Vectorised data checks in DuckDB: one scan per check over the whole file.

Each resource is read once (every column as VARCHAR, strict CSV) into a scratch table
(:class:`TableChecks` loads it as a :class:`~govdata.checks.loaded.LoadedTable`); the plan's row
conditions, keys (:mod:`.keys`) and column aggregates are SQL statements over it that insert
findings into a findings table, read back by :mod:`.collect`. The builder later casts the same
scratch table into the warehouse, so a build reads each file once.
"""

from __future__ import annotations

import copy
import itertools
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

from govdata import duck as duckdb

from govdata.checks.keys import duplicates, repeating
from govdata.checks.loaded import LoadedTable, csv_relation, null_option, one_row, write_long
from govdata.checks.plan import combined_items, owner, unique_keys
from govdata.checks.prepared import Prepared
from govdata.checks.rules.base import Column, Row
from govdata.checks.sqltypes import FieldSQL, field_missing, has_field_missing, read_missing
from govdata.findings import Finding
from govdata.sql import lit

COMBINED_BYTES = 4 * 1024**2  # up to this size a file's row checks run as one statement
# Beyond this many columns a resource is held long, one row per cell (r, fn, v): DuckDB gives every
# column of a table its own buffers (a 9,000-column file ran out of memory) and every statement
# binds every column, so one statement per column made a 4,000-column file take over a minute.
# A long table is checked with one statement per group of fields declared alike.
WIDE_COLUMNS = 100


class TableChecks:
    """Holds the scratch DuckDB connection and every loaded resource of a run."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables: dict[tuple[str, str], LoadedTable] = {}
        self._counter = itertools.count(1)
        self._n = 0
        self.temp = "TEMP "  # "" when several threads check at once: their cursors share the tables (runner.py)
        # a build's (dataset, resource) -> (schema, table) where a fused proof may write the typed values (runner.py)
        self.typed_into: dict[tuple[str, str], tuple[str, str]] = {}
        self.workdir: Path | None = None  # where a long table's cell file is written (runner.py)

    def for_thread(self) -> "TableChecks":
        """A view for another thread: its own cursor on the same database, the same tables."""
        view = copy.copy(self)
        view.con = self.con.cursor()
        view.con.execute("SET TimeZone='UTC'")
        return view

    def stream(self, dataset: str, resource: str, file: str, schema: dict[str, Any], prep: Prepared) -> LoadedTable:
        """A resource read straight from its file (nothing materialised): for the one-pass proof."""
        assert prep.path is not None, "a prepared file is read (prepare reported why there is none)"
        self._n = next(self._counter)
        lt = LoadedTable(
            dataset,
            resource,
            file,
            csv_relation(prep.path, schema.get("fields") or [], read_missing(schema)),
            schema,
            prep,
            streamed=True,
        )
        lt.fields = [FieldSQL(f, schema.get("missingValues", [""])) for f in schema.get("fields") or []]
        return lt

    def keep(self, lt: LoadedTable) -> None:
        self.tables[(lt.dataset, lt.resource)] = lt

    def load(
        self, dataset: str, resource: str, file: str, schema: dict[str, Any], prep: Prepared
    ) -> LoadedTable | None:
        """A resource read into a scratch table (long past WIDE_COLUMNS), or None when DuckDB's strict
        read refuses the file (a ``source-error`` in ``prep.findings`` says where)."""
        assert prep.path is not None, "a prepared file is read (prepare reported why there is none)"
        fields = list(schema.get("fields") or [])
        n = self._n = next(self._counter)
        lt = LoadedTable(dataset, resource, file, f"raw_{n}", schema, prep, findings_table=f"findings_{n}")
        missing = schema.get("missingValues", [""])
        lt.fields = [FieldSQL(f, missing) for f in fields]
        try:
            if len(fields) > WIDE_COLUMNS:
                lt.long = True
                lt.cells = [FieldSQL(f, missing, column="v") for f in fields]
                long_csv = Path(tempfile.mkstemp(prefix=f"long{n}-", suffix=".csv", dir=self.workdir)[1])
                if not write_long(prep.path, long_csv, len(fields)):
                    long_csv.unlink()
                    prep.findings.append(
                        Finding(
                            "source-error",
                            f"the file cannot be read strictly as CSV with {len(fields)} cells on every row",
                            **lt.where,
                        )
                    )
                    return None
                path = str(long_csv).replace("'", "''")
                self.con.execute(
                    f"CREATE OR REPLACE {self.temp}TABLE {lt.table} AS SELECT * FROM read_csv('{path}', "
                    "columns={'r': 'BIGINT', 'fn': 'INTEGER', 'v': 'VARCHAR'}, header=false, delim=',', "
                    "quote='\"', escape='\"', strict_mode=true, auto_detect=false"
                    f"{null_option(read_missing(schema), prep.scanned)})"
                )
                long_csv.unlink()
            else:
                self.con.execute(
                    f"CREATE OR REPLACE {self.temp}TABLE {lt.table} AS SELECT * "
                    f"FROM {csv_relation(prep.path, fields, read_missing(schema), prep.scanned)}"
                )
        except duckdb.Error as exc:
            text = str(exc).splitlines()[0][:200]
            line = re.search(r"Line: (\d+)", str(exc))
            row = None
            if line:  # DuckDB counts the file's lines: the row, unless a quoted cell spans lines
                row = int(line.group(1))
                text = f"row {row}: the file cannot be read as CSV there ({text})"
            else:
                text = f"the file cannot be loaded: {text}"
            prep.findings.append(Finding("source-error", text, row=row, **lt.where))
            return None
        self.tables[(dataset, resource)] = lt
        return lt

    def add_findings(self, lt: LoadedTable, select: str, params: list[Any] | None = None) -> None:
        """The rows of ``select`` (r, fn, field, code, note, cell) into ``lt``'s findings table, made
        at the first call (most small files have no finding: neither a table nor a probe of it)."""
        if not lt.findings_made:
            self.con.execute(
                f"CREATE OR REPLACE {self.temp}TABLE {lt.findings_table} (r BIGINT, fn INTEGER, field VARCHAR, "
                "code VARCHAR, note VARCHAR, cell VARCHAR)"
            )
            lt.findings_made = True
        inserted = self.con.execute(f"INSERT INTO {lt.findings_table} {select}", params).fetchone()
        if inserted is None or inserted[0]:
            lt.found = True

    def unload(self, lt: LoadedTable) -> None:
        """Remove the typed table a fused proof wrote (the file is not to be published as read)."""
        if lt.warehoused:
            self.con.execute(f"DROP TABLE IF EXISTS {lt.warehoused}")
            lt.warehoused = ""

    def drop(self, lt: LoadedTable) -> None:
        """Forget a loaded resource (the fast path's read was not the one to keep)."""
        self.tables.pop((lt.dataset, lt.resource), None)
        self.unload(lt)
        if lt.streamed:
            return
        self.con.execute(f"DROP TABLE IF EXISTS {lt.table}")
        self.con.execute(f"DROP TABLE IF EXISTS {lt.findings_table}")

    def insert(self, lt: LoadedTable, select: str, field: str | None = None, what: str = "") -> None:
        try:
            self.add_findings(lt, select)
        except duckdb.Error as exc:
            # a constraint the schema declares but that cannot be applied (bad regex, an enum or bound
            # of the wrong type): the schema is wrong, say so instead of failing
            detail = str(exc).splitlines()[0][:200]
            lt.problems.append(Finding("schema-error", f"{what} cannot be applied: {detail}", field=field, **lt.where))

    @staticmethod
    def _skippable(lt: LoadedTable, r: Row) -> bool:
        """A condition the proof of the same read counted zero (its bound holds wherever it does)."""
        return r.label in lt.passed and r.covers

    def _run(self, lt: LoadedTable, r: Row, table: str) -> None:
        """One row condition as one statement, its rows into the findings table."""
        limit = f" QUALIFY row_number() OVER (ORDER BY rowid) <= {r.limit}" if r.limit else ""
        self.insert(
            lt,
            f"SELECT rowid, {lit(r.number)}, {lit(r.field)}, {lit(owner(r).code)}, {lit(r.label)}, "
            f"{r.cell or 'NULL'} FROM {table} WHERE {r.condition}{limit}",
            r.field,
            _what(r),
        )

    def check_cell_size(self, lt: LoadedTable) -> None:
        """The structure conditions on fields (huge cells), when the Python structure pass (which
        finds them itself) did not run."""
        rows = [r for r in lt.plan.rows_in(["structure"]) if r.number is not None and not self._skippable(lt, r)]
        if not rows:
            return
        if lt.long:
            self._check_long(lt, "structure")
            return
        # one cheap scan of the bounds decides which statements to run
        hits = self.counts(lt, [(r.label, f"count_if({r.proof})") for r in rows])
        for r in rows:
            if hits[r.label]:
                self._run(lt, r, lt.table)

    def remove_blank_rows(self, lt: LoadedTable) -> list[int]:
        """Rows whose cells are all empty (``,,,``) are blank rows, as the Python structure pass and
        Frictionless see them: reported once and kept out of the other checks. Returns row numbers."""
        blank = lt.plan.item("blank-row")
        if not isinstance(blank, Row) or self._skippable(lt, blank):
            return []
        if lt.long:  # every field reads missing values alike: one condition over the value column
            missing = f"{lt.cells[0].value} IS NULL"
            if has_field_missing(lt.schema):  # unless a field has its own: each cell by its field's
                cases = " ".join(f"WHEN {i} THEN {c.value} IS NULL" for i, c in enumerate(lt.cells, start=1))
                missing = f"CASE fn {cases} ELSE v IS NULL END"
            rows = f"SELECT r FROM {lt.table} GROUP BY r HAVING bool_and({missing})"
            found = [r for (r,) in self.con.execute(f"{rows} ORDER BY r").fetchall()]
            if found:
                self.con.execute(f"DELETE FROM {lt.table} WHERE r IN ({rows})")
            return [lt.prep.row_number(r) for r in found]
        found = [
            r
            for (r,) in self.con.execute(
                f"SELECT rowid FROM {lt.table} WHERE {blank.condition} ORDER BY rowid"
            ).fetchall()
        ]
        if found:
            self.con.execute(f"DELETE FROM {lt.table} WHERE {blank.condition}")
        return [lt.prep.row_number(r) for r in found]

    def check_cells(self, lt: LoadedTable) -> None:
        """The plan's row conditions and keys, into the findings table."""
        if lt.streamed:
            return  # proven clean in one pass (proof.py)
        rows = self.cell_rows(lt)
        whole = [r for r in rows if r.number is None]
        if lt.long:
            self._check_long(lt, "cells")
        elif lt.cells_checked:
            whole = []  # checked in a batch of files of the same shape (batch.py)
        elif lt.prep.bytes and lt.prep.bytes <= COMBINED_BYTES and self._check_combined(lt, rows):
            whole = []  # the combined statement checked them
        else:
            for r in rows:
                if r.number is not None:
                    self._run(lt, r, lt.table)
        keys = [k for k in lt.plan.keys if k.label not in lt.passed]
        if lt.long:  # a wide file's unique columns tested together
            keys = repeating(self, lt, keys)
        for k in keys:
            duplicates(self, lt, k, repeats=lt.long and len(k.fields) == 1)
        for r in whole:
            reads = [lt.field_sql(name) for name in r.reads] if r.reads else lt.fields
            self._run(lt, r, lt.rel([f for f in reads if f is not None]))

    def cell_rows(self, lt: LoadedTable) -> list[Row]:
        """The row conditions :meth:`check_cells` runs (what a proof of the same read did not count zero)."""
        return [r for r in lt.plan.rows_in(["cells"]) if not self._skippable(lt, r) and not r.summary]

    def check_rows(self, lt: LoadedTable, phase: str) -> list[Finding]:
        """The row conditions of ``phase`` run apart (the privacy phase, for datasets whose findings
        are reported; summary rows of any phase): rows into the findings table, or one finding per
        summary row (how many rows, the first one)."""
        out: list[Finding] = []
        if lt.streamed:
            return out  # the one pass counted them
        for r in lt.plan.rows_in([phase]):
            if phase != "privacy" and not r.summary:
                continue  # run with the other row conditions (check_cells)
            reads = [lt.fields[r.number - 1]] if r.number else [lt.field_sql(n) for n in r.reads] or lt.fields
            relation = lt.rel([f for f in reads if f is not None])
            if not r.summary:
                self._run(lt, r, relation)
                continue
            total, first = one_row(self.con, f"SELECT count(*), min(rowid) FROM {relation} WHERE {r.condition}")
            if total:
                row = lt.prep.row_number(first)
                args = dict(r.args, total=total, first=row)
                out.append(
                    Finding(
                        owner(r).code,
                        owner(r).message("en", args),
                        row=row,
                        field=r.field,
                        field_number=r.number,
                        args=args,
                        **lt.where,
                    )
                )
        return out

    def _check_combined(self, lt: LoadedTable, rows: list[Row]) -> bool:
        """Every row condition of a small table in one statement (a statement costs about half a
        millisecond whatever the table's size: a catalogue of small files is otherwise mostly
        statement overhead). False when it cannot run; the statements one by one then say which
        declared constraint is at fault."""
        items = combined_items(rows)
        if not items:
            return True
        try:
            self.add_findings(
                lt,
                f"SELECT r, x.fn, x.field, x.code, x.note, x.cell FROM ("
                f"SELECT rowid AS r, unnest({items}) AS x "
                f"FROM {lt.table}) QUALIFY x.lim IS NULL "
                f"OR row_number() OVER (PARTITION BY x.note ORDER BY r) <= x.lim",
            )
        except duckdb.Error:
            return False
        return True

    def _check_long(self, lt: LoadedTable, phase: str) -> None:
        """A long table: fields whose conditions are the same over the value column are checked
        together, one statement per condition (a wide file's columns are mostly declared alike)."""
        by_field: dict[int, list[Row]] = {}
        for r in lt.cell_plan.rows_in([phase]):
            if r.number is not None:
                by_field.setdefault(r.number, []).append(r)
        groups: dict[tuple[tuple[str, str, int | None, str | None], ...], list[int]] = {}
        for number, rows in by_field.items():
            alike = tuple((owner(r).code, r.condition, r.limit, r.cell) for r in rows)
            groups.setdefault(alike, []).append(number)
        for numbers in groups.values():
            names = ", ".join(lt.fields[n - 1].name for n in numbers[:5]) + (" …" if len(numbers) > 5 else "")
            within = f"fn IN ({', '.join(map(str, numbers))})"
            for r in by_field[numbers[0]]:
                limit = f" QUALIFY row_number() OVER (PARTITION BY fn ORDER BY r) <= {r.limit}" if r.limit else ""
                self.insert(
                    lt,
                    f"SELECT r, fn, NULL, {lit(owner(r).code)}, {lit(r.label)}, {r.cell or 'NULL'} "
                    f"FROM {lt.table} WHERE {within} AND {r.condition}{limit}",
                    names,
                    _what(r),
                )

    def check_columns(self, lt: LoadedTable) -> list[Finding]:
        """The plan's column aggregates (text columns of normalisable values): a finding per column
        the aggregate gives an example value for."""
        found: list[tuple[Column, str | None]] = []
        if lt.long:
            groups: dict[str, list[int]] = {}
            for c in lt.cell_plan.columns:
                groups.setdefault(c.value, []).append(c.number)
            by_number = {c.number: c for c in lt.plan.columns}
            cells = {c.number: c for c in lt.cell_plan.columns}
            for value, numbers in groups.items():
                found += [
                    (by_number[fn], example)
                    for fn, example in self.con.execute(
                        f"SELECT fn, {value} FROM {lt.table} WHERE fn IN ({', '.join(map(str, numbers))}) "
                        "GROUP BY fn ORDER BY fn"
                    ).fetchall()
                    if fn in by_number
                    and (
                        example is None
                        or cells[fn].exact is None
                        or one_row(self.con, f"SELECT {cells[fn].exact} FROM {lt.table} WHERE fn = {int(fn)}")[0]
                    )
                ]
        else:
            # a cheap first test (e.g. every value starts like one); the aggregate only on the columns that pass
            columns = [c for c in lt.plan.columns if c.label not in lt.passed]
            likely = self.counts(lt, [(c.label, c.likely) for c in columns])
            columns = [c for c in columns if likely.get(c.label)]
            values = self.counts(lt, [(c.label, c.value) for c in columns])
            found = [
                (c, values[c.label] or None)  # NULL (read as 0): no example
                for c in columns
                if not values[c.label] or c.exact is None or one_row(self.con, f"SELECT {c.exact} FROM {lt.table}")[0]
            ]
        out = []
        for c, example in found:
            if not example:
                continue
            check = owner(c)
            rows: list[tuple[int, str]] = []
            if check.listed("") is not None:  # the first rows of the values it names, and the first as the example
                rows = example_rows(lt, c.number, check.listed)
                example = rows[0][1] if rows else example
            args = check.column_args(example)
            if rows:
                args["rows"] = ", ".join(str(n) for n, _ in rows)
                args["rows_zh"] = "、".join(str(n) for n, _ in rows)
            out.append(
                Finding(
                    check.code,
                    check.message("en", args),
                    field=c.field,
                    field_number=c.number,
                    cell=example,
                    args=args,
                    **lt.where,
                )
            )
        return out

    def counts(self, lt: LoadedTable, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """Run (label, aggregate) pairs as one scan of ``lt``; {label: value, NULL read as 0}. The
        values are counts and flags, and a column aggregate's example value (a string)."""
        if not pairs:
            return {}
        if lt.counted and all(a in lt.counted for _, a in pairs):  # counted in a batch (batch.py)
            return {label: lt.counted[a] or 0 for label, a in pairs}
        row = one_row(self.con, "SELECT " + ", ".join(a for _, a in pairs) + f" FROM {lt.table}")
        return {label: n or 0 for (label, _), n in zip(pairs, row)}

    def row_count(self, lt: LoadedTable) -> int:
        """The rows of a loaded resource (those the checks read: blank rows are removed)."""
        if lt.streamed:
            return lt.rows
        count = "count(DISTINCT r)" if lt.long else "count(*)"
        rows: int = one_row(self.con, f"SELECT {count} FROM {lt.table}")[0]
        return rows


def planned_counts(tables: TableChecks, lt: LoadedTable, columns: bool) -> list[tuple[str, str]]:
    """The aggregates :meth:`TableChecks.check_cells` (key duplicates) and, with ``columns``,
    :meth:`TableChecks.check_columns` (their first test) will ask of a plain table: counted ahead
    of them for many small files at once (batch.py)."""
    out = [(k.label, unique_keys(k)) for k in lt.plan.keys if k.label not in lt.passed]
    if columns:
        out += [(c.label, c.likely) for c in lt.plan.columns if c.label not in lt.passed]
    return out


def _what(r: Row) -> str:
    """What a row condition applies, for a schema error when it cannot be applied."""
    return r.label.split(":", 2)[-1] if r.label.startswith("constraint-error:") else owner(r).code


EXAMPLE_ROWS = 3  # rows a column finding lists


def example_rows(lt: LoadedTable, number: int, listed: Callable[[str], bool | None]) -> list[tuple[int, str]]:
    """The first rows (of the agency's file) whose cell of field ``number`` is ``listed``, with the
    cell: read from
    the file the table was loaded from, in Python (only for a column already reported: a streamed
    table has no row ids, and the first examples are usually near the top)."""
    import csv

    path = lt.prep.path
    if path is None:
        return []
    fields = lt.schema.get("fields") or []
    shared = lt.schema.get("missingValues", [""])
    missing = set(field_missing(fields[number - 1], shared) if number <= len(fields) else field_missing({}, shared))
    out: list[tuple[int, str]] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)  # the header
        for index, cells in enumerate(reader):
            cell = cells[number - 1] if number <= len(cells) else ""
            if cell not in missing and listed(cell):
                out.append((lt.prep.row_number(index), cell))
                if len(out) == EXAMPLE_ROWS:
                    break
    return out
