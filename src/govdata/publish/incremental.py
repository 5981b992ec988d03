"""Incremental builds: each dataset's build is keyed by a hash of everything it depends on —
its descriptor, resolved schemas, data files, pipeline definitions and step code, catalog.yaml,
the platform's code, and the keys of the datasets its foreign keys point into. A dataset whose
key matches the live build is reused (its files hard-linked, its warehouse file too) instead of
being checked and built again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Collection

from govdata import __version__, sourcecode
from govdata.catalog.loader import parse_cache
from govdata.catalog.model import Catalog, Dataset
from govdata.catalog.scan import INPUT_FOLDERS, Scan, walk
from govdata.pipelines.runner import pipeline_fingerprint


def platform_key() -> str:
    """The platform's version and source code (govdata.sourcecode)."""
    return hashlib.sha256(f"{__version__}\0{sourcecode.digest()}".encode()).hexdigest()


def hash_key(root: Path, path: Path | str) -> str:
    """The key of a file in the manifest's ``file_hashes``: its path relative to the catalogue's
    root (a build folder moved or restored with its catalogue keeps its stamps), absolute outside it."""
    text, prefix = str(path), str(root) + os.sep
    return text[len(prefix) :] if text.startswith(prefix) else text


def relative_hashes(root: Path, file_hashes: dict[str, list]) -> dict[str, list]:
    """``file_hashes`` of a manifest keyed by :func:`hash_key` (an older manifest keyed them by
    absolute path: those under ``root`` are read as relative ones)."""
    return {hash_key(root, path): entry for path, entry in file_hashes.items()}


def _file_hash(path: Path, cache: dict[str, list], root: Path, scan: Scan | None = None) -> str:
    """sha256 of a file; ``cache`` maps a path (:func:`hash_key`) to [size, mtime_ns, inode, sha256]
    (like git's index, a file whose size, mtime and inode are unchanged is not read again). The
    stamp is the ``scan``'s when the build took one."""
    st = path.stat() if scan is None else scan.stat(path)
    stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
    key = hash_key(root, path)
    known = cache.get(key)
    if not (isinstance(known, list) and len(known) == 4 and known[:3] == stamp):
        h = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        cache[key] = stamp + [h.hexdigest()]
    return cache[key][3]


def catalog_key(catalog: Catalog) -> str:
    return hashlib.sha256((catalog.root / "catalog.yaml").read_bytes() + platform_key().encode()).hexdigest()


def dataset_keys(
    catalog: Catalog, file_hashes: dict[str, list] | None = None, scan: Scan | None = None
) -> dict[str, str]:
    """Build keys; ``file_hashes`` (see ``_file_hash``, keyed by :func:`hash_key`) is used and
    updated when given; ``scan``: the build's walk of the catalogue (catalog/scan.py), whose
    stamps and listing answer instead of the file system.

    A descriptor and a schema file count by the key the load parsed them under (the parse cache's
    digest of their bytes: not read again); an inline schema is in its descriptor's bytes."""
    cache: dict[str, list] = {} if file_hashes is None else file_hashes
    root = catalog.root
    own: dict[str, str] = {}
    shared = catalog_key(catalog).encode()
    digest = parse_cache(catalog.verdicts).key
    is_file = Path.is_file if scan is None else scan.is_file  # the build's walk answers when it took one
    is_dir = Path.is_dir if scan is None else scan.is_dir
    for ds in catalog.datasets:
        h = hashlib.sha256(shared)
        h.update(digest(ds.descriptor_file).encode())
        for res in ds.resources:
            if res.schema_file is not None:
                h.update(f"\0{hash_key(root, res.schema_file)}\0".encode())
                if res.schema is not None:
                    h.update(digest(res.schema_file).encode())
            if res.source is not None and is_file(res.source):
                h.update(_file_hash(res.source, cache, root, scan).encode())
            if res.pipeline:
                h.update(pipeline_fingerprint(catalog.root, res.pipeline).encode())
                params = res.raw.get("pipeline_params") or {}
                for step_file in (ds.dir / "data").rglob("*") if is_dir(ds.dir / "data") else []:
                    if is_file(step_file):  # inputs a read_csv step may use
                        h.update(_file_hash(step_file, cache, root, scan).encode())
                h.update(json.dumps(params, sort_keys=True).encode())
        own[ds.name] = h.hexdigest()
    keys = {}
    for ds in catalog.datasets:
        h = hashlib.sha256(own[ds.name].encode())
        for target in sorted(_closure(catalog, ds)):
            h.update(own.get(target, "missing").encode())
        keys[ds.name] = h.hexdigest()
    return keys


def _closure(catalog: Catalog, ds: Dataset) -> set[str]:
    seen: set[str] = set()
    todo = list(ds.foreign_datasets())
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        target = catalog.dataset(name)
        if target is not None:
            todo.extend(target.foreign_datasets())
    return seen


def link_tree(src: Path, dst: Path) -> None:
    """Hard-link a folder's files (copy where links are not possible). ``scandir`` knows which
    entries are folders without a stat each (a reused dataset has ~10 files; 10,000 of them)."""
    os.makedirs(dst, exist_ok=True)
    with os.scandir(src) as entries:
        for item in entries:
            target = os.path.join(dst, item.name)
            if item.is_dir(follow_symlinks=False):
                link_tree(Path(item.path), Path(target))
                continue
            try:
                os.link(item.path, target)
            except OSError:
                shutil.copy2(item.path, target)


def link_file(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


LINK_CHUNK = 2000  # sources per ``cp`` process (well under the kernel's argument limit)


def link_reused(previous: Path, staging: Path, names: Collection[str]) -> None:
    """The serving database (``site/<name>.db``), the downloads folder and the warehouse file
    (``warehouse/<name>.duckdb``) of every reused dataset,
    hard-linked from the previous build into ``staging``: ``cp -al`` over thousands of them at a
    time (one process does the ~20 links and 4 folders of each dataset in C, beside the build's
    Python; a Python loop over 10,000 datasets cost ~10 s). Where ``cp`` fails (no GNU ``cp``,
    another file system, links refused) each one is made again by :func:`link_tree`/:func:`link_file`,
    which copy where links are not possible."""
    for folder, suffix in (("site", ".db"), ("downloads", ""), ("warehouse", ".duckdb")):
        source = previous / folder
        try:
            with os.scandir(source) as entries:
                found = sorted(
                    e.name for e in entries if e.name.endswith(suffix) and e.name[: len(e.name) - len(suffix)] in names
                )
        except FileNotFoundError:
            continue
        target = staging / folder
        target.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(found), LINK_CHUNK):
            chunk = found[start : start + LINK_CHUNK]
            try:
                done = (
                    subprocess.run(
                        ["cp", "-al", "--", *[str(source / n) for n in chunk], str(target)], capture_output=True
                    ).returncode
                    == 0
                )
            except OSError:
                done = False
            if not done:
                for n in chunk:
                    _link_again(source / n, target / n)


def _link_again(src: Path, dst: Path) -> None:
    """``src`` linked (or copied) at ``dst`` after a failed ``cp``: what it left there is removed
    first (unlinking a link never touches the previous build's file)."""
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    elif dst.exists() or dst.is_symlink():
        dst.unlink()
    if src.is_dir():
        link_tree(src, dst)
    else:
        link_file(src, dst)


def inputs_digest(root: Path, out: Path, found: Scan | None = None) -> str | None:
    """A digest of the stamps (size, mtime, ctime, inode) of every file a build reads —
    catalog.yaml and the files under datasets/, schemas/, pipelines/ — and of the platform's code
    (catalog/scan.py; ``found``: its walk, when taken already). Unchanged digest, unchanged inputs
    (as git's index assumes): a no-op build needs no parsing. None when a symlink is met (its
    target's changes would not show)."""
    from govdata.oversight import timeliness

    found = found or walk(root, out)
    # the derived datasets are figures of the day
    return None if found is None else found.digest(platform_key() + timeliness.today().isoformat())


def inputs_inside(root: Path, file_hashes: dict[str, list]) -> bool:
    """Every hashed file lies in the folders :func:`inputs_digest` stamps (``file_hashes`` keyed by :func:`hash_key`)."""
    folders = tuple(f + os.sep for f in INPUT_FOLDERS)
    return all(path.startswith(folders) and not os.path.isabs(path) for path in file_hashes)
