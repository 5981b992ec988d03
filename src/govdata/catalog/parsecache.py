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
value is the data and the line map, each ``marshal``-ed (each hit is a fresh copy: callers may
change what they get). ``parsed.marshal`` is an index (each entry's offset and lengths) followed by
the entries' bytes, mapped into memory rather than read: a build of 10,000 descriptors pages in
what it unmarshals, and a descriptor's line map stays in the file until a finding needs a line.
``marshal`` is written and read only by this module, in a folder only the build writes, and cannot
run code.

A file's key is known without reading it while its stamp (size, times, inode) is the one it had
when it was last read (``stamps.marshal``), as git's index trusts them; a stamp younger than
:data:`RACY_NS` is not kept.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Callable

from govdata import sha
from govdata.catalog import safeyaml
from govdata.catalog.safeyaml import MAX_DESCRIPTOR_BYTES, LineMap, Lines, load_descriptor
from govdata.errors import UnsafeInputError
from govdata.forking import can_fork, forked_pool

FILE = "parsed.marshal"
# an entry: its data and line map, each marshalled: bytes (parsed now, or from DELTA), or the offset
# and the two lengths of its bytes in FILE (mapped, not read: 90 MB at 10,000 descriptors)
Entry = tuple[Any, ...]
MAGIC = b"govdata-parsed\0\0"  # FILE's first bytes, then its index's length (8 bytes, little-endian)
STAMPS = "stamps.marshal"  # path → (size, mtime_ns, ctime_ns, inode, key) of the files last keyed
# a stamp younger than this is not kept: a file written twice within the file system's clock tick
# can keep its stamp with other bytes (git's "racy" entries); it is read again next time
RACY_NS = 2_000_000_000
DELTA = "parsed-new.marshal"  # the entries added since FILE was written, while they are few
DELTA_SHARE = 10  # the delta is written alone while it holds at most 1/DELTA_SHARE of FILE's entries
PARALLEL_PARSES = 200  # from this many descriptors to parse, they are parsed on every core
# marshal's format follows Python's version; a parse follows the safe loader's code
_VERSION = (
    f"govdata-parse-2 {sys.version_info[:2]} "
    + sha.sha256(Path(safeyaml.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
)


class ParseCache:
    """Descriptors parsed once per content. ``parsed`` counts the parses done (the misses)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.parsed = 0
        self._entries: dict[str, Entry] | None = None
        self._map: memoryview = memoryview(b"")  # FILE's entries, mapped (see _read)
        self._used: set[str] = set()
        self._dirty = False
        # the entries not in FILE (read from DELTA or parsed now), and FILE's stamp and size when read
        self._delta: set[str] = set()
        self._base: tuple[list[int], int] | None = None
        # the key of each file this process took (by path): the build keys hash them
        # (publish/incremental.dataset_keys) instead of reading each descriptor again
        self.digests: dict[Path, str] = {}
        # what a file's key was at its stamp (STAMPS): an unchanged file is not read to know its key
        self._stamps: dict[str, tuple[Any, ...]] | None = None
        self._stamps_dirty = False
        self.stat: Callable[[Path], os.stat_result] = os.stat  # a build's scan answers instead (catalog/scan.py)

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / FILE

    def _read(self) -> dict[str, Entry]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                try:
                    with open(self.path, "rb") as fh:
                        st = os.fstat(fh.fileno())
                        start = fh.read(len(MAGIC) + 8)
                        size = int.from_bytes(start[len(MAGIC) :], "little")
                        if not start.startswith(MAGIC) or size > st.st_size - len(start):
                            raise ValueError("not a parse cache of this format")
                        version, index = marshal.loads(fh.read(size))
                        if version == _VERSION and isinstance(index, dict):
                            # the entries stay in the file, mapped: read (and paged in) as they are hit
                            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                            self._map = memoryview(mapped)[len(start) + size :]
                            self._entries = index
                            self._base = ([st.st_size, st.st_mtime_ns, st.st_ino], len(index))
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

    def _buffers(self, entry: Entry) -> tuple[Any, Any]:
        """An entry's marshalled data and line map: its bytes, or (offset, lengths) in the mapped FILE."""
        if isinstance(entry[0], int):
            offset, size, lines = entry
            return self._map[offset : offset + size], self._map[offset + size : offset + size + lines]
        return entry[0], entry[1]

    def _read_stamps(self) -> dict[str, tuple[Any, ...]]:
        if self._stamps is None:
            self._stamps = {}
            if self.folder is not None:
                try:
                    version, stamps = marshal.loads((self.folder / STAMPS).read_bytes())
                    if version == _VERSION and isinstance(stamps, dict):
                        self._stamps = stamps
                except (OSError, EOFError, ValueError, TypeError):
                    pass
        return self._stamps

    def key(self, path: Path) -> str:
        """The cache key of ``path``'s bytes: the key its unchanged stamp had when it was last read
        (as git's index trusts a file's size, times and inode), else its bytes read and hashed.
        FileNotFoundError when it is gone, UnsafeInputError over the size cap."""
        found = self.digests.get(path)
        if found is not None:
            return found
        st = self.stat(path)
        if st.st_size > MAX_DESCRIPTOR_BYTES:
            raise UnsafeInputError(
                f"{path.name}: {st.st_size} bytes, over the {MAX_DESCRIPTOR_BYTES}-byte cap for descriptors"
            )
        stamps, text = self._read_stamps(), str(path)
        stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        known = stamps.get(text)
        if known is not None and known[:4] == stamp:
            key = known[4]
        else:
            key = _key_and_bytes(path)[0]
            if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
                stamps[text] = (*stamp, key)
            else:
                stamps.pop(text, None)
            self._stamps_dirty = True
        self.digests[path] = key
        return key

    def load(self, path: Path) -> tuple[Any, Lines]:
        """``load_descriptor(path)``, from the cache when these bytes were parsed before."""
        key = self.key(path)
        entries = self._read()
        hit = entries.get(key)
        if hit is not None:
            self._used.add(key)
            raw, lines = self._buffers(hit)
            return marshal.loads(raw), LazyLines(lines)
        key, _ = _key_and_bytes(path)  # the bytes as they are now, then parsed
        self.digests[path] = key
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
                key = self.key(path)
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
        self._save_stamps(whole)
        if not self._dirty or self.path is None or self._entries is None:
            return
        entries = self._entries
        delta = {
            k: tuple(bytes(b) for b in self._buffers(entries[k]))
            for k in self._delta
            if k in entries and (not whole or k in self._used)
        }
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
            self._write_file(self._entries)
            with contextlib.suppress(FileNotFoundError):
                (self.path.parent / DELTA).unlink()
            st = self.path.stat()
            self._base = ([st.st_size, st.st_mtime_ns, st.st_ino], len(self._entries))
            self._delta = set()
            self._dirty = False
        except OSError:
            pass  # a read-only output folder: no cache, same result

    def _write_file(self, entries: dict[str, Entry]) -> None:
        """FILE: the length of its index, its index (each entry's offset and lengths), then the
        entries' bytes; written through a rename (a new stamp: any DELTA of the old FILE is ignored
        from then on). The entries this process read from the old FILE stay readable: the map it
        holds is of the old file."""
        assert self.path is not None
        index: dict[str, tuple[int, int, int]] = {}
        parts: list[Any] = []
        offset = 0
        for key, entry in entries.items():
            raw, lines = self._buffers(entry)
            index[key] = (offset, len(raw), len(lines))
            parts += (raw, lines)
            offset += len(raw) + len(lines)
        head = marshal.dumps((_VERSION, index))
        tmp = self.path.with_name(f".{FILE}.{os.getpid()}.tmp")
        with open(tmp, "wb") as out:
            out.write(MAGIC + len(head).to_bytes(8, "little"))
            out.write(head)
            out.writelines(parts)
        os.replace(tmp, self.path)

    def _save_stamps(self, whole: bool) -> None:
        """STAMPS, when a key was computed from the bytes (``whole``: the stamps of files this load
        did not take, removed or renamed since, are dropped)."""
        if not self._stamps_dirty or self.folder is None or self._stamps is None:
            return
        stamps = self._stamps
        if whole:
            taken = {str(p) for p in self.digests}
            stamps = {k: v for k, v in stamps.items() if k in taken}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{STAMPS}.{os.getpid()}.tmp"
            tmp.write_bytes(marshal.dumps((_VERSION, stamps)))
            os.replace(tmp, self.folder / STAMPS)
            self._stamps_dirty = False
        except OSError:
            pass  # a read-only output folder: keys come from the bytes next time too


def _entry(data: Any, lines: LineMap) -> tuple[bytes, bytes]:
    """A cache entry: the data, and the line map marshalled apart (read only when a finding needs a line).
    The data's strings are marshalled as interned (:func:`interned`)."""
    return marshal.dumps(interned(data)), marshal.dumps(lines)


INTERNED_UP_TO = 2048  # characters: a longer string (a long description) is kept as it is


def interned(value: Any) -> Any:
    """``value`` with its strings interned, so that marshal writes them as such and loading interns
    them again: the keys, types, titles and descriptions that thousands of descriptors repeat are
    then one object each, not one per descriptor. Loading 10,000 generated descriptors: 240 → 78 MB,
    58,600 → 19,000 page faults, 0.35 → 0.25 s of CPU."""
    if type(value) is str:
        return sys.intern(value) if len(value) <= INTERNED_UP_TO else value
    if type(value) is dict:
        return {interned(k): interned(v) for k, v in value.items()}
    if type(value) is list:
        return [interned(v) for v in value]
    return value


class LazyLines(Mapping[tuple[Any, ...], int]):
    """A cached descriptor's line map, unmarshalled when first read: only the findings of a
    descriptor need its lines, and a catalogue's unchanged descriptors have none (the line maps
    were more than half of a warm load's unmarshalling)."""

    __slots__ = ("_raw", "_map")

    def __init__(self, raw: bytes | memoryview) -> None:
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
    return sha.sha256(raw + (b"\0json" if path.suffix == ".json" else b"\0yaml")).hexdigest(), raw


_todo: list[Path] = []  # what the forked children of ``warm`` parse, every n-th each


def _parse_share(share: tuple[int, int]) -> dict[str, tuple[bytes, bytes]]:
    k, n = share
    out: dict[str, tuple[bytes, bytes]] = {}
    for path in _todo[k::n]:
        try:
            key = _key(path)
            out[key] = _entry(*load_descriptor(path))
        except Exception:  # refused, broken or unmarshallable: load() parses it again and says why
            continue
    return out
