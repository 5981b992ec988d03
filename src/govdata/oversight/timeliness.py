"""Is each dataset up to date? Measured as the policy measures it, in Chinese working days.

A dataset declares how often it is updated. From its last real update (the later of the
descriptor's ``modified`` and the last commit in the repository's history that changed one of its
data files — a first publication is not an update) the next release is **expected** one period later (calendar: a day, a week, a month, a
quarter, half a year, a year). What is formed must then be published within **20 working days**
(《政府信息公开条例》第二十六条): that is the **deadline**. Working days follow the State Council
schedule through ``chinese-calendar``: weekends and public holidays excluded, make-up workdays
(调休上班) included. Years the calendar does not cover yet count Monday to Friday, and say so.

Status on a given day (an input: ``--today`` or ``GOVDATA_TODAY``, so every figure is reproducible):

- ``on_time``: the next release is not expected yet;
- ``due_soon``: expected, and the deadline not passed (``working_days_left`` until it);
- ``overdue``: the deadline passed ``working_days_overdue`` working days ago;
- ``not_applicable``: ``irregular``, ``on_change`` (changes follow the 20-working-day rule per
  change, not a calendar) and ``never``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

PERIOD = {
    "daily": relativedelta(days=1),
    "weekly": relativedelta(weeks=1),
    "monthly": relativedelta(months=1),
    "quarterly": relativedelta(months=3),
    "semiannual": relativedelta(months=6),
    "annual": relativedelta(years=1),
}
LEGAL_WORKING_DAYS = 20  # 条例 第二十六条: within 20 working days of being formed or changed
STATUSES = ("on_time", "due_soon", "overdue", "not_applicable")


@functools.lru_cache(maxsize=128)
def _year(year: int) -> tuple[tuple[int, ...], bool]:
    """Working days of ``year`` before each of its days (cumulative), and whether the official
    schedule covers the year (otherwise Monday to Friday)."""
    import chinese_calendar
    from chinese_calendar import utils

    day, cumulative, count = dt.date(year, 1, 1), [], 0
    try:
        chinese_calendar.is_workday(day)
        official = True
    except NotImplementedError:  # a year the schedule does not cover yet
        official = False
    # chinese_calendar.is_workday's own test, without its check of the year on every call (a min
    # and a max over every holiday it knows: ~0.15 s of a process's first timeliness, 20 years)
    workdays, holidays = utils.workdays, utils.holidays
    while day.year == year:
        cumulative.append(count)
        if official:
            count += day in workdays or (day.weekday() <= 4 and day not in holidays)
        else:
            count += day.weekday() < 5
        day += dt.timedelta(days=1)
    cumulative.append(count)
    return tuple(cumulative), official


FIRST_YEAR, LAST_YEAR = 1900, 2199  # dates outside are not dates of this catalogue
_BEFORE: dict[int, int] = {FIRST_YEAR: 0}


def _before_year(year: int) -> int:
    """Working days from FIRST_YEAR-01-01 to the start of ``year`` (iterative, memoised)."""
    if not FIRST_YEAR <= year <= LAST_YEAR + 1:
        raise ValueError(f"year {year} outside {FIRST_YEAR}–{LAST_YEAR}")
    known = max(y for y in _BEFORE if y <= year)
    while known < year:
        _BEFORE[known + 1] = _BEFORE[known] + _year(known)[0][-1]
        known += 1
    return _BEFORE[year]


def _ordinal(day: dt.date) -> int:
    """Working days from FIRST_YEAR-01-01 up to and including ``day``."""
    cumulative, _ = _year(day.year)
    k = day.timetuple().tm_yday
    return _before_year(day.year) + cumulative[k]


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, from the official schedule)."""
    cumulative, official = _year(day.year)
    k = day.timetuple().tm_yday
    return cumulative[k] > cumulative[k - 1], official


def add_working_days(start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The ``n``-th working day after ``start`` (and whether every day came from the schedule)."""
    day, official, left = start, True, n
    while left > 0:
        day += dt.timedelta(days=1)
        work, known = is_workday(day)
        official &= known
        left -= work
    return day, official


def working_days_between(after: dt.date, until: dt.date) -> int:
    """Working days in (after, until]; negative when ``until`` is earlier."""
    return _ordinal(until) - _ordinal(after)


@dataclass(frozen=True)
class Timeliness:
    frequency: str
    last_update: str
    expected: str | None
    deadline: str | None
    status: str
    working_days_left: int | None = None
    working_days_overdue: int | None = None
    official_calendar: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=65536)
def assess(frequency: str, last_update: dt.date, today: dt.date) -> Timeliness:
    period = PERIOD.get(frequency)
    if period is None:
        return Timeliness(frequency, last_update.isoformat(), None, None, "not_applicable")
    expected = last_update + period
    deadline, official = add_working_days(expected, LEGAL_WORKING_DAYS)
    days_late = working_days_between(deadline, today)
    late: int | None = days_late
    if today < expected:
        status, left, late = "on_time", None, None
    elif days_late < 1:  # up to the deadline, and the days off right after it
        status, left, late = "due_soon", max(0, working_days_between(today, deadline)), None
    else:
        status, left = "overdue", None
    return Timeliness(
        frequency, last_update.isoformat(), expected.isoformat(), deadline.isoformat(), status, left, late, official
    )


def today(value: str | dt.date | None = None) -> dt.date:
    """The day figures are computed for: ``value`` (ValueError when it is not a date), else
    ``GOVDATA_TODAY`` (ignored when it is not a date: serving goes on with the clock), else the clock."""
    if isinstance(value, dt.date):
        return value
    if value:
        return dt.date.fromisoformat(value)
    day = _date(os.environ.get("GOVDATA_TODAY") or "")
    return day or dt.date.today()


def _date(value) -> dt.date | None:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR - 2 else None


def data_updates(root: Path, folders: list[str]) -> dict[str, dt.date]:
    """Per dataset folder (``datasets/<publisher>/<dataset>``, relative to ``root``), the date of the
    last commit that *changed* one of its data files (status M: a later release, not the first
    publication; descriptors excluded), from one ``git log`` over the top folders named (not one
    pathspec per dataset: git matches every path against every pathspec, and 10,000 of them made
    the walk quadratic). Empty when ``root`` is not a git repository (a copy, an export)."""
    wanted = set(folders)
    tops = sorted({folder.split("/", 1)[0] for folder in wanted})
    if not tops:
        return {}
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "--relative", "--format=%x00%cs", "--name-status", "--", *tops],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    depth = {folder.count("/") + 1 for folder in wanted}
    found: dict[str, dt.date] = {}
    for block in out.split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        day = _date(lines[0]) if lines else None
        if day is None:
            continue
        for line in lines[1:]:
            status, _, path = line.partition("\t")
            if not status.startswith("M") or path.rsplit("/", 1)[-1].startswith("datapackage."):
                continue
            parts = path.split("/")
            for n in depth:  # the folder holding the file, looked up (not compared with each folder)
                folder = "/".join(parts[:n])
                if len(parts) > n and folder in wanted and folder not in found:
                    found[folder] = day  # git log is newest first
    return found


def last_update(modified: Any, committed: dt.date | None) -> tuple[dt.date | None, str]:
    """The later of the descriptor's ``modified`` and the last commit, and which one it was."""
    declared = _date(modified)
    if committed and (declared is None or committed > declared):
        return committed, "repository"
    return declared, "descriptor"


ORDER = {"overdue": 0, "due_soon": 1, "on_time": 2, "not_applicable": 3}


def entry_timeliness(entry: dict, day: dt.date) -> Timeliness | None:
    """The timeliness of a portal entry (``directory/portal.json``) on ``day``."""
    last = _date(entry.get("last_update") or entry.get("modified"))
    return assess(entry.get("frequency") or "irregular", last, day) if last else None


def report(
    entries: list[dict], day: dt.date, items: list[Timeliness | None] | None = None
) -> list[tuple[dict, Timeliness | None]]:
    """Every entry with its timeliness, the overdue list first (most working days overdue first)."""
    items = items if items is not None else [entry_timeliness(e, day) for e in entries]
    return sorted(
        zip(entries, items),
        key=lambda ei: (
            ORDER[ei[1].status if ei[1] else "not_applicable"],
            -((ei[1].working_days_overdue or 0) if ei[1] else 0),
            (ei[1].working_days_left or 0) if ei[1] else 0,
            ei[0]["id"],
        ),
    )
