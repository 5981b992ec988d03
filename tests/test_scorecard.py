"""Publisher scorecards: roll-ups equal the sum of the subtree, checks recomputed by hand, and a
publisher's score moves when one of its datasets changes."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json

import pytest

from govdata.oversight import scorecard as sc
from govdata.oversight.timeliness import entry_timeliness

DAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def doc(built):
    return json.loads((built / "directory" / "portal.json").read_text())


def test_rollup_of_a_node_is_its_own_plus_its_children(doc):
    cards = sc.scorecards(doc, DAY)
    children: dict = {}
    for p in doc["publishers"]:
        children.setdefault(p.get("parent"), []).append(p["id"])
    summed = lambda pid, part, key: (
        cards[pid]["own"][part][key] + sum(cards[c]["tree"][part][key] for c in children.get(pid, []))
    )
    for p in doc["publishers"]:
        for part, key in (
            ("quantity", "datasets"),
            ("quantity", "resources"),
            ("quantity", "cells"),
            ("quantity", "bytes"),
            ("timeliness", "overdue"),
            ("timeliness", "working_days_overdue"),
            ("timeliness", "datasets_with_calendar"),
        ):
            assert cards[p["id"]]["tree"][part][key] == summed(p["id"], part, key), (p["id"], key)
    root = next(p["id"] for p in doc["publishers"] if not p.get("parent"))
    # every dataset but the platform's own derived ones (they measure the others)
    assert cards[root]["tree"]["quantity"]["datasets"] == len([d for d in doc["datasets"] if not d["derived"]]) > 0


def test_udata_checks_by_hand(doc):
    d = next(e for e in doc["datasets"] if e["id"] == "hz-shuanggongshi")
    checks = sc.udata_checks(d, entry_timeliness(d, DAY))
    # weekly, last modified 2025-07-04: overdue on 2026-12-02; everything else holds
    assert [k for k, ok in checks.items() if not ok] == ["update_fulfilled_in_time"]
    early = sc.udata_checks(d, entry_timeliness(d, dt.date(2025, 7, 5)))
    assert all(early.values())
    points = sc.mqa_points(d)
    assert sum(points.values()) == sc.MQA_MAX - 5  # no dct:rights on an unconditional dataset
    closed = next(e for e in doc["datasets"] if e["open_condition"] == "not_open")
    assert sc.mqa_points(closed)["accessibility.download_url"] == 0 and sc.band(0) == "bad"


def test_a_publishers_score_moves_with_one_of_its_datasets(doc):
    before = sc.scorecards(doc, DAY)["hz-amr"]["own"]["norms"]["udata_score"]
    worse = copy.deepcopy(doc)
    for d in worse["datasets"]:
        if d["id"] == "hz-shuanggongshi":
            d["license"], d["has_temporal"] = None, False
    after = sc.scorecards(worse, DAY)["hz-amr"]["own"]["norms"]["udata_score"]
    assert after == pytest.approx(before - 2 / 9, abs=1e-3)  # one dataset: two of nine checks fewer
    assert (
        sc.scorecards(worse, DAY)["hz-gov"]["tree"]["norms"]["udata_score"]
        < sc.scorecards(doc, DAY)["hz-gov"]["tree"]["norms"]["udata_score"]
    )


def test_scorecards_served(datasette_app, monkeypatch):
    monkeypatch.setenv("GOVDATA_TODAY", "2026-12-02")
    body = asyncio.run(datasette_app.client.get("/oversight/scorecards.json")).json()
    assert body["today"] == "2026-12-02" and "hz-gov" in body["publishers"]
    html = asyncio.run(datasette_app.client.get("/oversight/scorecards")).text
    assert "公开工作评分表" in html and "/publishers/xh-village" in html
    page = asyncio.run(datasette_app.client.get("/publishers/hz-gov")).text
    assert "含下级" in page and "udata" in page
