"""``govdata build``: check, then build everything into a new folder and switch the
``current`` link to it only when every step succeeded.

    _build/
      builds/<stamp>/             one build
        site/<dataset>.db         serving SQLite, one per published dataset
        site/metadata.json        Datasette metadata
        site/settings.json        Datasette settings
        site/inspect-data.json    cached table counts
        site/counts.json          cached filtered counts per value of filter/facet columns
        downloads/<dataset>/      <resource>.csv, <resource>.parquet, datapackage.json
        downloads/<dataset>/releases/  its release history: hard links into releases/ (publish/releases.py)
        directory/data.json       DCAT-US 1.1
        warehouse.duckdb          typed tables, every checked dataset
        report.json, manifest.json
      current -> builds/<stamp>   the live build (an atomic symlink switch)
      releases/                   every release of every dataset, by content; never pruned or rewritten
      leases/<host>-<pid>.lease   builds a serving worker may still read (serve/live.py)
      .build.lock                 held by the one build (or rollback) running; others wait
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from govdata import __version__
from govdata.publish.incremental import dataset_keys, link_file, link_tree
from govdata.catalog.loader import load
from govdata.errors import BuildError
from govdata.findings import Report
from govdata.verdicts import VerdictCache
from govdata.oversight import derived, ledger, timeliness

KEEP_BUILDS = 3
# The heavy stages (DuckDB, frictionless, rdflib, pyarrow) are imported only when a build
# actually has work to do, so that a no-op rebuild stays well under a second.


@dataclass
class BuildResult:
    path: Path
    report: Report
    datasets: list[str]
    tables: dict[str, int]
    reused: list[str] = field(default_factory=list)


def _write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write through a new file and rename it into place: files of reused datasets are hard links
    into the live build, and writing into them would change what a server is reading."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding=encoding)
    os.replace(tmp, path)


def _write_json(path: Path, data: Any) -> None:
    _write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


def current_build(out: Path) -> Path | None:
    link = out / "current"
    if link.is_symlink() or link.exists():
        target = link.resolve()
        if (target / "manifest.json").is_file():
            return target
    return None


def _switch(out: Path, new: Path) -> None:
    tmp_link = out / f".current-{new.name}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("builds") / new.name, tmp_link)
    os.replace(tmp_link, out / "current")  # atomic on POSIX


def _prune(out: Path, keep: list[Path]) -> None:
    """Keep the builds in ``keep`` (the live one, the one in progress), the builds a serving worker
    holds a fresh lease on (``serve/live.py``), the newest other complete builds up to KEEP_BUILDS
    in all, and the newest failed one (its report); remove the rest. Failed builds never push out
    complete ones. A folder that is neither complete nor failed is left alone unless a complete
    build is newer (then it was abandoned)."""
    builds = sorted((p for p in (out / "builds").iterdir() if p.is_dir()), key=lambda p: p.name)
    live = current_build(out)
    kept = {p.resolve() for p in keep + ([live] if live is not None else [])}
    complete = [b for b in builds if (b / "manifest.json").is_file() and b.resolve() not in kept]
    failed = [b for b in builds if (b / "FAILED").is_file()]
    others = max(KEEP_BUILDS - len(kept), 0)
    kept |= {b.resolve() for b in (complete[-others:] if others else []) + failed[-1:]}
    kept |= {(out / "builds" / name).resolve() for name in leased_builds(out)}
    newest_complete = complete[-1].name if complete else ""
    for old in builds:
        unknown = not (old / "manifest.json").is_file() and not (old / "FAILED").is_file()
        if old.resolve() in kept or (unknown and old.name >= newest_complete):
            continue
        shutil.rmtree(old, ignore_errors=True)


LEASE_TTL_S = 120.0  # a serving worker touches its lease every 10 s (serve/live.py)


def leased_builds(out: Path, ttl: float = LEASE_TTL_S) -> set[str]:
    """Names of the builds held by fresh leases of serving workers (``leases/*.lease``, one build
    name a line); stale lease files (a worker that died) are removed."""
    held: set[str] = set()
    folder = out / "leases"
    if not folder.is_dir():
        return held
    now = time.time()
    for lease in folder.glob("*.lease"):
        try:
            if now - lease.stat().st_mtime > ttl:
                lease.unlink(missing_ok=True)
                continue
            held.update(line.strip() for line in lease.read_text("utf-8").splitlines() if line.strip())
        except OSError:
            continue
    return held


def _start_early_work(out: Path, live: Path | None, staging: Path, changed: list) -> Future:
    """Kernel-bound chores started at once in a thread, while the build imports its libraries on
    the other core: removing the builds the new one will push out (the live build is kept) and
    copying big CSVs that will likely be published as they are (build.exports.early_copies)."""
    from govdata.publish.exports import early_copies

    def chores() -> list[Path]:
        _prune(out, [p for p in (live, staging) if p is not None])
        return early_copies(changed, staging / "downloads")

    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(chores())
        except BaseException as exc:  # handed to whoever waits
            future.set_exception(exc)

    threading.Thread(target=run, name="govdata-early", daemon=True).start()
    return future


def _write_directory(catalog, records, staging: Path, reuse: set[str] = frozenset()) -> None:
    """Every registered directory format (directory/formats.py: DCAT-US, DCAT-AP, the Chinese
    catalogue core metadata, one dump), then each dataset's DCAT-AP and schema.org and the
    portal's index. A reused dataset's own DCAT-AP and schema.org files came with its downloads
    (same key, same catalogue: same content) and are not serialised again (rdflib takes ~0.1 s a
    dataset)."""
    from govdata.directory import changelog, dcatap, formats, portal, schemaorg

    directory = staging / "directory"
    given = formats.DirectoryInput(catalog, records, staging)
    for fmt in formats.formats():
        _write_text(directory / fmt.file, fmt.write(given), encoding=fmt.encoding)
    for rec in records:
        mine = staging / "downloads" / rec.id
        if rec.id in reuse and (mine / "dcat-ap.jsonld").is_file() and (mine / "schema-org.json").is_file():
            continue
        one, _ = dcatap.serialize(dcatap.build_graph(catalog, [rec]))
        _write_text(staging / "downloads" / rec.id / "dcat-ap.jsonld", one)
        _write_json(staging / "downloads" / rec.id / "schema-org.json", schemaorg.dataset(rec, catalog.site))
    _write_json(directory / "portal.json", portal.document(catalog, records, staging / "downloads"))
    base = catalog.site["base_url"].rstrip("/")
    _write_text(directory / "changelog.atom", changelog.catalogue_feed(catalog.site, records, base))
    _write_json(directory / "changelog.json", changelog.catalogue_entries(records))


def _manifest(build_dir: Path | None) -> dict[str, Any]:
    if build_dir is None:
        return {}
    try:
        return json.loads((build_dir / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _notice(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def build_lock(out: Path, notice: Callable[[str], None] = _notice):
    """One build (or rollback) at a time per output folder: an ``flock`` on ``out/.build.lock``
    (released by the kernel if the process dies). A second one says so in one line and waits."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / ".build.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            notice(f"govdata: another build is running in {out} ({holder}); waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now().strftime('%H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)


_DISK_WORDS = (
    "No space left",
    "disk is full",
    "Read-only file system",
    "read-only database",
    "disk I/O error",
    "Permission denied",
    "Disk quota",
)


def _disk_error(exc: BaseException, out: Path) -> BuildError | None:
    """A one-line BuildError naming the path for a failed write (full or read-only disk), else None."""
    if isinstance(exc, OSError) and exc.errno in (
        errno.ENOSPC,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EDQUOT,
        errno.EIO,
    ):
        where = exc.filename or out
        return BuildError(
            f"cannot write {where}: {exc.strerror or exc}; nothing was published, the live build is unchanged"
        )
    text = str(exc)
    if any(w in text for w in _DISK_WORDS):
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        return BuildError(f"cannot write in {out}: {first[:300]}; nothing was published, the live build is unchanged")
    return None


def build(
    root: Path,
    out: Path,
    log: Callable[[str], None] = lambda s: None,
    force: bool = False,
    notice: Callable[[str], None] = _notice,
) -> BuildResult:
    """Build the catalogue at ``root`` into ``out``; raise BuildError and leave ``current`` alone on failure.

    Datasets whose key (see :mod:`govdata.publish.incremental`) matches the live build are reused;
    when nothing changed the live build stays as it is. ``force`` rebuilds everything. Builds into
    the same ``out`` are serialised (``build_lock``); a full or read-only disk is a BuildError
    naming the path.
    """
    root = root.resolve()
    out = out.resolve()
    return _under_lock(out, notice, lambda: _build_locked(root, out, log, force))


def _under_lock(out: Path, notice: Callable[[str], None], work: Callable[[], Any]) -> Any:
    """``work`` holding the build lock; a full or read-only disk becomes one BuildError naming the path."""
    try:
        with build_lock(out, notice):
            return work()
    except BuildError:
        raise
    except Exception as exc:
        disk = _disk_error(exc, out)
        if disk is None:
            raise
        raise disk from None


def rollback(out: Path, notice: Callable[[str], None] = _notice) -> tuple[Path, Path]:
    """Switch ``current`` back to the newest good build older than the live one; return (was, now)."""
    out = out.resolve()

    def switch_back() -> tuple[Path, Path]:
        live = current_build(out)
        if live is None:
            raise BuildError(f"no live build in {out}: nothing to roll back")
        builds = out / "builds"
        good = sorted(
            b
            for b in builds.iterdir()
            if b.is_dir() and b.name < live.name and (b / "manifest.json").is_file() and not (b / "FAILED").exists()
        )
        if not good:
            raise BuildError(f"no good build older than {live.name} in {builds}: nothing to roll back to")
        _switch(out, good[-1])
        return live, good[-1]

    return _under_lock(out, notice, switch_back)


INPUT_FOLDERS = ("datasets", "schemas", "pipelines", "reports")


def inputs_digest(root: Path, out: Path) -> str | None:
    """A digest of the stamps (size, mtime, ctime, inode) of every file a build reads —
    catalog.yaml and the files under datasets/, schemas/, pipelines/ — and of the platform's code.
    Unchanged digest, unchanged inputs (as git's index assumes): a no-op build needs no parsing.
    None when a symlink is met (its target's changes would not show)."""
    from govdata.publish.incremental import platform_key

    h = hashlib.sha256(platform_key().encode())
    h.update(timeliness.today().isoformat().encode())  # the derived datasets are figures of the day
    skip = str(out)
    stack = [str(root / f) for f in INPUT_FOLDERS]
    files = [str(root / "catalog.yaml")]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for e in entries:
            if e.is_symlink():
                return None
            if e.is_dir():
                if e.path != skip:
                    stack.append(e.path)
            else:
                files.append(e.path)
    for path in sorted(files):
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            h.update(f"{path}\0-\n".encode())
            continue
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode())
    return h.hexdigest()


def _inputs_inside(root: Path, file_hashes: dict[str, list]) -> bool:
    folders = [str(root / f) + os.sep for f in INPUT_FOLDERS]
    return all(path.startswith(tuple(folders)) for path in file_hashes)


def _build_locked(root: Path, out: Path, log: Callable[[str], None], force: bool) -> BuildResult:
    previous = current_build(out)
    known = _manifest(previous)
    inputs = inputs_digest(root, out)  # before anything is read: a change during the build shows next time
    if not force and previous is not None and inputs is not None and known.get("inputs") == inputs:
        log("nothing changed: the live build is up to date")
        return BuildResult(
            previous,
            Report(),
            list(known.get("datasets", [])),
            dict(known.get("tables", {})),
            reused=sorted(known.get("keys", {})),
        )
    catalog, load_findings = load(root, cache=VerdictCache.under(out))
    file_hashes = dict(known.get("file_hashes") or {})
    keys = dataset_keys(catalog, file_hashes)
    keys.update(derived.keys(catalog, keys, timeliness.today()))
    prev = {} if force or any(f.is_error for f in load_findings) else known
    if prev and previous is not None and prev.get("keys") == keys:
        log("nothing changed: the live build is up to date")
        return BuildResult(
            previous, Report(), list(prev.get("datasets", [])), dict(prev.get("tables", {})), reused=sorted(keys)
        )
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    staging = out / "builds" / stamp
    staging.mkdir(parents=True)
    work = staging / "work"
    reuse = {name for name, key in keys.items() if prev.get("keys", {}).get(name) == key}
    early = _start_early_work(out, previous, staging, [ds for ds in catalog.datasets if ds.name not in reuse])
    try:
        result = _build_into(root, staging, work, log, keys, reuse, previous, prev, file_hashes, early, inputs, catalog)
    except BuildError:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            (staging / "FAILED").write_text("this build failed; see report.json\n", encoding="utf-8")
        raise
    except BaseException:
        early.exception()  # the copies land in staging: let them finish before it goes
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(work, ignore_errors=True)
    _switch(out, staging)
    _prune(out, [staging])
    log(f"published {staging.relative_to(out)}")
    return result


@dataclass
class _Plan:
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

    @property
    def site(self) -> Path:
        return self.staging / "site"

    @property
    def downloads(self) -> Path:
        return self.staging / "downloads"


def _build_into(
    root: Path,
    staging: Path,
    work: Path,
    log: Callable[[str], None],
    keys: dict[str, str],
    reuse: set[str],
    previous: Path | None,
    prev: dict[str, Any],
    file_hashes: dict[str, list],
    early: Future,
    inputs: str | None = None,
    catalog=None,
) -> BuildResult:
    from govdata.publish.datasets import Publisher
    from govdata.publish.releases import Releases
    from govdata.publish.speculative import Speculation

    plan = _Plan(root, staging, work, keys, reuse, previous, prev, file_hashes, inputs)
    if catalog is None:
        catalog, _ = load(root, cache=VerdictCache.under(staging.parent.parent))  # staging: <out>/builds/<id>
    changed = [ds for ds in catalog.datasets if ds.name not in reuse]
    log(f"checking {len(changed)} changed dataset(s); reusing {len(reuse)}")
    late = [ds for ds in changed if derived.is_derived(ds)]  # checked after the others are published
    speculation = Speculation(changed, plan.site)  # big clean files: SQLite loads beside the checks
    try:
        con, run, copied_wh = _check(plan, [ds for ds in changed if ds not in late], speculation, catalog.verdicts)
    except BaseException:
        speculation.close()
        raise
    hashes = {path: entry[3] for path, entry in file_hashes.items()}
    publisher = Publisher(con, run, plan.site, plan.downloads, speculation, hashes)
    late_publisher = None
    try:
        _write_json(staging / "report.json", run.report.to_dict())
        if not run.report.ok:
            ledger.record(staging.parent.parent, staging.name, run.report)
            raise BuildError(f"the catalogue has {len(run.report.errors)} error(s); run `govdata check` to see them")
        catalog = run.catalog
        if reuse and previous is not None and not copied_wh:
            from govdata.sql import lit

            con.execute(f"ATTACH {lit(str(previous / 'warehouse.duckdb'))} AS previous (READ_ONLY)")
        progress = _Progress(catalog, changed, log)
        book = Releases(staging.parent.parent, root, con, catalog.site["base_url"], log)
        entries: dict[str, Any] = {}
        records: list = []

        def publish(datasets: list, by: Any) -> None:
            _publish(plan, catalog, datasets, by, copied_wh, early, book, entries, records, progress)

        publish([ds for ds in catalog.datasets if not derived.is_derived(ds)], publisher)
        # the derived step: the oversight datasets, computed from what was just published, gated like any other
        late_run = _check_derived(plan, catalog, records, run, con, [ds for ds in late if ds.name not in reuse])
        late_publisher = Publisher(con, late_run, plan.site, plan.downloads, speculation, hashes)
        publish([ds for ds in catalog.datasets if derived.is_derived(ds)], late_publisher)
        if reuse and previous is not None and not copied_wh:
            con.execute("DETACH previous")
        return _write_outputs(plan, con, catalog, records, entries, run.report)
    finally:
        speculation.close()
        publisher.close()
        if late_publisher is not None:
            late_publisher.close()
        run.close()


def _check(plan: _Plan, changed: list, speculation, cache: VerdictCache | None) -> tuple[Any, Any, bool]:
    """The checks of the changed datasets on a connection with the new warehouse attached (the
    previous one copied when datasets are reused), so that a big file proven clean is written into
    its warehouse table in the same pass. Returns (connection, check run, warehouse copied)."""
    from govdata.checks.runner import connect_scratch, run_checks
    from govdata.publish import warehouse
    from govdata.sql import ident

    con = None
    try:
        con = connect_scratch(plan.work)
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        if speculation.running:  # the serving load has a core of its own; the checks take the rest
            con.execute(f"SET threads={max(1, threads - 1)}")
        # the previous warehouse is copied whole and the changed datasets' schemas dropped: a copy of
        # the file costs far less than copying thousands of tables (and their comments) one by one
        old_wh = plan.previous / "warehouse.duckdb" if plan.previous is not None else None
        copied_wh = (
            bool(plan.reuse)
            and old_wh is not None
            and old_wh.is_file()
            and not old_wh.with_name(old_wh.name + ".wal").exists()
        )
        if copied_wh:
            shutil.copyfile(old_wh, plan.staging / "warehouse.duckdb")
        warehouse.attach(con, plan.staging / "warehouse.duckdb")
        if copied_wh:
            for (schema,) in con.execute(
                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'wh' AND NOT internal"
            ).fetchall():
                if schema not in plan.reuse and schema != "main":
                    con.execute(f"DROP SCHEMA wh.{ident(schema)} CASCADE")
        run = run_checks(
            plan.root,
            [ds.dir for ds in changed],
            workdir=plan.work,
            select_none=not changed,
            con=con,
            typed_tables=_destinations(changed),
            cache=cache,
        )
    except BaseException:
        if con is not None:
            con.close()
        raise
    con.execute(f"SET threads={threads}")
    return con, run, copied_wh


def _destinations(datasets: list) -> dict[tuple[str, str], tuple[str, str]]:
    """Where the one-pass proof may write each resource's typed values (its warehouse table)."""
    from govdata.publish import warehouse

    return {(ds.name, res.name): warehouse.destination(ds.name, res.name) for ds in datasets for res in ds.resources}


def _check_derived(plan: _Plan, catalog, records: list, run, con, late: list):
    """Gate the derived datasets (:mod:`govdata.oversight.derived`) on the figures of the datasets just
    published; the findings join the build's report and the gate's ledger. Returns the check run."""
    from govdata.checks.runner import run_checks
    from govdata.directory import portal

    out, staging = plan.staging.parent.parent, plan.staging
    if not late:
        ledger.record(out, staging.name, run.report)
        return run
    doc = portal.document(catalog, records, plan.downloads)
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
        )
    run.report.extend(late_run.report.findings)
    run.report.stats += late_run.report.stats
    run.report.datasets_checked = sorted(set(run.report.datasets_checked) | set(late_run.report.datasets_checked))
    run.report.completeness.update(late_run.report.completeness)
    _write_json(staging / "report.json", run.report.to_dict())
    ledger.record(out, staging.name, run.report)
    if not run.report.ok:
        raise BuildError(f"the catalogue has {len(run.report.errors)} error(s); run `govdata check` to see them")
    return late_run


class _Progress:
    """The build's log lines: each dataset built or reused, with the rate and the time left."""

    def __init__(self, catalog, changed: list, log: Callable[[str], None]):
        self.sizes = {
            ds.name: sum(r.source.stat().st_size for r in ds.resources if r.source is not None and r.source.is_file())
            for ds in catalog.datasets
        }
        self.todo = sum(self.sizes[ds.name] for ds in changed) or 1
        self.done, self.started, self.log = 0, time.perf_counter(), log

    def dataset(self, ds, rows: int, took: float, reused: bool) -> None:
        if reused:
            self.log(f"reused {ds.name}: {rows:,} rows")
            return
        size = self.sizes[ds.name]
        self.done += size
        rate = self.done / max(time.perf_counter() - self.started, 1e-6)
        eta = (self.todo - self.done) / rate if rate else 0
        self.log(
            f"built {ds.name}: {rows:,} rows, {size / 1e6:.1f} MB in {took:.1f}s "
            f"({size / 1e6 / max(took, 1e-6):.1f} MB/s); ETA {eta:.0f}s"
        )


def _publish(
    plan: _Plan,
    catalog,
    datasets: list,
    publisher,
    copied_wh: bool,
    early: Future,
    book,
    entries: dict[str, Any],
    records: list,
    progress: _Progress,
) -> None:
    """``datasets`` published (or reused from the previous build), each with its release (a new
    one when its content changed) and its directory record, added to ``entries`` and ``records``."""
    from govdata.directory import changelog, datapackage
    from govdata.directory.record import build_record
    from govdata.publish import warehouse

    plan.site.mkdir(exist_ok=True)
    for ds in datasets:
        started = time.perf_counter()
        if ds.name in plan.reuse:
            entry = plan.prev["entries"][ds.name]
            for res in ds.resources if not copied_wh else ():
                if f"{ds.name}/{res.name}" in plan.prev.get("tables", {}):
                    warehouse.copy_resource(publisher.con, ds, res, "previous")
            if (plan.previous / "site" / f"{ds.name}.db").is_file():
                link_file(plan.previous / "site" / f"{ds.name}.db", plan.site / f"{ds.name}.db")
            link_tree(plan.previous / "downloads" / ds.name, plan.downloads / ds.name)
        else:
            entry = publisher.dataset(ds, plan.keys[ds.name], early.result())
        entries[ds.name] = entry
        rec = build_record(catalog, ds, entry["exports"], entry["rows"])
        records.append(rec)
        dp = datapackage.datapackage(ds, rec, entry["exports"])
        if ds.name not in plan.reuse:  # a reused dataset's history came with its downloads
            entry["releases"] = book.publish(ds, entry["exports"], dp, plan.downloads / ds.name, entry["rows"])
            if entry["releases"]:  # the dataset's changelog feed, in its view of the history
                _write_text(
                    plan.downloads / ds.name / "releases" / "changelog.atom",
                    changelog.dataset_feed(rec, entry["releases"], book.base),
                )
        rec.releases = entry.get("releases") or []
        _write_json(plan.downloads / ds.name / "datapackage.json", dp)
        if ds.open_type != "not_open":
            progress.dataset(ds, sum(entry["rows"].values()), time.perf_counter() - started, ds.name in plan.reuse)


def _write_outputs(plan: _Plan, con, catalog, records: list, entries: dict[str, Any], report: Report) -> BuildResult:
    """The build's shared files: labels, the directory, Datasette's metadata and settings, the manifest."""
    from govdata.directory import ckan
    from govdata.publish import labels
    from govdata.publish import site as site_mod

    published = {name: e["published"] for name, e in entries.items() if e["published"]}
    inspect = {name: entries[name]["inspect"] for name in published}
    table_rows = {f"{name}/{r}": n for name, e in entries.items() for r, n in e["rows"].items()}
    _write_json(plan.site / "labels.json", labels.compute(con, catalog, published))
    con.execute("DETACH wh")
    _write_json(plan.staging / "directory" / "ckan.json", ckan.directory(catalog, records))
    _write_directory(catalog, records, plan.staging, plan.reuse)
    _write_json(plan.site / "metadata.json", site_mod.metadata(catalog, catalog.datasets, published, table_rows))
    _write_json(plan.site / "settings.json", site_mod.SETTINGS)
    _write_json(plan.site / "inspect-data.json", inspect)
    _write_json(plan.site / "counts.json", {name: entries[name].get("counts") or {} for name in published})
    _write_json(
        plan.staging / "manifest.json",
        {
            "govdata_version": __version__,
            "built_at": plan.staging.name,
            "root": str(plan.root),
            "datasets": [r.id for r in records],
            "published": published,
            "tables": table_rows,
            "keys": plan.keys,
            "entries": entries,
            "reused": sorted(plan.reuse),
            "file_hashes": plan.file_hashes,
            "inputs": plan.inputs if _inputs_inside(plan.root, plan.file_hashes) else None,
        },
    )
    return BuildResult(plan.staging, report, [r.id for r in records], table_rows, reused=sorted(plan.reuse))
