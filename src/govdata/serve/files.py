"""Files of the build sent as HTTP responses: 1 MB reads, validators and byte ranges.

- ``If-None-Match`` is compared as RFC 9110 says for a GET: weakly (``W/"x"`` matches ``"x"``),
  against a list, and ``*`` matches any file; a match is ``304 Not Modified``.
- ``Range: bytes=…`` with one range is answered ``206 Partial Content`` (what readers of remote
  Parquet — DuckDB, pyarrow, fsspec — send for a footer and the column chunks they need), a range
  past the end ``416``; several ranges, a malformed header or an ``If-Range`` that no longer matches
  get the whole file (allowed: a server may ignore Range).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal

from datasette.utils.asgi import Response

DOWNLOAD_CHUNK = 1 << 20
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: header`` matches the file's ``etag`` (weak comparison)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    strong = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == strong for tag in header.split(","))


def not_modified(etag: str) -> Response:
    return Response("", status=304, headers={"ETag": etag, "Cache-Control": "public, max-age=300"})


def byte_range(header: str | None, size: int) -> tuple[int, int] | None | Literal[False]:
    """(first byte, bytes) of a single ``Range`` of a file of ``size`` bytes; None: send the whole
    file; False: the range lies past the end (416)."""
    if not header:
        return None
    m = _RANGE.fullmatch(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None  # several ranges or another unit: the whole file
    if not m.group(1):  # the last N bytes
        n = int(m.group(2))
        return (max(size - n, 0), min(n, size)) if n else False
    first = int(m.group(1))
    last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    if m.group(2) and int(m.group(2)) < first:
        return None  # malformed: ignored
    if first >= size:
        return False
    return first, last - first + 1


class FileResponse:
    """A file sent in 1 MB reads (Datasette's static handler sends 4 KB chunks, one thread hop
    each: 80 for a 320 KB CSV, 50,000 for a 200 MB one); with ``request`` headers, a byte range."""

    def __init__(
        self,
        path: Any,
        size: int,
        content_type: str,
        head: bool,
        extra: dict[str, str] | None = None,
        request_headers: Any = None,
    ):
        self.path, self.size, self.content_type, self.head = path, size, content_type, head
        self.extra = extra or {}
        self.status, self.first, self.length = 200, 0, size
        wanted = byte_range((request_headers or {}).get("range"), size) if request_headers is not None else None
        if_range = (request_headers or {}).get("if-range")
        if wanted is not None and if_range and if_range.strip() != self.extra.get("etag"):
            wanted = None  # the file changed since the client's first part: send it whole
        if wanted is False:
            self.status, self.length = 416, 0
            self.extra = {**self.extra, "content-range": f"bytes */{size}"}
        elif wanted:
            self.first, self.length = wanted
            self.status = 206
            self.extra = {**self.extra, "content-range": f"bytes {self.first}-{self.first + self.length - 1}/{size}"}

    async def asgi_send(self, send):
        headers = [
            (b"content-type", self.content_type.encode()),
            (b"content-length", str(self.length).encode()),
            (b"accept-ranges", b"bytes"),
            (b"cache-control", b"public, max-age=300"),
            (b"access-control-allow-origin", b"*"),
            *[(k.encode(), v.encode()) for k, v in self.extra.items()],
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        if self.head or not self.length:
            await send({"type": "http.response.body", "body": b""})
            return
        with open(self.path, "rb") as fh:
            if self.first:
                fh.seek(self.first)
            left = self.length
            while True:
                want = min(DOWNLOAD_CHUNK, left)
                chunk = fh.read(want) if want <= 65536 else await asyncio.to_thread(fh.read, want)
                left -= len(chunk)
                more = left > 0 and len(chunk) == want
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if not more:
                    return


# ---- whole-catalogue documents compressed once -----------------------------------------------

GZIP_CACHE_BYTES = 64 << 20  # compressed documents kept per worker process; a larger one is sent as is
GZIP_LEVEL = 6


def _low_priority() -> None:
    import os
    import threading

    try:  # Linux: niceness is per thread (as the expensive SQL threads, serve/app.py)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (OSError, AttributeError):
        pass


class GzipCache:
    """Documents of a build gzip-compressed on their first request that accepts gzip, kept in
    memory (least recently used dropped past ``GZIP_CACHE_BYTES``), so that each costs the worker
    one compression per build and later clients get the compressed bytes (``/data.json`` of 10,000
    generated datasets: 24.6 MB, 0.4 MB compressed in 0.13 s; ``/catalog.ttl`` 185 MB, 6.9 MB in
    1.2 s). Compression reads the file in 1 MB pieces on one low-priority thread; concurrent
    requests for the same document wait for the same compression. Keyed by path, size and mtime:
    a new build's documents are new keys."""

    def __init__(self, limit: int = GZIP_CACHE_BYTES) -> None:
        import collections

        self.limit = limit
        self.entries: collections.OrderedDict[tuple, bytes | None] = collections.OrderedDict()
        self.pending: dict[tuple, asyncio.Future] = {}
        self._executor: Any = None

    def _compress(self, path: Any) -> bytes | None:
        import zlib

        z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip container
        out, size = [], 0
        with open(path, "rb") as fh:
            while chunk := fh.read(DOWNLOAD_CHUNK):
                piece = z.compress(chunk)
                size += len(piece)
                if size > self.limit // 2:
                    return None  # too big to keep: sent as is
                out.append(piece)
        out.append(z.flush())
        body = b"".join(out)
        return body if len(body) <= self.limit // 2 else None

    async def get(self, path: Any, st: Any) -> bytes | None:
        """The gzip bytes of the file, or None when it is too big to keep compressed."""
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        if key not in self.pending:
            if self._executor is None:
                from concurrent import futures

                self._executor = futures.ThreadPoolExecutor(1, "govdata-gzip", initializer=_low_priority)
            loop = asyncio.get_running_loop()
            self.pending[key] = loop.run_in_executor(self._executor, self._compress, path)
        future = self.pending[key]
        try:
            body = await asyncio.shield(future)
        finally:
            if future.done():
                self.pending.pop(key, None)
        if key not in self.entries:
            self.entries[key] = body
            while sum(len(b or b"") for b in self.entries.values()) > self.limit and len(self.entries) > 1:
                self.entries.popitem(last=False)
        return body


GZIPPED = GzipCache()
