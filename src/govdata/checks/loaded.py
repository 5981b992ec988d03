"""A resource read into DuckDB (:class:`LoadedTable`): its scratch table, its fields and plan, and
how its rows are named; the SQL that reads a clean CSV (:func:`csv_relation`) and types its
columns (:func:`typed_select`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govdata import duck as duckdb

from govdata.checks.plan import Plan
from govdata.checks.prepared import Prepared
from govdata.checks.sqltypes import FieldSQL
from govdata.checks.structure import MAX_CELL_CHARS, MISSING_CELL
from govdata.csvlimit import field_size_limit
from govdata.findings import Finding, Where
from govdata.sql import ident, lit


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
    # the findings table is made at the first rows written to it (TableChecks.add_findings); False:
    # no finding was written, so there is nothing to read back (collect.py asks no statement)
    found: bool = False
    findings_made: bool = False
    # the declared schema when its fieldsMatch maps labels to fields by name: ``schema`` is then the
    # file's as it is (fieldsmatch.match_fields), and the build publishes the declared fields
    declared: dict[str, Any] | None = None
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
            self._cell_plan = Plan.compile(Fields(self.cells, self.schema))
        return self._cell_plan

    @property
    def where(self) -> Where:
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

    def published(self) -> tuple[dict[str, Any], list[FieldSQL], str]:
        """What the build publishes: the schema, its fields and the SELECT of their typed values.
        Under a by-name ``fieldsMatch``, the declared fields in declared order (a field the file
        lacks NULL; a column no field names left out)."""
        if self.declared is None:
            return self.schema, self.fields, self.typed_select()
        missing = self.declared.get("missingValues", [""])
        fields = [FieldSQL(f, missing) for f in self.declared.get("fields") or []]
        read = {f.name: f for f in self.fields}
        cols = ", ".join(
            f"{read[f.name].typed() if f.name in read else f'CAST(NULL AS {f.duckdb_type})'} AS {ident(f.name)}"
            for f in fields
        )
        present = [read[f.name] for f in fields if f.name in read]
        relation = self.rel(present) if self.long else self.table
        return self.declared, fields, f"SELECT {cols} FROM {relation}" + (" ORDER BY rowid" if self.long else "")


@dataclass
class Fields:
    """Fields and a schema: what a check sees (a long table's fields over its value column)."""

    fields: list[FieldSQL]
    schema: dict[str, Any]

    def field_sql(self, name: str) -> FieldSQL | None:
        return next((f for f in self.fields if f.name == name), None)


def typed_select(fields: list[FieldSQL], relation: str) -> str:
    """The typed value of every field, by name, over a relation of raw text columns."""
    return f"SELECT {', '.join(f'{f.typed()} AS {ident(f.name)}' for f in fields)} FROM {relation}"


def csv_relation(
    path: Path, fields: list[dict[str, Any]], missing_values: list[str] | None = None, cleaned: bool = False
) -> str:
    """DuckDB's strict read of a clean UTF-8 CSV, every schema field a VARCHAR column. An empty
    cell reads as NULL unless the schema's ``missingValues`` leave "" out: then it stays "" (a
    value, as in Frictionless) and only the declared missing values read as NULL. In a copy
    ``cleaned`` by the structure pass, the cells short rows lack read as NULL too."""

    columns = "{" + ", ".join(f"{lit(f['name'])}: 'VARCHAR'" for f in fields) + "}"
    quoted = str(path).replace("'", "''")
    # only "" (when declared) and the padding sentinel are DuckDB null strings: the other declared
    # missing values stay text and FieldSQL.value reads them as missing (DuckDB refuses a null
    # string holding the delimiter or the quote, and an empty list)
    option = null_option(missing_values, cleaned)
    return (
        f"read_csv('{quoted}', columns={columns}, header=true, delim=',', quote='\"', escape='\"', "
        f"strict_mode=true, auto_detect=false, null_padding=false, all_varchar=true{option})"
    )


def null_option(missing_values: list[str] | None, cleaned: bool) -> str:
    missing = [""] if missing_values is None else [str(m) for m in missing_values]
    nulls = ([""] if "" in missing else []) + ([MISSING_CELL] if cleaned else [])
    return "" if nulls == [""] else f", nullstr=[{', '.join(lit(m) for m in nulls or [MISSING_CELL])}]"


def write_long(src: Path, dst: Path, width: int) -> bool:
    """Write a clean UTF-8 CSV as one line per cell (row index, field number, cell). False when the
    file is not strictly readable with ``width`` cells on every row (the structure pass then runs)."""
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


def one_row(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The row of a query that has exactly one (an aggregate without GROUP BY)."""
    row = con.execute(query, params).fetchone()
    assert row is not None, "an aggregate without GROUP BY has one row"
    return row
