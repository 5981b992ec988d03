"""The oversight figures as datasets of the catalogue itself, generated in the build and gated.

The tables (timeliness, event deadlines, scorecards, annual-report tables) are registered like any
dataset — a descriptor under ``datasets/`` with a Table Schema, reviewed by pull request — whose
resources come from the pipeline ``oversight`` (``pipeline_params: {table: …}``). The build checks and
publishes them *after* every other dataset (:func:`govdata.publish.builder`'s derived step): it
hands this module the portal document of the datasets just published (with their missing values,
read from their Parquet files), the gate's ledger and the day (:func:`building`), then runs the
gate on the derived datasets exactly as on any other — Table Schema, types, constraints, the
confidentiality scan — and publishes them the same way (SQLite, JSON API, CSV, Parquet, XLSX,
``data.json``). A figure the gate rejects fails the build like any other data: an annual-report
input whose totals do not add up is a ``pipeline-error`` naming the file, row and column.

Outside a build (``govdata check``) the step computes from the catalogue alone (no row counts, no
gate history), so that a pull request touching a derived descriptor is checked too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
from pathlib import Path
from typing import Any, Iterator

from govdata.hookspecs import hookimpl
from govdata.oversight import PIPELINE, is_derived  # noqa: F401  (re-exported)

TABLES = ("timeliness", "deadlines", "scorecards", "annual_report")
_INPUTS: dict[str, Any] | None = None


@contextlib.contextmanager
def building(catalog, doc: dict, gate: dict, today: dt.date):
    """The inputs of the derived step of one build (the build holds the build lock: one at a time)."""
    global _INPUTS
    _INPUTS = {"catalog": catalog, "doc": doc, "gate": gate, "today": today}
    try:
        yield
    finally:
        _INPUTS = None


def keys(catalog, keys: dict[str, str], today: dt.date) -> dict[str, str]:
    """Build keys of the derived datasets: their own key, every other dataset's key, the publishers'
    annual-report inputs (``reports/``), the repository's head commit (the update history) and the
    day — they change whenever any of these does."""
    from govdata.oversight.events import _git

    derived = [ds for ds in catalog.datasets if is_derived(ds) and ds.name in keys]
    if not derived:
        return {}
    h = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(keys.items())).encode())
    for path in sorted((catalog.root / "reports").glob("*/*")):
        if path.is_file():
            h.update(path.relative_to(catalog.root).as_posix().encode() + b"\0" + path.read_bytes())
    h.update((_git(catalog.root, "rev-parse", "-q", "HEAD") or "").encode())
    others = h.hexdigest()
    return {
        ds.name: hashlib.sha256(f"{keys[ds.name]}|{others}|{today.isoformat()}".encode()).hexdigest() for ds in derived
    }


def _standalone_doc(catalog) -> dict:
    from govdata.directory import portal
    from govdata.directory.record import build_record

    records = []
    for ds in catalog.datasets:
        try:
            records.append(build_record(catalog, ds, {}, {}))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a broken descriptor is its own dataset's finding, not the derived datasets'
    return portal.document(catalog, records)


_LOADED: dict[str, tuple] = {}
_LOCK = threading.Lock()  # the gate runs pipelines on two threads


def _catalog(root):
    """The build's catalogue, or (outside a build) the catalogue at ``root`` with its standalone
    document, loaded once while its descriptors are unchanged (the four tables share it)."""
    from govdata.catalog.loader import load

    if _INPUTS is not None:
        return _INPUTS["catalog"], _INPUTS["doc"]
    root = Path(root)
    stamp = [
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for pattern in ("catalog.yaml", "datasets/*/*/datapackage.*", "datasets/*/*/data/*", "schemas/*", "reports/*/*")
        for p in sorted(root.glob(pattern))
    ]
    key = str(root.resolve())
    with _LOCK:
        if key not in _LOADED or _LOADED[key][0] != stamp:
            catalog = load(root)[0]
            _LOADED.clear()
            _LOADED[key] = (stamp, catalog, _standalone_doc(catalog))
        return _LOADED[key][1], _LOADED[key][2]


def _inputs(root) -> tuple[Any, dict, dict, dt.date]:
    from govdata.oversight import timeliness

    catalog, doc = _catalog(root)
    if _INPUTS is not None:
        return catalog, doc, _INPUTS["gate"], _INPUTS["today"]
    return catalog, doc, {}, timeliness.today()


def rows(ctx: dict, table: str) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` (a generator: the pipeline runner turns a StepError into the gate's
    ``pipeline-error`` finding)."""
    if table not in TABLES:
        from govdata.pipelines.steps import StepError

        raise StepError(f"oversight: table must be one of {', '.join(TABLES)}, not {table!r}")
    catalog, doc, gate, today = _inputs(ctx["root"])
    doc = {**doc, "datasets": [d for d in doc["datasets"] if not d.get("derived")]}
    yield from globals()[f"_{table}"](catalog, doc, gate, today)


class Rows:
    """Rows with the header to write when there are none (an empty table is still a table)."""

    def __init__(self, rows: Iterator[dict[str, Any]], header: list[str]):
        self.rows, self.header = rows, header

    def __iter__(self):
        return iter(self.rows)


def table_rows(ctx: dict, table: str) -> Rows:
    """:func:`rows` with the header of the resource that asks for ``table`` (from its Table Schema)."""
    header: list[str] = []
    catalog, _ = _catalog(ctx["root"])
    for ds in catalog.datasets:
        if ds.dir.resolve() == Path(ctx["dataset_dir"]).resolve():
            for res in ds.resources:
                if res.pipeline == PIPELINE and (res.raw.get("pipeline_params") or {}).get("table") == table:
                    header = res.field_names
    return Rows(rows(ctx, table), header)


def _timeliness(catalog, doc, gate, today) -> list[dict]:
    from govdata.oversight.timeliness import report

    out = []
    for d, t in report(doc["datasets"], today):
        out.append(
            {
                "as_of": today.isoformat(),
                "dataset": d["id"],
                "title": d["title"],
                "publisher": d["publisher"],
                "frequency": d.get("frequency"),
                "last_update": d.get("last_update"),
                "last_update_source": d.get("last_update_source"),
                "expected": t.expected if t else None,
                "deadline": t.deadline if t else None,
                "status": t.status if t else "not_applicable",
                "working_days_left": t.working_days_left if t else None,
                "working_days_overdue": t.working_days_overdue if t else None,
                "official_calendar": t.official_calendar if t else True,
            }
        )
    return out


def _deadlines(catalog, doc, gate, today) -> list[dict]:
    from govdata.oversight.events import events

    return [{**{k: v for k, v in e.to_dict().items() if k != "limit"}, "limit_days": e.limit} for e in events(catalog)]


def _scorecards(catalog, doc, gate, today) -> list[dict]:
    from govdata.oversight.scorecard import scorecards

    cards = scorecards(doc, today, gate=gate)
    out = []
    for p in doc["publishers"]:
        for scope in ("own", "tree"):
            c = cards[p["id"]][scope]
            out.append(
                {
                    "as_of": today.isoformat(),
                    "publisher": p["id"],
                    "publisher_name": p["name"],
                    "level": p["level"],
                    "scope": scope,
                    **c["quantity"],
                    **{k: v for k, v in c["quality"].items()},
                    **c["confidentiality"],
                    "udata_score": c["norms"]["udata_score"],
                    "mqa_points": c["norms"]["mqa_points"],
                    "mqa_band": c["norms"]["mqa_band"],
                    **c["scope"],
                    **{k: v for k, v in c["timeliness"].items()},
                }
            )
    return out


def _annual_report(catalog, doc, gate, today) -> list[dict]:
    from govdata.oversight.annual import all_reports
    from govdata.pipelines.steps import StepError

    cells, problems = all_reports(catalog, today)
    if problems:
        raise StepError(
            "annual-report inputs: "
            + "; ".join(f"{p.file} row {p.row} column {p.field}: {p.code}: {p.message}" for p in problems[:20])
        )
    return cells


@hookimpl
def register_pipeline_sources() -> dict[str, Any]:
    """The derived datasets' pipeline source, ``oversight`` (its ``table`` parameter names the table)."""
    return {PIPELINE: lambda ctx, table="", **_: table_rows(ctx, table)}
