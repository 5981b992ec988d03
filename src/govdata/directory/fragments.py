"""Per-dataset pieces of the directory documents, rendered once per content and copied, not
rewritten, while their content holds.

A catalogue-level document (data.json, DCAT-AP, the CKAN directory, portal.json, the Chinese
catalogue, the dump, Datasette's metadata) is a short head plus one piece per dataset. Each piece
is a function of the dataset's :class:`~govdata.directory.record.Record` (and sometimes a little
more, given as ``extra``), of catalog.yaml and of the platform's code; its *key* is a hash of
those (:meth:`Fragments.get`).

The previous build's documents are the store: each build writes ``pieces.marshal`` beside its
documents, the place (file, byte offset, length) of every piece it wrote. A writer asks for a
piece and gets a short marker (NUL, a number, NUL: no JSON, N-Triples or descriptor text holds a
NUL) in place of the text; only a piece the previous build lacks is rendered.
:meth:`Fragments.write` then writes the document, copying the kept pieces' bytes from the previous
build's files with ``copy_file_range`` (runs of adjacent pieces in one call). A build in which one
dataset of 10,000 changed renders one piece per document and copies the rest inside the kernel,
with no Python string for them. ``rendered`` counts the pieces rendered per kind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

INDEX = "pieces.marshal"
RECORDS = "records.marshal"  # each record's hash and what it was made of, for the next build
_SENTINEL = "@@govdata-fragments-{}@@"
_VERSION = 1
Place = tuple[str, int, int, bytes | None]  # file (relative to the build), offset, length, bytes before it


def dumps(data: Any) -> str:
    """Compact JSON (no indentation: machines read these files; 20-30 % smaller, and faster)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _fields(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return vars(obj)
    return str(obj)


def record_hash(rec: Any) -> str:
    """sha256 of a record's content (every field, distributions and releases included;
    ``dataclasses.asdict`` cost 7 ms a record, this a tenth of it)."""
    text = json.dumps(vars(rec), sort_keys=True, ensure_ascii=False, default=_fields)
    return hashlib.sha256(text.encode()).hexdigest()


class Fragments:
    """The pieces of one build's directory. ``staging``: the build being written; ``previous``: the
    build whose documents hold the kept pieces (None: render every piece); ``context``: what every
    piece depends on besides its record (catalog.yaml and the platform's code,
    :func:`govdata.publish.incremental.catalog_key`)."""

    def __init__(self, staging: Path, previous: Path | None, context: str, keys: dict[str, str] | None = None) -> None:
        self.staging = staging
        self.previous = previous
        self.context = context
        # each dataset's build key (publish/incremental.py): a record whose key, releases, rows and
        # policies are those of the previous build's record has its hash (RECORDS), not hashed again
        self.keys = keys or {}
        self._hashes: dict[str, tuple[Any, ...]] = {}
        self._previous_hashes: dict[str, tuple[Any, ...]] | None = None
        self.rendered: Counter[str] = Counter()
        self._known: dict[tuple[str, str], Place] | None = None
        self._ids: dict[tuple[str, str], int] = {}
        self._pieces: list[tuple[str, str]] = []
        self._texts: dict[int, str] = {}
        self._written: dict[tuple[str, str], Place] = {}
        self._records: dict[int, tuple[Any, str]] = {}
        # per document written (relative name): the sha256 of its text between pieces and its pieces
        # in order, (kind, key) and ident: what the serving snapshot patches by (serve/snapshot.py)
        self.layouts: dict[str, tuple[str, list[tuple[str, str]], list[int]]] = {}

    def known(self) -> dict[tuple[str, str], Place]:
        """Where the previous build wrote each piece."""
        if self._known is None:  # none (a build from before pieces, or a damaged index): render them
            self._known = self._previous_index(INDEX)
        return self._known

    def _previous_index(self, name: str) -> dict[Any, Any]:
        """The previous build's marshalled ``(version, dict)`` file ``name``; empty when it has none
        of this version or it cannot be read."""
        if self.previous is not None:
            try:
                version, found = marshal.loads((self.previous / name).read_bytes())
                if version == _VERSION and isinstance(found, dict):
                    return found
            except (OSError, EOFError, ValueError, TypeError):
                pass
        return {}

    def key(self, rec: Any) -> str:
        """The record's hash, computed once per record object (call it when the record is final)."""
        seen = self._records.get(id(rec))
        if seen is None or seen[0] is not rec:
            mark = self._mark(rec)
            old = self.previous_hashes().get(rec.id) if mark is not None else None
            digest = old[-1] if old is not None and old[:-1] == mark else record_hash(rec)
            seen = self._records[id(rec)] = (rec, digest)
            if mark is not None:
                self._hashes[rec.id] = (*mark, digest)
        return seen[1]

    def _mark(self, rec: Any) -> tuple[Any, ...] | None:
        """What a record is made of besides its dataset's build key (descriptor, schemas, data,
        catalog.yaml, the platform's code): its releases, rows and policies (directory/record.py)."""
        key = self.keys.get(getattr(rec, "id", None) or "")
        if key is None:
            return None
        return (key, rec.releases, [r.get("rows") for r in rec.resources], rec.policies)

    def previous_hashes(self) -> dict[str, tuple[Any, ...]]:
        """The previous build's records' hashes with what they were made of (RECORDS)."""
        if self._previous_hashes is None:  # none: every record hashed
            self._previous_hashes = self._previous_index(RECORDS)
        return self._previous_hashes

    def get(self, kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
        """A marker standing for the piece ``kind`` of ``rec`` in a text given to :meth:`write`;
        the piece is rendered now unless the previous build wrote it."""
        key = hashlib.sha256(f"{self.context}\0{kind}\0{self.key(rec)}\0{extra}".encode()).hexdigest()
        ident = self._ids.get((kind, key))
        if ident is None:
            ident = self._ids[(kind, key)] = len(self._pieces)
            self._pieces.append((kind, key))
            if (kind, key) not in self.known():
                self._texts[ident] = render()
                self.rendered[kind] += 1
        return f"\0{ident}\0"

    def put(self, kind: str, rec: Any, text: str, extra: str = "") -> None:
        """Keep ``text`` as the piece ``kind`` of ``rec`` (made by the caller for a file of its own)."""
        self.get(kind, rec, lambda: text, extra)

    def text(self, kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
        """The piece itself (for a reader, as the derived step's portal document)."""
        return self.resolve(self.get(kind, rec, render, extra))

    def resolve(self, text: str) -> str:
        """``text`` with its markers replaced by the pieces (read from the previous build)."""
        parts = text.split("\0")
        for i in range(1, len(parts), 2):
            ident = int(parts[i])
            if ident not in self._texts:
                assert self.previous is not None
                name, offset, length, _ = self.known()[self._pieces[ident]]
                with open(self.previous / name, "rb") as fh:
                    self._texts[ident] = os.pread(fh.fileno(), length, offset).decode("utf-8")
            parts[i] = self._texts[ident]
        return "".join(parts)

    def piece_text(self, ident: int) -> str:
        """The text of the piece a marker stands for (rendered now, or read from the previous build)."""
        return self.resolve(f"\0{ident}\0")

    def layout(self, name: str) -> Layout | None:
        """How the document ``name`` (relative to the build) was written: the sha256 of its text
        outside the pieces, its pieces' (kind, key) in order, and a reader of the piece at a position.
        Two documents with the same outside text and the same keys hold the same bytes."""
        found = self.layouts.get(name)
        if found is None:
            return None
        outside, keys, idents = found
        return Layout(outside, keys, lambda at: self.piece_text(idents[at]))

    def write(self, path: Path, text: str, encoding: str = "utf-8") -> None:
        """Write ``text`` (with markers) to ``path`` through a rename: rendered pieces from memory,
        kept ones copied from the previous build's files, adjacent kept ones in one copy."""
        path.parent.mkdir(parents=True, exist_ok=True)
        name = path.relative_to(self.staging).as_posix()
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb", buffering=0) as out, _Sources(self.previous) as sources:
            copier = _Copier(out, sources)
            if encoding == "utf-8-sig":
                copier.text(b"\xef\xbb\xbf")
            parts = text.split("\0")
            outsides = parts[0::2]
            idents = [int(x) for x in parts[1::2]]
            keys = [self._pieces[i] for i in idents]
            outside = hashlib.sha256(f"{encoding}\0{len(parts)}\0".encode())
            outside.update("\0".join(outsides).encode("utf-8"))
            self.layouts[name] = (outside.hexdigest(), keys, idents)
            texts, written = self._texts, self._written
            known = self.known()
            copier.text(outsides[0].encode("utf-8"))
            for k, ident in enumerate(idents):
                piece = keys[k]
                gap = copier.between if k else None
                if ident in texts:
                    offset, length = copier.rendered(texts[ident].encode("utf-8"))
                else:
                    offset, length = copier.copy(known[piece])
                written.setdefault(piece, (name, offset, length, gap))
                copier.text(outsides[k + 1].encode("utf-8"))
            copier.flush()
        os.replace(tmp, path)

    def save(self) -> None:
        """The places of this build's pieces, for the next build (``<build>/pieces.marshal``)."""
        tmp = self.staging / f".{INDEX}.tmp"
        tmp.write_bytes(marshal.dumps((_VERSION, self._written)))
        os.replace(tmp, self.staging / INDEX)
        try:
            data = marshal.dumps((_VERSION, self._hashes))
        except ValueError:  # a value marshal cannot hold: the next build hashes every record
            data = marshal.dumps((_VERSION, {}))
        tmp = self.staging / f".{RECORDS}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, self.staging / RECORDS)


@dataclasses.dataclass(frozen=True)
class Layout:
    """A document as :meth:`Fragments.layout` describes it."""

    outside: str
    keys: list[tuple[str, str]]
    text: Callable[[int], str]


class _Sources:
    """Open files of the previous build, by name, for the time of one write."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.files: dict[str, int] = {}

    def fd(self, name: str) -> int:
        if name not in self.files:
            assert self.folder is not None
            self.files[name] = os.open(self.folder / name, os.O_RDONLY)
        return self.files[name]

    def __enter__(self) -> _Sources:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self.files.values():
            os.close(fd)


class _Copier:
    """Bytes out in order; a run of kept pieces adjacent in one source file (with the same bytes
    between them as before) becomes one ranged copy."""

    def __init__(self, out: Any, sources: _Sources) -> None:
        self.out, self.sources = out, sources
        self.position = 0  # bytes of the document so far (pending copy and text included)
        self.run: list[Any] | None = None  # [source name, start, end] of the pending copy
        self.between = b""  # text since the last piece

    def text(self, data: bytes) -> None:
        self.between += data
        self.position += len(data)

    def rendered(self, data: bytes) -> tuple[int, int]:
        self.flush()
        offset = self.position
        self.out.write(data)
        self.position += len(data)
        return offset, len(data)

    def copy(self, place: Place) -> tuple[int, int]:
        name, start, length, gap = place
        run = self.run
        if run is not None and run[0] == name and gap == self.between and run[2] + len(gap) == start:
            run[2] = start + length  # the same bytes follow in the source: extend the run
        else:
            self.flush()
            self.run = [name, start, start + length]
        self.between = b""
        offset = self.position
        self.position += length
        return offset, length

    def flush(self) -> None:
        """Write the pending copy, then the text after it."""
        if self.run is not None:
            name, start, end = self.run
            copy_range(self.sources.fd(name), self.out, start, end - start)
            self.run = None
        if self.between:
            self.out.write(self.between)
            self.between = b""


def copy_range(src: int, out: Any, offset: int, length: int) -> None:
    """``length`` bytes of ``src`` from ``offset`` appended to ``out`` (unbuffered), inside the
    kernel where it can."""
    dst = out.fileno()
    while length > 0:
        try:
            done = os.copy_file_range(src, dst, length, offset)
        except OSError:  # another file system, an old kernel: through user space
            done = 0
        if done <= 0:
            data = os.pread(src, min(length, 1 << 24), offset)
            if not data:
                raise OSError(f"the previous build's file ended early at byte {offset}")
            out.write(data)
            done = len(data)
        offset += done
        length -= done


def plain(kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
    """A piece without a store (the ``piece`` of a DirectoryInput made without fragments)."""
    return render()


def json_with(doc: dict[str, Any], **pieces: Iterable[str] | dict[str, str]) -> str:
    """``doc`` as compact JSON with each key of ``pieces`` holding the given JSON texts: a list
    (an iterable of texts) or an object (a dict of key → text). Equal to ``dumps`` of the document
    whose values are the parsed pieces."""
    doc = dict(doc)
    for name in pieces:
        doc[name] = _SENTINEL.format(name)
    text = dumps(doc)
    for name, items in pieces.items():
        marker = dumps(_SENTINEL.format(name))
        if text.count(marker) != 1:
            raise ValueError(f"the document already holds the marker of {name!r}")
        if isinstance(items, dict):
            body = "{" + ",".join(f"{dumps(k)}:{v}" for k, v in items.items()) + "}"
        else:
            body = "[" + ",".join(items) + "]"
        text = text.replace(marker, body, 1)
    return text
