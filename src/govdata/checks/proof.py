"""One streaming pass that proves a big CSV has nothing to report.

At scale the common case is a file without a single finding. For it, one aggregate query
over DuckDB's strict read of the file counts every failure the table checks and the
personal-data scan would report: blank rows, huge cells, type errors, each constraint,
duplicate unique values and keys, rows without a key, unmasked values of masked columns,
and candidate cells for personal data (which are then validated in Python, as the precise
path does). Nothing is materialised; the builder reads the file again, typed.

When any count is not zero the proof fails and the resource takes the precise path (the file
materialised, one statement per check, row numbers), which reports exactly what the counts
saw. The proof's conditions are the precise path's own SQL (:mod:`govdata.checks.sqltypes`),
so the two cannot drift apart; ``tests/test_fast_path.py`` holds them equal on planted files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from govdata.checks.privacy import CellScanner, candidate_counts, candidates_hold_none, masked_counts
from govdata.checks.sqltypes import FieldSQL
from govdata.checks.table import LoadedTable, TableChecks, _as_list


@dataclass
class Proof:
    rows: int
    failed: list[str] = field(default_factory=list)  # labels of the counts that were not zero

    @property
    def clean(self) -> bool:
        return not self.failed


def _key_duplicates(fields: list[FieldSQL]) -> str:
    """Non-missing keys minus distinct keys: zero when no key repeats."""
    typed = [f.typed() for f in fields]
    not_null = " AND ".join(f"{t} IS NOT NULL" for t in typed)
    key = typed[0] if len(typed) == 1 else f"({', '.join(typed)})"
    return f"count_if({not_null}) - count(DISTINCT {key}) FILTER (WHERE {not_null})"


def aggregates(lt: LoadedTable, privacy: bool) -> list[tuple[str, str]]:
    """(label, aggregate) for every check of the precise path; each aggregate is zero when that
    check would report nothing."""
    from govdata.checks.source import MAX_CELL_CHARS

    if not lt.fields:
        return []
    out = [("blank-row", "count_if(" + " AND ".join(f"coalesce({f.col}, '') = ''" for f in lt.fields) + ")"),
           # bytes bound characters: a count here sends the file to the precise path, which measures characters
           ("cell-too-large", "count_if(" + " OR ".join(f"strlen({f.col}) > {MAX_CELL_CHARS}" for f in lt.fields) + ")")]
    for f in lt.fields:
        invalid = f.invalid()
        if invalid:
            out.append((f"type-error:{f.name}", f"count_if({f.value} IS NOT NULL AND ({invalid}))"))
        # the type count fails the proof on any invalid value, so constraints need not guard against them
        for note, condition in f.constraints(assume_valid=True):
            out.append((f"constraint-error:{f.name}:{note}", f"count_if({condition})"))
        if (f.field.get("constraints") or {}).get("unique"):
            out.append((f"unique-error:{f.name}", _key_duplicates([f])))
    pk = [lt.field_sql(name) for name in _as_list(lt.schema.get("primaryKey"))]
    if pk and all(pk):
        out.append(("primary-key", _key_duplicates(pk)))
        # as for constraints, an invalid key value has already failed the type count
        out.append(("primary-key:missing", "count_if(" + " AND ".join(f"{f.value} IS NULL" for f in pk) + ")"))
    if privacy:
        out += masked_counts(lt)
    seen: set[str] = set()  # one aggregate per condition (a required key column is counted once)
    return [(label, sql) for label, sql in out if not (sql in seen or seen.add(sql))]


def prove(tables: TableChecks, lt: LoadedTable, privacy: bool,
          scanned: Callable[[], CellScanner | None] = lambda: None) -> Proof:
    """Run the one pass over ``lt`` (a streamed table). ``scanned`` waits for the byte pass's
    personal-data candidates; when it has none to give, a second aggregate finds them in SQL.
    Raises ``duckdb.Error`` when the file cannot be read strictly or a declared constraint cannot
    be evaluated: the precise path then reports what is wrong."""
    counts = tables.counts(lt, [("rows", "count(*)")] + aggregates(lt, privacy))
    proof = Proof(counts["rows"], [k for k, n in counts.items() if n and k != "rows"])
    if not privacy or not proof.clean:
        return proof
    scanner = scanned()
    if scanner is not None and scanner.usable:
        held = scanner.hold_none()
    else:
        candidates = tables.counts(lt, candidate_counts(lt))
        held = not any(candidates.values()) or candidates_hold_none(tables, lt, candidates)
    if not held:
        proof.failed.append("personal-data")
    return proof
