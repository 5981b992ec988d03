"""政府信息公开工作年度报告: the tables a catalogue can fill from its own records, per publisher and year.

Filled from the catalogue (table 二, the publisher's own records):

- 规章 / 行政规范性文件: rows of the policy indexes (:func:`govdata.oversight.events.policy_indexes`)
  whose ``category`` is 规章 or 行政规范性文件 and whose ``issuer`` is the publisher's name —
  制发 in the year (``issue_date``), 废止 in the year (``validity`` 废止 or 失效, ``validity_changed``
  in the year), 现行有效 at the end of the year (issued by then, not repealed by then);
- 行政许可 / 行政处罚: rows of the publisher's datasets that use the shared schemas
  ``shared:admin-licence`` / ``shared:admin-penalty`` (双公示) with a ``decision_date`` in the year;
- the addendum ``2.D``: datasets first issued in the year (``issued``), updated in the year
  (``modified`` in the year and not the first issue, or a commit changing their data files), and
  withdrawn in the year (their descriptor deleted in the repository's history).

Given by the publisher (they are not in any catalogue): 行政强制, 行政事业性收费, all of table 三
(applications) and table 四 (reviews and litigation), in ``reports/<publisher>/<year>.yaml`` —
the input descriptor, documented in ``docs/oversight.md``. Totals the publisher leaves out are
computed; totals it gives are kept and checked. The arithmetic of the format is checked on the
result (:func:`verify`): every 总计 and every heading with parts is the sum of its parts, and in
table 三 一 + 二 = 三(七)总计 + 四 for every column. Each problem names the file, the row code, the
column and a stable code.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass
from pathlib import Path

from govdata.oversight import reportformat as fmt
from govdata.oversight.events import _git, data_releases, policy_indexes, read_rows

DOCUMENT_ROWS = {"规章": "2.1", "行政规范性文件": "2.2"}
DECISION_SCHEMAS = {"shared:admin-licence": "2.3", "shared:admin-penalty": "2.4"}
INPUT_FOLDER = "reports"


@dataclass(frozen=True)
class Problem:
    code: str  # report-sum | report-balance | report-input
    file: str
    row: str
    field: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def _cell(
    publisher: str, year: int, table: str, row: str, row_label: str, column: str, column_label: str, value, source: str
) -> dict:
    return {
        "publisher": publisher,
        "year": year,
        "table": table,
        "row": row,
        "row_label": row_label,
        "column": column,
        "column_label": column_label,
        "value": value,
        "source": source,
    }


def load_inputs(root: Path) -> dict[tuple[str, int], tuple[str, dict]]:
    """``reports/<publisher>/<year>.yaml`` → {(publisher, year): (repository path, content)}."""
    from govdata.catalog.safeyaml import load_descriptor

    found = {}
    for path in sorted((root / INPUT_FOLDER).glob("*/*.y*ml")):
        if not path.stem.isdigit():
            continue
        try:
            data, _ = load_descriptor(path)
        except Exception:  # reported by verify_input as unreadable
            data = None
        found[(path.parent.name, int(path.stem))] = (
            path.relative_to(root).as_posix(),
            data if isinstance(data, dict) else {},
        )
    return found


def _count(value, where: str, row: str, column: str, problems: list[Problem], number=int):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float) if number is float else int) or value < 0:
        problems.append(
            Problem(
                "report-input",
                where,
                row,
                column,
                f"not a non-negative {'number' if number is float else 'whole number'}: {value!r}",
            )
        )
        return None
    return value


def _own(catalog) -> dict[str, list]:
    """Datasets by publisher, once per catalogue object."""
    cached = catalog.__dict__.get("_datasets_by_publisher")
    if cached is None:
        cached = {}
        for ds in catalog.datasets:
            cached.setdefault(ds.get("publisher"), []).append(ds)
        catalog.__dict__["_datasets_by_publisher"] = cached
    return cached


def _index_rows(catalog) -> list[tuple]:
    """(dataset, resource, rows) of every policy index, read once per catalogue object."""
    cached = catalog.__dict__.get("_policy_index_rows")
    if cached is None:
        cached = [(ds, res, read_rows(res.source)) for ds, res in policy_indexes(catalog)]
        catalog.__dict__["_policy_index_rows"] = cached
    return cached


def active_cells(catalog, publisher: str, year: int, given: dict, where: str, problems: list[Problem]) -> list[dict]:
    pub = catalog.publishers[publisher]
    start, end = f"{year}-01-01", f"{year}-12-31"
    counts = {(row, col): 0 for row, _, cols, _ in fmt.ACTIVE[:4] for col, _ in cols}
    indexes = _index_rows(catalog)
    where_docs = ", ".join(f"{ds.name}/{res.name}" for ds, res, _ in indexes) or "no policy index"
    sources = {
        row: f"{where_docs}: category, issuer = {pub.name}, issue_date, validity, validity_changed"
        for row in DOCUMENT_ROWS.values()
    }
    sources.update({row: f"no dataset of {publisher} uses {schema}" for schema, row in DECISION_SCHEMAS.items()})
    found: dict[str, list[str]] = {}
    for _ds, _res, rows in indexes:
        for r in rows:
            row = DOCUMENT_ROWS.get(r.get("category") or "")
            if row is None or (r.get("issuer") or "").strip() != pub.name:
                continue
            issued, changed = r.get("issue_date") or "", r.get("validity_changed") or ""
            ended = r.get("validity") in ("废止", "失效")
            counts[(row, "issued")] += start <= issued <= end
            counts[(row, "repealed")] += ended and start <= changed <= end
            counts[(row, "in_force")] += bool(issued) and issued <= end and not (ended and changed and changed <= end)
    for ds in _own(catalog).get(publisher, []):
        for res in ds.resources:
            row = DECISION_SCHEMAS.get(res.schema_ref or "")
            if row is None or res.source is None or res.format != "csv" or "decision_date" not in res.field_names:
                continue
            counts[(row, "decisions")] += decision_years(res.source).get(str(year), 0)
            found.setdefault(row, []).append(f"{ds.name}/{res.name}.decision_date")
    sources.update({row: ", ".join(names) for row, names in found.items()})
    cells = []
    for row, label, cols, section in fmt.ACTIVE:
        for col, col_label in cols:
            if (row, col) in counts:
                value, source = counts[(row, col)], sources[row]
            else:
                key = "enforcement_decisions" if row == "2.5" else "fees_10k_yuan"
                value = _count(given.get(key), where, row, col, problems, float if row == "2.6" else int)
                source = f"{where}: {key}" if value is not None else "not given"
            cells.append(_cell(publisher, year, "二", row, f"{section} {label}", col, col_label, value, source))
    return cells


def decision_years(path: Path) -> dict[str, int]:
    """Decisions per year (``decision_date``) of a 双公示 table, read once per file version."""
    st = path.stat()
    return _decision_years(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _decision_years(path: str, _mtime: int, _size: int) -> dict[str, int]:
    import duckdb

    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT left(decision_date, 4), count(*) FROM read_csv(?, all_varchar = true, header = true) "
            "WHERE decision_date IS NOT NULL GROUP BY 1",
            [path],
        ).fetchall()
    finally:
        con.close()
    return {year: n for year, n in rows}


def catalogue_activity(catalog, publisher: str, year: int, released: set, deleted: set) -> list[dict]:
    """``released``: (dataset, year) of the commits changing data files; ``deleted``: (publisher
    folder, dataset folder, year) of the descriptors deleted."""
    own = _own(catalog).get(publisher, [])
    y = str(year)
    published = {ds.name for ds in own if str(ds.get("issued") or "")[:4] == y}
    changed = {
        ds.name for ds in own if str(ds.get("modified") or "")[:4] == y and ds.get("modified") != ds.get("issued")
    }
    changed |= {ds.name for ds in own if (ds.name, year) in released}
    withdrawn = {folder for pub, folder, when in deleted if pub == publisher and when == year}
    values = {
        "2.D.1": (len(published), "descriptor issued"),
        "2.D.2": (len(changed), "descriptor modified; commits changing data files"),
        "2.D.3": (len(withdrawn), "descriptors deleted in the repository's history"),
    }
    return [
        _cell(publisher, year, "二", row, f"{section} {label}", col, col_label, values[row][0], values[row][1])
        for row, label, [(col, col_label)], section in fmt.ADDENDUM
    ]


def deletions(root: Path) -> list[tuple[str, str, dt.date]]:
    """(publisher folder, dataset folder, day) of every descriptor deleted in the repository's history."""
    out = _git(root, "log", "--diff-filter=D", "--format=%x00%cs", "--name-only", "--", "datasets")
    found = []
    for block in (out or "").split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        day = dt.date.fromisoformat(lines[0])
        for path in lines[1:]:
            parts = path.split("/")
            if len(parts) == 4 and parts[3].startswith("datapackage."):
                found.append((parts[1], parts[2], day))
    return found


def application_cells(publisher: str, year: int, given: dict, where: str, problems: list[Problem]) -> list[dict]:
    apps = given.get("applications") or {}
    known = {key for _, key, _ in fmt.application_rows()}
    for key in apps:
        if key not in known:
            problems.append(
                Problem("report-input", where, str(key), "", f"unknown row key {key!r} (see docs/oversight.md)")
            )
    columns = [c for c, _ in fmt.APPLICANTS]
    values: dict[str, dict[str, int | None]] = {}
    for code, key, _ in fmt.application_rows():
        row = apps.get(key) or {}
        values[code] = {c: _count(row.get(c), where, code, c, problems) for c in columns + ["total"]}
    parts_of = {code: [c for c, _, _ in parts] for code, _, _, parts in fmt.APPLICATIONS if parts}
    parts_of["3.3.7"] = fmt.RESULTS
    for heading in ["3.3.3", "3.3.4", "3.3.5", "3.3.6", "3.3.7"]:  # parts before the 总计 that sums them
        for c in columns:
            if values[heading][c] is None:
                values[heading][c] = sum(values[p][c] or 0 for p in parts_of[heading])
    cells = []
    for code, key, label in fmt.application_rows():
        for c in columns:
            values[code][c] = values[code][c] or 0
        if values[code]["total"] is None:
            values[code]["total"] = sum(int(values[code][c] or 0) for c in columns)
        for c, c_label in fmt.APPLICANTS + [fmt.APPLICANT_TOTAL]:
            cells.append(
                _cell(publisher, year, "三", code, label, c, c_label, values[code][c], f"{where}: applications.{key}")
            )
    return cells


def appeal_cells(publisher: str, year: int, given: dict, where: str, problems: list[Problem]) -> list[dict]:
    appeals = given.get("reviews_and_litigation") or {}
    cells = []
    for group, g_label in fmt.APPEALS:
        row = appeals.get(group) or {}
        values = {c: _count(row.get(c), where, "4", f"{group}.{c}", problems) or 0 for c, _ in fmt.OUTCOMES}
        total = _count(row.get("total"), where, "4", f"{group}.total", problems)
        values["total"] = sum(values.values()) if total is None else total
        for c, c_label in fmt.OUTCOMES + [fmt.OUTCOME_TOTAL]:
            cells.append(
                _cell(
                    publisher,
                    year,
                    "四",
                    "4",
                    "行政复议、行政诉讼",
                    f"{group}.{c}",
                    f"{g_label}：{c_label}",
                    values[c],
                    f"{where}: reviews_and_litigation.{group}.{c}",
                )
            )
    return cells


def verify(cells: list[dict], where: str = "") -> list[Problem]:
    """The format's arithmetic on a report's cells: every 总计 and heading the sum of its parts, and
    一 + 二 = 三(七)总计 + 四 in every column of table 三."""
    v = {(c["table"], c["row"], c["column"]): c["value"] for c in cells}
    problems = []

    def expect(table: str, row: str, col: str, parts: list[tuple[str, str]], what: str) -> None:
        got, want = v.get((table, row, col)), sum(v.get((table, r, c)) or 0 for r, c in parts)
        if got is not None and got != want:
            problems.append(Problem("report-sum", where, row, col, f"{what}: {got} given, the parts sum to {want}"))

    if any(c["table"] == "三" for c in cells):
        applicant_cols = [c for c, _ in fmt.APPLICANTS]
        for code, _, _ in fmt.application_rows():
            expect("三", code, "total", [(code, c) for c in applicant_cols], "总计 of the row")
        headings = {code: [c for c, _, _ in parts] for code, _, _, parts in fmt.APPLICATIONS if parts}
        headings["3.3.7"] = fmt.RESULTS
        for col in applicant_cols + ["total"]:
            for heading, parts in headings.items():
                expect("三", heading, col, [(p, col) for p in parts], "heading")
            left = (v.get(("三", "3.1", col)) or 0) + (v.get(("三", "3.2", col)) or 0)
            right = (v.get(("三", "3.3.7", col)) or 0) + (v.get(("三", "3.4", col)) or 0)
            if left != right:
                problems.append(
                    Problem(
                        "report-balance",
                        where,
                        "3.1+3.2=3.3.7+3.4",
                        col,
                        f"一 + 二 = {left} but 三(七)总计 + 四 = {right}",
                    )
                )
    if any(c["table"] == "四" for c in cells):
        for group, _ in fmt.APPEALS:
            expect("四", "4", f"{group}.total", [("4", f"{group}.{c}") for c, _ in fmt.OUTCOMES], "总计 of the group")
    return problems


def report(
    catalog, publisher: str, year: int, inputs: dict | None = None, releases=None, removed=None
) -> tuple[list[dict], list[Problem]]:
    """The cells of one publisher's report for one year, and the problems found. ``releases`` and
    ``removed`` (:func:`data_releases`, :func:`deletions`) are read from the repository when not given."""
    inputs = load_inputs(catalog.root) if inputs is None else inputs
    return _report(catalog, publisher, year, inputs, *_history(catalog, releases, removed))


def _history(catalog, releases=None, removed=None) -> tuple[set, set]:
    if releases is None:
        releases = data_releases(
            catalog.root, {ds.name: ds.dir.relative_to(catalog.root).as_posix() for ds in catalog.datasets}
        )
    removed = deletions(catalog.root) if removed is None else removed
    return {(name, day.year) for name, _, day, _ in releases if day}, {(p, f, day.year) for p, f, day in removed}


def _report(
    catalog, publisher: str, year: int, inputs: dict, released: set, deleted: set
) -> tuple[list[dict], list[Problem]]:
    where, given = inputs.get((publisher, year), ("", {}))
    problems: list[Problem] = []
    cells = active_cells(catalog, publisher, year, given, where, problems)
    cells += catalogue_activity(catalog, publisher, year, released, deleted)
    if where:
        if given.get("publisher") not in (None, publisher) or given.get("year") not in (None, year):
            problems.append(
                Problem("report-input", where, "", "publisher/year", "publisher or year differs from the file's place")
            )
        cells += application_cells(publisher, year, given, where, problems)
        cells += appeal_cells(publisher, year, given, where, problems)
    return cells, problems + verify(cells, where)


def years(catalog, today: dt.date, inputs: dict) -> list[int]:
    """From the first year of the catalogue's records up to ``today``'s year."""
    first = [int(str(ds.get("issued"))[:4]) for ds in catalog.datasets if str(ds.get("issued") or "")[:4].isdigit()]
    first += [y for _, y in inputs]
    return list(range(min(first, default=today.year), today.year + 1))


def all_reports(catalog, today: dt.date) -> tuple[list[dict], list[Problem]]:
    inputs = load_inputs(catalog.root)
    released, deleted = _history(catalog)
    cells, problems = [], []
    for year in years(catalog, today, inputs):
        for pid in catalog.publishers:
            c, p = _report(catalog, pid, year, inputs, released, deleted)
            cells += c
            problems += p
    return cells, problems
