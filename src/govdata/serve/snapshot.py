"""The serving snapshot of a build: what every worker derives from the build's documents, derived
once by the build and loaded by each worker in a fraction of the time.

A worker serving 10,000 datasets derived, from the files of its build, the catalogue search index
(``directory/portal.json`` folded, its character and facet bitsets: ~1.9 s of CPU), the CKAN
directory (``directory/ckan.json`` parsed a package at a time, shared: ~1.5 s) and Datasette's
metadata and inspect data (~0.2 s) — every worker, at every start and every build switch. The
build (``publish/builder.py``) now writes ``<build>/serve.marshal``: those structures as plain
containers (``marshal``: objects shared in memory stay shared, ``ckanparams.Sharer``), loaded in
~0.3 s, ~0.4 s and ~0.1 s.

The snapshot is derived from the build folder's files and from nothing else (a replica copied from
object storage serves the same), and each part is checked before use: its format (``FORMAT``, the
code that derives it), the Python version (marshal's), the sha256 of every file it was derived
from, and its own (a copy cut short). A missing, older, foreign, damaged or stale part (a document
changed after the build) is derived from the documents as before: same answers, slower start.

A build in which some datasets changed does not derive the parts again: the previous build's
parts are patched (:func:`write`), since each document is a head plus one piece per dataset
(``directory/fragments.py``) and the part is a function of the head and of each piece. The
``layouts`` part (never read by a worker) keeps, per document, the sha256 of its text outside the
pieces, its pieces' keys in order and the file's stamp: the next build's document with the same
outside text and the same pieces but some has those pieces' entries replaced in the part, with
the same value a derivation gives (tests/test_serve_snapshot_patch.py). Each part's per-dataset
lists are stored in chunks of ``CHUNK`` entries marshalled apart, each with its sha256
(:func:`encode`; a worker checks and joins them, :func:`decode`), so a patch loads and writes again
the part's head and the changed datasets' chunks, and copies the others from the previous file in
the kernel (``copy_file_range``). A one-changed build's snapshot: 0.11-0.13 s of CPU at 3,000
datasets (0.8-1.3 s derived), 0.24-0.29 s at 10,000 (3.4-4.1 s derived).

    header   marshal of {"format", "python", "parts": {name: {"sources": {file: sha256},
             "head": [offset, length, sha256], "sizes": {list: n}, "chunks": {list: [[offset, length,
             sha256], ...]}}}}, after its 8-byte length
    blobs    each part's head and chunks, marshalled apart, at their offsets after the header
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import marshal
import os
import struct
import sys
from pathlib import Path
from typing import Any, Callable

from govdata.directory.fragments import copy_range

FORMAT = 4  # raise when a part's structure changes (CatalogueIndex, Directory, what make_datasette reads, chunks)
FILE = "serve.marshal"
PYTHON = "%d.%d" % sys.version_info[:2]

# each part: the files it is derived from (relative to the build folder)
SOURCES = {
    "catalogue": ("directory/portal.json",),
    "ckan": ("directory/ckan.json",),
    "datasette": ("site/metadata.json", "site/inspect-data.json"),
}
# the documents written from per-dataset pieces; a part of which only some datasets' pieces changed
# is patched from the previous build's (write)
DOCUMENTS = ("directory/portal.json", "directory/ckan.json", "site/metadata.json")
LAYOUTS = "layouts"  # the part holding the documents' layouts (the next build's base)
MAX_PATCHED = 200  # more changed pieces in one document: the part is derived from it
CHUNK = 256  # entries per chunk of a part's per-dataset lists (what a patch loads and writes again)


def _digest(build: Path, rel: str) -> str | None:
    """sha256 of a document, read in blocks into one buffer (the documents are tens of MB at
    10,000 datasets: read whole, each was as much new memory to fault in)."""
    h = hashlib.sha256()
    block = bytearray(1 << 20)
    view = memoryview(block)
    try:
        with open(build / rel, "rb", buffering=0) as fh:
            while n := fh.readinto(block):
                h.update(view[:n])
    except OSError:
        return None
    return h.hexdigest()


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def derive(build: Path, name: str) -> Any:
    """Part ``name`` derived from the build's documents (what a worker does without a snapshot)."""
    if name == "catalogue":
        from govdata.serve.catalogsearch import CatalogueIndex

        return CatalogueIndex(read_json(build / "directory" / "portal.json")).state()
    if name == "ckan":
        from govdata.serve.ckanparams import Directory

        return Directory.load(build).state()
    if name == "datasette":
        return {
            "metadata": read_json(build / "site" / "metadata.json"),
            "inspect": read_json(build / "site" / "inspect-data.json"),
        }
    raise KeyError(name)


# A part is stored as {"head": ..., "sizes": {list: n}, "chunks": {list: [bytes]}}: its per-dataset
# lists in chunks of CHUNK entries, each marshalled apart (a patch loads and writes again only the
# chunks of the changed datasets, the others stay bytes), the rest in the head. A worker joins them
# (decode): the same state a derivation gives.


def _chunked(columns: tuple[list[Any], ...]) -> list[bytes]:
    """Parallel lists cut into chunks of CHUNK entries, each chunk a marshalled tuple of slices."""
    n = len(columns[0]) if columns else 0
    return [marshal.dumps(tuple(c[a : a + CHUNK] for c in columns)) for a in range(0, n, CHUNK)]


def _joined(blobs: list[bytes], width: int) -> tuple[list[Any], ...]:
    out: tuple[list[Any], ...] = tuple([] for _ in range(width))
    for blob in blobs:
        for column, part in zip(out, marshal.loads(blob)):
            column.extend(part)
    return out


def _without(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``d`` with the values of ``keys`` left out (None), its order kept (decode puts them back)."""
    return {k: (None if k in keys else v) for k, v in d.items()}


def encode(name: str, state: Any) -> dict[str, Any]:
    """Part ``name``'s state (what :func:`derive` gives) in its stored form."""
    if name == "catalogue":
        from govdata.serve.catalogsearch import CatalogueIndex

        head = {k: v for k, v in state.items() if k not in ("doc", "datasets", "group_texts")}
        head["doc"] = _without(state["doc"], "datasets")
        head["sortkeys"] = CatalogueIndex.sort_keys(state["datasets"])
        return {
            "head": head,
            "sizes": {"datasets": len(state["datasets"])},
            "chunks": {"datasets": _chunked((state["datasets"], state["group_texts"]))},
        }
    if name == "ckan":
        data, _, orgs, groups, _ = state
        packages, activities = data["packages"], [[k, v] for k, v in data["activities"].items()]
        return {
            "head": {"data": _without(data, "packages", "activities"), "orgs": orgs, "groups": groups},
            "sizes": {"packages": len(packages), "activities": len(activities)},
            "chunks": {"packages": _chunked((packages,)), "activities": _chunked((activities,))},
        }
    if name == "datasette":
        metadata = state["metadata"]
        databases = metadata.get("databases")
        pairs = [[k, v] for k, v in databases.items()] if isinstance(databases, dict) else []
        return {
            "head": {
                "metadata": _without(metadata, "databases") if isinstance(databases, dict) else metadata,
                "inspect": state["inspect"],
                "databases": isinstance(databases, dict),
            },
            "sizes": {"databases": len(pairs)},
            "chunks": {"databases": _chunked((pairs,))},
        }
    raise KeyError(name)


def decode(name: str, stored: Any) -> Any:
    """The state of part ``name`` from its stored form (:func:`encode`)."""
    head, chunks = stored["head"], stored["chunks"]
    if name == "catalogue":
        datasets, texts = _joined(chunks["datasets"], 2)
        state = {k: v for k, v in head.items() if k != "sortkeys"}
        state["doc"]["datasets"] = datasets
        state["datasets"], state["group_texts"] = datasets, texts
        return state
    if name == "ckan":
        (packages,) = _joined(chunks["packages"], 1)
        (activities,) = _joined(chunks["activities"], 1)
        data = head["data"]
        data["packages"], data["activities"] = packages, {k: v for k, v in activities}
        by_name = {p["name"]: p for p in packages}
        resources = {r["id"]: (p, r) for p in packages for r in p["resources"]}
        return (data, by_name, head["orgs"], head["groups"], resources)
    if name == "datasette":
        metadata = head["metadata"]
        if head["databases"]:
            (pairs,) = _joined(chunks["databases"], 1)
            metadata["databases"] = {k: v for k, v in pairs}
        return {"metadata": metadata, "inspect": head["inspect"]}
    raise KeyError(name)


class _Ref(tuple):
    """A chunk of the previous build's snapshot file, not read: (offset in that file, length, sha256)."""


class _Chunks:
    """The chunks of one list of a stored part (bytes, or :class:`_Ref` read by ``read``), loaded
    when an entry of theirs is read or replaced."""

    def __init__(self, blobs: list[Any], size: int, read: Callable[[Any], bytes] | None = None) -> None:
        self.blobs, self.size, self.read = list(blobs), size, read
        self.loaded: dict[int, tuple[list[Any], ...]] = {}

    def _chunk(self, i: int) -> tuple[list[Any], ...]:
        if not 0 <= i < self.size:
            raise IndexError(i)
        k = i // CHUNK
        if k not in self.loaded:
            blob = self.blobs[k]
            if isinstance(blob, _Ref):
                if self.read is None:
                    raise ValueError("a chunk of another file")
                blob = self.read(blob)
            self.loaded[k] = marshal.loads(blob)
        return self.loaded[k]

    def get(self, field: int, i: int) -> Any:
        return self._chunk(i)[field][i % CHUNK]

    def put(self, field: int, i: int, value: Any) -> None:
        self._chunk(i)[field][i % CHUNK] = value

    def column(self, field: int) -> "_Column":
        return _Column(self, field)

    def dumped(self) -> list[Any]:
        """The chunks, those loaded marshalled again (only they can have changed), the others as
        they were (a :class:`_Ref` is copied from the previous file by :func:`write`)."""
        for k, chunk in self.loaded.items():
            self.blobs[k] = marshal.dumps(chunk)
        return self.blobs


class _Column:
    """One list of a chunked part as a sequence (what ``CatalogueIndex.replace`` reads and sets)."""

    def __init__(self, chunks: _Chunks, field: int) -> None:
        self.chunks, self.field = chunks, field

    def __len__(self) -> int:
        return self.chunks.size

    def __getitem__(self, i: int) -> Any:
        return self.chunks.get(self.field, i)

    def __setitem__(self, i: int, value: Any) -> None:
        self.chunks.put(self.field, i, value)


def write(
    build: Path,
    previous: Path | None = None,
    layout: Callable[[str], Any] | None = None,
    how: dict[str, str] | None = None,
) -> Path | None:
    """Write ``<build>/serve.marshal`` for the parts whose documents the build has; returns its path
    (None when there is nothing to snapshot).

    ``layout(rel)``: how the build wrote the document ``rel`` from per-dataset pieces
    (``directory.fragments.Fragments.layout``). With it and the ``previous`` build's snapshot, a
    part whose documents differ from the previous build's only in some datasets' pieces is the
    previous part with those datasets' entries replaced (:func:`_patched`), not derived again from
    the documents: the same value (tested), at the cost of what changed plus one load and one dump
    of the part. Anything else (another format, outside text, number or order of pieces, many
    changed) is derived from the documents. ``how``: filled with each part's "patched" or "derived"."""
    header: dict[str, Any] = {"format": FORMAT, "python": PYTHON, "parts": {}}
    items: list[Any] = []  # in the order written: bytes, or a _Ref copied from the previous file
    offset = 0

    def put(item: Any) -> list[Any]:
        nonlocal offset
        if isinstance(item, _Ref):
            length, digest = item[1], item[2]
        else:
            length, digest = len(item), hashlib.sha256(item).hexdigest()
        items.append(item)
        offset += length
        return [offset - length, length, digest]

    base = _Base(previous) if previous is not None and layout is not None else None
    layouts: dict[str, Any] = {}
    for rel in DOCUMENTS:
        found = layout(rel) if layout is not None else None
        if found is not None:
            layouts[rel] = found
    for name, sources in SOURCES.items():
        if not all((build / rel).is_file() for rel in sources):
            continue
        digests = {rel: _digest(build, rel) for rel in sources}
        value = _patched(build, name, base, layouts) if base is not None else None
        if how is not None:
            how[name] = "derived" if value is None else "patched"
        stored = value if value is not None else encode(name, derive(build, name))
        header["parts"][name] = {
            "sources": digests,
            "head": put(marshal.dumps(stored["head"])),
            "sizes": stored["sizes"],
            "chunks": {k: [put(c) for c in chunks] for k, chunks in stored["chunks"].items()},
        }
    if not items:
        return None
    stamps: dict[str, list[Any]] = {}
    for rel, found in layouts.items():  # what the next build patches by (never read by a worker)
        st = (build / rel).stat()
        stamps[rel] = [found.outside, found.keys, [st.st_size, st.st_mtime_ns, st.st_ino]]
    header["parts"][LAYOUTS] = {"sources": {}, "head": put(marshal.dumps(stamps)), "sizes": {}, "chunks": {}}
    head = marshal.dumps(header)
    path = build / FILE
    tmp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    source = base.previous / FILE if base is not None else None
    with open(tmp, "wb", buffering=0) as f, contextlib.ExitStack() as stack:
        f.write(struct.pack("<Q", len(head)) + head)
        pending: list[bytes] = []
        src: int | None = None
        for item in items:
            if not isinstance(item, _Ref):
                pending.append(item)
                continue
            if pending:
                f.write(b"".join(pending))
                pending = []
            if src is None:
                assert source is not None
                src = os.open(source, os.O_RDONLY)
                stack.callback(os.close, src)
            copy_range(src, f, item[0], item[1])
        if pending:
            f.write(b"".join(pending))
    os.replace(tmp, path)
    return path


class _Base:
    """The previous build's snapshot, as the base of a patch: its parts and the layouts of its
    documents, when they still describe its documents (the same size, modification time and inode)."""

    def __init__(self, previous: Path) -> None:
        self.previous = previous
        self.snapshot = Snapshot(previous)
        self.read = self.snapshot._read_ref  # a chunk of the previous file, checked
        self._layouts: dict[str, Any] | None = None

    def layouts(self) -> dict[str, Any]:
        if self._layouts is None:
            found = self.snapshot.raw(LAYOUTS)
            self._layouts = {}
            if isinstance(found, dict):
                for rel, value in found.items():
                    try:
                        outside, keys, stamp = value
                        st = (self.previous / rel).stat()
                    except (OSError, TypeError, ValueError):
                        continue
                    if [st.st_size, st.st_mtime_ns, st.st_ino] == stamp:
                        self._layouts[rel] = (outside, keys)
        return self._layouts

    def part(self, name: str) -> Any | None:
        """The previous part, checked as a worker checks it but without hashing its documents
        again: their layouts' stamps stand for them."""
        if not all(rel in self.layouts() for rel in SOURCES[name] if rel in DOCUMENTS):
            return None
        return self.snapshot.stored(name, chunks=False)


def _changes(base: _Base, layouts: dict[str, Any], rel: str, kind: str) -> dict[int, Any] | None:
    """Position among the pieces of ``kind`` → the new piece parsed, for the pieces of document
    ``rel`` that differ from the previous build's; None when the document differs otherwise."""
    old, new = base.layouts().get(rel), layouts.get(rel)
    if old is None or new is None or old[0] != new.outside or len(old[1]) != len(new.keys):
        return None
    changed: dict[int, Any] = {}
    at = -1
    prefix = kind + "\1"  # a piece's key (fragments.Fragments.get): kind, record hash, extra
    for i, (was, now) in enumerate(zip(old[1], new.keys)):
        if was != now and _kind(was) != _kind(now):
            return None
        if not now.startswith(prefix):
            continue
        at += 1
        if was != now:
            changed[at] = json.loads(new.text(i))
            if len(changed) > MAX_PATCHED:
                return None
    return changed


def _kind(key: Any) -> Any:
    """The kind of a piece's key (a layout of another format: not a string, no kind)."""
    return key.split("\1", 1)[0] if isinstance(key, str) else None


def _patched(build: Path, name: str, base: _Base, layouts: dict[str, Any]) -> Any | None:
    """Part ``name`` stored (:func:`encode`) as the previous build's with the changed datasets' entries
    replaced: its head and the chunks of those entries loaded, the other chunks kept as bytes. The
    same as encoding :func:`derive` of this build's documents, or None when it cannot be patched."""
    try:
        return _patch(build, name, base, layouts)
    except (KeyError, IndexError, TypeError, ValueError, EOFError, AttributeError):
        return None  # a base of an unexpected shape: derived


def _patch(build: Path, name: str, base: _Base, layouts: dict[str, Any]) -> Any | None:
    if name == "catalogue":
        changes = _changes(base, layouts, "directory/portal.json", "portal")
        stored = base.part(name) if changes is not None else None
        if changes is None or stored is None:
            return None
        from govdata.serve.catalogsearch import CatalogueIndex

        head = stored["head"]
        chunks = _Chunks(stored["chunks"]["datasets"], stored["sizes"]["datasets"], base.read)
        datasets = chunks.column(0)
        head["doc"]["datasets"] = datasets
        index = CatalogueIndex.from_state({**head, "datasets": datasets, "group_texts": chunks.column(1)})
        if not index.replace(changes, head["sortkeys"]):
            return None
        head.update({k: v for k, v in index.state().items() if k not in ("doc", "datasets", "group_texts")})
        head["doc"]["datasets"] = None
        stored["chunks"]["datasets"] = chunks.dumped()
        return stored
    if name == "ckan":
        rel = "directory/ckan.json"
        packages = _changes(base, layouts, rel, "ckan-package")
        activities = _changes(base, layouts, rel, "ckan-activities")
        stored = base.part(name) if packages is not None and activities is not None else None
        if packages is None or activities is None or stored is None:
            return None
        from govdata.serve.ckanparams import Sharer

        listed = _Chunks(stored["chunks"]["packages"], stored["sizes"]["packages"], base.read)
        sharer = Sharer()
        for i, package in packages.items():
            if not isinstance(package, dict) or package.get("name") != listed.get(0, i)["name"]:
                return None
            listed.put(0, i, sharer.package(package))
        acts = _Chunks(stored["chunks"]["activities"], stored["sizes"]["activities"], base.read)
        for i, value in activities.items():
            acts.put(0, i, [acts.get(0, i)[0], value])
        stored["chunks"]["packages"], stored["chunks"]["activities"] = listed.dumped(), acts.dumped()
        return stored
    if name == "datasette":
        databases = _changes(base, layouts, "site/metadata.json", "datasette-metadata")
        stored = base.part(name) if databases is not None else None
        if databases is None or stored is None or not stored["head"]["databases"]:
            return None
        pairs = _Chunks(stored["chunks"]["databases"], stored["sizes"]["databases"], base.read)
        for at, entry in databases.items():
            pairs.put(0, at, [pairs.get(0, at)[0], entry])
        stored["chunks"]["databases"] = pairs.dumped()
        stored["head"]["inspect"] = read_json(build / "site" / "inspect-data.json")  # small: read again
        return stored
    return None


class Snapshot:
    """The snapshot of one build, read part by part (the header once)."""

    def __init__(self, build: Path | None) -> None:
        self.build = build
        self._header: dict[str, Any] | None = None
        self.used: dict[str, str] = {}  # part → "snapshot" or why it was derived (tests, timing)

    def header(self) -> dict[str, Any]:
        if self._header is None:
            self._header = {}
            if self.build is not None:
                try:
                    with open(self.build / FILE, "rb") as f:
                        (size,) = struct.unpack("<Q", f.read(8))
                        header = marshal.loads(f.read(size))
                    if isinstance(header, dict):
                        header["start"] = 8 + size
                        self._header = header
                except (OSError, ValueError, EOFError, TypeError, struct.error):
                    pass
        return self._header

    def _blob(self, ref: Any) -> bytes:
        """The bytes at ``ref`` ([offset, length, sha256] after the header), checked (a copy cut
        short or damaged: ValueError)."""
        assert self.build is not None
        offset, length, digest = ref
        with open(self.build / FILE, "rb") as f:
            blob = os.pread(f.fileno(), length, self.header()["start"] + offset)
        if len(blob) != length or hashlib.sha256(blob).hexdigest() != digest:
            raise ValueError("damaged")
        return blob

    def _read_ref(self, ref: Any) -> bytes:
        """A :class:`_Ref` of this file (a chunk kept by a patch), checked."""
        assert self.build is not None
        with open(self.build / FILE, "rb") as f:
            blob = os.pread(f.fileno(), ref[1], ref[0])
        if len(blob) != ref[1] or hashlib.sha256(blob).hexdigest() != ref[2]:
            raise ValueError("damaged")
        return blob

    def stored(self, name: str, chunks: bool = True) -> Any | None:
        """Part ``name`` in its stored form (:func:`encode`) when its format, Python and own hashes
        are good (its documents not hashed); ``chunks`` False: its chunks as :class:`_Ref` (read
        when needed, :meth:`_read_ref`)."""
        header = self.header()
        entry = (header.get("parts") or {}).get(name)
        if header.get("format") != FORMAT or header.get("python") != PYTHON or not isinstance(entry, dict):
            return None
        collecting = gc.isenabled()
        gc.disable()  # hundreds of thousands of new containers, none in a cycle: no collection
        try:  # needed while they are made (40 % of the load)
            start = header["start"]
            lists = {
                k: [self._blob(ref) if chunks else _Ref((start + ref[0], ref[1], ref[2])) for ref in refs]
                for k, refs in entry["chunks"].items()
            }
            return {"head": marshal.loads(self._blob(entry["head"])), "sizes": entry["sizes"], "chunks": lists}
        except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError, AttributeError):
            return None
        finally:
            if collecting:
                gc.enable()

    def raw(self, name: str) -> Any | None:
        """The head of part ``name`` (the whole of ``layouts``), checked as :meth:`stored` does."""
        found = self.stored(name, chunks=False)
        return None if found is None else found["head"]

    def part(self, name: str) -> Any | None:
        """Part ``name`` from the snapshot, or None when it cannot be used (missing, another format or
        Python, or a source file changed since)."""
        header = self.header()
        entry = (header.get("parts") or {}).get(name)
        if not header:
            self.used[name] = "missing"
            return None
        if header.get("format") != FORMAT or header.get("python") != PYTHON:
            self.used[name] = "format"
            return None
        if entry is None:
            self.used[name] = "missing"
            return None
        if not (isinstance(entry, dict) and isinstance(entry.get("sources"), dict)):
            self.used[name] = "format"
            return None
        digests = entry["sources"]
        assert self.build is not None
        if any(_digest(self.build, rel) != digest for rel, digest in digests.items()) or set(digests) != set(
            SOURCES[name]
        ):
            self.used[name] = "stale"
            return None
        stored = self.stored(name)
        collecting = gc.isenabled()
        gc.disable()  # joining the chunks: new containers, none in a cycle
        try:
            value = decode(name, stored) if stored is not None else None
        except (KeyError, IndexError, TypeError, ValueError, EOFError, AttributeError):
            value = None
        finally:
            if collecting:
                gc.enable()
        if value is None:
            self.used[name] = "unreadable"
            return None
        self.used[name] = "snapshot"
        return value
