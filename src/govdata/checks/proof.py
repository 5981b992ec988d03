"""One streaming pass that proves a big CSV has nothing to report.

At scale the common case is a file without a single finding. For it, one aggregate query
over DuckDB's strict read of the file counts every failure the table checks and the
personal-data scan would report: blank rows, huge cells, type errors, each constraint,
duplicate unique values and keys, rows without a key, unmasked values of masked columns,
and candidate cells for personal data (which are then validated in Python, as the precise
path does). Nothing is materialised.

In a build the same pass also writes the warehouse: the typed columns plus one column that is
true on any row a row condition holds for; the counts are then read from the stored table (that
column and the distinct keys) and the column is dropped, so a big clean file is read once for
both the proof and the warehouse. A failed proof drops the table.

When any count is not zero the proof fails and the resource takes the precise path (the file
materialised, one statement per check, row numbers), which reports exactly what the counts
saw. The proof counts the conditions of the resource's compiled plan (:mod:`govdata.checks.plan`),
the list the precise path runs, so the two cannot drift apart; ``tests/test_fast_path.py`` holds
them equal on planted files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from govdata.checks.plan import Plan, key_duplicates
from govdata.checks.privacy import CellScanner, candidate_counts, candidates_hold_none
from govdata.checks.sqltypes import FieldSQL
from govdata.checks.loaded import Fields, LoadedTable
from govdata.checks.table import TableChecks
from govdata.sql import ident


@dataclass
class Proof:
    rows: int
    failed: list[str] = field(default_factory=list)  # labels of the counts that were not zero
    passed: set[str] = field(default_factory=set)  # labels of the counts that were zero

    @property
    def clean(self) -> bool:
        return not self.failed


def aggregates(lt: LoadedTable, privacy: bool) -> list[tuple[str, str]]:
    """(label, aggregate) for every condition of the resource's plan; each aggregate is zero when
    the precise path would report nothing for it."""
    return lt.plan.aggregates(privacy)


FLAG = "__govdata_reported"  # the fused load's per-row condition column, dropped once counted


def _load_and_count(tables: TableChecks, lt: LoadedTable, privacy: bool, into: str) -> dict[str, int]:
    """The fused variant for a build: one read of the file writes the typed warehouse table with
    one more column, true on the rows any row condition holds for; the counts then come from the
    stored table (a flag and the distinct keys), and the column is dropped."""
    plan = lt.plan
    columns = ", ".join(f"{ident(f.name)} {f.duckdb_type}" for f in lt.fields)
    flag = plan.flag(privacy)
    tables.con.execute(f"CREATE TABLE {into} ({columns}, {FLAG} BOOLEAN)")
    try:
        tables.con.execute(
            f"INSERT INTO {into} SELECT {', '.join(f.typed() for f in lt.fields)}, {flag} FROM {lt.table}"
        )
        pairs = [("rows", "count(*)"), ("row-checks", f"count_if({FLAG})")]
        pairs += [(k.label, key_duplicates([ident(f.name) for f in k.fields])) for k in plan.keys]
        # the stored text columns hold the fields' values (missing values already NULL)
        pairs += Plan.compile(Fields([FieldSQL(f.field, [""], own=False) for f in lt.fields], lt.schema)).column_tests()
        row = tables.con.execute("SELECT " + ", ".join(a for _, a in pairs) + f" FROM {into}").fetchone()
        assert row is not None  # an aggregate has one row
        counts = {label: n or 0 for (label, _), n in zip(pairs, row)}
        if any(n for label, n in counts.items() if label != "rows"):
            tables.con.execute(f"DROP TABLE {into}")
        else:
            tables.con.execute(f"ALTER TABLE {into} DROP COLUMN {FLAG}")
            lt.warehoused = into
        return counts
    except BaseException:
        tables.con.execute(f"DROP TABLE IF EXISTS {into}")
        raise


def prove(
    tables: TableChecks,
    lt: LoadedTable,
    privacy: bool,
    scanned: Callable[[], CellScanner | None] = lambda: None,
    into: str | None = None,
) -> Proof:
    """Run the one pass over ``lt`` (a streamed table). ``scanned`` waits for the byte pass's
    personal-data candidates; when it has none to give, a second aggregate finds them in SQL.
    With ``into`` (a build), the pass also writes the typed warehouse table ``into``, kept only
    when the proof holds (``lt.warehoused``).
    Raises ``duckdb.Error`` when the file cannot be read strictly or a declared constraint cannot
    be evaluated: the precise path then reports what is wrong."""
    if into is None:
        counts = tables.counts(lt, [("rows", "count(*)")] + lt.plan.aggregates(privacy))
    else:
        counts = _load_and_count(tables, lt, privacy, into)
    proof = Proof(
        counts["rows"],
        [k for k, n in counts.items() if n and k != "rows"],
        {k for k, n in counts.items() if not n and k != "rows"},
    )
    try:
        if privacy and proof.clean:
            scanner = scanned()
            if scanner is not None and scanner.usable:
                held = scanner.hold_none()
            else:
                candidates = tables.counts(lt, candidate_counts(lt))
                held = not any(candidates.values()) or candidates_hold_none(tables, lt, candidates)
            if not held:
                proof.failed.append("personal-data")
    except BaseException:
        tables.unload(lt)  # the precise path loads the warehouse table itself
        raise
    if not proof.clean:
        tables.unload(lt)
    return proof
