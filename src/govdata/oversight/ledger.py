"""The gate's ledger: what every build's gate run found, kept beside the builds.

A build that fails does not publish, and only the newest failed build's ``report.json`` is kept;
what the gate caught would be lost with it. Every build therefore appends one line to
``<out>/gate-ledger.jsonl`` before it publishes or fails: per dataset checked, the rows read and
the rows with findings (the gate's own accounting, :class:`govdata.findings.ResourceStats`) and the
confidentiality findings (保密审查: personal data in the clear, negative-list fields, incomplete
masking, a missing review) with their location. Reused datasets are not checked again, so a
dataset's figures are those of the last gate run that checked it.

The scorecards read it (:func:`gate_stats`): *share of rows valid at the gate* = rows valid / rows
read in the latest run per dataset; *confidentiality incidents* = distinct confidentiality findings
(dataset, code, file, row, field) in all runs recorded. ``govdata check`` runs outside a build (a
pull request's gate) are not recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

LEDGER = "gate-ledger.jsonl"
INCIDENT_CODES = ("personal-data", "negative-list-field", "masking-error", "review-missing")


def entry(stamp: str, report) -> dict:
    datasets: dict[str, dict] = {
        name: {"rows_read": 0, "rows_valid": 0, "incidents": []} for name in report.datasets_checked
    }
    for s in report.stats:
        d = datasets.setdefault(s.dataset, {"rows_read": 0, "rows_valid": 0, "incidents": []})
        d["rows_read"] += s.rows_read
        d["rows_valid"] += s.rows_valid
    for f in report.findings:
        if f.is_error and f.dataset:
            d = datasets.setdefault(f.dataset, {"rows_read": 0, "rows_valid": 0, "incidents": []})
            d["errors"] = d.get("errors", 0) + 1
        if f.code in INCIDENT_CODES and f.dataset:
            datasets.setdefault(f.dataset, {"rows_read": 0, "rows_valid": 0, "incidents": []})["incidents"].append(
                {"code": f.code, "file": f.file, "row": f.row, "field": f.field}
            )
    return {"build": stamp, "valid": report.ok, "datasets": datasets}


def record(out: Path, stamp: str, report) -> None:
    """Append the gate run of build ``stamp`` to the ledger (one line, one write)."""
    line = json.dumps(entry(stamp, report), ensure_ascii=False) + "\n"
    fd = os.open(out / LEDGER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read(out: Path | None) -> list[dict]:
    if out is None:
        return []
    try:
        lines = (out / LEDGER).read_text("utf-8").splitlines()
    except OSError:
        return []
    runs = []
    for line in lines:
        try:
            runs.append(json.loads(line))
        except ValueError:
            continue  # a torn last line of a build that died while writing
    return runs


def gate_stats(runs: list[dict]) -> dict[str, dict]:
    """Per dataset: the latest run's rows read and valid, whether it passed (no error of its own), and the distinct
    confidentiality incidents of all runs."""
    out: dict[str, dict] = {}
    for run in runs:
        for name, d in (run.get("datasets") or {}).items():
            cur = out.setdefault(name, {"incidents": set()})
            cur.update(
                rows_read=d.get("rows_read", 0),
                rows_valid=d.get("rows_valid", 0),
                build=run.get("build"),
                passed=not d.get("errors"),
            )
            cur["incidents"] |= {
                (i.get("code"), i.get("file"), i.get("row"), i.get("field")) for i in d.get("incidents") or []
            }
    return {name: {**d, "incidents": len(d["incidents"])} for name, d in out.items()}
