"""Publisher scorecards: what evaluators of active disclosure measure, per publisher and rolled up
the publisher tree (a city includes its districts, townships and villages).

Every figure is computed from the catalogue's own records (``directory/portal.json``) and the
timeliness of the day (:mod:`govdata.oversight.timeliness`); the formulas and their sources:

- **Quantity** (开放数林 数据层 "数据数量"; GB/T 38664.3 §5 开放数据量): datasets, resources, cells
  (rows × fields of the published tables), bytes published.
- **Quality** (开放数林 "数据质量"; GB/T 38664.3 §5 数据质量): *schema coverage* = fields with a title or
  description / fields; *missing-value rate* = empty cells / cells of the published tables (the
  null counts of the published Parquet files, :mod:`govdata.oversight.datastats`); *share of rows
  valid at the gate* = rows valid / rows read in the latest gate run of each dataset, including runs
  of builds that failed (:mod:`govdata.oversight.ledger`) — a published build is 100 % valid by
  construction, a failed submission is not.
- **Confidentiality** (保密审查): *incidents caught by the gate* = distinct confidentiality findings
  (personal data in the clear, negative-list fields, incomplete masking, missing review) in the
  ledger; *datasets failing the gate* in their latest run.
- **Norms** (开放数林 "数据规范"; udata; data.europa.eu MQA):
  *udata score* = the nine checks of udata (`core/dataset/models.py`, v17.18) that hold / 9: licence,
  temporal coverage, spatial coverage, update frequency declared, update fulfilled in time (not
  overdue on the day), description longer than 100 characters, an open format, every resource
  downloadable, resources documented (every resource described and every field titled or described);
  *MQA* = the EU portal's metadata quality points (max 405) for what this platform publishes in
  DCAT-AP (table ``MQA`` below; the "resolves" checks are the platform's own download URLs, whose
  files exist in the build; SHACL compliance is the catalogue's, held by the test suite), with the
  EU bands Excellent ≥ 351, Good ≥ 221, Sufficient ≥ 121, else Bad.
- **Scope** (开放数林 "开放范围"): themes covered; share of datasets unconditional / conditional / not open.
- **Timeliness** (条例 第二十六条): share of datasets with a calendar that are not overdue; working
  days overdue, summed.

No composite index is computed: GB/T 38664.3 Annex A leaves weights to the evaluating body, and a
single number would hide which of these to fix; the weights that exist are the sources' own (udata:
nine equal checks; MQA: the points above). The platform's own derived datasets (``derived: true``,
:mod:`govdata.oversight.derived`) measure the others and are not scored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from govdata.oversight.timeliness import Timeliness, entry_timeliness

OPEN_FORMATS = {"CSV", "PARQUET", "JSON", "XLSX"}
VOCABULARY_LICENCES = ("CC-BY-4.0", "CC0-1.0", "ODC-BY-1.0", "CC-BY-SA-4.0", "ODC-ODbL-1.0", "ODC-PDDL-1.0")
MQA_MAX = 405
BANDS = ((351, "excellent"), (221, "good"), (121, "sufficient"), (0, "bad"))


def udata_checks(d: dict, t: Timeliness | None) -> dict[str, bool]:
    published = bool(d.get("formats"))
    return {
        "license": bool(d.get("license")),
        "temporal_coverage": bool(d.get("has_temporal")),
        "spatial": bool(d.get("spatial")),
        "update_frequency": bool(d.get("frequency")),
        "update_fulfilled_in_time": t is None or t.status != "overdue",
        "description_length": len(d.get("description") or "") > 100,
        "has_open_format": bool(OPEN_FORMATS & set(d.get("formats") or [])),
        "all_resources_available": published,
        "resources_documentation": bool(d.get("resources"))
        and d.get("described_resources", 0) == len(d["resources"])
        and d.get("documented_fields", 0) == d.get("fields", 0),
    }


def mqa_points(d: dict) -> dict[str, int]:
    """Points per MQA indicator (dimension, indicator, weight) that the dataset earns."""
    published = bool(d.get("formats"))
    has = {
        ("findability", "keywords", 30): bool(d.get("keywords")),
        ("findability", "themes", 30): bool(d.get("themes")),
        ("findability", "spatial", 20): bool(d.get("spatial")),
        ("findability", "temporal", 20): bool(d.get("has_temporal")),
        ("accessibility", "access_url_resolves", 50): published,
        ("accessibility", "download_url", 20): published,
        ("accessibility", "download_url_resolves", 30): published,
        ("interoperability", "dcat_ap_compliance", 30): True,
        ("interoperability", "format", 20): published,
        ("interoperability", "media_type", 10): published,
        ("interoperability", "format_media_type_vocabulary", 10): published,
        ("interoperability", "non_proprietary", 20): published and bool(OPEN_FORMATS & set(d.get("formats") or [])),
        ("interoperability", "machine_readable", 20): published,
        ("reusability", "licence", 20): bool(d.get("license")),
        ("reusability", "licence_vocabulary", 10): d.get("license") in VOCABULARY_LICENCES,
        ("reusability", "access_rights", 10): bool(d.get("open_condition")),
        ("reusability", "access_rights_vocabulary", 5): bool(d.get("open_condition")),
        ("reusability", "contact_point", 20): bool(d.get("has_contact")),
        ("reusability", "publisher", 10): bool(d.get("publisher")),
        ("contextuality", "rights", 5): bool(d.get("has_rights")),
        ("contextuality", "byte_size", 5): published,
        ("contextuality", "issued", 5): bool(d.get("issued")),
        ("contextuality", "modified", 5): bool(d.get("modified")),
    }
    assert sum(w for (_, _, w) in has) == MQA_MAX
    return {f"{dim}.{name}": (w if ok else 0) for (dim, name, w), ok in has.items()}


def dataset_scores(d: dict, t: Timeliness | None) -> tuple[float, int]:
    """A dataset's udata score (the share of checks it passes) and its MQA points."""
    checks = udata_checks(d, t)
    return sum(checks.values()) / len(checks), sum(mqa_points(d).values())


def band(points: float) -> str:
    return next(name for floor, name in BANDS if points >= floor)


@dataclass
class Card:
    publisher: str
    datasets: int = 0
    resources: int = 0
    cells: int = 0
    bytes: int = 0
    fields: int = 0
    documented_fields: int = 0
    udata_sum: float = 0.0
    mqa_sum: int = 0
    themes: set = field(default_factory=set)
    open_condition: dict = field(default_factory=lambda: {"unconditional": 0, "conditional": 0, "not_open": 0})
    with_calendar: int = 0
    overdue: int = 0
    working_days_overdue: int = 0
    measured_cells: int = 0
    missing_cells: int = 0
    rows_read: int = 0
    rows_valid: int = 0
    gate_failed: int = 0
    incidents: int = 0

    def add(
        self, d: dict, t: Timeliness | None, gate: dict | None = None, scores: tuple[float, int] | None = None
    ) -> None:
        """Count dataset ``d`` in. ``scores``: its :func:`scores`, when the caller adds it to
        several cards (a dataset is in the tree of every publisher of its chain)."""
        self.datasets += 1
        self.resources += len(d.get("resources") or [])
        self.cells += d.get("cells") or 0
        self.bytes += d.get("bytes") or 0
        self.fields += d.get("fields") or 0
        self.documented_fields += d.get("documented_fields") or 0
        udata, mqa = scores if scores is not None else dataset_scores(d, t)
        self.udata_sum += udata
        self.mqa_sum += mqa
        if d.get("missing_cells") is not None:
            self.measured_cells += d.get("cells") or 0
            self.missing_cells += d["missing_cells"]
        if gate:
            self.rows_read += gate.get("rows_read") or 0
            self.rows_valid += gate.get("rows_valid") or 0
            self.gate_failed += not gate.get("passed", True)
            self.incidents += gate.get("incidents") or 0
        self.themes |= set(d.get("themes") or [])
        self.open_condition[d.get("open_condition") or "unconditional"] += 1
        if t is not None and t.status != "not_applicable":
            self.with_calendar += 1
            if t.status == "overdue":
                self.overdue += 1
                self.working_days_overdue += t.working_days_overdue or 0

    def to_dict(self) -> dict:
        n = self.datasets or 1
        mqa = round(self.mqa_sum / n, 1) if self.datasets else 0
        return {
            "publisher": self.publisher,
            "quantity": {
                "datasets": self.datasets,
                "resources": self.resources,
                "cells": self.cells,
                "bytes": self.bytes,
            },
            "quality": {
                "schema_coverage": round(self.documented_fields / self.fields, 3) if self.fields else None,
                "missing_rate": round(self.missing_cells / self.measured_cells, 4) if self.measured_cells else None,
                "missing_cells": self.missing_cells,
                "measured_cells": self.measured_cells,
                "rows_read_at_gate": self.rows_read,
                "rows_valid_at_gate": self.rows_valid,
                "share_rows_valid": round(self.rows_valid / self.rows_read, 4) if self.rows_read else None,
            },
            "confidentiality": {"incidents": self.incidents, "datasets_failing_gate": self.gate_failed},
            "norms": {
                "udata_score": round(self.udata_sum / n, 3) if self.datasets else None,
                "mqa_points": mqa if self.datasets else None,
                "mqa_band": band(mqa) if self.datasets else None,
            },
            "scope": {
                "themes": len(self.themes),
                **{f"share_{k}": round(v / n, 3) if self.datasets else None for k, v in self.open_condition.items()},
            },
            "timeliness": {
                "datasets_with_calendar": self.with_calendar,
                "overdue": self.overdue,
                "share_on_time": round(1 - self.overdue / self.with_calendar, 3) if self.with_calendar else None,
                "working_days_overdue": self.working_days_overdue,
            },
        }


def scorecards(
    doc: dict, today: dt.date, items: list[Timeliness | None] | None = None, gate: dict[str, dict] | None = None
) -> dict[str, dict[str, dict]]:
    """``{publisher: {"own": card, "tree": card}}``: its own datasets, and its whole subtree.
    ``gate``: per dataset, the gate's figures (:func:`govdata.oversight.ledger.gate_stats`)."""
    items = items if items is not None else [entry_timeliness(d, today) for d in doc["datasets"]]
    gate = gate or {}
    own = {p["id"]: Card(p["id"]) for p in doc["publishers"]}
    tree = {p["id"]: Card(p["id"]) for p in doc["publishers"]}
    for d, t in zip(doc["datasets"], items):
        if d.get("derived"):
            continue
        scored = dataset_scores(d, t)  # once, for its own card and each card of its chain
        if d.get("publisher") in own:
            own[d["publisher"]].add(d, t, gate.get(d["id"]), scored)
        for pid in d.get("publisher_chain") or []:
            if pid in tree:
                tree[pid].add(d, t, gate.get(d["id"]), scored)
    return {pid: {"own": own[pid].to_dict(), "tree": tree[pid].to_dict()} for pid in own}
