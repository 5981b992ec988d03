"""Timeliness in Chinese working days, checked against the State Council's published holiday
schedules (国务院办公厅关于节假日安排的通知, 2024–2026), and on the served site."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess

import pytest

from govdata.oversight import timeliness as tl

D = dt.date
# (a day, the next working day) by the official schedules: holidays skipped, make-up days (调休) worked
OFFICIAL = [
    (D(2024, 2, 3), D(2024, 2, 4)),  # 2024 Spring Festival: Sunday 4 Feb is a make-up workday
    (D(2024, 2, 9), D(2024, 2, 18)),  # 10–17 Feb off; Sunday 18 Feb worked
    (D(2024, 9, 28), D(2024, 9, 29)),  # National Day 2024: Sunday 29 Sep worked
    (D(2024, 9, 30), D(2024, 10, 8)),  # 1–7 Oct off
    (D(2024, 10, 11), D(2024, 10, 12)),  # Saturday 12 Oct worked
    (D(2025, 1, 25), D(2025, 1, 26)),  # 2025 Spring Festival: Sunday 26 Jan worked
    (D(2025, 1, 27), D(2025, 2, 5)),  # 28 Jan – 4 Feb off
    (D(2025, 2, 7), D(2025, 2, 8)),  # Saturday 8 Feb worked
    (D(2025, 9, 27), D(2025, 9, 28)),  # National Day and Mid-Autumn 2025: Sunday 28 Sep worked
    (D(2025, 9, 30), D(2025, 10, 9)),  # 1–8 Oct off
    (D(2025, 10, 10), D(2025, 10, 11)),  # Saturday 11 Oct worked
    (D(2026, 2, 13), D(2026, 2, 14)),  # 2026 Spring Festival: Saturday 14 Feb worked
    (D(2026, 2, 14), D(2026, 2, 24)),  # 15–23 Feb off
    (D(2026, 2, 27), D(2026, 2, 28)),  # Saturday 28 Feb worked
    (D(2026, 9, 18), D(2026, 9, 20)),  # National Day 2026: Sunday 20 Sep worked
    (D(2026, 9, 30), D(2026, 10, 8)),  # 1–7 Oct off
    (D(2026, 10, 9), D(2026, 10, 10)),  # Saturday 10 Oct worked
]


@pytest.mark.parametrize("day,following", OFFICIAL)
def test_next_working_day_follows_the_official_schedule(day, following):
    assert tl.add_working_days(day, 1) == (following, True)
    assert tl.working_days_between(day, following) == 1


def test_every_day_of_the_schedule_reads_as_chinese_calendar_says():
    """The year tables read the schedule's own days (not ``is_workday`` per day): the same answer
    on every day of every year it covers, and Monday to Friday outside them."""
    import chinese_calendar
    from chinese_calendar import utils

    first, last = min(utils.holidays).year, max(utils.holidays).year
    for year in (first - 1, *range(first, last + 1), last + 1):
        day = D(year, 1, 1)
        while day.year == year:
            official = first <= year <= last
            expected = chinese_calendar.is_workday(day) if official else day.weekday() < 5
            assert tl.is_workday(day) == (expected, official), day
            day += dt.timedelta(days=1)


def test_deadline_of_twenty_working_days_across_the_spring_festival():
    # expected on Monday 2 Feb 2026: working days 3–6 Feb (4), 9–13 (5), Sat 14 (1), 24–27 (4), Sat 28 (1),
    # 2–6 Mar (5) → the 20th is Friday 6 March
    assert tl.add_working_days(D(2026, 2, 2), 20) == (D(2026, 3, 6), True)
    item = tl.assess("monthly", D(2026, 1, 2), D(2026, 3, 6))
    assert (item.expected, item.deadline, item.status, item.working_days_left) == (
        "2026-02-02",
        "2026-03-06",
        "due_soon",
        0,
    )


# (frequency, last update, expected, deadline): the deadline counted by hand, 20 working days after the
# expected date, from the State Council's notices (国办发明电): holidays off, make-up days worked
DUE = [
    # 2024 Spring Festival: 10–17 Feb off, Sun 4 Feb and Sun 18 Feb worked (9 Feb, 除夕, a working day)
    ("weekly", D(2024, 1, 26), D(2024, 2, 2), D(2024, 3, 6)),
    # 2024 National Day: 1–7 Oct off, Sun 29 Sep and Sat 12 Oct worked
    ("monthly", D(2024, 8, 27), D(2024, 9, 27), D(2024, 10, 30)),
    # 2025 Spring Festival: 28 Jan – 4 Feb off, Sun 26 Jan and Sat 8 Feb worked
    ("quarterly", D(2024, 10, 24), D(2025, 1, 24), D(2025, 2, 27)),
    # 2025 National Day and Mid-Autumn: 1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked
    ("annual", D(2024, 9, 26), D(2025, 9, 26), D(2025, 10, 30)),
    # 2026 Spring Festival: 15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked: 11–14 Feb (4), 24–28 Feb (5),
    # 2–6 Mar (5), 9–13 Mar (5), Mon 16 Mar the 20th
    ("semiannual", D(2025, 8, 10), D(2026, 2, 10), D(2026, 3, 16)),
    # 2026 Mid-Autumn 25–27 Sep off; National Day 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked
    ("monthly", D(2026, 8, 18), D(2026, 9, 18), D(2026, 10, 22)),
]


@pytest.mark.parametrize("frequency,last,expected,deadline", DUE)
def test_due_dates_across_the_holidays_of_2024_to_2026(frequency, last, expected, deadline):
    item = tl.assess(frequency, last, expected)
    assert (item.expected, item.deadline, item.status, item.official_calendar) == (
        expected.isoformat(),
        deadline.isoformat(),
        "due_soon",
        True,
    )
    assert tl.assess(frequency, last, deadline).status == "due_soon"
    late = tl.assess(frequency, last, deadline + dt.timedelta(days=1))
    # the day after the deadline is overdue only if it is a working day
    assert late.status == ("overdue" if tl.is_workday(deadline + dt.timedelta(days=1))[0] else "due_soon")


def test_overdue_when_today_moves_one_working_day():
    item = tl.assess("weekly", D(2025, 9, 23), D(2025, 9, 29))
    assert item.status == "on_time" and item.expected == "2025-09-30"
    deadline = D.fromisoformat(tl.assess("weekly", D(2025, 9, 23), D(2025, 10, 1)).deadline)
    assert deadline == tl.add_working_days(D(2025, 9, 30), 20)[0]
    assert tl.assess("weekly", D(2025, 9, 23), deadline).status == "due_soon"
    following = tl.add_working_days(deadline, 1)[0]
    late = tl.assess("weekly", D(2025, 9, 23), following)
    assert (late.status, late.working_days_overdue) == ("overdue", 1)


@pytest.mark.parametrize("frequency", ["irregular", "on_change", "never"])
def test_frequencies_without_a_calendar_are_not_applicable(frequency):
    assert tl.assess(frequency, D(2020, 1, 1), D(2026, 12, 2)).status == "not_applicable"


def test_years_without_a_published_schedule_say_so():
    item = tl.assess("weekly", D(2026, 12, 30), D(2027, 1, 4))
    assert item.official_calendar is False


def test_today_is_an_input(monkeypatch):
    monkeypatch.setenv("GOVDATA_TODAY", "2025-05-06")
    assert tl.today() == D(2025, 5, 6)
    assert tl.today("2024-01-02") == D(2024, 1, 2)


def test_real_updates_come_from_the_repository_history(tmp_path):
    repo = tmp_path / "repo"
    folder = repo / "datasets" / "p" / "d"
    (folder / "data").mkdir(parents=True)

    def commit(day: str, message: str) -> None:
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": f"{day}T12:00:00",
            "GIT_COMMITTER_DATE": f"{day}T12:00:00",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
        }
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", message], check=True, env=env)

    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (folder / "datapackage.yaml").write_text("name: d\n")
    (folder / "data" / "t.csv").write_text("a\n1\n")
    commit("2025-01-10", "first publication")  # not an update
    assert tl.data_updates(repo, ["datasets/p/d"]) == {}
    (folder / "data" / "t.csv").write_text("a\n1\n2\n")
    commit("2025-03-03", "new rows")
    (folder / "datapackage.yaml").write_text("name: d\ntitle: x\n")
    commit("2025-04-01", "descriptor only")  # not a data update
    assert tl.data_updates(repo, ["datasets/p/d"]) == {"datasets/p/d": D(2025, 3, 3)}
    assert tl.last_update("2025-02-01", D(2025, 3, 3)) == (D(2025, 3, 3), "repository")
    assert tl.last_update("2025-05-01", D(2025, 3, 3)) == (D(2025, 5, 1), "descriptor")
    assert tl.data_updates(tmp_path / "not-a-repo", ["x"]) == {}


def test_served_timeliness_list_facet_and_badges(datasette_app, monkeypatch):
    monkeypatch.setenv("GOVDATA_TODAY", "2026-12-02")

    async def get(path: str):
        return await datasette_app.client.get(path)

    body = asyncio.run(get("/oversight/timeliness.json")).json()
    status = {d["id"]: d for d in body["datasets"]}
    air = status["hz-air-quality-daily"]  # daily, last modified 2025-06-19
    assert air["status"] == "overdue" and air["deadline"] == "2025-07-18"
    assert air["working_days_overdue"] == tl.working_days_between(D(2025, 7, 18), D(2026, 12, 2))
    assert status["hz-shuanggongshi"]["status"] == "overdue"  # weekly, last modified 2025-07-04
    assert status["zj-policy-documents"]["status"] == "not_applicable"  # on_change
    assert body["datasets"][0]["status"] == "overdue"  # the overdue list comes first
    html = asyncio.run(get("/datasets?freshness=overdue")).text
    overdue = [d["id"] for d in body["datasets"] if d["status"] == "overdue"]
    assert f">{len(overdue):,} 个数据集" in html
    assert "逾期未更新" in asyncio.run(get("/datasets/hz-air-quality-daily")).text
    monkeypatch.setenv("GOVDATA_TODAY", "2025-06-20")
    early = asyncio.run(get("/oversight/timeliness.json")).json()
    assert {d["id"]: d["status"] for d in early["datasets"]}["hz-air-quality-daily"] == "due_soon"


def test_cli_takes_today_as_a_flag(built):
    import json
    import sys

    out = built.parent.parent
    run = lambda *args: (
        subprocess.run(
            [sys.executable, "-m", "govdata", "timeliness", "--out", str(out), *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    first = json.loads(run("--today", "2025-06-20", "--format", "json"))
    later = json.loads(run("--today", "2026-12-02", "--format", "json"))
    status = lambda doc, name: next(d for d in doc["datasets"] if d["id"] == name)["status"]
    assert status(first, "hz-air-quality-daily") == "due_soon" and status(later, "hz-air-quality-daily") == "overdue"
    assert run("--today", "2026-12-02").splitlines()[0].startswith("hz-air-quality-daily")


def test_ckan_freshness_facet_and_filter(datasette_app, monkeypatch):
    monkeypatch.setenv("GOVDATA_TODAY", "2026-12-02")
    get = lambda path: asyncio.run(datasette_app.client.get(path)).json()["result"]
    timeliness = asyncio.run(datasette_app.client.get("/oversight/timeliness.json")).json()["datasets"]
    overdue = {d["id"] for d in timeliness if d["status"] == "overdue"}
    res = get('/api/3/action/package_search?rows=1000&fq=freshness:overdue&facet.field=["freshness"]')
    assert {p["name"] for p in res["results"]} == overdue
    assert res["facets"]["freshness"] == {"overdue": len(overdue)}
