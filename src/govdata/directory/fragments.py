"""Per-dataset fragments of the directory documents, rendered once per content.

A catalogue-level document (data.json, DCAT-AP, the CKAN directory, portal.json, the Chinese
catalogue, the dump, Datasette's metadata) is a short head plus one piece per dataset. Each piece
is a function of the dataset's :class:`~govdata.directory.record.Record` (and sometimes a little
more, given as ``extra``), of catalog.yaml and of the platform's code; so it is kept, as text, by
the hash of those (:meth:`Fragments.get`), and a build in which one dataset changed renders one
piece per document and joins the others' kept text (:func:`json_with`).

The pieces are kept in ``<out>/cache/fragments/directory.sqlite`` (beside the other caches of the
output folder, :mod:`govdata.verdicts`; none with ``GOVDATA_NO_CACHE``, then they are only shared
within one build). ``rendered`` counts the pieces rendered per kind: what a build cost in pieces.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

FILE = "directory.sqlite"
_SENTINEL = "@@govdata-fragments-{}@@"


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
    """Pieces of the directory by (kind, key); ``context`` is what every piece depends on besides
    its record (catalog.yaml and the platform's code, :func:`govdata.publish.incremental.catalog_key`)."""

    def __init__(self, folder: Path | None, context: str) -> None:
        self.path = None if folder is None else folder / FILE
        self.context = context
        self.rendered: Counter[str] = Counter()
        self._kinds: dict[str, dict[str, str]] = {}
        self._new: list[tuple[str, str, str]] = []
        self._used: dict[str, set[str]] = {}
        self._records: dict[int, tuple[Any, str]] = {}
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path)
                db.execute("PRAGMA synchronous=OFF")  # a cache: lost pieces are rendered again
                db.execute(
                    "CREATE TABLE IF NOT EXISTS fragment (kind TEXT, key TEXT, text TEXT, PRIMARY KEY (kind, key))"
                    " WITHOUT ROWID"
                )
                self._db = db
            except (OSError, sqlite3.Error):
                self.path = None  # read-only or broken: render everything, keep nothing
        return self._db

    def _known(self, kind: str) -> dict[str, str]:
        if kind not in self._kinds:
            known: dict[str, str] = {}
            db = self._connect()
            if db is not None:
                try:
                    known = dict(db.execute("SELECT key, text FROM fragment WHERE kind = ?", (kind,)))
                except sqlite3.Error:
                    known = {}
            self._kinds[kind] = known
        return self._kinds[kind]

    def key(self, rec: Any) -> str:
        """The record's hash, computed once per record object."""
        seen = self._records.get(id(rec))
        if seen is None or seen[0] is not rec:
            seen = self._records[id(rec)] = (rec, record_hash(rec))
        return seen[1]

    def get(self, kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
        """The piece ``kind`` of ``rec``: kept text, or ``render()`` (then kept)."""
        key = hashlib.sha256(f"{self.context}\0{kind}\0{self.key(rec)}\0{extra}".encode()).hexdigest()
        known = self._known(kind)
        self._used.setdefault(kind, set()).add(key)
        text = known.get(key)
        if text is None:
            text = known[key] = render()
            self.rendered[kind] += 1
            self._new.append((kind, key, text))
        return text

    def put(self, kind: str, rec: Any, text: str, extra: str = "") -> None:
        """Keep ``text`` as the piece ``kind`` of ``rec`` (made by the caller for a file of its own)."""
        self.get(kind, rec, lambda: text, extra)

    def save(self) -> None:
        """Keep the new pieces; drop the unused ones of a kind once they outnumber the used."""
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO fragment VALUES (?, ?, ?)", self._new)
                for kind, used in self._used.items():
                    stale = [k for k in self._kinds.get(kind, {}) if k not in used]
                    if len(stale) > len(used):
                        db.executemany("DELETE FROM fragment WHERE kind = ? AND key = ?", ((kind, k) for k in stale))
            self._new = []
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None


def plain(kind: str, rec: Any, render: Callable[[], str], extra: str = "") -> str:
    """A piece without a cache (the ``piece`` of a DirectoryInput made without fragments)."""
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
