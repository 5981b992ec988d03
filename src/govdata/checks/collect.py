"""A loaded resource's findings table read back as findings: capped, each message written from its
check's template, row numbers those of the original file."""

from __future__ import annotations

import json
from typing import Any

from govdata import duck as duckdb

from govdata import plugins
from govdata.checks.loaded import LoadedTable, one_row
from govdata.checks.rules.base import Key, Reference, Row
from govdata.checks.rules.normalisable_text import hint as normalisation_hint
from govdata.findings import Finding, Notice

MAX_FINDINGS_PER_RESOURCE = 1000


def collect(con: duckdb.DuckDBPyConnection, lt: LoadedTable) -> tuple[list[Finding], int, list[Notice]]:
    """Findings (capped), the number of distinct rows with findings, and a notice when some
    findings are not listed."""
    if lt.streamed:
        return list(lt.problems), 0, []
    if not lt.found:  # nothing was written to its findings table (TableChecks.add_findings)
        return list(lt.problems), 0, []
    # ragged rows are counted by the structure pass already; warnings do not make a row invalid
    warnings = [c.code for c in plugins.checks() if c.severity != "error"]
    bad_rows: int = one_row(
        con,
        f"SELECT count(DISTINCT r) FROM {lt.findings_table} "
        "WHERE NOT list_contains(?::BIGINT[], r) AND NOT list_contains(?::VARCHAR[], code)",
        [lt.prep.kept_bad, warnings],
    )[0]
    rows = con.execute(
        f"SELECT r, fn, field, code, note, cell FROM {lt.findings_table} ORDER BY r, fn NULLS FIRST, code "
        f"LIMIT {MAX_FINDINGS_PER_RESOURCE}"
    ).fetchall()
    total: int = one_row(con, f"SELECT count(*) FROM {lt.findings_table}")[0]
    out = []
    for r, fn, name, code, note, cell in rows:
        if name is None and fn is not None and fn <= len(lt.fields):  # a long table's grouped statements
            name = lt.fields[fn - 1].name
        row = lt.prep.row_number(r)
        out.append(_finding(lt, code, note, cell, row=row, field=name, field_number=fn))
    notices = [Notice.more(total - len(rows), len(rows), **lt.where)] if total > len(rows) else []
    return lt.problems + out, bad_rows, notices


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
