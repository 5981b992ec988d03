"""Vectorised data checks in DuckDB: one scan per check over the whole file.

Each resource is read once (every column as VARCHAR, strict CSV) into a scratch
table; type and constraint checks, unique and primary keys and foreign keys are
SQL statements over it that insert findings into a findings table. The builder
later casts the same scratch table into the warehouse, so a build reads each
file once.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from govdata import plugins
from govdata.checks.plan import Plan
from govdata.checks.rules.base import Column, Key, Reference, Row
from govdata.checks.rules.normalisable_text import hint as normalisation_hint
from govdata.checks.source import Prepared
from govdata.checks.sqltypes import FieldSQL
from govdata.findings import Finding, Notice
from govdata.sql import ident, lit

MAX_FINDINGS_PER_RESOURCE = 1000
COMBINED_BYTES = 4 * 1024**2  # up to this size a file's row checks run as one statement
# Beyond this many columns a resource is held long, one row per cell (r, fn, v): DuckDB gives every
# column of a table its own buffers (a 9,000-column file ran out of memory) and every statement
# binds every column, so one statement per column made a 4,000-column file take over a minute.
# A long table is checked with one statement per group of fields declared alike.
WIDE_COLUMNS = 100


@dataclass
class LoadedTable:
    """A resource read into DuckDB: the scratch table and how to name its rows."""

    dataset: str
    resource: str
    file: str
    table: str
    schema: dict[str, Any]
    prep: Prepared
    fields: list[FieldSQL] = field(default_factory=list)
    findings_table: str = ""
    problems: list[Finding] = field(default_factory=list)  # schema constraints SQL could not evaluate
    streamed: bool = False  # ``table`` is the file's read_csv() relation, proven clean in one pass (proof.py)
    rows: int = 0  # rows of a streamed table
    warehoused: str = ""  # the destination table a build's fused proof already wrote (proof.py), if any
    long: bool = False  # ``table`` holds one row per cell (r, fn, v): see WIDE_COLUMNS
    cells: list[FieldSQL] = field(default_factory=list)  # of a long table: each field over its value column v
    _numbers: dict[int, int] = field(default_factory=dict, repr=False)
    passed: set[str] = field(default_factory=set)  # checks a one-pass proof of the same read counted zero (proof.py)
    # checked with other small files of the same shape (batch.py): its row conditions' findings are in
    # its findings table already, and the aggregates counted for it (SQL -> value) answer ``counts``
    cells_checked: bool = False
    counted: dict[str, Any] = field(default_factory=dict, repr=False)
    _plan: Plan | None = field(default=None, repr=False)
    _cell_plan: Plan | None = field(default=None, repr=False)

    @property
    def plan(self) -> Plan:
        """The compiled plan of checks over this resource's fields (:mod:`govdata.checks.plan`)."""
        if self._plan is None:
            self._plan = Plan.compile(self)
        return self._plan

    @property
    def cell_plan(self) -> Plan:
        """Of a long table: the same checks over its value column (every field's conditions over ``v``)."""
        if self._cell_plan is None:
            self._cell_plan = Plan.compile(_Fields(self.cells, self.schema))
        return self._cell_plan

    @property
    def where(self) -> dict[str, str]:
        return {"file": self.file, "dataset": self.dataset, "resource": self.resource}

    def field_sql(self, name: str) -> FieldSQL | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def number(self, f: FieldSQL) -> int:
        if len(self._numbers) != len(self.fields):
            self._numbers = {id(g): i for i, g in enumerate(self.fields, start=1)}
        return self._numbers[id(f)]

    def rel(self, fields: list[FieldSQL] | None = None) -> str:
        """The relation whose columns are ``fields`` (by name) and ``rowid``: the table itself, or for
        a long table those fields pivoted back into columns."""
        if not self.long:
            return self.table
        fields = self.fields if fields is None else fields
        numbers = [self.number(f) for f in fields]
        cols = ", ".join(f"max(v) FILTER (WHERE fn = {n}) AS {f.col}" for n, f in zip(numbers, fields))
        return f"(SELECT r AS rowid, {cols} FROM {self.table} WHERE fn IN ({', '.join(map(str, numbers))}) GROUP BY r)"

    def typed_select(self) -> str:
        # no ORDER BY: the scratch connection preserves insertion order, and sorting a big
        # table by rowid would cost more than the cast itself
        if self.long:
            return typed_select(self.fields, self.rel()) + " ORDER BY rowid"
        return typed_select(self.fields, self.table)


@dataclass
class _Fields:
    """Fields and a schema: what a check sees (a long table's fields over its value column)."""

    fields: list[FieldSQL]
    schema: dict[str, Any]

    def field_sql(self, name: str) -> FieldSQL | None:
        return next((f for f in self.fields if f.name == name), None)


def typed_select(fields: list[FieldSQL], relation: str) -> str:
    """The typed value of every field, by name, over a relation of raw text columns."""
    return f"SELECT {', '.join(f'{f.typed()} AS {ident(f.name)}' for f in fields)} FROM {relation}"


def csv_relation(
    path, fields: list[dict[str, Any]], missing_values: list[str] | None = None, cleaned: bool = False
) -> str:
    """DuckDB's strict read of a clean UTF-8 CSV, every schema field a VARCHAR column. An empty
    cell reads as NULL unless the schema's ``missingValues`` leave "" out: then it stays "" (a
    value, as in Frictionless) and only the declared missing values read as NULL. In a copy
    ``cleaned`` by the structure pass, the cells short rows lack read as NULL too."""

    columns = "{" + ", ".join(f"{lit(f['name'])}: 'VARCHAR'" for f in fields) + "}"
    path = str(path).replace("'", "''")
    # only "" (when declared) and the padding sentinel are DuckDB null strings: the other declared
    # missing values stay text and FieldSQL.value reads them as missing (DuckDB refuses a null
    # string holding the delimiter or the quote, and an empty list)
    option = _null_option(missing_values, cleaned)
    return (
        f"read_csv('{path}', columns={columns}, header=true, delim=',', quote='\"', escape='\"', "
        f"strict_mode=true, auto_detect=false, null_padding=false, all_varchar=true{option})"
    )


def _null_option(missing_values: list[str] | None, cleaned: bool) -> str:
    from govdata.checks.source import MISSING_CELL

    missing = [""] if missing_values is None else [str(m) for m in missing_values]
    nulls = ([""] if "" in missing else []) + ([MISSING_CELL] if cleaned else [])
    return "" if nulls == [""] else f", nullstr=[{', '.join(lit(m) for m in nulls or [MISSING_CELL])}]"


def _write_long(src, dst, width: int) -> bool:
    """Write a clean UTF-8 CSV as one line per cell (row index, field number, cell). False when the
    file is not strictly readable with ``width`` cells on every row (the structure pass then runs)."""
    import csv

    from govdata.checks.source import MAX_CELL_CHARS
    from govdata.csvlimit import field_size_limit

    numbers = range(1, width + 1)
    with (
        field_size_limit(MAX_CELL_CHARS + 1),
        open(src, encoding="utf-8", newline="") as fh,
        open(dst, "w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(fh, strict=True)
        writer = csv.writer(out, lineterminator="\r\n")  # CRLF: a cell holding a bare CR is quoted too
        try:
            next(reader, None)
            for r, row in enumerate(reader):
                if len(row) != width:
                    return False
                writer.writerows(zip([r] * width, numbers, row))
        except csv.Error:
            return False
    return True


class TableChecks:
    """Holds the scratch DuckDB connection and every loaded resource of a run."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.tables: dict[tuple[str, str], LoadedTable] = {}
        self._counter = itertools.count(1)
        self._n = 0
        self.temp = "TEMP "  # "" when several threads check at once: their cursors share the tables (runner.py)
        # a build's (dataset, resource) -> (schema, table) where a fused proof may write the typed values (runner.py)
        self.typed_into: dict[tuple[str, str], tuple[str, str]] = {}
        self.workdir = None  # where a long table's cell file is written (runner.py)

    def for_thread(self) -> "TableChecks":
        """A view for another thread: its own cursor on the same database, the same tables."""
        view = copy.copy(self)
        view.con = self.con.cursor()
        view.con.execute("SET TimeZone='UTC'")
        return view

    def stream(self, dataset: str, resource: str, file: str, schema: dict[str, Any], prep: Prepared) -> LoadedTable:
        """A resource read straight from its file (nothing materialised): for the one-pass proof."""
        self._n = next(self._counter)
        lt = LoadedTable(
            dataset,
            resource,
            file,
            csv_relation(prep.path, schema.get("fields") or [], schema.get("missingValues")),
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
        fields = list(schema.get("fields") or [])
        n = self._n = next(self._counter)
        lt = LoadedTable(dataset, resource, file, f"raw_{n}", schema, prep, findings_table=f"findings_{n}")
        missing = schema.get("missingValues", [""])
        lt.fields = [FieldSQL(f, missing) for f in fields]
        try:
            if len(fields) > WIDE_COLUMNS:
                lt.long = True
                lt.cells = [FieldSQL(f, missing, column="v") for f in fields]
                import tempfile
                from pathlib import Path

                long_csv = Path(tempfile.mkstemp(prefix=f"long{n}-", suffix=".csv", dir=self.workdir)[1])
                if not _write_long(prep.path, long_csv, len(fields)):
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
                    f"{_null_option(schema.get('missingValues'), prep.scanned)})"
                )
                long_csv.unlink()
            else:
                self.con.execute(
                    f"CREATE OR REPLACE {self.temp}TABLE {lt.table} AS SELECT * "
                    f"FROM {csv_relation(prep.path, fields, schema.get('missingValues'), prep.scanned)}"
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
        self.con.execute(
            f"CREATE OR REPLACE {self.temp}TABLE {lt.findings_table} (r BIGINT, fn INTEGER, field VARCHAR, code VARCHAR, "
            "note VARCHAR, cell VARCHAR)"
        )
        self.tables[(dataset, resource)] = lt
        return lt

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

    def _insert(self, lt: LoadedTable, select: str, field: str | None = None, what: str = "") -> None:
        try:
            self.con.execute(f"INSERT INTO {lt.findings_table} {select}")
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
        self._insert(
            lt,
            f"SELECT rowid, {lit(r.number)}, {lit(r.field)}, {lit(r.check.code)}, {lit(r.label)}, "
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
            rows = f"SELECT r FROM {lt.table} GROUP BY r HAVING bool_and({lt.cells[0].value} IS NULL)"
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
        for k in lt.plan.keys:
            if k.label not in lt.passed:
                self._duplicates(lt, k)
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
            total, first = self.con.execute(
                f"SELECT count(*), min(rowid) FROM {relation} WHERE {r.condition}"
            ).fetchone()
            if total:
                row = lt.prep.row_number(first)
                args = dict(r.args, total=total, first=row)
                out.append(
                    Finding(
                        r.check.code,
                        r.check.message("en", args),
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
            self.con.execute(
                f"INSERT INTO {lt.findings_table} SELECT r, x.fn, x.field, x.code, x.note, x.cell FROM ("
                f"SELECT rowid AS r, unnest({items}) AS x "
                f"FROM {lt.table}) QUALIFY x.lim IS NULL "
                f"OR row_number() OVER (PARTITION BY x.note ORDER BY r) <= x.lim"
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
        groups: dict[tuple, list[int]] = {}
        for number, rows in by_field.items():
            groups.setdefault(tuple((r.check.code, r.condition, r.limit, r.cell) for r in rows), []).append(number)
        for numbers in groups.values():
            names = ", ".join(lt.fields[n - 1].name for n in numbers[:5]) + (" …" if len(numbers) > 5 else "")
            within = f"fn IN ({', '.join(map(str, numbers))})"
            for r in by_field[numbers[0]]:
                limit = f" QUALIFY row_number() OVER (PARTITION BY fn ORDER BY r) <= {r.limit}" if r.limit else ""
                self._insert(
                    lt,
                    f"SELECT r, fn, NULL, {lit(r.check.code)}, {lit(r.label)}, {r.cell or 'NULL'} "
                    f"FROM {lt.table} WHERE {within} AND {r.condition}{limit}",
                    names,
                    _what(r),
                )

    def check_columns(self, lt: LoadedTable) -> list[Finding]:
        """The plan's column aggregates (text columns of normalisable values): a finding per column
        the aggregate gives an example value for."""
        found: list[tuple[Column, str]] = []
        if lt.long:
            groups: dict[str, list[int]] = {}
            for c in lt.cell_plan.columns:
                groups.setdefault(c.value, []).append(c.number)
            by_number = {c.number: c for c in lt.plan.columns}
            for value, numbers in groups.items():
                found += [
                    (by_number[fn], example)
                    for fn, example in self.con.execute(
                        f"SELECT fn, {value} FROM {lt.table} WHERE fn IN ({', '.join(map(str, numbers))}) "
                        "GROUP BY fn ORDER BY fn"
                    ).fetchall()
                    if fn in by_number
                ]
        else:
            # a cheap first test (e.g. every value starts like one); the aggregate only on the columns that pass
            columns = [c for c in lt.plan.columns if c.label not in lt.passed]
            likely = self.counts(lt, [(c.label, c.likely) for c in columns])
            columns = [c for c in columns if likely.get(c.label)]
            values = self.counts(lt, [(c.label, c.value) for c in columns])
            found = [(c, values[c.label]) for c in columns]  # type: ignore[misc]
        out = []
        for c, example in found:
            if not example:
                continue
            args = c.check.column_args(example)
            out.append(
                Finding(
                    c.check.code,
                    c.check.message("en", args),
                    field=c.field,
                    field_number=c.number,
                    cell=example,
                    args=args,
                    **lt.where,
                )
            )
        return out

    def _duplicates(self, lt: LoadedTable, key: Key) -> None:
        fields = list(key.fields)
        typed = ", ".join(f.typed() for f in fields)
        not_null = _key_present(key)
        try:  # the usual case, no duplicates, costs one distinct count instead of a window over the table
            if lt.long:
                keys = f"({typed})" if len(fields) > 1 else typed
                distinct = f"SELECT count(*) = count(DISTINCT {keys}) FROM {lt.rel(fields)} WHERE {not_null}"
                if self.con.execute(distinct).fetchone()[0]:
                    return
            elif self.counts(lt, [(key.label, unique_keys(key))])[key.label]:
                return
        except duckdb.Error:
            pass  # the window query below reports what is wrong
        cells = " || ', ' || ".join(f"coalesce({f.col}, '')" for f in fields)
        self._insert(
            lt,
            f"SELECT r, {lit(key.number)}, {lit(key.field)}, {lit(key.check.code)}, {lit(key.label)}, "
            f"cells FROM (SELECT rowid AS r, {cells} AS cells, row_number() OVER (PARTITION BY {typed} "
            f"ORDER BY rowid) AS n FROM {lt.rel(fields)} WHERE {not_null}) WHERE n > 1",
        )

    def check_foreign_keys(self, lt: LoadedTable, lookup) -> list[Finding]:
        """The plan's references (``rules/foreign_key.py``) against their tables:
        ``lookup(dataset, resource) -> (dataset in the catalogue, LoadedTable | None)``."""
        problems = []
        for ref in lt.plan.references:
            check = ref.check
            assert check is not None  # set by the plan
            dataset, resource = ref.dataset or lt.dataset, ref.resource or lt.resource
            known, target = lookup(dataset, resource)
            missing = check.missing(ref, lt, target) if target is not None else None
            if missing is None:
                args = (
                    check.unresolved(ref, dataset, resource, known)
                    if target is None
                    else {**dict(ref.args), "variant": "no-fields"}
                )
                where = {"field": ref.fields[0] if ref.fields else None, **lt.where}
                problems.append(Finding(check.code, check.message("en", args), args=args, **where))
                continue
            source, cells = missing
            first = lt.field_sql(ref.fields[0])
            self._insert(
                lt,
                f"SELECT rowid, {lt.fields.index(first) + 1}, {lit(ref.fields[0])}, {lit(check.code)}, "
                f"{lit(ref.label)}, {cells} {source}",
            )
        return problems

    def collect(self, lt: LoadedTable) -> tuple[list[Finding], int, list[Notice]]:
        """Findings (capped), the number of distinct rows with findings, and a notice when some
        findings are not listed."""
        if lt.streamed:
            return list(lt.problems), 0, []
        if not self.con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {lt.findings_table} LIMIT 1)").fetchone()[0]:
            return list(lt.problems), 0, []
        # ragged rows are counted by the structure pass already; warnings do not make a row invalid
        warnings = [c.code for c in plugins.checks() if c.severity != "error"]
        bad_rows = self.con.execute(
            f"SELECT count(DISTINCT r) FROM {lt.findings_table} "
            "WHERE NOT list_contains(?::BIGINT[], r) AND NOT list_contains(?::VARCHAR[], code)",
            [lt.prep.kept_bad, warnings],
        ).fetchone()[0]
        rows = self.con.execute(
            f"SELECT r, fn, field, code, note, cell FROM {lt.findings_table} ORDER BY r, fn NULLS FIRST, code "
            f"LIMIT {MAX_FINDINGS_PER_RESOURCE}"
        ).fetchall()
        total = self.con.execute(f"SELECT count(*) FROM {lt.findings_table}").fetchone()[0]
        out = []
        for r, fn, name, code, note, cell in rows:
            if name is None and fn is not None and fn <= len(lt.fields):  # a long table's grouped statements
                name = lt.fields[fn - 1].name
            row = lt.prep.row_number(r)
            out.append(self._finding(lt, code, note, cell, row=row, field=name, field_number=fn))
        notices = [Notice.more(total - len(rows), len(rows), **lt.where)] if total > len(rows) else []
        return lt.problems + out, bad_rows, notices

    @staticmethod
    def _finding(lt: LoadedTable, code: str, note: str, cell: str | None, **where: Any) -> Finding:
        """A finding of the findings table: ``note`` names the plan's condition (its check and its
        message's arguments) or holds the arguments as JSON."""
        item = lt.plan.item(note) or (lt.cell_plan.item(note) if lt.long else None)
        check = item.check if item is not None else plugins.check(code)
        if isinstance(item, (Row, Reference)):
            args: dict[str, Any] = dict(item.args)
        elif isinstance(item, Key):
            args = {"fields": ", ".join(f.name for f in item.fields)}
        elif note.startswith("{"):
            args = json.loads(note)
        else:
            args = {"note": note}
        args["cell"] = "" if cell is None else f"'{cell if len(cell) <= 40 else cell[:40] + '…'}'"
        if code == "type-error" and cell and (hint := normalisation_hint(cell)):
            args["hint_en"], args["hint_zh"] = f" — looks like {hint[0]}", f"——看起来是{hint[1]}"
        message = check.message("en", args) if check is not None else f"{args['cell']} {note}".strip()
        return Finding(code, message, cell=cell, args=args if check is not None else None, **where, **lt.where)

    def counts(self, lt: LoadedTable, pairs: list[tuple[str, str]]) -> dict[str, int]:
        """Run (label, aggregate) pairs as one scan of ``lt``; {label: value, NULL read as 0}."""
        if not pairs:
            return {}
        if lt.counted and all(a in lt.counted for _, a in pairs):  # counted in a batch (batch.py)
            return {label: lt.counted[a] or 0 for label, a in pairs}
        row = self.con.execute("SELECT " + ", ".join(a for _, a in pairs) + f" FROM {lt.table}").fetchone()
        return {label: n or 0 for (label, _), n in zip(pairs, row)}

    def row_count(self, lt: LoadedTable) -> int:
        if lt.streamed:
            return lt.rows
        if lt.long:
            return self.con.execute(f"SELECT count(DISTINCT r) FROM {lt.table}").fetchone()[0]
        return self.con.execute(f"SELECT count(*) FROM {lt.table}").fetchone()[0]


def combined_items(rows: list[Row]) -> str:
    """Every row condition as one list per row: a struct (field, code, note, cell, limit) where the
    condition holds, none where it does not; '' without conditions."""
    items = [
        f"CASE WHEN coalesce({r.condition}, false) THEN {{'fn': {lit(r.number)}::INTEGER, "
        f"'field': {lit(r.field)}::VARCHAR, 'code': {lit(r.check.code)}, 'note': {lit(r.label)}, "
        f"'cell': ({r.cell or 'NULL'})::VARCHAR, 'lim': {lit(r.limit)}::INTEGER}} END"
        for r in rows
    ]
    return f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)" if items else ""


def _key_present(key: Key) -> str:
    """A key takes part unless all its parts are missing (Frictionless compares tuples with None in them)."""
    return " OR ".join(f"{f.typed()} IS NOT NULL" for f in key.fields)


def unique_keys(key: Key) -> str:
    """An aggregate true when no two rows share the key (the rows where it takes part)."""
    typed = ", ".join(f.typed() for f in key.fields)
    keys = f"({typed})" if len(key.fields) > 1 else typed
    present = _key_present(key)
    return f"count_if({present}) = count(DISTINCT CASE WHEN {present} THEN {keys} END)"


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
    return r.label.split(":", 2)[-1] if r.label.startswith("constraint-error:") else r.check.code  # type: ignore[union-attr]
