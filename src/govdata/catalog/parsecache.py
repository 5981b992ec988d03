"""Parsed descriptors kept by the sha256 of their bytes, so that an unchanged descriptor is not
parsed again (YAML with a line map costs ~10 ms a descriptor: 100 s for 10,000).

The cache belongs to an output folder (``<out>/cache/descriptors/parsed.marshal``, and
``parsed-new.marshal`` for the entries added since, while they are few; beside the
verdict cache of :mod:`govdata.verdicts`) and travels with the catalogue's
:class:`~govdata.verdicts.VerdictCache`: the builder's load and the checks' load of the same build
share one in memory, and the next build or check reads it from disk. Without a folder
(``GOVDATA_NO_CACHE``, a read-only checkout) it still spares the second parse in one process.

What is cached is only what :func:`~govdata.catalog.safeyaml.load_descriptor` returns for bytes
it accepted; refused or broken files are read (and refused) every time. The key is the bytes, the
file's kind (``.json`` or YAML) and the format's version (Python's, and the loader's code); the
value is the (data, line map) pair ``marshal``-ed (each hit is a fresh copy: callers may change
what they get). ``marshal`` is written and read only by this module, in a folder only the build
writes, and cannot run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from govdata.catalog import safeyaml
from govdata.catalog.safeyaml import MAX_DESCRIPTOR_BYTES, LineMap, Lines, load_descriptor
from govdata.errors import UnsafeInputError
from govdata.forking import can_fork, forked_pool

FILE = "parsed.marshal"
DELTA = "parsed-new.marshal"  # the entries added since FILE was written, while they are few
DELTA_SHARE = 10  # the delta is written alone while it holds at most 1/DELTA_SHARE of FILE's entries
PARALLEL_PARSES = 200  # from this many descriptors to parse, they are parsed on every core
# marshal's format follows Python's version; a parse follows the safe loader's code
_VERSION = (
    f"govdata-parse-1 {sys.version_info[:2]} "
    + hashlib.sha256(Path(safeyaml.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
)


class ParseCache:
    """Descriptors parsed once per content. ``parsed`` counts the parses done (the misses)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.parsed = 0
        self._entries: dict[str, bytes] | None = None
        self._used: set[str] = set()
        self._dirty = False
        # the entries not in FILE (read from DELTA or parsed now), and FILE's stamp and size when read
        self._delta: set[str] = set()
        self._base: tuple[list[int], int] | None = None
        self._keys: dict[Path, str] = {}  # keys computed by ``warm``, taken once by ``load``
        # the bytes ``warm`` read, for whoever hashes a descriptor's bytes next (a build's keys:
        # publish/incremental.dataset_keys takes them instead of reading each descriptor again)
        self.raw: dict[Path, bytes] = {}

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / FILE

    def _read(self) -> dict[str, bytes]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                try:
                    with open(self.path, "rb") as fh:
                        st = os.fstat(fh.fileno())
                        version, entries = marshal.loads(fh.read())
                    if version == _VERSION and isinstance(entries, dict):
                        self._entries = entries
                        self._base = ([st.st_size, st.st_mtime_ns, st.st_ino], len(entries))
                except (OSError, EOFError, ValueError, TypeError):
                    pass  # no cache yet, or one of another version: parse again
                if self._base is not None:
                    try:  # the entries added since, written alone (save): only over the FILE they follow
                        version, stamp, added = marshal.loads((self.path.parent / DELTA).read_bytes())
                        if version == _VERSION and stamp == self._base[0] and isinstance(added, dict):
                            self._entries.update(added)
                            self._delta = set(added)
                    except (OSError, EOFError, ValueError, TypeError):
                        pass
        return self._entries

    def load(self, path: Path) -> tuple[Any, Lines]:
        """``load_descriptor(path)``, from the cache when these bytes were parsed before."""
        key = self._keys.pop(path, None) or _key(path)
        entries = self._read()
        hit = entries.get(key)
        if hit is not None:
            self._used.add(key)
            data, lines = marshal.loads(hit)
            return data, LazyLines(lines)
        key, raw = _key_and_bytes(path)  # the bytes as they are now (not as ``warm`` read them), then parsed
        if path in self.raw:
            self.raw[path] = raw
        data, lines = load_descriptor(path)
        self.parsed += 1
        try:
            entries[key] = _entry(data, lines)
        except ValueError:  # a value marshal cannot hold: not cached
            return data, lines
        self._used.add(key)
        self._delta.add(key)
        self._dirty = True
        return data, lines

    def warm(self, paths: list[Path], processes: int) -> None:
        """Parse the descriptors of ``paths`` that are not cached yet in ``processes`` forked
        processes (when there are PARALLEL_PARSES of them and this process may fork: it has one
        thread), so that :meth:`load` then finds them (a cold catalogue of 10,000 descriptors was
        parsed on one core before the check could fork). A file a child could not parse or read
        is left to :meth:`load`, which reports it as it always does."""
        entries = self._read()
        todo: list[Path] = []
        for path in paths:
            try:
                key, self.raw[path] = _key_and_bytes(path)
                self._keys[path] = key
            except (OSError, UnsafeInputError):
                continue  # load() reports it
            if key not in entries:
                todo.append(path)
        if processes < 2 or len(todo) < PARALLEL_PARSES or not can_fork():
            return
        global _todo
        _todo = todo
        try:
            with forked_pool(processes) as pool:  # multiprocessing imported only here (3 ms of a cold start)
                parts = pool.map(_parse_share, [(k, processes) for k in range(processes)])
        finally:
            _todo = []
        for part in parts:
            for key, value in part.items():
                entries[key] = value
                self._delta.add(key)
                self.parsed += 1
                self._dirty = True

    def save(self, whole: bool) -> None:
        """Write the cache when something was parsed; ``whole``: this load read the whole catalogue,
        so entries it did not use (descriptors changed or removed since) are dropped. While the
        entries added since FILE was written are few (``DELTA_SHARE``), they alone are written
        (DELTA, tied to FILE's stamp): a build in which one descriptor of 10,000 changed writes one
        entry, not the 90 MB of all of them; FILE's unused entries are dropped at its next rewrite."""
        if not self._dirty or self.path is None or self._entries is None:
            return
        entries = self._entries
        delta = {k: entries[k] for k in self._delta if k in entries and (not whole or k in self._used)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._base is not None and len(delta) * DELTA_SHARE <= self._base[1]:
                tmp = self.path.with_name(f".{DELTA}.{os.getpid()}.tmp")
                tmp.write_bytes(marshal.dumps((_VERSION, self._base[0], delta)))
                os.replace(tmp, self.path.parent / DELTA)
                self._dirty = False
                return
            if whole:
                self._entries = {k: v for k, v in entries.items() if k in self._used}
            tmp = self.path.with_name(f".{FILE}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps((_VERSION, self._entries)))
            os.replace(tmp, self.path)  # a new stamp: any DELTA (of the old FILE) is ignored from now on
            with contextlib.suppress(FileNotFoundError):
                (self.path.parent / DELTA).unlink()
            st = self.path.stat()
            self._base = ([st.st_size, st.st_mtime_ns, st.st_ino], len(self._entries))
            self._delta = set()
            self._dirty = False
        except OSError:
            pass  # a read-only output folder: no cache, same result


def _entry(data: Any, lines: LineMap) -> bytes:
    """A cache entry: the data, and the line map marshalled apart (read only when a finding needs a line)."""
    return marshal.dumps((data, marshal.dumps(lines)))


class LazyLines(Mapping[tuple[Any, ...], int]):
    """A cached descriptor's line map, unmarshalled when first read: only the findings of a
    descriptor need its lines, and a catalogue's unchanged descriptors have none (the line maps
    were more than half of a warm load's unmarshalling)."""

    __slots__ = ("_raw", "_map")

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._map: LineMap | None = None

    def _lines(self) -> LineMap:
        if self._map is None:
            self._map = marshal.loads(self._raw)
        return self._map

    def __getitem__(self, key: tuple[Any, ...]) -> int:
        return self._lines()[key]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._lines())

    def __len__(self) -> int:
        return len(self._lines())

    def __contains__(self, key: object) -> bool:
        return key in self._lines()


def _key(path: Path) -> str:
    """The cache key of a descriptor file: its bytes and its kind (UnsafeInputError over the cap)."""
    return _key_and_bytes(path)[0]


def _key_and_bytes(path: Path) -> tuple[str, bytes]:
    """:func:`_key` and the bytes it hashed."""
    size = path.stat().st_size
    if size > MAX_DESCRIPTOR_BYTES:
        raise UnsafeInputError(f"{path.name}: {size} bytes, over the {MAX_DESCRIPTOR_BYTES}-byte cap for descriptors")
    raw = path.read_bytes()
    return hashlib.sha256(raw + (b"\0json" if path.suffix == ".json" else b"\0yaml")).hexdigest(), raw


_todo: list[Path] = []  # what the forked children of ``warm`` parse, every n-th each


def _parse_share(share: tuple[int, int]) -> dict[str, bytes]:
    k, n = share
    out: dict[str, bytes] = {}
    for path in _todo[k::n]:
        try:
            key = _key(path)
            out[key] = _entry(*load_descriptor(path))
        except Exception:  # refused, broken or unmarshallable: load() parses it again and says why
            continue
    return out
