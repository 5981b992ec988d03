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

    header   marshal of {"format", "python", "parts": {name: [offset, length, {file: sha256}, sha256]}}
    parts    marshal of each part, at its offset after the 8-byte header length
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import os
import struct
import sys
from pathlib import Path
from typing import Any

FORMAT = 2  # raise when a part's structure changes (CatalogueIndex, Directory, what make_datasette reads)
FILE = "serve.marshal"
PYTHON = "%d.%d" % sys.version_info[:2]

# each part: the files it is derived from (relative to the build folder)
SOURCES = {
    "catalogue": ("directory/portal.json",),
    "ckan": ("directory/ckan.json",),
    "datasette": ("site/metadata.json", "site/inspect-data.json"),
}


def _digest(build: Path, rel: str) -> str | None:
    try:
        return hashlib.sha256((build / rel).read_bytes()).hexdigest()
    except OSError:
        return None


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


def write(build: Path) -> Path | None:
    """Write ``<build>/serve.marshal`` for the parts whose documents the build has; returns its path
    (None when there is nothing to snapshot)."""
    header: dict[str, Any] = {"format": FORMAT, "python": PYTHON, "parts": {}}
    blobs: list[bytes] = []
    offset = 0
    for name, sources in SOURCES.items():
        if not all((build / rel).is_file() for rel in sources):
            continue
        digests = {rel: _digest(build, rel) for rel in sources}
        blob = marshal.dumps(derive(build, name))
        header["parts"][name] = [offset, len(blob), digests, hashlib.sha256(blob).hexdigest()]
        blobs.append(blob)
        offset += len(blob)
    if not blobs:
        return None
    head = marshal.dumps(header)
    path = build / FILE
    tmp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)
    return path


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
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[2], dict)):
            self.used[name] = "format"
            return None
        offset, length, digests, own = entry
        assert self.build is not None
        if any(_digest(self.build, rel) != digest for rel, digest in digests.items()) or set(digests) != set(
            SOURCES[name]
        ):
            self.used[name] = "stale"
            return None
        try:
            with open(self.build / FILE, "rb") as f:
                f.seek(header["start"] + offset)
                blob = f.read(length)
            if hashlib.sha256(blob).hexdigest() != own:  # cut short or damaged (a partial copy)
                raise ValueError(name)
            collecting = gc.isenabled()
            gc.disable()  # hundreds of thousands of new containers, none in a cycle: no collection
            try:  # needed while they are made (40 % of the load)
                value = marshal.loads(blob)
            finally:
                if collecting:
                    gc.enable()
        except (OSError, ValueError, EOFError, TypeError):
            self.used[name] = "unreadable"
            return None
        self.used[name] = "snapshot"
        return value
