"""Event deadlines: was each document and each change published in time, counted in working days?

Two rules, each measured per event with the numbers (days counted as working days after the
first date up to and including the second, :func:`govdata.oversight.timeliness.working_days_between`):

- **policy-5**: a new policy document is published on the portal within **5 working days** of its
  issue (``../seeds/003``: "新出台的……政策文件须于5个工作日内在县政府门户网站公开"). Dates: the
  ``issue_date`` (成文日期) and ``publish_date`` (门户网站发布日期) columns of every policy index in
  the catalogue — a resource with the fields ``doc_id``, ``kind``, ``issue_date`` and
  ``publish_date`` (rows of ``kind`` ``policy``).
- **change-20**: a change is published within **20 working days** of being made (《政府信息公开条例》
  第二十六条). Two kinds of change: a document's validity changing (修改、废止、失效 — the policy
  index's ``validity_changed`` and ``validity_published`` columns), and a release of a dataset's
  data — made on the descriptor's ``modified`` date as it stood in the commit that changed the data
  files, published on that commit's date (the repository's history: what is merged is what the
  build publishes).

An event without both dates is ``not_measurable`` and says which date is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from govdata.oversight.timeliness import _date, is_workday, working_days_between

POLICY_DAYS = 5  # seeds/003: new policy documents on the portal within 5 working days
CHANGE_DAYS = 20  # 条例 第二十六条
INDEX_FIELDS = {"doc_id", "kind", "issue_date", "publish_date"}
STATUSES = ("late", "on_time", "not_measurable")


@dataclass(frozen=True)
class Event:
    rule: str  # policy-5 | change-20
    subject: str  # dataset id, or <policy index dataset>/<doc_id>
    title: str
    publisher: str
    event: str  # issued | validity:<状态> | data-release
    made: str | None
    made_from: str  # where the first date comes from
    published: str | None
    published_from: str
    working_days: int | None
    limit: int
    late_by: int | None
    status: str
    official_calendar: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


def measure(
    rule: str,
    subject: str,
    title: str,
    publisher: str,
    event: str,
    made,
    made_from: str,
    published,
    published_from: str,
) -> Event:
    limit = POLICY_DAYS if rule == "policy-5" else CHANGE_DAYS
    first, second = _date(made), _date(published)
    days = late = None
    status, official = "not_measurable", True
    if first is not None and second is not None:
        days = working_days_between(first, second)
        official = all(is_workday(d)[1] for d in (first, second))
        late = days - limit if days > limit else None
        status = "late" if late else "on_time"
    return Event(
        rule,
        subject,
        title,
        publisher,
        event,
        first.isoformat() if first else None,
        made_from,
        second.isoformat() if second else None,
        published_from,
        days,
        limit,
        late,
        status,
        official,
    )


def policy_indexes(catalog) -> list[tuple]:
    """(dataset, resource) of every policy index in the catalogue."""
    return [
        (ds, res)
        for ds in catalog.datasets
        for res in ds.resources
        if res.source is not None and INDEX_FIELDS <= set(res.field_names)
    ]


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def policy_events(catalog) -> list[Event]:
    out: list[Event] = []
    for ds, res in policy_indexes(catalog):
        where = f"{ds.name}/{res.name}"
        for row in read_rows(res.source):
            subject, title = f"{ds.name}/{row['doc_id']}", row.get("title") or ""
            if row.get("kind") == "policy":
                out.append(
                    measure(
                        "policy-5",
                        subject,
                        title,
                        ds.get("publisher") or "",
                        "issued",
                        row.get("issue_date"),
                        f"{where}.issue_date",
                        row.get("publish_date"),
                        f"{where}.publish_date",
                    )
                )
            if row.get("validity") and row.get("validity") != "有效":
                out.append(
                    measure(
                        "change-20",
                        subject,
                        title,
                        ds.get("publisher") or "",
                        f"validity:{row['validity']}",
                        row.get("validity_changed"),
                        f"{where}.validity_changed",
                        row.get("validity_published"),
                        f"{where}.validity_published",
                    )
                )
    return out


_MODIFIED = re.compile(r'^modified:\s*["\']?(\d{4}-\d{2}-\d{2})', re.M)


def _git(root: Path, *args: str) -> str | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=120, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def data_releases(root: Path, folders: dict[str, str]) -> list[tuple[str, str, dt.date | None, str | None]]:
    """(dataset, commit, commit date, descriptor ``modified`` in that commit) for every commit that
    changed a dataset's data files (status M: a release after the first publication)."""
    out = _git(root, "log", "--format=%x00%H %cs", "--name-status", "--", *sorted(set(folders.values())))
    if not out:
        return []
    by_folder = {folder.rstrip("/") + "/": name for name, folder in folders.items()}
    found = []
    for block in out.split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        commit, _, day = lines[0].partition(" ")
        names: dict[str, str] = {}
        for line in lines[1:]:
            status, _, path = line.partition("\t")
            for prefix, name in by_folder.items():
                if (
                    path.startswith(prefix)
                    and status.startswith("M")
                    and not Path(path).name.startswith("datapackage.")
                ):
                    names[name] = prefix
        for name, prefix in sorted(names.items()):
            text = None
            for ext in ("yaml", "yml", "json"):
                text = _git(root, "show", f"{commit}:{prefix}datapackage.{ext}")
                if text:
                    break
            m = _MODIFIED.search(text or "") or re.search(r'"modified":\s*"(\d{4}-\d{2}-\d{2})', text or "")
            found.append((name, commit, _date(day), m.group(1) if m else None))
    return found


def release_events(catalog) -> list[Event]:
    folders = {ds.name: ds.dir.relative_to(catalog.root).as_posix() for ds in catalog.datasets}
    out = []
    for name, commit, day, modified in data_releases(catalog.root, folders):
        ds = catalog.dataset(name)
        out.append(
            measure(
                "change-20",
                name,
                (ds.get("title") if ds else "") or "",
                (ds.get("publisher") if ds else "") or "",
                f"data-release:{commit[:12]}",
                modified,
                "descriptor modified in the commit",
                day,
                "commit date in the repository",
            )
        )
    return out


def events(catalog) -> list[Event]:
    """Every measured event, late first (most working days late first)."""
    order = {s: i for i, s in enumerate(STATUSES)}
    found = policy_events(catalog) + release_events(catalog)
    return sorted(found, key=lambda e: (order[e.status], -(e.late_by or 0), e.rule, e.subject, e.event))
