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
saw. The proof's conditions are the precise path's own SQL (:mod:`govdata.checks.sqltypes`),
so the two cannot drift apart; ``tests/test_fast_path.py`` holds them equal on planted files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from govdata.checks.privacy import CellScanner, candidate_counts, candidates_hold_none, masked_conditions
from govdata.checks.sqltypes import FieldSQL
from govdata.sql import ident
from govdata.checks.table import LoadedTable, TableChecks, _as_list


@dataclass
class Proof:
    rows: int
    failed: list[str] = field(default_factory=list)  # labels of the counts that were not zero
    passed: set[str] = field(default_factory=set)  # labels of the counts that were zero

    @property
    def clean(self) -> bool:
        return not self.failed


def _key_duplicates(keys: list[str]) -> str:
    """Non-missing keys minus distinct keys: zero when no key repeats (``keys``: typed expressions)."""
    not_null = " OR ".join(f"{k} IS NOT NULL" for k in keys)  # as table.TableChecks._duplicates
    key = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
    return f"count_if({not_null}) - count(DISTINCT {key}) FILTER (WHERE {not_null})"


def conditions(lt: LoadedTable, privacy: bool) -> tuple[list[tuple[str, str]], list[tuple[str, list[FieldSQL]]]]:
    """What the precise path checks, as (label, row condition) pairs (true on a row it would report)
    and (label, key fields) pairs (unique fields and the primary key, which must not repeat)."""
    from govdata.checks.source import MAX_CELL_CHARS

    if not lt.fields:
        return [], []
    rows = [("blank-row", " AND ".join(f"{f.value} IS NULL" for f in lt.fields)),
            # bytes bound characters: a count here sends the file to the precise path, which measures characters
            ("cell-too-large", " OR ".join(f"strlen({f.col}) > {MAX_CELL_CHARS}" for f in lt.fields))]
    keys: list[tuple[str, list[FieldSQL]]] = []
    for f in lt.fields:
        invalid = f.invalid()
        if invalid:
            rows.append((f"type-error:{f.name}", f"{f.value} IS NOT NULL AND ({invalid})"))
        # the type condition fails the proof on any invalid value, so constraints need not guard against them
        rows += [(f"constraint-error:{f.name}:{note}", condition) for note, condition in f.constraints(assume_valid=True)]
        if f.formula():
            rows.append((f"spreadsheet-formula:{f.name}", f.formula()))
        if (f.field.get("constraints") or {}).get("unique"):
            keys.append((f"unique-error:{f.name}", [f]))
    pk = [lt.field_sql(name) for name in _as_list(lt.schema.get("primaryKey"))]
    if pk and all(pk):
        keys.append(("primary-key", pk))
        # as for constraints, an invalid key value has already failed the type condition
        rows.append(("primary-key:missing", " AND ".join(f"{f.value} IS NULL" for f in pk)))
    if privacy:
        rows += masked_conditions(lt)
    seen: set[str] = set()  # one condition counted once (a required key column is also the key's)
    return [(label, c) for label, c in rows if not (c in seen or seen.add(c))], keys


def aggregates(lt: LoadedTable, privacy: bool) -> list[tuple[str, str]]:
    """(label, aggregate) for every check of the precise path; each aggregate is zero when that
    check would report nothing."""
    rows, keys = conditions(lt, privacy)
    return ([(label, f"count_if({c})") for label, c in rows]
            + [(label, _key_duplicates([f.typed() for f in fields])) for label, fields in keys]
            + column_checks(lt.fields))


def column_checks(fields: list[FieldSQL]) -> list[tuple[str, str]]:
    """(label, aggregate) for the column-level warnings (a text column of normalisable values): 1
    when the precise path would report it."""
    return [(f"normalisable-text:{f.name}", f.normalisable_likely()) for f in fields if f.normalisable()]


FLAG = "__govdata_reported"  # the fused load's per-row condition column, dropped once counted


def _load_and_count(tables: TableChecks, lt: LoadedTable, privacy: bool, into: str) -> dict[str, int]:
    """The fused variant for a build: one read of the file writes the typed warehouse table with
    one more column, true on the rows any row condition holds for; the counts then come from the
    stored table (a flag and the distinct keys), and the column is dropped."""
    rows, keys = conditions(lt, privacy)
    columns = ", ".join(f"{ident(f.name)} {f.duckdb_type}" for f in lt.fields)
    flag = " OR ".join(f"({c})" for _, c in rows) or "false"
    tables.con.execute(f"CREATE TABLE {into} ({columns}, {FLAG} BOOLEAN)")
    try:
        tables.con.execute(f"INSERT INTO {into} SELECT {', '.join(f.typed() for f in lt.fields)}, {flag} FROM {lt.table}")
        pairs = [("rows", "count(*)"), ("row-checks", f"count_if({FLAG})")]
        pairs += [(label, _key_duplicates([ident(f.name) for f in fields])) for label, fields in keys]
        # the stored text columns hold the fields' values (missing values already NULL)
        pairs += column_checks([FieldSQL(f.field, [""]) for f in lt.fields])
        row = tables.con.execute("SELECT " + ", ".join(a for _, a in pairs) + f" FROM {into}").fetchone()
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


def prove(tables: TableChecks, lt: LoadedTable, privacy: bool,
          scanned: Callable[[], CellScanner | None] = lambda: None, into: str | None = None) -> Proof:
    """Run the one pass over ``lt`` (a streamed table). ``scanned`` waits for the byte pass's
    personal-data candidates; when it has none to give, a second aggregate finds them in SQL.
    With ``into`` (a build), the pass also writes the typed warehouse table ``into``, kept only
    when the proof holds (``lt.warehoused``).
    Raises ``duckdb.Error`` when the file cannot be read strictly or a declared constraint cannot
    be evaluated: the precise path then reports what is wrong."""
    if into is None:
        counts = tables.counts(lt, [("rows", "count(*)")] + aggregates(lt, privacy))
    else:
        counts = _load_and_count(tables, lt, privacy, into)
    proof = Proof(counts["rows"], [k for k, n in counts.items() if n and k != "rows"],
                  {k for k, n in counts.items() if not n and k != "rows"})
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
