"""The build folder: its layout, the atomic switch of ``current``, pruning old builds (never one a
serving worker holds a lease on), the build lock, rollback, and files written through a rename.

    _build/
      builds/<stamp>/             one build
        site/<dataset>.db         serving SQLite, one per published dataset
        site/metadata.json        Datasette metadata
        site/settings.json        Datasette settings
        site/inspect-data.json    cached table counts
        site/counts.json          cached filtered counts per value of filter/facet columns
        downloads/<dataset>/      <resource>.csv, <resource>.parquet, datapackage.json
        downloads/<dataset>/releases/  its release history: hard links into releases/ (publish/releases.py)
        directory/data.json       DCAT-US 1.1 (and the other directory formats, directory/formats.py)
        warehouse/<dataset>.duckdb  its typed tables (one file a dataset: a reused one is hard-linked)
        report.json, manifest.json
        manifest.marshal          the manifest as the builder reads it (read 3-4× faster than its JSON),
                                  used only while manifest.json is the very file it was written with
        pieces.marshal            each piece document as written: its markers, its pieces' places
                                  (directory/fragments.py: the next build patches it)
        serve.marshal             what serving workers derive from the documents (serve/snapshot.py)
        made.marshal              each dataset's key and the build whose files it has (what recycling reads)
        records.marshal           each record's hash and what it was made of (directory/fragments.py)
      current -> builds/<stamp>   the live build (an atomic symlink switch); a new build is made from
                                  the build pruning would remove (``recycle``), renamed
      releases/                   every release of every dataset, by content; never pruned or rewritten
      leases/<host>-<pid>.lease   builds a serving worker may still read (serve/live.py)
      cache/                      verdicts (govdata/verdicts.py), parsed descriptors (catalog/parsecache.py):
                                  rebuilt when lost
      .build.lock                 held by the one build (or rollback) running; others wait
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import marshal
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from govdata.errors import BuildError

KEEP_BUILDS = 3
LEASE_TTL_S = 120.0  # a serving worker touches its lease every 10 s (serve/live.py)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write through a new file and rename it into place: files of reused datasets are hard links
    into the live build, and writing into them would change what a server is reading."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding=encoding)
    os.replace(tmp, path)


def write_json(path: Path, data: Any, indent: int | None = None) -> None:
    """JSON through a rename; compact unless ``indent`` (for files people read: reports, datapackages)."""
    separators = None if indent else (",", ":")
    write_text(path, json.dumps(data, ensure_ascii=False, indent=indent, separators=separators))


def current_build(out: Path) -> Path | None:
    link = out / "current"
    if link.is_symlink() or link.exists():
        target = link.resolve()
        if (target / "manifest.json").is_file():
            return target
    return None


def switch(out: Path, new: Path) -> None:
    tmp_link = out / f".current-{new.name}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("builds") / new.name, tmp_link)
    os.replace(tmp_link, out / "current")  # atomic on POSIX


def prune(out: Path, keep: list[Path]) -> None:
    """Keep the builds in ``keep`` (the live one, the one in progress), the builds a serving worker
    holds a fresh lease on (``serve/live.py``), the newest other complete builds up to KEEP_BUILDS
    in all, and the newest failed one (its report); remove the rest. Failed builds never push out
    complete ones. A folder that is neither complete nor failed is left alone unless a complete
    build is newer (then it was abandoned)."""
    for old in doomed(out, keep):
        shutil.rmtree(old, ignore_errors=True)


def doomed(out: Path, keep: list[Path]) -> list[Path]:
    """The builds :func:`prune` removes when it keeps ``keep`` (paths that need not exist yet), oldest first."""
    try:
        builds = sorted((p for p in (out / "builds").iterdir() if p.is_dir()), key=lambda p: p.name)
    except FileNotFoundError:
        return []
    live = current_build(out)
    kept = {p.resolve() for p in keep + ([live] if live is not None else [])}
    complete = [b for b in builds if (b / "manifest.json").is_file() and b.resolve() not in kept]
    failed = [b for b in builds if (b / "FAILED").is_file()]
    others = max(KEEP_BUILDS - len(kept), 0)
    kept |= {b.resolve() for b in (complete[-others:] if others else []) + failed[-1:]}
    kept |= {(out / "builds" / name).resolve() for name in leased_builds(out)}
    newest_complete = complete[-1].name if complete else ""
    gone = []
    for old in builds:
        unknown = not (old / "manifest.json").is_file() and not (old / "FAILED").is_file()
        if old.resolve() in kept or (unknown and old.name >= newest_complete):
            continue
        gone.append(old)
    return gone


# what a build folder holds besides its datasets' files (``site/<name>.db``, ``downloads/<name>/``,
# ``warehouse/<name>.duckdb``): every build writes these again
_PER_DATASET = {"site": ".db", "downloads": "", "warehouse": ".duckdb"}


def recycle(out: Path, live: Path | None, staging: Path) -> dict[str, Any] | None:
    """Make ``staging`` out of the newest complete build that this build's pruning would remove
    anyway (not the live one, not one kept for rollback, not one a serving worker holds a lease
    on): its manifest removed first (from then on it is neither a rollback target nor recycled
    again; a crash leaves an abandoned folder that the next prune removes), then renamed, then
    everything but its datasets' files removed. Returns what its datasets' files are (:func:`made_of`),
    or None when there is no such build (``staging`` is then made empty).

    A reused dataset whose files in the recycled build are those of the live build (same key,
    same entry) then costs nothing: a one-changed build of 10,000 links and removes the files of
    the few datasets that changed since that build, not ~200,000 (:func:`clear_stale`)."""
    candidates = [b for b in doomed(out, [p for p in (live, staging) if p is not None]) if _complete(b)]
    if not candidates:
        staging.mkdir(parents=True)
        return None
    old = candidates[-1]
    known = made_of(old)
    (old / "manifest.json").unlink()
    os.rename(old, staging)
    unreadable = not known.get("keys")  # then nothing of it is kept: made empty
    for item in os.scandir(staging):
        if item.name in _PER_DATASET and item.is_dir(follow_symlinks=False) and not unreadable:
            continue
        if item.is_dir(follow_symlinks=False):
            shutil.rmtree(item.path)
        else:
            os.unlink(item.path)
    with contextlib.suppress(FileNotFoundError), os.scandir(staging / "site") as entries:
        for item in entries:  # labels, metadata, settings, counts: written by every build
            if not item.name.endswith(".db") or not item.is_file(follow_symlinks=False):
                _remove(Path(item.path))
    return None if unreadable else known


def _complete(build: Path) -> bool:
    return (build / "manifest.json").is_file() and not (build / "FAILED").exists()


def carried_over(recycled: dict[str, Any] | None, live: dict[str, Any], names: set[str]) -> set[str]:
    """The datasets of ``names`` (reused from the live build) whose files the recycled build holds
    already: the same key in both builds, and files made by the same build (``made``: an entry and
    its files are copied as they are from build to build while the dataset is reused). Manifests
    without ``made`` (older ones) compare their entries (exports, rows and releases) instead."""
    if not recycled:
        return set()
    keys, live_keys = recycled.get("keys") or {}, live.get("keys") or {}
    made, live_made = recycled.get("made"), live.get("made")
    if isinstance(made, dict) and isinstance(live_made, dict):
        return {
            n
            for n in names
            if n in keys and keys[n] == live_keys.get(n) and made.get(n) is not None and made[n] == live_made.get(n)
        }
    entries, live_entries = recycled.get("entries") or {}, live.get("entries") or {}
    return {
        n
        for n in names
        if n in keys and keys[n] == live_keys.get(n) and n in entries and entries[n] == live_entries.get(n)
    }


def clear_stale(staging: Path, recycled: dict[str, Any] | None, kept: set[str]) -> int:
    """Remove from a recycled ``staging`` the files of every dataset it holds but not in ``kept``
    (changed, removed, or different from the live build's). Returns how many were cleared."""
    if not recycled:
        return 0
    stale = [n for n in recycled.get("keys") or {} if n not in kept]
    for n in stale:
        for folder, suffix in _PER_DATASET.items():
            _remove(staging / folder / f"{n}{suffix}")
    return len(stale)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


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


MANIFEST_COPY = "manifest.marshal"
# each dataset's key and the build that made its entry and files (the manifest's "keys" and "made"):
# what recycling an old build needs to know of it, without reading its whole manifest (29 MB of JSON
# at 10,000 datasets, 0.2 s as marshal)
MADE = "made.marshal"
_COPY_VERSION = f"govdata-manifest-1 {sys.version_info[:2]}"  # marshal's format follows Python's version


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def manifest(build_dir: Path | None) -> dict[str, Any]:
    """A build's ``manifest.json`` ({} when it has none or it cannot be read): from its marshalled
    copy (:func:`write_manifest`) while ``manifest.json`` is the file that copy was written with
    (its size, modification time and inode), else from the JSON."""
    if build_dir is None:
        return {}
    path = build_dir / "manifest.json"
    try:
        version, stamp, data = marshal.loads((build_dir / MANIFEST_COPY).read_bytes())
        if version == _COPY_VERSION and stamp == _stamp(path) and isinstance(data, dict):
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def made_of(build_dir: Path) -> dict[str, Any]:
    """A build's ``keys`` and ``made`` (:data:`MADE`), or its whole manifest when it has no such
    file (an older build, or one whose copy failed)."""
    try:
        version, found = marshal.loads((build_dir / MADE).read_bytes())
        if version == _COPY_VERSION and isinstance(found, dict) and isinstance(found.get("made"), dict):
            return found
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return manifest(build_dir)


def write_manifest(build_dir: Path, data: dict[str, Any], write: Callable[..., None]) -> None:
    """``manifest.json`` (through ``write``: write_json) and its marshalled copy, the manifest as
    the JSON reads back (``data`` must hold only what JSON gives back the same: str keys, lists,
    str, int, float, bool, None). The copy is what the next build reads: the JSON of 10,000
    datasets (29 MB) took 0.24 s to read, twice a build (the live build's, the recycled one's)."""
    copy = build_dir / MANIFEST_COPY
    for stale in (copy, build_dir / MADE):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()  # a recycled folder's: never beside a manifest it was not written with
    write(build_dir / "manifest.json", data)
    made = {"keys": data.get("keys") or {}, "made": data.get("made") or {}}
    for name, blob in (
        (MANIFEST_COPY, lambda: marshal.dumps((_COPY_VERSION, _stamp(build_dir / "manifest.json"), data))),
        (MADE, lambda: marshal.dumps((_COPY_VERSION, made))),
    ):
        tmp = build_dir / f".{name}.tmp"
        try:
            tmp.write_bytes(blob())
            os.replace(tmp, build_dir / name)
        except (OSError, ValueError):  # a full disk, a value marshal cannot hold: the JSON is read instead
            with contextlib.suppress(OSError):
                tmp.unlink()


def print_notice(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def build_lock(out: Path, notice: Callable[[str], None] = print_notice) -> Iterator[None]:
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


def disk_error(exc: BaseException, out: Path) -> BuildError | None:
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


def under_lock(out: Path, notice: Callable[[str], None], work: Callable[[], Any]) -> Any:
    """``work`` holding the build lock; a full or read-only disk becomes one BuildError naming the path."""
    try:
        with build_lock(out, notice):
            return work()
    except BuildError:
        raise
    except Exception as exc:
        disk = disk_error(exc, out)
        if disk is None:
            raise
        raise disk from None


def rollback(out: Path, notice: Callable[[str], None] = print_notice) -> tuple[Path, Path]:
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
        switch(out, good[-1])
        return live, good[-1]

    return under_lock(out, notice, switch_back)
