"""Per-dataset pieces of the directory documents, rendered once per content and copied, not
rewritten, while their content holds.

A catalogue-level document (data.json, DCAT-AP, the CKAN directory, portal.json, the Chinese
catalogue, the dump, Datasette's metadata) is a short head plus one piece per dataset. Each piece
is a function of the dataset's :class:`~govdata.directory.record.Record` (and sometimes a little
more, given as ``extra``), of catalog.yaml and of the platform's code (the context: a store of
another context is not used); its marker names the rest (:meth:`Fragments.get`).

The previous build's documents are the store: each build writes ``pieces.marshal`` beside its
documents, each document as it was written (its text with a marker per piece, and each piece's
byte offset and length in the file). A writer asks for a piece and gets a marker (NUL, the piece's
kind, its record's hash and its extra input, NUL: no JSON, N-Triples or descriptor text holds a
NUL): no hash is computed per piece, and only a piece the previous build lacks is rendered.
:meth:`Fragments.write` then patches the previous build's document of the same name: each run of
pieces that lay in the same order there, with the same text between them, is one
``copy_file_range`` of its bytes; the text outside the pieces is written as it is now. A build in
which one dataset of 10,000 changed renders one piece per document and copies the rest inside the
kernel in two or three ranges; what a kept piece costs is a lookup and a comparison of the text
before it. ``rendered`` counts the pieces rendered per kind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import marshal
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from govdata.threads import Later, Pool

INDEX = "pieces.marshal"
RECORDS = "records.marshal"  # each record's hash and what it was made of, for the next build
_SENTINEL = "@@govdata-fragments-{}@@"
_VERSION = 2  # of RECORDS (2: a record's mark names the build that made its entry)
_INDEX_VERSION = 2  # of INDEX: per document, its text with markers and its pieces' places


def dumps(data: Any) -> str:
    """Compact JSON (no indentation: machines read these files; 20-30 % smaller, and faster)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_PLAIN = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but " and \: a JSON string of itself, quoted


def name_json(name: str) -> str:
    """``dumps`` of a name (a key of a per-dataset object: 10,000 a document at 10,000 datasets),
    without the encoder for the plain ones."""
    return f'"{name}"' if _PLAIN.fullmatch(name) else dumps(name)


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
        self.made: Callable[[str], str] | None = None  # set by a build (publish/steps.Plan.made)
        self._hashes: dict[str, tuple[Any, ...]] = {}
        self._previous_hashes: dict[str, tuple[Any, ...]] | None = None
        self.rendered: Counter[str] = Counter()
        self._renders: dict[str, Callable[[], str]] = {}  # piece → how to render it (when not kept)
        self._texts: dict[str, str] = {}  # pieces rendered (or read) in this build
        self._docs: dict[str, tuple[str, list[int], list[int]]] = {}  # written: text, piece starts, lengths
        self._previous_docs: dict[str, Any] | None = None
        self._places: dict[str, tuple[str, int, int]] | None = None
        self._records: dict[int, tuple[Any, str]] = {}
        # per document written (relative name): the sha256 of its text between pieces (and of the
        # context) and its pieces in order: what the serving snapshot patches by (serve/snapshot.py)
        self.layouts: dict[str, tuple[str, list[str]]] = {}
        self._io: Pool | None = None  # the thread writing the documents (write, flush)
        self._written: list[Later[None]] = []

    def _previous_index(self, name: str, version: int = _VERSION) -> dict[Any, Any]:
        """The previous build's marshalled ``(version, dict)`` file ``name``; empty when it has none
        of this version or it cannot be read."""
        if self.previous is not None:
            try:
                found_version, found = marshal.loads((self.previous / name).read_bytes())
                if found_version == version and isinstance(found, dict):
                    return found
            except (OSError, EOFError, ValueError, TypeError):
                pass
        return {}

    def previous_docs(self) -> dict[str, Any]:
        """The previous build's documents as it wrote them (INDEX): per relative name, its text with
        a marker for each piece, and each piece's byte offset and length in the file; none when the
        previous build had another context (catalog.yaml, the platform's code)."""
        if self._previous_docs is None:
            found = self._previous_index(INDEX, _INDEX_VERSION)
            docs = found.get("docs") if found.get("context") == self.context else None
            self._previous_docs = docs if isinstance(docs, dict) else {}
        return self._previous_docs

    def places(self) -> dict[str, tuple[str, int, int]]:
        """Where the previous build wrote each piece (file, offset, length): for a reader of a piece
        (:meth:`text`) that the build writes in no document of the same name."""
        if self._places is None:
            self._places = {}
            for name, (text, starts, lengths) in self.previous_docs().items():
                self._places.update(zip(text.split("\0")[1::2], zip(itertools.repeat(name), starts, lengths)))
        return self._places

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
        catalog.yaml, the platform's code): its releases, rows and policies (directory/record.py);
        with ``made`` (the build whose entry the dataset's is: publish/steps.Plan.made), that
        build's name stands for the releases and rows of its entry."""
        key = self.keys.get(getattr(rec, "id", None) or "")
        if key is None:
            return None
        if self.made is not None:
            return (key, self.made(rec.id), rec.policies)
        return (key, rec.releases, [r.get("rows") for r in rec.resources], rec.policies)

    def previous_hashes(self) -> dict[str, tuple[Any, ...]]:
        """The previous build's records' hashes with what they were made of (RECORDS)."""
        if self._previous_hashes is None:  # none: every record hashed
            self._previous_hashes = self._previous_index(RECORDS)
        return self._previous_hashes

    def get(self, kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
        """A marker standing for the piece ``kind`` of ``rec`` in a text given to :meth:`write`: the
        kind, the record's hash and ``extra`` (what else the piece depends on; the context is the
        build's). The piece is rendered now unless the previous build wrote it; :meth:`write` copies
        the kept pieces' bytes."""
        if len(extra) > 48 or "\0" in extra:
            extra = "#" + hashlib.sha256(extra.encode()).hexdigest()[:32]
        seen = self._records.get(id(rec))  # key(), inlined: 100,000 calls at 10,000 datasets
        digest = seen[1] if seen is not None and seen[0] is rec else self.key(rec)
        body = f"{kind}\1{digest[:32]}\1{extra}"
        if body in self._renders:
            return f"\0{body}\0"
        return self.raw(body, render)

    def raw(self, body: str, render: Callable[[], str], count: bool = True) -> str:
        """A marker for the piece ``body`` (no NUL; its first field, up to ``\\1``, its kind): the
        caller vouches that two pieces with the same body, in this build and the previous one, have
        the same text. Rendered now unless the previous build wrote it (``count``: in ``rendered``)."""
        if body not in self._renders:
            self._renders[body] = render
            places = self._places if self._places is not None else self.places()
            if body not in places:  # a piece the previous build lacks: rendered now
                self._piece(body, kept=False, count=count)
        return f"\0{body}\0"

    def put(self, kind: str, rec: Any, text: str, extra: str = "") -> None:
        """Keep ``text`` as the piece ``kind`` of ``rec`` (made by the caller for a file of its own)."""
        self.get(kind, rec, lambda: text, extra)

    def text(self, kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
        """The piece itself (for a reader, as the derived step's portal document)."""
        return self.resolve(self.get(kind, rec, render, extra))

    def resolve(self, text: str) -> str:
        """``text`` with its markers replaced by the pieces (read from the previous build when kept)."""
        parts = text.split("\0")
        for i in range(1, len(parts), 2):
            parts[i] = self._piece(parts[i])
        return "".join(parts)

    def _piece(self, body: str, kept: bool = True, count: bool = True) -> str:
        """The text of a piece: rendered or read already, read from the previous build's file
        (``kept``), or rendered now."""
        found = self._texts.get(body)
        if found is None:
            place = self.places().get(body) if kept and self.previous is not None else None
            if place is not None:
                name, offset, length = place
                with open(self.previous / name, "rb") as fh:  # type: ignore[operator]
                    found = os.pread(fh.fileno(), length, offset).decode("utf-8")
            else:
                found = self._renders[body]()
                if count:
                    self.rendered[body.split("\1", 1)[0]] += 1
            self._texts[body] = found
        return found

    def piece_text(self, body: str) -> str:
        """The text of the piece a marker (without its NULs) stands for."""
        return self._piece(body)

    def layout(self, name: str) -> Layout | None:
        """How the document ``name`` (relative to the build) was written: the sha256 of its text
        outside the pieces (and of the context), its pieces in order, and a reader of the piece at a
        position. Two documents with the same outside text and the same pieces hold the same bytes."""
        found = self.layouts.get(name)
        if found is None:
            return None
        outside, keys = found
        return Layout(outside, keys, lambda at: self.piece_text(keys[at]))

    def write(self, path: Path, text: str, encoding: str = "utf-8") -> None:
        """Write ``text`` (with markers) to ``path`` through a rename, patching the previous build's
        document of the same name: each run of pieces that lay in the same order in it, with the
        same text between them, is one ranged copy of its bytes (``copy_file_range``); the pieces
        it lacks are rendered; the text outside the pieces (a head that counts every dataset, say)
        is written as it is now. What this costs per kept piece is a lookup and a comparison of the
        text before it.

        The writing itself (the copies in the kernel, the writes) is done by one thread of its own
        while the caller makes the next document: the file is there once :meth:`flush` returns
        (raising the first failure)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        name = path.relative_to(self.staging).as_posix()
        parts = text.split("\0")
        outs, bodies = parts[0::2], parts[1::2]
        outside = hashlib.sha256(f"{self.context}\0{encoding}\0{len(parts)}\0".encode())
        outside.update("\0".join(outs).encode("utf-8"))
        self.layouts[name] = (outside.hexdigest(), bodies)
        old = self.previous_docs().get(name)
        if old is not None:
            old_parts = old[0].split("\0")
            old_outs, old_starts, old_lengths = old_parts[0::2], old[1], old[2]
            where = dict(zip(old_parts[1::2], range(len(old_starts))))
        else:
            old_outs, old_starts, old_lengths, where = [], [], [], {}
        starts: list[int] = []
        lengths: list[int] = []
        ops: list[bytes | tuple[int, int]] = []  # in order: bytes to write, (offset, length) to copy
        pending: list[bytes] = [b"\xef\xbb\xbf"] if encoding == "utf-8-sig" else []
        pos = len(pending[0]) if pending else 0
        run_a = run_b = run_new = -1  # the pending copy: its range in the previous file, its place here
        last = -2
        for k, body in enumerate(bodies):
            i = where.get(body, -1)
            gap = outs[k]
            if i == last + 1 and run_a >= 0 and gap == old_outs[i]:
                start = run_new + old_starts[i] - run_a  # the run goes on: copied with it
                length = old_lengths[i]
                run_b = old_starts[i] + length
            else:
                if run_a >= 0:
                    ops.append((run_a, run_b - run_a))
                    run_a = -1
                data = gap.encode("utf-8")
                pending.append(data)
                start = pos + len(data)
                if i >= 0:
                    ops.append(b"".join(pending))
                    pending = []
                    length = old_lengths[i]
                    run_a, run_b, run_new = old_starts[i], old_starts[i] + length, start
                else:
                    data = self._piece(body).encode("utf-8")
                    pending.append(data)
                    length = len(data)
            starts.append(start)
            lengths.append(length)
            pos = start + length
            last = i
        if run_a >= 0:
            ops.append((run_a, run_b - run_a))
        pending.append(outs[-1].encode("utf-8"))
        ops.append(b"".join(pending))
        self._docs[name] = (text, starts, lengths)
        if self._io is None:
            self._io = Pool(1, name="govdata-documents")
        self._written.append(self._io.submit(_write_file, path, self.previous, name, ops))

    def flush(self) -> None:
        """Wait until the documents given to :meth:`write` are written (the first failure raised)."""
        io, self._io = self._io, None
        if io is not None:
            io.shutdown()
        written, self._written = self._written, []
        for done in written:
            done.result()

    def save(self) -> None:
        """This build's documents as written (their texts with markers, each piece's offset and
        length), for the next build (``<build>/pieces.marshal``), and its records' hashes."""
        self.flush()
        tmp = self.staging / f".{INDEX}.tmp"
        tmp.write_bytes(marshal.dumps((_INDEX_VERSION, {"context": self.context, "docs": self._docs})))
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
    keys: list[str]  # each piece's marker (without its NULs): kind, record hash, extra
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


def _write_file(path: Path, previous: Path | None, name: str, ops: list[bytes | tuple[int, int]]) -> None:
    """A document written through a rename: ``ops`` in order, bytes written or (offset, length) of
    the previous build's file ``name`` copied."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb", buffering=0) as out, _Sources(previous) as sources:
        for op in ops:
            if isinstance(op, bytes):
                _write_all(out, op)
            else:
                copy_range(sources.fd(name), out, op[0], op[1])
    os.replace(tmp, path)


def _write_all(out: Any, data: bytes) -> None:
    """``data`` written to the unbuffered file ``out`` (whose one write may take part of it)."""
    view = memoryview(data)
    while view:
        view = view[out.write(view) or 0 :]


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
            _write_all(out, data)
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
            body = "{" + ",".join(f"{name_json(k)}:{v}" for k, v in items.items()) + "}"
        else:
            body = "[" + ",".join(items) + "]"
        text = text.replace(marker, body, 1)
    return text
