"""The steps of a build between its plan and its shared files: the early kernel chores, the
checks of the changed datasets (on a connection holding the new warehouse), the derived step, and
publishing each dataset (or reusing it from the previous build) with its release and record."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection

from govdata.directory.fragments import Fragments
from govdata.oversight import derived, ledger, timeliness
from govdata.errors import BuildError
from govdata.publish.buildfolder import prune, write_json, write_text
from govdata.publish.incremental import link_reused


@dataclass
class Plan:
    """What a build does: the datasets to check and publish, those reused from the previous build."""

    root: Path
    staging: Path
    work: Path
    keys: dict[str, str]
    reuse: set[str]
    previous: Path | None
    prev: dict[str, Any]
    file_hashes: dict[str, list]
    inputs: str | None
    fragments: Fragments

    @property
    def site(self) -> Path:
        return self.staging / "site"

    @property
    def downloads(self) -> Path:
        return self.staging / "downloads"

    def made(self, name: str) -> str:
        """The build whose entry (and files) dataset ``name``'s are: the one that made it, carried
        from build to build while it is reused (a manifest without ``made``: the previous build)."""
        if name in self.reuse and self.previous is not None:
            return (self.prev.get("made") or {}).get(name) or self.previous.name
        return self.staging.name

    def piece(self, kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
        """A marker for one dataset's piece of a document written by ``fragments.write``."""
        return self.fragments.get(kind, rec, render, extra)


def start_early_work(
    out: Path, live: Path | None, staging: Path, changed: list, reused: Collection[str] = ()
) -> Future:
    """Kernel-bound chores started at once in a thread, while the build imports its libraries on
    the other core: hard-linking the reused datasets' files from the live build (a ``cp`` process
    of its own, :func:`~govdata.publish.incremental.link_reused`), removing the builds the new one
    will push out (the live build is kept) and copying big CSVs that will likely be published as
    they are (build.exports.early_copies). The future's result is the copies made; once it is
    done, so are the links."""
    import govdata.catalog.tableschema  # noqa: F401  (what early_copies imports, imported here: see below)
    import govdata.checks.source  # noqa: F401
    from govdata.publish.exports import early_copies

    # Two threads importing modules of one package at once can meet a partly initialised module
    # (``checks.rules``: "partially initialized module ... personal_data"): the chores' imports are
    # done above, in the builder's thread, before the thread that needs them starts.

    def chores() -> list[Path]:
        links = threading.Thread(target=link_reused, args=(live, staging, reused), name="govdata-links", daemon=True)
        if live is not None and reused:
            links.start()
        try:
            prune(out, [p for p in (live, staging) if p is not None])
            return early_copies(changed, staging / "downloads")
        finally:
            if links.is_alive():
                links.join()

    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(chores())
        except BaseException as exc:  # handed to whoever waits
            future.set_exception(exc)

    threading.Thread(target=run, name="govdata-early", daemon=True).start()
    return future


def check(plan: Plan, changed: list, speculation, loaded: tuple[Any, list]) -> tuple[Any, Any]:
    """The checks of the changed datasets on a connection with the build's scratch warehouse
    attached (``wh``, under its work folder), so that a big file proven clean is written into its
    warehouse table in the same pass. ``loaded``: the builder's catalogue and its loading
    findings (not loaded again). Returns (connection, check run). The reused datasets' warehouse
    files are linked from the previous build (:func:`start_early_work`), never copied."""
    from govdata.checks.runner import connect_scratch, run_checks
    from govdata.publish import warehouse

    con = None
    try:
        con = connect_scratch(plan.work)
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        if speculation.running:  # the serving load has a core of its own; the checks take the rest
            con.execute(f"SET threads={max(1, threads - 1)}")
        warehouse.attach(con, plan.work / "warehouse.duckdb")
        run = run_checks(
            plan.root,
            [ds.dir for ds in changed],
            workdir=plan.work,
            select_none=not changed,
            con=con,
            typed_tables=_destinations(changed),
            cache=loaded[0].verdicts,
            loaded=loaded,
            selection=changed,
        )
    except BaseException:
        if con is not None:
            con.close()
        raise
    con.execute(f"SET threads={threads}")
    return con, run


def _destinations(datasets: list) -> dict[tuple[str, str], tuple[str, str]]:
    """Where the one-pass proof may write each resource's typed values (its warehouse table)."""
    from govdata.publish import warehouse

    return {(ds.name, res.name): warehouse.destination(ds.name, res.name) for ds in datasets for res in ds.resources}


def check_derived(plan: Plan, loaded: tuple[Any, list], records: list, run, con, late: list):
    """Gate the derived datasets (:mod:`govdata.oversight.derived`) on the figures of the datasets just
    published; the findings join the build's report and the gate's ledger. Returns the check run."""
    from govdata.checks.runner import run_checks
    from govdata.directory import portal

    out, staging = plan.staging.parent.parent, plan.staging
    catalog = loaded[0]
    if not late:
        ledger.record(out, staging.name, run.report)
        return run
    doc = portal.document(catalog, records, plan.downloads, plan.fragments.text)
    gate = ledger.gate_stats(ledger.read(out) + [ledger.entry(staging.name, run.report)])
    with derived.building(catalog, doc, gate, timeliness.today()):
        late_run = run_checks(
            plan.root,
            [ds.dir for ds in late],
            workdir=plan.work / "derived",
            select_none=not late,
            con=con,
            typed_tables=_destinations(late),
            cache=catalog.verdicts,
            loaded=loaded,
            selection=late,
        )
    run.report.extend(late_run.report.findings)
    run.report.stats += late_run.report.stats
    run.report.datasets_checked = sorted(set(run.report.datasets_checked) | set(late_run.report.datasets_checked))
    run.report.completeness.update(late_run.report.completeness)
    write_json(staging / "report.json", run.report.to_dict(), indent=2)
    ledger.record(out, staging.name, run.report)
    if not run.report.ok:
        raise BuildError(f"the catalogue has {len(run.report.errors)} error(s); run `govdata check` to see them")
    return late_run


class Progress:
    """The build's log lines: each dataset built or reused, with the rate and the time left."""

    def __init__(self, catalog, changed: list, log: Callable[[str], None]):
        self.sizes = {  # of the changed datasets only: a reused one is logged without its size
            ds.name: sum(r.source.stat().st_size for r in ds.resources if r.source is not None and r.source.is_file())
            for ds in changed
        }
        self.todo = sum(self.sizes[ds.name] for ds in changed) or 1
        self.done, self.started, self.log = 0, time.perf_counter(), log

    def dataset(self, ds, rows: int, took: float, reused: bool) -> None:
        if reused:
            self.log(f"reused {ds.name}: {rows:,} rows")
            return
        size = self.sizes.get(ds.name, 0)
        self.done += size
        rate = self.done / max(time.perf_counter() - self.started, 1e-6)
        eta = (self.todo - self.done) / rate if rate else 0
        self.log(
            f"built {ds.name}: {rows:,} rows, {size / 1e6:.1f} MB in {took:.1f}s "
            f"({size / 1e6 / max(took, 1e-6):.1f} MB/s); ETA {eta:.0f}s"
        )


def publish(
    plan: Plan,
    catalog,
    datasets: list,
    publisher,
    early: Future,
    book,
    entries: dict[str, Any],
    records: list,
    progress: Progress,
    ready: dict[str, Any] | None = None,
) -> None:
    """``datasets`` published (or reused from the previous build), each with its release (a new
    one when its content changed) and its directory record, added to ``entries`` and ``records``.
    ``ready``: the entries of datasets whose files were written already (by processes,
    :mod:`govdata.publish.workers`)."""
    from govdata.directory import changelog, datapackage
    from govdata.directory.record import build_record

    plan.site.mkdir(exist_ok=True)
    for ds in datasets:
        started = time.perf_counter()
        if ds.name in plan.reuse and plan.previous is not None:
            entry = plan.prev["entries"][ds.name]
            early.result()  # its files (warehouse file included) were linked by the early work (link_reused)
        elif ready and ds.name in ready:
            entry = ready[ds.name]
        else:
            entry = publisher.dataset(ds, plan.keys[ds.name], early.result())
        entries[ds.name] = entry
        rec = build_record(catalog, ds, entry["exports"], entry["rows"])
        records.append(rec)
        if ds.name in plan.reuse:
            # its history and datapackage.json (a function of its key and exports) came with its downloads
            rec.releases = entry.get("releases") or []
        else:
            dp = datapackage.datapackage(ds, rec, entry["exports"])
            entry["releases"] = book.publish(ds, entry["exports"], dp, plan.downloads / ds.name, entry["rows"])
            if entry["releases"]:  # the dataset's changelog feed, in its view of the history
                write_text(
                    plan.downloads / ds.name / "releases" / "changelog.atom",
                    changelog.dataset_feed(rec, entry["releases"], book.base),
                )
            rec.releases = entry.get("releases") or []
            text = json.dumps(dp, ensure_ascii=False, indent=2)  # read by people: indented
            write_text(plan.downloads / ds.name / "datapackage.json", text)
            plan.fragments.put("datapackage", rec, text, plan.keys[ds.name])
        if ds.open_type != "not_open":
            progress.dataset(ds, sum(entry["rows"].values()), time.perf_counter() - started, ds.name in plan.reuse)


def publish_in_processes(plan: Plan, catalog, publisher, early: Future) -> dict[str, Any]:
    """The entries of the changed datasets (not derived, no speculative load) whose files processes
    wrote, when there are enough of them (:func:`govdata.publish.workers.processes`); else none."""
    from govdata.publish import workers

    speculative = {name for name, _ in publisher.speculation.futures}
    todo = [
        ds
        for ds in catalog.datasets
        if ds.name not in plan.reuse and not derived.is_derived(ds) and ds.name not in speculative
    ]
    n = workers.processes(len(todo))
    if n < 2 or len(todo) < 2:
        return {}
    plan.site.mkdir(exist_ok=True)
    return workers.publish_files(publisher, todo, plan.keys, early.result(), plan.staging / "warehouse", n)
