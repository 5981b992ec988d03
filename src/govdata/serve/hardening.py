"""Holding a public SQL endpoint against the attacks in docs (security.md).

Per connection: SQLite limits, a small page cache and an authorizer that refuses functions and
pragmas leaking process state (``fts3_tokenizer`` returns a memory address, ``database_list``
file-system paths). Per Datasette app (``wrap``, installed by the plugin's ``asgi_wrapper``):
refused backslash paths, security headers, a cap on response bytes (JSON and CSV; full tables
are what ``/downloads/`` is for) and spreadsheet-safe CSV exports (cells starting with
``= + - @ \\t \\r`` get a leading ``'``). Request-level limits and the admission budget live in
``serve/admission.py``, in front of the app.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import threading
from typing import Any

from govdata.directory import formats

LIMITS = {
    # one value (and one row record) of at most 4 MB: a result is cut at RESULT_CHARS anyway, a stored
    # cell is at most 100,000 characters (the gate's cell-too-large); 10 MB let one fetched batch of
    # hex(zeroblob(…)) columns reach gigabytes of Python strings
    sqlite3.SQLITE_LIMIT_LENGTH: 4_000_000,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 500,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 20,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 100,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 1000,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
}
# sqlite3_hard_heap_limit64 is process-wide: it bounds all connections of a worker together, so
# it is set once per process (connections are few: see serve/app.py's per-thread LRU).
HEAP_LIMIT = 512 * 1024 * 1024
CACHE_KB = 512  # page cache per connection (SQLite's default is 2 MB)

# result cells a query may hand to the renderer, in characters (a JSON body is at most ~6× that)
RESULT_CHARS = 2_000_000
# bytes of one response body produced by Datasette (not /downloads/, which are static files)
RESPONSE_BYTES = 16 * 1024 * 1024
CSV_EXPORT_MB = 8  # Datasette's max_csv_mb for streamed CSV exports

DENIED_FUNCTIONS = frozenset({"fts3_tokenizer", "load_extension", "readfile", "writefile", "edit", "fts5_source_id"})
DENIED_PRAGMAS = frozenset(
    {
        "database_list",
        "data_store_directory",
        "temp_store_directory",
        "cache_spill",
        "mmap_size",
        "soft_heap_limit",
        "hard_heap_limit",
        "threads",
    }
)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]

_heap_set = False

# printf()/format() widths and precisions, summed over a format: SQLite pads '%.*c' one character
# at a time, and goes on after the length limit is hit without calling the time-limit handler, so
# printf('%.*c', 2000000000, 'x') held a worker's thread for 20 s
FORMAT_WIDTH = LIMITS[sqlite3.SQLITE_LIMIT_LENGTH]
_SPEC = re.compile(r"%([-+ #0,!]*)(\*|\d+)?(?:\.(\*|\d*))?(?:ll|l)?(.)", re.S)
_format_helper = threading.local()
FORMAT_REFUSED = (
    f"printf()/format() 的宽度或精度合计超过 {FORMAT_WIDTH} 个字符 / printf()/format() widths and "
    f"precisions over {FORMAT_WIDTH} characters in total"
)


def format_refused() -> bool:
    """Whether the last statement of this thread failed on a printf()/format() refusal (SQLite
    reports any exception of a Python function as "user-defined function raised exception");
    reading it resets it."""
    refused = getattr(_format_helper, "refused", False)
    _format_helper.refused = False
    return refused


def _width_asked(fmt: str, args: tuple) -> int:
    """The widths and precisions a format asks for, summed (``*`` takes the next argument, as
    SQLite's printf does)."""
    total, used = 0, 0
    for m in _SPEC.finditer(fmt):
        if m.group(4) == "%":
            continue
        for part in (m.group(2), m.group(3)):
            if part == "*":
                value = args[used] if used < len(args) else 0
                used += 1
                try:
                    total += abs(int(value)) if isinstance(value, (int, float)) else 0
                except (OverflowError, ValueError):  # inf, nan
                    total += FORMAT_WIDTH + 1
            elif part:
                total += int(part)
        used += 1
    return total


def printf(*args: Any) -> Any:
    """SQLite's printf() (and format()), refusing a format that asks for more than FORMAT_WIDTH
    characters of padding before SQLite spends seconds on it; the formatting itself is SQLite's own,
    on a private in-memory connection of the thread."""
    if not args:
        return None
    fmt = args[0]
    if isinstance(fmt, str) and _width_asked(fmt, args[1:]) > FORMAT_WIDTH:
        _format_helper.refused = True
        raise ValueError(FORMAT_REFUSED)
    conn = getattr(_format_helper, "conn", None)
    if conn is None:
        conn = _format_helper.conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, FORMAT_WIDTH)
    return conn.execute(f"SELECT printf({', '.join('?' * len(args))})", args).fetchone()[0]


def _authorize_functions(action: int, arg1, arg2, db_name, trigger) -> int:
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_ATTACH:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def authorize(action: int, arg1: str | None, arg2: str | None, db_name: str | None, trigger: str | None) -> int:
    """The authorizer of ``govdata serve``'s connections: functions and pragmas. (A plain Datasette
    with the plugin gets only the function rule: its database page reads ``PRAGMA database_list``,
    which govdata's own databases answer without SQLite, see serve/app.py.)"""
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in DENIED_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return _authorize_functions(action, arg1, arg2, db_name, trigger)


def limit_connection(conn: sqlite3.Connection) -> None:
    global _heap_set
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    if not _heap_set:
        conn.execute(f"PRAGMA hard_heap_limit={HEAP_LIMIT}")
        _heap_set = True
    conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")
    # sorts and temporary tables in memory, under the heap limit: on files, one query sorting rows of
    # megabytes wrote gigabytes to the temporary directory and ran 5-7 times past the time limit
    # (the time-limit handler is not called inside a sort)
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.set_authorizer(_authorize_functions)
    for name in ("printf", "format"):
        conn.create_function(name, -1, printf, deterministic=True)


# ---- spreadsheet-safe CSV ------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CELL_START = re.compile(rb'(?:^|[,\n])"?[=+\-@\t\r]')


def neutralise(cell: str) -> str:
    """``'`` before a cell a spreadsheet would execute; plain numbers (``-5``, ``+1.5``) are data."""
    if cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class CsvNeutraliser:
    """Rewrites a CSV byte stream record by record (records may span chunks and hold quoted
    newlines: a record ends at a newline outside quotes, found from the parity of quotes)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes, final: bool = False) -> bytes:
        data = self.pending + chunk
        if final:
            self.pending = b""
            return self._rewrite(data) if data else b""
        cut = data.rfind(b"\n")
        while cut >= 0 and data.count(b'"', 0, cut) % 2:  # that newline is inside quotes
            cut = data.rfind(b"\n", 0, cut)
        if cut < 0:
            self.pending = data
            return b""
        head, self.pending = data[: cut + 1], data[cut + 1 :]
        return self._rewrite(head)

    @staticmethod
    def _rewrite(block: bytes) -> bytes:
        if not _CELL_START.search(block):  # no cell starts with one of them: nothing to parse
            return block
        text = block.decode("utf-8", "surrogateescape")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not any(c.startswith(FORMULA_START) for row in rows for c in row):
            return block
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n")
        for row in rows:
            writer.writerow([neutralise(c) for c in row])
        result = out.getvalue()
        if not text.endswith(("\n", "\r")):
            result = result.rstrip("\r\n")
        return result.encode("utf-8", "surrogateescape")


# ---- the per-app middleware ------------------------------------------------------------

NOT_DATASETTE_CSV = ("/downloads/", "/catalog-cn.csv")


def build_files() -> frozenset[str]:
    """Files of the build served as they are (they grow with the catalogue: dcat-ap.ttl is 10 MB
    at 1,000 datasets), not query output: no response cap."""
    return frozenset({*(fmt.route for fmt in formats.formats()), "/-/metadata.json"})


class ResponseCut(Exception):
    """Raised into the app when its response went over RESPONSE_BYTES (the stream was closed)."""


def _is_export_csv(path: str) -> bool:
    return path.endswith(".csv") and not path.startswith(NOT_DATASETTE_CSV)


def too_large_body(path: str) -> tuple[bytes, bytes]:
    message = (
        f"响应超过 {RESPONSE_BYTES // (1024 * 1024)} MB 上限，请缩小查询或使用 /downloads/ 下载整表 / "
        f"response over {RESPONSE_BYTES // (1024 * 1024)} MB: narrow the query, or use /downloads/ for whole tables"
    )
    if path.endswith(".json"):
        return (
            json.dumps(
                {"ok": False, "error": message, "status": 400, "title": "Response too large"}, ensure_ascii=False
            ).encode(),
            b"application/json; charset=utf-8",
        )
    return (message + "\n").encode(), b"text/plain; charset=utf-8"


def _vary_by_language(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """HTML pages are in the language of ``?lang=``, the language cookie or Accept-Language
    (serve/i18n.py): say so to caches with ``Vary`` (merged with any Vary already set)."""
    if not any(k.lower() == b"content-type" and v.lower().startswith(b"text/html") for k, v in headers):
        return headers
    vary = [p.strip() for k, v in headers if k.lower() == b"vary" for p in v.split(b",") if p.strip()]
    seen = {p.lower() for p in vary}
    vary += [n for n in (b"Cookie", b"Accept-Language") if n.lower() not in seen]
    return [h for h in headers if h[0].lower() != b"vary"] + [(b"vary", b", ".join(vary))]


async def _json_error(app: Any, scope: dict) -> tuple[int, str]:
    """(status, error message) of the JSON form of a CSV request: the same query asked as ``.json``."""
    path = scope["path"][: -len(".csv")] + ".json"
    sub = dict(scope, path=path, raw_path=path.encode("utf-8", "surrogateescape"))
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def collect(message: dict) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(sub, receive, collect)
    try:
        error = json.loads(b"".join(chunks)).get("error")
    except (ValueError, AttributeError):
        error = None
    status = started.get("status", 400)
    return (status if status >= 400 else 400), str(error or "查询失败 / the query failed")


def wrap(app: Any) -> Any:
    """ASGI middleware: refuse paths with a backslash or not starting with "/" (open redirects), add headers, cap response
    bytes, neutralise formulas in Datasette's CSV exports."""
    uncapped = build_files()

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        # a request target in absolute form (GET http://evil.example/ HTTP/1.1) reaches the app as a
        # path that does not start with "/": Datasette's trailing-slash redirect sent it to evil.example
        if not scope.get("path", "").startswith("/"):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS],
                }
            )
            await send({"type": "http.response.body", "body": b"Bad request: the path must start with /\n"})
            return
        if b"\\" in raw or b"%5c" in raw.lower() or "\\" in scope.get("path", ""):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")] + SECURITY_HEADERS,
                }
            )
            await send({"type": "http.response.body", "body": b"Bad request: backslash in path\n"})
            return
        path = scope.get("path", "")
        capped = not path.startswith("/downloads/") and path not in uncapped
        csv_safe = CsvNeutraliser() if _is_export_csv(path) else None
        state: dict[str, Any] = {"start": None, "sent": 0, "done": False, "held": b""}

        async def send_guarded(message):
            if state["done"]:
                raise ResponseCut()
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)]
                message = dict(message, headers=_vary_by_language(headers) + SECURITY_HEADERS)
                state["html"] = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if capped or csv_safe:
                    if csv_safe:  # the body changes length
                        message["headers"] = [h for h in message["headers"] if h[0].lower() != b"content-length"]
                    state["start"] = message  # held until the first body shows its size
                    return
                return await send(message)
            if message["type"] != "http.response.body":
                return await send(message)
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if state.get("html") and b"\0" in body:
                # a NUL of the query string echoed into a page (?q=%00, ?_search=%00): an HTML parse
                # error that browsers show as U+FFFD; a space keeps the length the headers announced
                body = body.replace(b"\0", b" ")
            if csv_safe:
                body = csv_safe.feed(body, final=not more)
            state["sent"] += len(body)
            start = state["start"]
            if capped and state["sent"] > RESPONSE_BYTES:
                state["done"] = True
                note, ctype = too_large_body(path)
                if start is not None:  # nothing sent yet: a clean refusal
                    headers = [h for h in start["headers"] if h[0].lower() not in (b"content-type", b"content-length")]
                    await send(
                        {"type": "http.response.start", "status": 400, "headers": headers + [(b"content-type", ctype)]}
                    )
                    await send({"type": "http.response.body", "body": note})
                else:  # a stream: end it with the reason, and stop the producer
                    await send({"type": "http.response.body", "body": b"\n" + note, "more_body": False})
                raise ResponseCut()
            if csv_safe and start is not None and start["status"] == 200 and not body.strip(b"\r\n"):
                # a CSV export's header line names its columns: a blank one is a query that failed
                # (Datasette streams it as 200 and an empty line); answer as its JSON does, in text
                if more:
                    state["held"] += body  # the start stays held until the header line shows
                    return

                state["done"] = True
                status, note = await _json_error(app, scope)
                headers = [h for h in start["headers"] if h[0].lower() not in (b"content-type", b"content-length")]
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": headers + [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": note.encode() + b"\n"})
                return
            if start is not None:
                state["start"] = None
                await send(start)
                body, state["held"] = state["held"] + body, b""
            await send(dict(message, body=body))
            if not more:
                state["done"] = True

        try:
            return await app(scope, receive, send_guarded)
        except ResponseCut:
            return

    return guarded
