"""``govdata build``: check, then build everything into a new folder and switch the
``current`` link to it only when every step succeeded.

The folder's layout, the switch, pruning, the lock and rollback: :mod:`govdata.publish.buildfolder`.
What a dataset's build depends on (its key) and the no-op test: :mod:`govdata.publish.incremental`.
The steps (checks, derived step, publishing each dataset): :mod:`govdata.publish.steps`; the shared
files (directory, Datasette's metadata): :mod:`govdata.publish.outputs`. A build costs what
changed: unchanged descriptors are not parsed again (catalog/parsecache.py), unchanged datasets
are hard-linked from the live build, and each directory document is its kept per-dataset pieces
with the changed ones rendered again (directory/fragments.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import shutil
import sys
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from govdata import __version__
from govdata.catalog.loader import load, parse_cache
from govdata.catalog.scan import walk
from govdata.directory.fragments import Fragments
from govdata.errors import BuildError
from govdata.findings import Report
from govdata.oversight import derived, ledger, timeliness
from govdata.publish.buildfolder import (  # noqa: F401  (re-exported: the CLI and tests use them from here)
    KEEP_BUILDS,
    LEASE_TTL_S,
    build_lock,
    carried_over,
    clear_stale,
    current_build,
    disk_error as _disk_error,
    leased_builds,
    manifest,
    print_notice,
    prune,
    prune as _prune,
    recycle,
    rollback,
    switch,
    under_lock,
    write_json,
    write_manifest,
)
from govdata.publish.incremental import dataset_keys, inputs_digest, inputs_inside, relative_hashes
from govdata.publish.outputs import write_outputs
from govdata.publish.steps import Plan, Progress, check, check_derived, publish_in_processes, start_early_work
from govdata.publish.steps import publish as publish_datasets
from govdata.verdicts import VerdictCache

# The heavy stages (DuckDB, frictionless, rdflib, pyarrow) are imported only when a build
# actually has work to do, so that a no-op rebuild stays well under a second.
FEW_CHANGED = 40  # up to this many changed datasets, a build runs without the cyclic collector
# set by the command line when its process ends after the build (cli.build): the catalogue is left
# frozen and the collector off, since unfreezing it makes the next collection a full pass over it
# (~1 s at 10,000 datasets) that frees what the exit would drop anyway
ENDS_AFTER = False


def _manifest_file(path: Path, data: dict[str, Any], pieces: Fragments | None = None, kept: Any = ()) -> None:
    """``manifest.json`` (a test makes the disk full here): compact JSON, as ``write_json`` writes
    it. With ``pieces``, each entry is a piece (directory/fragments.py): the entry of a dataset in
    ``kept`` (reused: the previous manifest's entry, as it was) is copied from the previous build's
    manifest when that build wrote it under the same name and key; the others are written anew."""
    if pieces is None:
        write_json(path, data)
        return
    from govdata.directory.fragments import dumps, json_with

    keys, stamp = data.get("keys") or {}, path.parent.name

    def render(entry: Any) -> Callable[[], str]:
        return lambda: dumps(entry)

    marks = {
        name: pieces.raw(
            f"manifest\1{name}\1{keys.get(name, '')}" + ("" if name in kept else f"\1{stamp}"),
            render(entry),
            count=False,
        )
        for name, entry in data["entries"].items()
    }
    pieces.write(path, json_with(data, entries=marks))
    pieces.flush()  # on disk: its marshalled copy records its stamp (buildfolder.write_manifest)


@dataclass
class BuildResult:
    path: Path
    report: Report
    datasets: list[str]
    tables: dict[str, int]
    reused: list[str] = field(default_factory=list)
    # what the build cost, in units that grow with what changed: descriptors parsed (the others came
    # from the parse cache), directory pieces rendered per kind (the others were kept)
    parsed: int = 0
    rendered: dict[str, int] = field(default_factory=dict)
    # reused datasets whose files were hard-linked from the live build; the others' files came with
    # the recycled build folder (buildfolder.recycle): a one-changed build links a few, not all
    linked: int = 0
    # each part of the serving snapshot: "patched" from the previous build's, or "derived" again
    snapshot: dict[str, str] = field(default_factory=dict)


def build(
    root: Path,
    out: Path,
    log: Callable[[str], None] = lambda s: None,
    force: bool = False,
    notice: Callable[[str], None] = print_notice,
) -> BuildResult:
    """Build the catalogue at ``root`` into ``out``; raise BuildError and leave ``current`` alone on failure.

    Datasets whose key (see :mod:`govdata.publish.incremental`) matches the live build are reused;
    when nothing changed the live build stays as it is. ``force`` rebuilds everything. Builds into
    the same ``out`` are serialised (``build_lock``); a full or read-only disk is a BuildError
    naming the path.
    """
    root = root.resolve()
    out = out.resolve()
    return under_lock(out, notice, lambda: _build_locked(root, out, log, force))


def _build_locked(root: Path, out: Path, log: Callable[[str], None], force: bool) -> BuildResult:
    """The build under its lock. What it has read before the catalogue's datasets are loaded (the
    live manifest) and the catalogue itself live as long as the build: they are moved out of the
    cyclic collector's reach once loaded (``gc.freeze``; back at the end), whose full passes over
    them grew with the catalogue (1.5-2 s of a one-changed build of 3,000 datasets). When few
    datasets changed (``FEW_CHANGED``) the collector is off for the build: what it allocates then
    is the catalogue's records and documents, acyclic, and the checks of those few datasets."""
    collecting = gc.isenabled()
    froze: list[bool] = []  # gc.get_freeze_count walks the frozen objects: a flag instead
    try:
        return _build_frozen(root, out, log, force, froze)
    finally:
        if not ENDS_AFTER:
            if froze:
                gc.unfreeze()
            if collecting:
                gc.enable()


def _build_frozen(
    root: Path, out: Path, log: Callable[[str], None], force: bool, froze: list[bool] | None = None
) -> BuildResult:
    collecting = gc.isenabled()
    gc.disable()  # until what changed is known (then on again when many did); on at the end (_build_locked)
    previous = current_build(out)
    known = manifest(previous)
    # before anything is read (a change during the build shows next time): the walk of the input files
    # whose stamps and listing the load and the keys take instead of asking the file system again
    found = walk(root, out)
    inputs = inputs_digest(root, out, found) if found is not None else None
    if not force and previous is not None and inputs is not None and known.get("inputs") == inputs:
        log("nothing changed: the live build is up to date")
        return BuildResult(
            previous,
            Report(),
            list(known.get("datasets", [])),
            dict(known.get("tables", {})),
            reused=sorted(known.get("keys", {})),
        )
    catalog, load_findings = load(root, cache=VerdictCache.under(out), scan=found)
    gc.freeze()  # the catalogue and the live manifest: kept to the end, never garbage
    if froze is not None:
        froze.append(True)
    file_hashes = relative_hashes(root, known.get("file_hashes") or {})
    keys = dataset_keys(catalog, file_hashes, found)
    keys.update(derived.keys(catalog, keys, timeliness.today()))
    prev = {} if force or any(f.is_error for f in load_findings) else known
    if prev and previous is not None and prev.get("keys") == keys:
        log("nothing changed: the live build is up to date")
        return BuildResult(
            previous,
            Report(),
            list(prev.get("datasets", [])),
            dict(prev.get("tables", {})),
            reused=sorted(keys),
            parsed=parse_cache(catalog.verdicts).parsed,
        )
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    staging = out / "builds" / stamp
    work = staging / "work"
    reuse = {name for name, key in keys.items() if prev.get("keys", {}).get(name) == key}
    if collecting and len(keys) - len(reuse) > FEW_CHANGED:
        gc.enable()  # many datasets to check and publish: their garbage is collected as it comes
    # the build that pruning would remove becomes this one: its files of datasets unchanged since are kept
    recycled = recycle(out, previous, staging) if reuse and previous is not None else None
    if recycled is None:
        staging.mkdir(parents=True, exist_ok=True)
    carried = carried_over(recycled, prev, reuse)
    clear_stale(staging, recycled, carried)
    linked = reuse - carried
    early = start_early_work(out, previous, staging, [ds for ds in catalog.datasets if ds.name not in reuse], linked)
    try:
        result = _build_into(
            root, staging, work, log, keys, reuse, previous, prev, file_hashes, early, inputs, (catalog, load_findings)
        )
    except BuildError:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            (staging / "FAILED").write_text("this build failed; see report.json\n", encoding="utf-8")
        raise
    except BaseException:
        early.exception()  # the copies land in staging: let them finish before it goes
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.linked = len(linked)
    shutil.rmtree(work, ignore_errors=True)
    switch(out, staging)
    prune(out, [staging])
    log(f"published {staging.relative_to(out)}")
    return result


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
    inputs: str | None,
    loaded: tuple[Any, list],
) -> BuildResult:
    from govdata.publish.datasets import Publisher
    from govdata.publish.incremental import catalog_key
    from govdata.publish.releases import Releases
    from govdata.publish.speculative import Speculation
    from govdata.serve import snapshot as serve_snapshot

    catalog = loaded[0]  # loaded once: the checks take it too
    # the previous build's documents hold the pieces of unchanged records (not when forced)
    pieces = Fragments(staging, previous if prev else None, catalog_key(catalog), keys)
    plan = Plan(root, staging, work, keys, reuse, previous, prev, file_hashes, inputs, pieces)
    pieces.made = plan.made  # a reused record's releases and rows are those of the entry that build made
    changed = [ds for ds in catalog.datasets if ds.name not in reuse]
    log(f"checking {len(changed)} changed dataset(s); reusing {len(reuse)}")
    late = [ds for ds in changed if derived.is_derived(ds)]  # checked after the others are published
    speculation = Speculation(changed, plan.site)  # big clean files: SQLite loads beside the checks
    try:
        con, run = check(plan, [ds for ds in changed if ds not in late], speculation, loaded)
    except BaseException:
        speculation.close()
        raise
    top = str(root)  # by absolute path (os.path on strings: 10,000 paths, no Path made for them)
    hashes = {os.path.join(top, path): entry[3] for path, entry in file_hashes.items()}
    publisher = Publisher(con, run, plan.site, plan.downloads, speculation, hashes)
    late_publisher = None
    try:
        write_json(staging / "report.json", run.report.to_dict(), indent=2)
        if not run.report.ok:
            ledger.record(staging.parent.parent, staging.name, run.report)
            raise BuildError(f"the catalogue has {len(run.report.errors)} error(s); run `govdata check` to see them")
        catalog = run.catalog
        progress = Progress(catalog, changed, log)
        book = Releases(staging.parent.parent, root, con, catalog.site["base_url"], log)
        entries: dict[str, Any] = {}
        records: list = []

        def publish(datasets: list, by: Any, ready: dict[str, Any] | None = None) -> None:
            publish_datasets(plan, catalog, datasets, by, early, book, entries, records, progress, ready)

        ready = publish_in_processes(plan, catalog, publisher, early)  # many changed: on every core
        publish([ds for ds in catalog.datasets if not derived.is_derived(ds)], publisher, ready)
        # the derived step: the oversight datasets, computed from what was just published, gated like any other
        late_run = check_derived(plan, loaded, records, run, con, [ds for ds in late if ds.name not in reuse])
        late_publisher = Publisher(con, late_run, plan.site, plan.downloads, speculation, hashes)
        publish([ds for ds in catalog.datasets if derived.is_derived(ds)], late_publisher)
        tables = write_outputs(plan, con, catalog, records, entries)
        # what every serving worker would derive from the documents: the previous build's, patched
        # where some datasets' pieces changed (not when forced)
        how: dict[str, str] = {}
        pieces.flush()  # the documents on disk: the snapshot reads them
        serve_snapshot.write(plan.staging, previous if prev else None, pieces.layout, how)
        _write_manifest(plan, records, entries, tables)
        pieces.save()
        return BuildResult(
            plan.staging,
            run.report,
            [r.id for r in records],
            tables,
            reused=sorted(plan.reuse),
            parsed=parse_cache(catalog.verdicts).parsed,
            rendered=dict(pieces.rendered),
            snapshot=how,
        )
    finally:
        with contextlib.suppress(Exception):  # a failure already raised: the documents' thread ends
            pieces.flush()
        speculation.close()
        publisher.close()
        if late_publisher is not None:
            late_publisher.close()
        run.close()


def _is_interned(entry: dict[str, Any]) -> bool:
    """Whether a manifest entry's strings are interned (judged by its first key: :func:`_write_manifest`
    interns an entry whole)."""
    first = next(iter(entry), None)
    return not isinstance(first, str) or sys.intern(first) is first


def _write_manifest(plan: Plan, records: list, entries: dict[str, Any], tables: dict[str, int]) -> None:
    """``manifest.json`` and its marshalled copy (buildfolder.write_manifest): the copy holds what
    the JSON reads back, so the entries made by this build (not read from the previous manifest)
    go through JSON first. Its strings are interned, so that marshal keeps them as such (and the
    next build's read shares them: an entry's "csv", "text/csv" and keys are then one object each;
    the copy of 10,000 entries: 27.7 → 15.2 MB, read in half the time); an entry read back from
    an interned copy is interned already (the first key tells)."""
    from govdata.catalog.parsecache import interned

    reused = plan.reuse
    entries = {
        name: (e if _is_interned(e) else interned(e)) if name in reused else interned(json.loads(json.dumps(e)))
        for name, e in entries.items()
    }
    write_manifest(
        plan.staging,
        {
            "govdata_version": __version__,
            "built_at": plan.staging.name,
            "root": str(plan.root),
            "datasets": [r.id for r in records],
            "published": {name: list(e["published"]) for name, e in entries.items() if e["published"]},
            "tables": tables,
            "keys": plan.keys,
            # the build whose entry and files each dataset's are (carried from build to build while it is
            # reused; a manifest without it: the build they were copied from)
            "made": {name: plan.made(name) for name in entries},
            "entries": entries,
            "reused": sorted(plan.reuse),
            "file_hashes": plan.file_hashes,
            "inputs": plan.inputs if inputs_inside(plan.root, plan.file_hashes) else None,
        },
        lambda path, data: _manifest_file(path, data, plan.fragments, reused),
    )
