"""Superseded releases' files kept small: a reverse delta against the successor, or one compressed file.

The newest release's CSV and Parquet stay whole in the store (hard links of the build's exports:
they cost nothing beyond the build's own downloads). When a release is superseded, each of its
files the new release does not share is *packed*:

- a **reverse delta**: a zstd frame of the old bytes compressed with the successor's file of the
  same resource and format as its prefix (zstd's ``--patch-from``, long-distance matching): what
  is left is the changed rows plus the frame's metadata (10,000 changed rows of 1,000,000: 118 KB
  for a 189 MB CSV);
- or, when there is no successor file, the chain of deltas behind it would grow past
  :data:`MAX_CHAIN`, or the delta is not smaller than :data:`WORTH` of the file, **one compressed
  file** (zstd alone); a file that compresses no better than that (a Parquet file already is one)
  stays whole.

A pack is written beside where the whole object was: ``<sha>.zst`` and ``<sha>.pack.json``
(``{sha256, bytes, base, codec}``, ``base`` = the sha256 of the prefix or null), and the whole
object is removed only after the pack was decompressed and its sha256 matched. Reading a packed
file reconstructs it (its base first, recursively) and checks the recorded sha256 again.
Deterministic: the same bytes and base give the same frame (single-threaded zstd), so a rebuild
from a fresh clone packs byte-identically.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Union

import pyzstd

from govdata.errors import GovdataError

CODEC = "zstd"
LEVEL = 3
MAX_CHAIN = 8  # at most this many deltas to undo to read any release's file
WORTH = 0.5  # a delta is kept when smaller than half the file; else one compressed file
KEEP = 0.9  # a file compressing to more than this share of its size stays whole (Parquet does)
MAX_DELTA = 1 << 30  # beyond 1 GiB (file + base) a delta would need too large a window: compress alone
CHUNK = 1 << 20

# a located object: a whole file's path, or (the pack's frame, its metadata)
Located = Union[Path, tuple[Path, dict]]
Locate = Callable[[str], "Located | None"]


class PackError(GovdataError):
    pass


def _options(window: int) -> dict:
    return {
        pyzstd.CParameter.compressionLevel: LEVEL,
        pyzstd.CParameter.windowLog: max(20, min(31, window.bit_length())),
        pyzstd.CParameter.enableLongDistanceMatching: 1,
    }


def _prefix(base: Path | None) -> pyzstd.ZstdDict | None:
    """``base``'s bytes as a zstd prefix (the bytes object is dropped at once: one copy in memory)."""
    return pyzstd.ZstdDict(base.read_bytes(), is_raw=True) if base is not None else None


def _unpack(frame: Path, base: Path | None, sink: Callable[[bytes], object]) -> str:
    """Decompress ``frame`` (with ``base``'s bytes as its prefix) into ``sink``; the sha256 of the output."""
    zdict = _prefix(base)
    d = pyzstd.ZstdDecompressor(
        zstd_dict=zdict.as_prefix if zdict is not None else None, option={pyzstd.DParameter.windowLogMax: 31}
    )
    digest = hashlib.sha256()
    with frame.open("rb") as fh:
        while not d.eof:  # output in CHUNK pieces: a small delta expands to the whole file
            chunk = fh.read(CHUNK) if d.needs_input else b""
            if d.needs_input and not chunk:
                break
            try:
                out = d.decompress(chunk, max_length=CHUNK)
            except pyzstd.ZstdError as exc:
                raise PackError(f"{frame}: {exc}") from exc
            digest.update(out)
            sink(out)
    if not d.eof:
        raise PackError(f"{frame}: truncated zstd frame")
    return digest.hexdigest()


def pack(whole: Path, sha: str, base: Path | None, base_sha: str | None) -> dict | None:
    """Pack the object ``whole`` (sha256 ``sha``) as a delta against ``base`` when given and worth
    it, else as one compressed file, else not at all (None: keep it whole). Writes
    ``<sha>.zst`` and ``<sha>.pack.json`` beside ``whole``, verified, then removes ``whole``."""
    tmp = whole.with_name(f".{sha}.{os.getpid()}.zst.tmp")
    try:
        return _pack(whole, sha, base, base_sha, tmp)
    finally:
        tmp.unlink(missing_ok=True)


def _pack(whole: Path, sha: str, base: Path | None, base_sha: str | None, tmp: Path) -> dict | None:
    size = whole.stat().st_size
    frame = whole.with_name(f"{sha}.zst")
    meta: dict | None = None
    if base is not None and size + base.stat().st_size <= MAX_DELTA:
        prefix = _prefix(base)
        assert prefix is not None
        delta = pyzstd.compress(whole.read_bytes(), _options(size + base.stat().st_size), zstd_dict=prefix.as_prefix)
        del prefix
        if len(delta) < WORTH * size:
            tmp.write_bytes(delta)
            meta = {"sha256": sha, "bytes": size, "base": base_sha, "codec": CODEC, "packed_bytes": len(delta)}
        del delta
    if meta is None:
        c = pyzstd.ZstdCompressor(_options(min(size, 1 << 27)))
        with whole.open("rb") as src, tmp.open("wb") as dst:
            while chunk := src.read(CHUNK):
                dst.write(c.compress(chunk))
            dst.write(c.flush())
        packed = tmp.stat().st_size
        if packed >= KEEP * size:
            return None
        meta = {"sha256": sha, "bytes": size, "base": None, "codec": CODEC, "packed_bytes": packed}
    if _unpack(tmp, base if meta["base"] else None, lambda b: None) != sha:
        raise PackError(f"{whole}: the packed file does not give back sha256 {sha}")
    os.chmod(tmp, 0o444)
    os.replace(tmp, frame)
    info = whole.with_name(f"{sha}.pack.json")
    itmp = whole.with_name(f".{sha}.pack.json.tmp")
    itmp.write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    os.chmod(itmp, 0o444)
    os.replace(itmp, info)
    whole.unlink()
    return meta


def drop_pack(whole: Path, sha: str) -> None:
    """The object is whole again (a release's files published anew): its pack is not needed."""
    for name in (f"{sha}.zst", f"{sha}.pack.json"):
        whole.with_name(name).unlink(missing_ok=True)


def read_meta(whole: Path, sha: str) -> dict | None:
    try:
        return json.loads(whole.with_name(f"{sha}.pack.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def materialize(locate: Locate, sha: str, workdir: Path, _seen: frozenset[str] = frozenset()) -> Path:
    """A whole copy of the object ``sha``: its path when it is stored whole, else reconstructed
    into ``workdir`` (bases first) and checked against ``sha``."""
    found = locate(sha)
    if found is None:
        raise PackError(f"object {sha} is not in the store")
    if isinstance(found, Path):
        return found
    frame, meta = found
    if sha in _seen or len(_seen) > 4 * MAX_CHAIN:
        raise PackError(f"object {sha}: its chain of deltas loops")
    out = workdir / sha
    if out.is_file():
        return out
    base_path: Path | None = None
    intermediate: Path | None = None
    if meta.get("base"):
        made = not (workdir / meta["base"]).is_file()
        base_path = materialize(locate, meta["base"], workdir, _seen | {sha})
        if made and base_path.parent == workdir:
            intermediate = base_path
    workdir.mkdir(parents=True, exist_ok=True)
    tmp = workdir / f".{sha}.tmp"
    try:
        with tmp.open("wb") as fh:
            got = _unpack(frame, base_path, fh.write)
        if got != sha:
            raise PackError(f"object {sha}: reconstructed bytes have sha256 {got}")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        if intermediate is not None:
            intermediate.unlink()  # reconstructed on the way: only the asked-for file is kept
    return out
