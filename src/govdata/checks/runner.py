"""``govdata check``: the whole gate over a catalogue, as a library call.

catalogue files → load → metadata checks → pipelines → source preparation →
DuckDB table checks → foreign keys → report. The scratch DuckDB connection and
its loaded tables are handed to the builder, so a build reads each file once.
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import duckdb

from govdata.catalog.loader import discover, load
from govdata.catalog.model import Catalog, Dataset, Resource
from govdata.verdicts import VerdictCache
from govdata.checks.metadata import (
    cached_frictionless,
    check_dataset_metadata,
    check_duplicates,
    completeness,
    normalise_schema,
)
from govdata.checks import parallel
from govdata.checks.batch import check_together
from govdata.checks.declared import MAX_SERVED_COLUMNS  # noqa: F401 (re-exported: scaffold.py imports it from here)
from govdata.checks.declared import at_descriptor, name_clashes, too_wide
from govdata.checks.privacy import candidate_counts, check_privacy, scanner_for
from govdata.checks.proof import prove
from govdata.checks.result import CheckedResource
from govdata.checks.rules import blank_row
from govdata.checks.source import (
    LABEL_CODES,
    Label,
    Prepared,
    declared_findings,
    fast_header,
    fast_path,
    prepare,
    byte_pass,
    scan_structure,
)
from govdata.checks.table import MAX_FINDINGS_PER_RESOURCE, WIDE_COLUMNS, LoadedTable, TableChecks, planned_counts
from govdata.findings import Finding, Notice, Report, ResourceStats
from govdata.pipelines import PipelineError, run_pipeline


@dataclass(frozen=True)
class CheckRun:
    """The result of a check run: the catalogue as loaded, the report, and each resource the data
    checks read (:meth:`resource`), valid as long as the run is open (its connection holds them)."""

    catalog: Catalog
    report: Report
    selected: tuple[Dataset, ...]
    resources: Mapping[tuple[str, str], CheckedResource]
    _con: duckdb.DuckDBPyConnection | None  # None: checked in several processes, report only
    _tmp: tempfile.TemporaryDirectory | None = None

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


def _source_for(
    root: Path, ds: Dataset, res: Resource, workdir: Path, where: dict
) -> tuple[Path | None, list[Finding]]:
    if res.pipeline:
        out_dir = workdir / "pipelines" / ds.name
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{res.name}.csv"
        try:
            run_pipeline(root, res.pipeline, ds.dir, out, res.raw.get("pipeline_params"))
        except PipelineError as exc:
            return None, [
                Finding(
                    "pipeline-error",
                    str(exc),
                    key=f"resources.{res.index}.pipeline",
                    line=ds.line("resources", res.index, "pipeline"),
                    **where,
                )
            ]
        return out, []
    return res.source, []


def _capped(
    findings: list[Finding], where: dict, limit: int = MAX_FINDINGS_PER_RESOURCE
) -> tuple[list[Finding], list[Notice]]:
    if len(findings) <= limit:
        return findings, []
    return findings[:limit], [Notice.more(len(findings) - limit, limit, **where)]


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


@dataclass
class _Checked:
    """What the data checks found for one resource (reported once the descriptor checks agree)."""

    dataset: str
    resource: str
    report_it: bool
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    stats: ResourceStats | None = None
    table: LoadedTable | None = None


def _load_fast(
    tables: TableChecks,
    pool: ThreadPoolExecutor,
    src: Path,
    raw: dict,
    expected: list[str],
    where: dict,
    ds: Dataset,
    res: Resource,
    schema: dict,
    report_it: bool,
) -> tuple[Prepared | None, LoadedTable | None]:
    """Big plain UTF-8 CSV: DuckDB reads it while the byte pass (NUL, blank lines, hash) runs in a
    thread. A file with nothing to report is proven so in one streaming pass (proof.py); any other
    is materialised for the precise statements. Returns (None, None) when anything is off, and
    the precise path (Python structure pass) takes over."""
    if len(expected) > WIDE_COLUMNS:  # a wide file is held long (table.WIDE_COLUMNS), never streamed
        return None, None
    prep = fast_header(src, expected, where)
    if prep is None or any(f.code in LABEL_CODES for f in prep.findings):
        return None, None
    digest = isinstance(raw.get("hash"), str)
    lt = None
    proof = None
    if schema.get("foreignKeys"):  # foreign-key findings need row numbers: always materialised
        facts = pool.submit(byte_pass, src, digest, utf8=False)
    else:
        streamed = tables.stream(ds.name, res.name, where["file"], schema, prep)
        scanner = scanner_for(streamed) if report_it else None

        def read_bytes():
            found = byte_pass(src, digest, utf8=False, feed=scanner.feed if scanner else None)
            if scanner is not None:
                scanner.finish()
            return found

        facts = pool.submit(read_bytes)
        into = None
        if (ds.name, res.name) in tables.typed_into:
            schema_name, into = tables.typed_into[(ds.name, res.name)]
            tables.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema_name}")
        try:
            proof = prove(tables, streamed, report_it, lambda: (facts.result(), scanner)[1], into)
        except duckdb.Error:
            tables.unload(streamed)
            proof = None
        if proof is not None and proof.clean:
            streamed.rows = proof.rows
            tables.keep(streamed)
            lt = streamed
    if lt is None:
        lt = tables.load(ds.name, res.name, where["file"], schema, prep)
        if lt is not None and proof is not None:
            lt.passed = proof.passed  # the same file, read alike: what the proof counted zero needs no statement
    facts = facts.result()
    if lt is None or facts.nul is not None or facts.blank_line or facts.spaced_quote:
        if lt is not None:
            tables.drop(lt)
        return None, None
    prep.findings[:0] = declared_findings(src, raw, facts.sha256, facts.size, where)
    prep.sha256, prep.bytes = facts.sha256, facts.size
    return prep, lt


def _check_resource(
    catalog: Catalog,
    tables: TableChecks,
    pool: ThreadPoolExecutor,
    ds: Dataset,
    res: Resource,
    workdir: Path,
    report_it: bool,
) -> _Checked:
    out = _Checked(ds.name, res.name, report_it)
    where = {"file": ds.rel_file, "dataset": ds.name, "resource": res.name}
    src, findings = _source_for(catalog.root, ds, res, workdir, where)
    if src is None:
        out.findings = findings
        return out
    data_file = (
        src.relative_to(catalog.root).as_posix()
        if src.is_relative_to(catalog.root)
        else f"{ds.dir.relative_to(catalog.root).as_posix()}/<pipeline {res.pipeline}>"
    )
    where["file"] = data_file
    schema = normalise_schema(res.schema)
    clash = name_clashes(ds, res, schema, where)
    if clash:
        out.findings = findings + clash
        return out
    findings += too_wide(ds, res, schema, where)
    res_dir = workdir / "sources" / ds.name / res.name  # made when a file is written there (source._out)
    label_key = "title" if res.raw.get("header_labels") == "titles" else "name"
    expected = [Label(f.get(label_key) or f["name"], f["name"]) for f in schema.get("fields", [])]
    prep, lt = (
        _load_fast(tables, pool, src, res.raw, expected, where, ds, res, schema, report_it)
        if not res.pipeline and fast_path(src, res.raw)
        else (None, None)
    )
    if prep is None:
        missing = [str(m) for m in schema.get("missingValues", [""])]
        prep = prepare(src, res_dir, res.raw, expected, where, missing, schema.get("fields") or [])
        prep.findings = [at_descriptor(ds, res, f) if f.code == "dialect-error" else f for f in prep.findings]
        if prep.path is not None and not prep.scanned and any(f.code in LABEL_CODES for f in prep.findings):
            # a wrong header: cells map to fields by position (as in Frictionless) through the precise pass
            scanned = scan_structure(prep.path, res_dir, expected, where, missing)
            scanned.sha256, scanned.bytes, scanned.encoding = prep.sha256, prep.bytes, prep.encoding
            scanned.findings[:0] = [f for f in prep.findings if f.code not in LABEL_CODES]
            prep = scanned
        if len(prep.header) == 1 < len(expected) and any(f.code in LABEL_CODES for f in prep.findings):
            prep.path = None  # one column where the schema has several: another delimiter; rows would be noise
        if prep.path is not None:
            lt = tables.load(ds.name, res.name, data_file, schema, prep)
            if not prep.scanned and lt is None:  # DuckDB's strict read refused it: find out exactly where
                prep.findings = [f for f in prep.findings if f.code != "source-error"]
                scanned = scan_structure(prep.path, res_dir, expected, where, missing)
                scanned.findings[:0] = prep.findings
                scanned.sha256, scanned.bytes, scanned.encoding = prep.sha256, prep.bytes, prep.encoding
                prep = scanned
                if prep.path is not None:
                    lt = tables.load(ds.name, res.name, data_file, schema, prep)
            elif lt is None and prep.row_map is None:
                # Python's reading found nothing wrong but DuckDB's refused the file: the checks read the
                # copy Python's reading writes (one verdict, that of the structure pass)
                refused = [f for f in prep.findings if f.code == "source-error"]
                scanned = scan_structure(prep.path, res_dir, expected, where, missing, rewrite_always=True)
                if scanned.path is not None and scanned.path != prep.path:
                    scanned.findings[:0] = [f for f in prep.findings if f.code != "source-error"]
                    scanned.sha256, scanned.bytes, scanned.encoding = prep.sha256, prep.bytes, prep.encoding
                    prep = scanned
                    lt = tables.load(ds.name, res.name, data_file, schema, prep)
                    if lt is None:
                        prep.findings = [f for f in prep.findings if f.code != "source-error"] + refused
    stats = ResourceStats(ds.name, res.name, data_file, rows_read=prep.rows_read, rows_with_findings=len(prep.bad_rows))
    if lt is not None and not prep.scanned:
        if not lt.streamed:  # a streamed table was proven to have neither
            tables.check_cell_size(lt)
            for row in tables.remove_blank_rows(lt):
                prep.bad_rows.add(row)
                prep.findings.append(blank_row.finding(row, **where))
        stats.rows_with_findings = len(prep.bad_rows)
        stats.rows_read = tables.row_count(lt) + len(prep.bad_rows)
    out.findings, out.notices = _capped(findings + prep.findings, where)
    out.stats = stats
    if lt is None:
        stats.rows_with_findings = stats.rows_read
        return out
    out.table = lt
    return out


def _examine(catalog: Catalog, tables: TableChecks, out: _Checked) -> _Checked:
    """The checks of a resource read into a table (:func:`_check_resource`): cells, keys, columns,
    confidentiality (answered from a batch of files of the same shape when there was one)."""
    lt = out.table
    if lt is None:
        return out
    tables.check_cells(lt)
    out.findings += tables.check_rows(lt, "cells")  # summary conditions (a plugin's), if any
    if out.report_it and not lt.streamed:  # a streamed table was proven to hold no such column
        out.findings += tables.check_columns(lt)
    if out.report_it:
        out.findings += check_privacy(tables, lt, catalog.raw.get("negative_list") or [])
    return out


def _planned_counts(tables: TableChecks, c: _Checked) -> list[tuple[str, str]]:
    """What :func:`_examine` will count over a plain table, for :func:`batch.check_together`."""
    lt = c.table
    assert lt is not None
    return planned_counts(tables, lt, c.report_it) + (candidate_counts(lt) if c.report_it else [])


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
    report, marks = Report(), {}
    tables = TableChecks(connect_scratch(workdir))
    tables.workdir = workdir
    try:
        checked = _check_data(catalog, tables, share, workdir, report, threaded=True, threads=1, marks=marks)
        _finish(catalog, tables, checked, report, marks)
    finally:
        tables.con.close()
    return report, marks


def _mark(report: Report, marks: dict | None, section: str) -> None:
    if marks is not None:
        marks[section] = (len(report.findings), len(report.stats), len(report.notices))


def _result(lt: LoadedTable) -> CheckedResource:
    return CheckedResource(
        lt.dataset,
        lt.resource,
        lt.schema,
        tuple(lt.fields),
        lt.typed_select(),
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
    marks: dict | None = None,
) -> list[_Checked]:
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

        def guarded(ds: Dataset, res: Resource, step: Callable[[], _Checked]) -> _Checked | None:
            try:
                return step()
            except Exception:
                if (ds.name, res.name) not in broken_schema():
                    raise
                return None

        def read_one(item, view: TableChecks) -> tuple[Dataset, Resource, _Checked | None]:
            ds, res = item
            return (
                ds,
                res,
                guarded(ds, res, lambda: _check_resource(catalog, view, pool, ds, res, workdir, ds.name in names)),
            )

        def examine_one(item, view: TableChecks) -> _Checked | None:
            ds, res, c = item
            return c if c is None else guarded(ds, res, lambda: _examine(catalog, view, c))

        threads = threads or (_check_threads(len(work)) if threaded else 1)
        done: list[_Checked | None] = []
        for start in range(0, len(work), CHUNK):  # read a chunk, check its files of one shape together, then each
            read = _in_threads(tables, work[start : start + CHUNK], read_one, threads)
            loaded = [c for _, _, c in read if c is not None and c.table is not None]
            check_together(tables, [(c.table, lambda c=c: _planned_counts(tables, c)) for c in loaded])
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


def _in_threads(tables: TableChecks, work: list, check_one: Callable, threads: int) -> list:
    if threads <= 1:
        return [check_one(item, tables) for item in work]
    # many resources: two threads, each with its own cursor (DuckDB runs their statements at once;
    # the scratch tables are then plain tables the main connection sees for foreign keys)
    tables.temp = ""
    local = threading.local()

    def in_thread(item):
        if not hasattr(local, "view"):
            local.view = tables.for_thread()
        return check_one(item, local.view)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="govdata-resource") as workers:
        return list(workers.map(in_thread, work))


def _finish(
    catalog: Catalog, tables: TableChecks, checked: list[_Checked], report: Report, marks: dict | None = None
) -> None:
    """Foreign keys across the loaded resources, then every resource's findings into the report."""
    _mark(report, marks, "resources")
    loaded: list[_Checked] = []
    for c in checked:
        if c.report_it:
            report.extend(c.findings)
            report.notices.extend(c.notices)
        if c.table is None:
            if c.report_it and c.stats is not None:
                report.stats.append(c.stats)
        else:
            loaded.append(c)

    def lookup(dataset: str, resource: str) -> tuple[bool, LoadedTable | None]:
        return catalog.dataset(dataset) is not None, tables.tables.get((dataset, resource))

    _mark(report, marks, "collected")
    for c in loaded:
        problems = tables.check_foreign_keys(c.table, lookup)
        findings, bad, notices = tables.collect(c.table)
        c.stats.rows_with_findings += bad
        if c.report_it:
            report.extend(problems + findings)
            report.notices.extend(notices)
            report.stats.append(c.stats)
