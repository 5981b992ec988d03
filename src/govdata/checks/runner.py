"""``govdata check``: the whole gate over a catalogue, as a library call.

catalogue files → load → metadata checks → each resource's data checks (:mod:`.resource`:
pipelines, source preparation, DuckDB table checks) → foreign keys → report. The scratch DuckDB connection and
its loaded tables are handed to the builder, so a build reads each file once.
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from functools import partial
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

from govdata import duck as duckdb

from govdata.catalog.loader import discover, load
from govdata.catalog.model import Catalog, Dataset, Resource
from govdata.checks import parallel
from govdata.checks.batch import check_together, foreign_keys_together
from govdata.checks.collect import collect
from govdata.checks.keys import check_foreign_keys
from govdata.checks.loaded import LoadedTable
from govdata.checks.metadata import cached_frictionless, check_dataset_metadata, check_duplicates, completeness
from govdata.checks.resource import Checked, check_resource, examine, resource_counts
from govdata.checks.result import CheckedResource
from govdata.checks.table import TableChecks
from govdata.findings import Finding, Report, ResourceStats
from govdata.verdicts import VerdictCache

_In = TypeVar("_In")
_Out = TypeVar("_Out")


@dataclass(frozen=True)
class CheckRun:
    """The result of a check run: the catalogue as loaded, the report, and each resource the data
    checks read (:meth:`resource`), valid as long as the run is open (its connection holds them)."""

    catalog: Catalog
    report: Report
    selected: tuple[Dataset, ...]
    resources: Mapping[tuple[str, str], CheckedResource]
    _con: duckdb.DuckDBPyConnection | None  # None: checked in several processes, report only
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def resource(self, dataset: str, resource: str) -> CheckedResource | None:
        """A resource whose data was read and checked (None when it could not be read)."""
        return self.resources.get((dataset, resource))

    def close(self) -> None:
        try:
            if self._con is not None:
                self._con.close()
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()


def connect_scratch(workdir: Path, memory_limit: str = "512MB") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    spill = workdir / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory='{spill}'")
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute("SET preserve_insertion_order=true")
    con.execute("SET TimeZone='UTC'")  # zoned values never depend on the build machine's zone
    return con


def run_changed(
    root: Path, ref: str, workdir: Path | None = None, cache: VerdictCache | None = None, report_only: bool = False
) -> CheckRun:
    """Pull-request mode: check only the datasets a change since ``ref`` affects, plus breaking changes."""
    from govdata.checks.breaking import check_breaking
    from govdata.checks.changes import MAX_CHANGE_BYTES, affected, changed_paths

    catalog, _ = load(root, cache=cache)
    change = affected(catalog, changed_paths(catalog.root, ref))
    run = run_checks(
        root,
        [ds.dir for ds in change.datasets],
        workdir,
        select_none=not change.datasets,
        cache=catalog.verdicts,
        report_only=report_only,
    )
    for ds in run.selected:
        run.report.extend(check_breaking(run.catalog.root, ref, ds))
    if change.bytes > MAX_CHANGE_BYTES:
        run.report.add(
            Finding(
                "change-too-large",
                f"the change adds {change.bytes} bytes, over the {MAX_CHANGE_BYTES}-byte cap per pull request",
            )
        )
    return run


PARALLEL_RESOURCES = 16  # from this many resources a plain check uses two threads
CHUNK = 256  # resources read before their batch statements (batch.py) and the rest of their checks


def _check_threads(resources: int) -> int:
    if wanted := parallel.env_count("GOVDATA_CHECK_THREADS"):
        return wanted
    return 2 if resources >= PARALLEL_RESOURCES and (os.cpu_count() or 1) > 1 else 1


def run_checks(
    root: Path,
    paths: Iterable[Path] | None = None,
    workdir: Path | None = None,
    select_none: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
    typed_tables: Mapping[tuple[str, str], tuple[str, str]] | None = None,
    cache: VerdictCache | None = None,
    report_only: bool = False,
    loaded: tuple[Catalog, list[Finding]] | None = None,
    selection: Sequence[Dataset] | None = None,
) -> CheckRun:
    """Check the catalogue at ``root`` (only datasets under ``paths`` when given); slow verdicts
    are memoised in ``cache`` (default: that of ``<root>/_build``, see :mod:`govdata.verdicts`).
    ``report_only``: the caller reads the report alone (no :meth:`CheckRun.resource`), so many
    datasets may be checked in several processes (:mod:`govdata.checks.parallel`).

    A build passes its own scratch connection ``con`` (the warehouse attached) and ``typed_tables``:
    (dataset, resource) → (schema, table) where the one-pass proof may write a big file's typed
    values while proving it clean (see :func:`govdata.checks.proof.prove`); the result names the
    tables it wrote (:attr:`CheckedResource.typed_table`). ``loaded``: the catalogue and its
    loading findings when the caller loaded it already (a build: one load, not two); ``selection``:
    the datasets of ``loaded`` under ``paths``, when the caller knows them (no path of 10,000
    datasets resolved to find them)."""
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="govdata-check-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    early = None  # DuckDB starts while the catalogue loads, unless the check may fork (parallel.can_fork)
    if con is None and not (report_only and parallel.processes(len(discover(root))) > 1):
        early = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govdata-connect")
        connection = early.submit(connect_scratch, workdir)
        early.shutdown(wait=False)
    try:
        catalog, load_findings = loaded if loaded is not None else load(root, cache=cache)
    except BaseException:
        if early is not None:
            connection.result().close()
        if tmp is not None:
            tmp.cleanup()
        raise
    report = Report()
    selected = _select(catalog, root, paths, select_none, load_findings, report, selection)
    n = parallel.processes(len(selected)) if report_only and con is None and early is None else 1
    if n > 1 and parallel.can_fork():
        try:
            parallel.check(catalog, selected, workdir, report, n, _check_share)
        finally:
            if tmp is not None:
                tmp.cleanup()
        return CheckRun(catalog, report, tuple(selected), {}, None)
    if con is None:
        con = connection.result() if early is not None else connect_scratch(workdir)
        owned = True
    else:
        owned = False
    tables = TableChecks(con)
    tables.typed_into = dict(typed_tables or {})
    tables.workdir = workdir
    try:
        checked = _check_data(catalog, tables, selected, workdir, report, threaded=owned)
        _finish(catalog, tables, checked, report)
    except BaseException:
        if owned:
            tables.con.close()
        if tmp is not None:
            tmp.cleanup()
        raise
    resources = {key: _result(lt) for key, lt in tables.tables.items()}
    return CheckRun(catalog, report, tuple(selected), resources, tables.con, tmp)


def _check_share(catalog: Catalog, share: list[Dataset], workdir: Path) -> tuple[Report, parallel.Marks]:
    """One process's part of a check in several (:func:`parallel.check`): its datasets' report, in sections."""
    workdir.mkdir(parents=True, exist_ok=True)
    report, marks = Report(), parallel.Marks()
    tables = TableChecks(connect_scratch(workdir))
    tables.workdir = workdir
    try:
        checked = _check_data(catalog, tables, share, workdir, report, threaded=True, threads=1, marks=marks)
        _finish(catalog, tables, checked, report, marks)
    finally:
        tables.con.close()
    return report, marks


def _mark(report: Report, marks: parallel.Marks | None, section: str) -> None:
    if marks is not None:
        marks[section] = (len(report.findings), len(report.stats), len(report.notices))


def _result(lt: LoadedTable) -> CheckedResource:
    schema, fields, select = lt.published()
    return CheckedResource(
        lt.dataset,
        lt.resource,
        schema,
        tuple(fields),
        select,
        typed_table=lt.warehoused or None,
        source_path=lt.prep.path,
        header=tuple(lt.prep.header),
        proven=lt.streamed,
    )


def _select(
    catalog: Catalog,
    root: Path,
    paths: Iterable[Path] | None,
    select_none: bool,
    load_findings: list[Finding],
    report: Report,
    selection: Sequence[Dataset] | None = None,
) -> list[Dataset]:
    """The datasets under ``paths`` (all when none given); the catalogue's findings about them."""
    paths = [Path(p).resolve() for p in paths or []]
    # sets, not a scan of every path per dataset: a path given, a folder above one, or the folder
    # itself (10,000 paths × 10,000 datasets resolved pairwise never finished)
    given = set(paths)
    above = {a for p in paths for a in p.parents}

    def selected(ds: Dataset) -> bool:
        if not paths:
            return True
        d = ds.dir.resolve()
        return d in given or d in above or any(a in given for a in d.parents) or ds.descriptor_file.resolve() in given

    chosen = (
        []
        if select_none
        else list(selection)
        if selection is not None
        else [ds for ds in catalog.datasets if selected(ds)]
    )
    names = {ds.name for ds in chosen}
    files = {ds.rel_file for ds in chosen}
    report.datasets_checked = sorted(names)
    report.extend(
        f
        for f in load_findings
        if not select_none
        and (not paths or f.file in files or any((root / (f.file or "")).resolve().is_relative_to(p) for p in paths))
    )
    report.extend(f for f in check_duplicates(catalog) if f.dataset in names)
    return chosen


def _check_data(
    catalog: Catalog,
    tables: TableChecks,
    selected: list[Dataset],
    workdir: Path,
    report: Report,
    threaded: bool,
    threads: int = 0,
    marks: parallel.Marks | None = None,
) -> list[Checked]:
    """The descriptor checks of the selection and the data checks of every resource it reads (the
    selection plus the targets of its foreign keys). The data findings of a resource whose schema
    Frictionless rejects are dropped. ``threads``: how many threads read resources (default: by
    their number); ``marks``: where each section of the report starts (:mod:`.parallel`)."""
    _mark(report, marks, "metadata")
    names = {ds.name for ds in selected}
    wanted = set(names)
    for ds in selected:
        wanted |= ds.foreign_datasets()
    wanted_ds = [ds for ds in catalog.datasets if ds.name in wanted]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="govdata-check") as pool:
        # Frictionless's verdict on the descriptors (a slow import) is computed beside the data
        # checks; the data findings of a resource whose schema it rejects are then dropped.
        cache = catalog.verdicts.directory("frictionless")
        verdict = pool.submit(lambda: {ds.name: cached_frictionless(ds, cache) for ds in wanted_ds})
        for ds in wanted_ds:
            if ds.name in names:
                report.extend(check_dataset_metadata(catalog, ds, frictionless=False))
                report.completeness[ds.name] = completeness(ds)

        def broken_schema() -> set[tuple[str, str]]:
            return {
                (name, f.resource)
                for name, found in verdict.result().items()
                for f in found
                if f.code == "schema-error" and f.resource
            }

        work = [
            (ds, res)
            for ds in wanted_ds
            if ds.open_type != "not_open"
            for res in ds.resources
            if res.schema is not None
        ]
        if threaded and _all_small(res for _, res in work):
            # nothing to read in parallel within a file: one DuckDB thread per statement spares every
            # statement the hand-over to a worker thread (milliseconds each on a busy machine)
            tables.con.execute("SET threads=1")

        def guarded(ds: Dataset, res: Resource, step: Callable[[], Checked]) -> Checked | None:
            try:
                return step()
            except Exception:
                if (ds.name, res.name) not in broken_schema():
                    raise
                return None

        def read_one(item: tuple[Dataset, Resource], view: TableChecks) -> tuple[Dataset, Resource, Checked | None]:
            ds, res = item
            return (
                ds,
                res,
                guarded(ds, res, lambda: check_resource(catalog, view, pool, ds, res, workdir, ds.name in names)),
            )

        def examine_one(item: tuple[Dataset, Resource, Checked | None], view: TableChecks) -> Checked | None:
            ds, res, c = item
            return c if c is None else guarded(ds, res, lambda: examine(catalog, view, c))

        threads = threads or (_check_threads(len(work)) if threaded else 1)
        done: list[Checked | None] = []
        for start in range(0, len(work), CHUNK):  # read a chunk, check its files of one shape together, then each
            read = _in_threads(tables, work[start : start + CHUNK], read_one, threads)
            loaded = [(c.table, c) for _, _, c in read if c is not None and c.table is not None]
            check_together(tables, [(lt, partial(resource_counts, tables, c.report_it)) for lt, c in loaded])
            done += _in_threads(tables, read, examine_one, threads)
        broken = broken_schema()
        _mark(report, marks, "verdicts")
        for name, found in verdict.result().items():
            if name in names:
                report.extend(found)
    kept = []
    for c in done:
        if c is None:
            continue
        if (c.dataset, c.resource) in broken:
            if c.table is not None:
                tables.drop(c.table)
            continue
        kept.append(c)
    return kept


SMALL_FILE = 4 * 1024**2  # a file DuckDB reads in one piece (table.COMBINED_BYTES)


def _all_small(resources: Iterable[Resource]) -> bool:
    """Only committed files of at most SMALL_FILE bytes (a pipeline's output size is not known)."""
    for res in resources:
        try:
            if res.pipeline or res.source is None or res.source.stat().st_size > SMALL_FILE:
                return False
        except OSError:
            continue  # a missing file: the source checks report it
    return True


def _in_threads(
    tables: TableChecks, work: list[_In], check_one: Callable[[_In, TableChecks], _Out], threads: int
) -> list[_Out]:
    """``check_one`` over ``work``, in ``threads`` threads each with its own cursor."""
    if threads <= 1:
        return [check_one(item, tables) for item in work]
    # many resources: two threads, each with its own cursor (DuckDB runs their statements at once;
    # the scratch tables are then plain tables the main connection sees for foreign keys)
    tables.temp = ""
    local = threading.local()

    def in_thread(item: _In) -> _Out:
        if not hasattr(local, "view"):
            local.view = tables.for_thread()
        return check_one(item, local.view)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="govdata-resource") as workers:
        return list(workers.map(in_thread, work))


def _finish(
    catalog: Catalog, tables: TableChecks, checked: list[Checked], report: Report, marks: parallel.Marks | None = None
) -> None:
    """Foreign keys across the loaded resources, then every resource's findings into the report."""
    _mark(report, marks, "resources")
    loaded: list[tuple[Checked, LoadedTable, ResourceStats]] = []
    for c in checked:
        if c.report_it:
            report.extend(c.findings)
            report.notices.extend(c.notices)
        if c.table is None:
            if c.report_it and c.stats is not None:
                report.stats.append(c.stats)
        else:
            assert c.stats is not None, "a resource read into a table has its stats (resource.check_resource)"
            loaded.append((c, c.table, c.stats))

    def lookup(dataset: str, resource: str) -> tuple[bool, LoadedTable | None]:
        return catalog.dataset(dataset) is not None, tables.tables.get((dataset, resource))

    _mark(report, marks, "collected")
    done = frozenset(foreign_keys_together(tables, [lt for _, lt, _ in loaded], lookup))
    for c, lt, stats in loaded:
        problems = check_foreign_keys(tables, lt, lookup, done)
        findings, bad, notices = collect(tables.con, lt)
        stats.rows_with_findings += bad
        if c.report_it:
            report.extend(problems + findings)
            report.notices.extend(notices)
            report.stats.append(stats)
