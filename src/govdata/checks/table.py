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
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from govdata.checks.source import Prepared
from govdata.checks.sqltypes import FORMULA_ROWS, FieldSQL
from govdata.sql import ident, lit
from govdata.findings import Finding

MAX_FINDINGS_PER_RESOURCE = 1000
WARNINGS = ["spreadsheet-formula"]  # row findings that do not make a row invalid
COMBINED_BYTES = 4 * 1024**2  # up to this size a file's row checks run as one statement
NO_KEY = "cells composing the primary key are all missing or invalid"
FORMULA_NOTE = "starts with = + - @ or a control character: a spreadsheet opening the CSV would run it as a formula"
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
    warehoused: str = ""  # the warehouse table a build's fused proof already wrote (proof.py), if any
    long: bool = False  # ``table`` holds one row per cell (r, fn, v): see WIDE_COLUMNS
    cells: list[FieldSQL] = field(default_factory=list)  # of a long table: each field over its value column v
    _numbers: dict[int, int] = field(default_factory=dict, repr=False)
    passed: set[str] = field(default_factory=set)  # checks a one-pass proof of the same read counted zero (proof.py)

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
        return (f"(SELECT r AS rowid, {cols} FROM {self.table} WHERE fn IN ({', '.join(map(str, numbers))}) "
                "GROUP BY r)")

    def typed_select(self) -> str:
        # no ORDER BY: the scratch connection preserves insertion order, and sorting a big
        # table by rowid would cost more than the cast itself
        cols = ", ".join(f"{f.typed()} AS {ident(f.name)}" for f in self.fields)
        if self.long:
            return f"SELECT {cols} FROM {self.rel()} ORDER BY rowid"
        return f"SELECT {cols} FROM {self.table}"


_HINTS = [
    (re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?\s*$"),
     "a Chinese date form (2020年9月17日): write 2020-09-17, or declare the pipeline step normalize_chinese_dates"),
    (re.compile(r"[０-９．，]"),
     "full-width digits (１２３): write ASCII digits, or declare the pipeline step normalize_fullwidth"),
    (re.compile(r"^\s*[+-]?\d{1,3}([,，]\d{3})+(\.\d+)?\s*$"),
     "thousands separators (1,234): remove them, or declare the pipeline step strip_thousands_separators"),
    (re.compile(r"^\s*\d{4}[/.]\d{1,2}[/.]\d{1,2}\s*$"),
     "a slashed date (2020/9/17): write 2020-09-17, or declare the pipeline step normalize_chinese_dates"),
]


def _normalisation_hint(cell: str) -> str:
    for pattern, hint in _HINTS:
        if pattern.search(cell):
            return f" — looks like {hint}"
    return ""


def csv_relation(path, fields: list[dict[str, Any]], missing_values: list[str] | None = None,
                 cleaned: bool = False) -> str:
    """DuckDB's strict read of a clean UTF-8 CSV, every schema field a VARCHAR column. An empty
    cell reads as NULL unless the schema's ``missingValues`` leave "" out: then it stays "" (a
    value, as in Frictionless) and only the declared missing values read as NULL. In a copy
    ``cleaned`` by the structure pass, the cells short rows lack read as NULL too."""
    from govdata.checks.source import MISSING_CELL

    columns = "{" + ", ".join(f"{lit(f['name'])}: 'VARCHAR'" for f in fields) + "}"
    path = str(path).replace("'", "''")
    # only "" (when declared) and the padding sentinel are DuckDB null strings: the other declared
    # missing values stay text and FieldSQL.value reads them as missing (DuckDB refuses a null
    # string holding the delimiter or the quote, and an empty list)
    option = _null_option(missing_values, cleaned)
    return (f"read_csv('{path}', columns={columns}, header=true, delim=',', quote='\"', escape='\"', "
            f"strict_mode=true, auto_detect=false, null_padding=false, all_varchar=true{option})")


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

    csv.field_size_limit(MAX_CELL_CHARS + 1)
    numbers = range(1, width + 1)
    with open(src, encoding="utf-8", newline="") as fh, open(dst, "w", encoding="utf-8", newline="") as out:
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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class TableChecks:
    """Holds the scratch DuckDB connection and every loaded resource of a run."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.tables: dict[tuple[str, str], LoadedTable] = {}
        self._counter = itertools.count(1)
        self._n = 0
        self.temp = "TEMP "  # "" when several threads check at once: their cursors share the tables (runner.py)
        self.load_into = None  # a build's (dataset, resource) -> warehouse table for fused proofs (runner.py)
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
        lt = LoadedTable(dataset, resource, file, csv_relation(prep.path, schema.get("fields") or [],
                                                               schema.get("missingValues")), schema, prep, streamed=True)
        lt.fields = [FieldSQL(f, schema.get("missingValues", [""])) for f in schema.get("fields") or []]
        return lt

    def keep(self, lt: LoadedTable) -> None:
        self.tables[(lt.dataset, lt.resource)] = lt

    def load(self, dataset: str, resource: str, file: str, schema: dict[str, Any], prep: Prepared) -> LoadedTable | None:
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
                    prep.findings.append(Finding("source-error", "the file cannot be read strictly as CSV with "
                                                 f"{len(fields)} cells on every row", **lt.where))
                    return None
                path = str(long_csv).replace("'", "''")
                self.con.execute(f"CREATE OR REPLACE {self.temp}TABLE {lt.table} AS SELECT * FROM read_csv('{path}', "
                                 "columns={'r': 'BIGINT', 'fn': 'INTEGER', 'v': 'VARCHAR'}, header=false, delim=',', "
                                 "quote='\"', escape='\"', strict_mode=true, auto_detect=false"
                                 f"{_null_option(schema.get('missingValues'), prep.scanned)})")
                long_csv.unlink()
            else:
                self.con.execute(f"CREATE OR REPLACE {self.temp}TABLE {lt.table} AS SELECT * "
                                 f"FROM {csv_relation(prep.path, fields, schema.get('missingValues'), prep.scanned)}")
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
        """Remove the warehouse table a fused proof wrote (the file is not to be published as read)."""
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
            lt.problems.append(Finding("schema-error", f"field {field}: {what} cannot be applied: {detail}",
                                       field=field, **lt.where))

    def check_cell_size(self, lt: LoadedTable) -> None:
        """Huge cells, when the Python structure pass (which caps them) did not run."""
        from govdata.checks.source import MAX_CELL_CHARS

        if not lt.fields or "cell-too-large" in lt.passed:
            return
        if lt.long:
            self._insert(lt, f"SELECT r, fn, NULL, 'cell-too-large', 'longer than {MAX_CELL_CHARS} characters', NULL "
                             f"FROM {lt.table} WHERE strlen(v) > {MAX_CELL_CHARS} AND length(v) > {MAX_CELL_CHARS}")
            return
        # byte length bounds character length: one cheap scan decides whether to look closer
        longest = self.con.execute("SELECT " + ", ".join(f"max(strlen({f.col}))" for f in lt.fields)
                                   + f" FROM {lt.table}").fetchone()
        for number, f in enumerate(lt.fields, start=1):
            if (longest[number - 1] or 0) <= MAX_CELL_CHARS:
                continue
            self._insert(lt, f"SELECT rowid, {number}, {lit(f.name)}, 'cell-too-large', "
                             f"'longer than {MAX_CELL_CHARS} characters', NULL FROM {lt.table} "
                             f"WHERE length({f.col}) > {MAX_CELL_CHARS}")

    def remove_blank_rows(self, lt: LoadedTable) -> list[int]:
        """Rows whose cells are all empty (``,,,``) are blank rows, as the Python structure pass and
        Frictionless see them: reported once and kept out of the other checks. Returns row numbers."""
        if not lt.fields or "blank-row" in lt.passed:
            return []
        if lt.long:  # every field reads missing values alike: one condition over the value column
            rows = f"SELECT r FROM {lt.table} GROUP BY r HAVING bool_and({lt.cells[0].value} IS NULL)"
            found = [r for (r,) in self.con.execute(f"{rows} ORDER BY r").fetchall()]
            if found:
                self.con.execute(f"DELETE FROM {lt.table} WHERE r IN ({rows})")
            return [lt.prep.row_number(r) for r in found]
        blank = " AND ".join(f"{f.value} IS NULL" for f in lt.fields)
        found = [r for (r,) in self.con.execute(f"SELECT rowid FROM {lt.table} WHERE {blank} ORDER BY rowid").fetchall()]
        if found:
            self.con.execute(f"DELETE FROM {lt.table} WHERE {blank}")
        return [lt.prep.row_number(r) for r in found]

    def check_cells(self, lt: LoadedTable) -> None:
        if lt.streamed:
            return  # proven clean in one pass (proof.py)
        pk = _as_list(lt.schema.get("primaryKey"))
        pk_fields = [lt.field_sql(name) for name in pk]
        none = None
        if pk and all(pk_fields):
            # as Frictionless: a row whose key cells are all missing or invalid has no key
            none = " AND ".join(f"({f.value} IS NULL" + (f" OR {f.invalid()})" if f.invalid() else ")")
                                for f in pk_fields)
        if lt.long:
            self._check_long_cells(lt)
        elif not (lt.prep.bytes and lt.prep.bytes <= COMBINED_BYTES and self._check_combined(lt, none)):
            for number, f in enumerate(lt.fields, start=1):
                self._check_field(lt, f, lt.table, f"rowid, {number}, {lit(f.name)}", "true", f.name)
        elif none:
            none = None  # the combined statement checked it
        for number, f in enumerate(lt.fields, start=1):
            if (f.field.get("constraints") or {}).get("unique") and f"unique-error:{f.name}" not in lt.passed:
                self._duplicates(lt, [f], "unique-error", number, f.name)  # also on the key field, as Frictionless
        if pk and all(pk_fields):
            if "primary-key" not in lt.passed:
                self._duplicates(lt, pk_fields, "primary-key", None, None)
            if none:
                self._insert(lt, f"SELECT rowid, NULL, NULL, 'primary-key', {lit(NO_KEY)}, NULL "
                                 f"FROM {lt.rel(pk_fields)} WHERE {none}")

    @staticmethod
    def _field_checks(f: FieldSQL, passed: set[str] = frozenset()) -> list[tuple[str, str, str, str]]:
        """(code, note, condition, what) of every row check of a field: its type, each constraint, and
        cells a spreadsheet would run as formulas (a warning, listed for the first rows). Checks in
        ``passed`` (a proof's labels, proof.conditions) are left out: they hold on every row."""
        out = []
        invalid = f.invalid()
        if invalid and f"type-error:{f.name}" not in passed:
            out.append(("type-error", f"type is \"{f.type}/{f.format}\"", f"{f.value} IS NOT NULL AND ({invalid})",
                        f"type {f.type}/{f.format}"))
        out += [("constraint-error", note, condition, note) for note, condition in f.constraints()
                if f"constraint-error:{f.name}:{note}" not in passed]
        formula = f.formula()
        if formula and f"spreadsheet-formula:{f.name}" not in passed:
            out.append(("spreadsheet-formula", FORMULA_NOTE, formula, "formula"))
        return out

    def _check_combined(self, lt: LoadedTable, none: str | None) -> bool:
        """Every row check of a small table in one statement (a statement costs about half a
        millisecond whatever the table's size: a catalogue of small files is otherwise mostly
        statement overhead). False when it cannot run; the statements one by one then say which
        declared constraint is at fault."""
        items = []
        for number, f in enumerate(lt.fields, start=1):
            for code, note, condition, _ in self._field_checks(f, lt.passed):
                items.append(f"CASE WHEN coalesce({condition}, false) THEN {{'fn': {number}, 'field': {lit(f.name)}, "
                             f"'code': '{code}', 'note': {lit(note)}, 'cell': {f.col}}} END")
        if none:
            items.append(f"CASE WHEN coalesce({none}, false) THEN {{'fn': NULL::INTEGER, 'field': NULL::VARCHAR, "
                         f"'code': 'primary-key', 'note': {lit(NO_KEY)}, 'cell': NULL::VARCHAR}} END")
        if not items:
            return True
        try:
            self.con.execute(
                f"INSERT INTO {lt.findings_table} SELECT r, x.fn, x.field, x.code, x.note, x.cell FROM ("
                f"SELECT rowid AS r, unnest(list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)) AS x "
                f"FROM {lt.table}) QUALIFY x.code != 'spreadsheet-formula' "
                f"OR row_number() OVER (PARTITION BY x.fn, x.code ORDER BY r) <= {FORMULA_ROWS}")
        except duckdb.Error:
            return False
        return True

    def _check_field(self, lt: LoadedTable, f: FieldSQL, table: str, common: str, within: str, name: str) -> None:
        """The row statements of one field (or of a group of fields declared alike, over a long
        table's value column)."""
        for code, note, condition, what in self._field_checks(f, lt.passed if not lt.long else frozenset()):
            if code == "spreadsheet-formula":  # a warning, listed for the first rows of each field
                r, fn = ("r", "fn") if table == lt.table and lt.long else ("rowid", "NULL")
                self._insert(lt, f"SELECT {common}, '{code}', {lit(note)}, {f.col} FROM {table} "
                                 f"WHERE {within} AND {condition} "
                                 f"QUALIFY row_number() OVER (PARTITION BY {fn} ORDER BY {r}) <= {FORMULA_ROWS}", name, what)
            else:
                self._insert(lt, f"SELECT {common}, '{code}', {lit(note)}, {f.col} FROM {table} "
                                 f"WHERE {within} AND {condition}", name, what)

    def _check_long_cells(self, lt: LoadedTable) -> None:
        """A long table: fields whose statements are the same over the value column are checked
        together (a wide file's columns are mostly declared alike)."""
        groups: dict[tuple, list[int]] = {}
        for number, f in enumerate(lt.cells, start=1):
            groups.setdefault((f.invalid(), f.type, f.format, tuple(f.constraints())), []).append(number)
        for numbers in groups.values():
            f = lt.cells[numbers[0] - 1]
            names = ", ".join(lt.fields[n - 1].name for n in numbers[:5]) + (" …" if len(numbers) > 5 else "")
            self._check_field(lt, f, lt.table, "r, fn, NULL", f"fn IN ({', '.join(map(str, numbers))})", names)

    def check_normalisable(self, lt: LoadedTable) -> list[Finding]:
        """Text columns holding only Chinese dates or numbers in full-width digits or with thousands
        separators: a warning naming the type to declare and the pipeline step that normalises them."""
        found: list[tuple[int, str]] = []
        if lt.long:
            numbers = [n for n, f in enumerate(lt.cells, start=1) if f.normalisable()]
            if numbers:
                found = self.con.execute(f"SELECT fn, {lt.cells[numbers[0] - 1].normalisable()} FROM {lt.table} "
                                         f"WHERE fn IN ({', '.join(map(str, numbers))}) GROUP BY fn ORDER BY fn").fetchall()
        else:
            # a cheap first test (every value starts like one); every value only of the columns that pass
            tests = [(str(n), f.normalisable_likely()) for n, f in enumerate(lt.fields, start=1)
                     if f.normalisable() and f"normalisable-text:{f.name}" not in lt.passed]
            likely = [int(n) for n, hit in (self.counts(lt, tests) if tests else {}).items() if hit]
            pairs = [(str(n), lt.fields[n - 1].normalisable()) for n in likely]
            found = [(int(n), v) for n, v in self.counts(lt, pairs).items()]  # type: ignore[arg-type]
        out = []
        for number, example in found:
            if not example:
                continue
            f = lt.fields[number - 1]
            hint = _normalisation_hint(example).removeprefix(" — looks like ")
            kind = "date" if "date" in hint else "integer or number"
            out.append(Finding("normalisable-text", f"field {f.name} is declared a string but every value is like "
                               f"'{example[:40]}': {hint}; declare type {kind}", field=f.name, field_number=number,
                               cell=example, **lt.where))
        return out

    def _duplicates(self, lt: LoadedTable, fields: list[FieldSQL], code: str, number: int | None, name: str | None) -> None:
        typed = ", ".join(f.typed() for f in fields)
        # a key takes part unless all its parts are missing (Frictionless compares tuples with None in them)
        not_null = " OR ".join(f"{f.typed()} IS NOT NULL" for f in fields)
        try:  # the usual case, no duplicates, costs one distinct count instead of a window over the table
            keys = f"({typed})" if len(fields) > 1 else typed
            if self.con.execute(f"SELECT count(*) = count(DISTINCT {keys}) FROM {lt.rel(fields)} "
                                f"WHERE {not_null}").fetchone()[0]:
                return
        except duckdb.Error:
            pass  # the window query below reports what is wrong
        cells = " || ', ' || ".join(f"coalesce({f.col}, '')" for f in fields)
        note = f"the same as a row above in {', '.join(f.name for f in fields)}"
        self._insert(lt, f"SELECT r, {lit(number)}, {lit(name)}, '{code}', {lit(note)}, cells FROM ("
                         f"SELECT rowid AS r, {cells} AS cells, row_number() OVER (PARTITION BY {typed} ORDER BY rowid) AS n "
                         f"FROM {lt.rel(fields)} WHERE {not_null}) WHERE n > 1")

    def check_foreign_keys(self, lt: LoadedTable, resolve) -> list[Finding]:
        """``resolve(reference) -> (LoadedTable | None, message)`` finds the target table."""
        problems = []
        for fk in lt.schema.get("foreignKeys") or []:
            local = _as_list(fk.get("fields"))
            ref = fk.get("reference") or {}
            remote = _as_list(ref.get("fields"))
            target, message = resolve(ref)
            if target is None:
                problems.append(Finding("foreign-key", f"foreign key {local} cannot be checked: {message}",
                                        field=local[0] if local else None, **lt.where))
                continue
            lf = [lt.field_sql(n) for n in local]
            rf = [target.field_sql(n) for n in remote]
            if not all(lf) or not all(rf) or len(lf) != len(rf):
                problems.append(Finding("foreign-key", f"foreign key {local} -> {remote}: fields not found",
                                        field=local[0] if local else None, **lt.where))
                continue
            key = " AND ".join(f"t.{ident('k%d' % i)} = {lf[i].value}" for i in range(len(lf)))
            keys = ", ".join(f"{rf[i].value} AS {ident('k%d' % i)}" for i in range(len(rf)))
            not_null = " AND ".join(f"{f.value} IS NOT NULL" for f in lf)
            cells = " || ', ' || ".join(f.col for f in lf)
            number = lt.fields.index(lf[0]) + 1
            ref_name = ".".join(x for x in (ref.get("dataset"), ref.get("resource") or lt.resource) if x)
            note = f"not found in {ref_name} ({', '.join(remote)})"
            self._insert(lt, f"SELECT rowid, {number}, {lit(local[0])}, 'foreign-key', {lit(note)}, {cells} "
                             f"FROM {lt.rel(lf)} WHERE {not_null} AND NOT EXISTS "
                             f"(SELECT 1 FROM (SELECT DISTINCT {keys} FROM {target.rel(rf)}) t WHERE {key})")
        return problems

    def collect(self, lt: LoadedTable) -> tuple[list[Finding], int]:
        """Findings (capped) and the number of distinct rows with findings."""
        if lt.streamed:
            return list(lt.problems), 0
        if not self.con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {lt.findings_table} LIMIT 1)").fetchone()[0]:
            return list(lt.problems), 0
        # ragged rows are counted by the structure pass already
        bad_rows = self.con.execute(f"SELECT count(DISTINCT r) FROM {lt.findings_table} "
                                    "WHERE NOT list_contains(?::BIGINT[], r) AND NOT list_contains(?::VARCHAR[], code)",
                                    [lt.prep.kept_bad, WARNINGS]).fetchone()[0]
        rows = self.con.execute(
            f"SELECT r, fn, field, code, note, cell FROM {lt.findings_table} ORDER BY r, fn NULLS FIRST, code "
            f"LIMIT {MAX_FINDINGS_PER_RESOURCE}"
        ).fetchall()
        total = self.con.execute(f"SELECT count(*) FROM {lt.findings_table}").fetchone()[0]
        out = []
        for r, fn, name, code, note, cell in rows:
            if name is None and fn is not None and fn <= len(lt.fields):  # a long table's grouped statements
                name = lt.fields[fn - 1].name
            if code == "type-error" and cell:
                note += _normalisation_hint(cell)
            row = lt.prep.row_number(r)
            shown = "" if cell is None else f" '{cell if len(cell) <= 40 else cell[:40] + '…'}'"
            label = f"field {name}" if name else ("primary key" if code == "primary-key" else "row")
            out.append(Finding(code, f"row {row}, {label}:{shown} {note}", row=row, field=name,
                               field_number=fn, cell=cell, **lt.where))
        if total > len(rows):
            out.append(Finding(rows[-1][3] if rows else "constraint-error",
                               f"{total - len(rows)} more findings not shown (first {len(rows)} listed)", **lt.where))
        return lt.problems + out, bad_rows

    def counts(self, lt: LoadedTable, pairs: list[tuple[str, str]]) -> dict[str, int]:
        """Run (label, aggregate) pairs as one scan of ``lt``; {label: value, NULL read as 0}."""
        if not pairs:
            return {}
        row = self.con.execute("SELECT " + ", ".join(a for _, a in pairs) + f" FROM {lt.table}").fetchone()
        return {label: n or 0 for (label, _), n in zip(pairs, row)}

    def row_count(self, lt: LoadedTable) -> int:
        if lt.streamed:
            return lt.rows
        if lt.long:
            return self.con.execute(f"SELECT count(DISTINCT r) FROM {lt.table}").fetchone()[0]
        return self.con.execute(f"SELECT count(*) FROM {lt.table}").fetchone()[0]
