"""A check of many datasets on every core: processes, since most of a small dataset's check is
Python (descriptor checks, structure pass, plans, the personal-data review) that threads would
run one at a time.

Only a check whose caller wants the report alone (``govdata check``; a build keeps the tables it
checked, so it runs in one process) and only from PARALLEL_DATASETS datasets. The catalogue is
loaded once; the process then forks, before any DuckDB database or thread exists (checked: the
process has one thread), and each process checks every n-th selected dataset (plus the targets of
their foreign keys, read but not reported) with its own DuckDB connection, as a whole check would.
The reports come back in sections (descriptor findings, Frictionless's verdicts, each resource's
findings, the findings counted after foreign keys), each merged in catalogue order: the report is
the one a single process writes, finding for finding (``tests/test_gate_batch.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from govdata.catalog.model import Catalog, Dataset
from govdata.forking import can_fork, forked_pool  # noqa: F401  (the runner asks can_fork here)
from govdata.findings import Report

PARALLEL_DATASETS = 200
# (findings, stats, notices) counts where each section of a report starts
Marks = dict[str, tuple[int, int, int]]
Share = Callable[[Catalog, list[Dataset], Path], tuple[Report, Marks]]
_job: tuple[Share, Catalog, list[list[Dataset]], Path] | None = None


def env_count(name: str) -> int:
    """A positive count set in the environment variable ``name``, or 0 (unset or not a number)."""
    try:
        return max(0, int(os.environ.get(name, "0")))
    except ValueError:
        return 0


def processes(datasets: int) -> int:
    """How many processes check ``datasets`` datasets (``GOVDATA_CHECK_PROCESSES`` overrides)."""
    if wanted := env_count("GOVDATA_CHECK_PROCESSES"):
        return wanted
    return min(os.cpu_count() or 1, 4) if datasets >= PARALLEL_DATASETS else 1


def _child(k: int) -> tuple[Report, Marks]:
    assert _job is not None
    share, catalog, shares, workdir = _job
    return share(catalog, shares[k], workdir / f"part-{k}")


def check(catalog: Catalog, selected: list[Dataset], workdir: Path, report: Report, n: int, share: Share) -> None:
    """Check ``selected`` in ``n`` processes (this one included) with ``share``, into ``report``."""
    global _job
    shares = [selected[k::n] for k in range(n)]
    _job = (share, catalog, shares, workdir)
    try:
        with forked_pool(n - 1) as pool:
            others = pool.map_async(_child, range(1, n))
            parts = [share(catalog, shares[0], workdir / "part-0")] + others.get()
    finally:
        _job = None
    merge(catalog, report, parts)


SECTIONS = ("metadata", "verdicts", "resources", "collected")


def merge(catalog: Catalog, report: Report, parts: list[tuple[Report, Marks]]) -> None:
    """Each section of the parts' reports, in catalogue order (a stable sort: a dataset's own
    findings keep their order), after what ``report`` holds already."""
    order = {ds.name: i for i, ds in enumerate(catalog.datasets)}
    for kind in range(3):  # findings, stats, notices
        sections: list[list[tuple[int, Any]]] = [[] for _ in SECTIONS]
        for part, marks in parts:
            items = (part.findings, part.stats, part.notices)[kind]
            bounds = [marks[s][kind] for s in SECTIONS] + [len(items)]
            for s in range(len(SECTIONS)):
                key = -1
                for item in items[bounds[s] : bounds[s + 1]]:
                    key = order.get(getattr(item, "dataset", None) or "", key)
                    sections[s].append((key, item))
        target = (report.findings, report.stats, report.notices)[kind]
        for section in sections:
            target.extend(item for _, item in sorted(section, key=lambda pair: pair[0]))
    completeness = {name: c for part, _ in parts for name, c in part.completeness.items()}
    report.completeness.update(sorted(completeness.items(), key=lambda kv: order.get(kv[0], -1)))
