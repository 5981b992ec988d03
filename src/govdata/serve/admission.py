"""Request-level limits and the admission budget, in front of every Datasette app of a worker.

- A request id per request (``x-request-id`` on the response; the error log line carries it).
- Cheap refusals before any work: query string over ``MAX_QUERY_STRING`` bytes → 414, request
  body over ``MAX_BODY`` bytes (declared or streamed) → 413, more than ``MAX_FACETS`` facets → 400;
  ``_facet_size`` above ``MAX_FACET_SIZE`` (or ``max``) is lowered to it.
- Expensive work is admitted through budgets per worker, one per kind: ``heavy`` (arbitrary SQL
  ``?sql=`` and ``_where``, facets, CSV exports, big pages, pattern filters, CKAN
  ``datastore_search``, searches for one character) at most
  ``GLOBAL`` at once, and ``search`` (``_search``) at most ``GLOBAL_SEARCH``; each at most
  ``PER_CLIENT`` per client. A request over its client's share waits up to ``WAIT_S`` and is then
  answered 429; over the worker's, it waits up to ``WAIT_GLOBAL_S`` (longer than the SQL time
  limit, so a slot frees meanwhile) and is then answered 503; both with ``Retry-After``. Heavy
  requests run their SQL on a separate pool of low-priority threads (``EXPENSIVE`` context
  flag, see ``serve/app.py``), so cheap pages and searches keep Datasette's threads and most of
  the CPU.
- The client is the peer address; for a loopback peer (a reverse proxy on the same machine, or
  local load tests) the first ``X-Forwarded-For`` address, else the peer's address and port (one
  connection).

Errors from here are CKAN envelopes under ``/api/``, JSON for ``.json`` paths, text otherwise.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import os
import sys
import time
from html import escape
from urllib.parse import parse_qsl, urlencode
from typing import Any

from govdata import textsearch

MAX_QUERY_STRING = 16 * 1024
MAX_BODY = 1024 * 1024
MAX_FACETS = 5
MAX_FACET_SIZE = 100
PER_CLIENT = 2
GLOBAL = 1
GLOBAL_SEARCH = 2  # searches use Datasette's 3 SQL threads: one stays for cheap pages
WAIT_S = 2.0
WAIT_GLOBAL_S = 5.0
RETRY_AFTER = b"2"
HTML_PAGE = 100  # rows of a table page rendered as HTML (see _html_size)
BIG_PAGE = 200

EXPENSIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("govdata_expensive", default=False)
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("govdata_request_id", default="-")

_ids = itertools.count(1)
_prefix = f"{os.getpid():x}"

FACET_KEYS = ("_facet", "_facet_array", "_facet_date")


def log(line: str) -> None:
    sys.stderr.write(line.replace("\n", " ")[:500] + "\n")
    sys.stderr.flush()


# filters that read a range of rows: with the count and the default facets Datasette computes over
# the filtered rows, up to the SQL time limit plus one facet time limit per facet on a big table
RANGE_FILTERS = (
    "__gt", "__gte", "__lt", "__lte", "__not", "__in", "__notin", "__isnull", "__notnull", "__date",
    "__isblank", "__notblank", "__arraycontains", "__arraynotcontains",
)  # fmt: skip


def kind_of(path: str, params: list[tuple[str, str]]) -> str | None:
    """ "heavy", "search" or None (cheap)."""
    if path.startswith("/downloads/") or path.startswith("/-/static"):
        return None
    if path.endswith(".csv") and not path.startswith("/catalog-cn"):
        return "heavy"
    if path.endswith(".db") and path.count("/") == 1:  # a whole database file, from Datasette
        return "heavy"
    if path.startswith("/datasets/") and path.endswith("/diff.json"):  # two releases joined on demand
        return "heavy"
    if path.startswith(("/api/3/action/datastore_search", "/api/action/datastore_search")):
        return "heavy"
    search = False
    for key, value in params:
        # not _sort: Datasette's own next-page links carry _sort=<primary key>
        if key in ("sql", "_stream", "_where") or key.startswith("_facet"):
            return "heavy"
        if key == "_size" and (value == "max" or (value.isdigit() and int(value) > BIG_PAGE)):
            return "heavy"
        if key == "_search" or key.startswith("_search_"):
            if any(len(word) == 1 for word in textsearch.words(value)):
                # one character is an FTS5 prefix query: every token starting with it is merged
                # before the first row (1M rows: 0.2–1.6 s for "3" or "公")
                return "heavy"
            search = True
            continue
        if key.startswith("_") or "__" not in key:
            continue
        if key.endswith(("__contains", "__endswith", "__like", "__glob", "__notlike")):
            return "heavy"
        if key.endswith(RANGE_FILTERS):
            search = True  # the search budget: one SQL thread always stays for cheap pages
    return "search" if search else None


def is_expensive(path: str, params: list[tuple[str, str]]) -> bool:
    return kind_of(path, params) is not None


def client_key(scope: Any) -> str:
    host, port = (scope.get("client") or ("?", 0))[:2]
    if host in ("127.0.0.1", "::1", "localhost"):
        for key, value in scope.get("headers") or []:
            if key == b"x-forwarded-for":
                first = value.split(b",")[0].strip()[:64]
                if first:
                    return first.decode("latin-1")
        return f"{host}:{port}"
    return host


def _error(scope, status: int, message: str, extra: list | None = None):
    path = scope.get("path", "")
    if path.startswith("/api/"):
        body = json.dumps(
            {
                "help": "",
                "success": False,
                "error": {"__type": "Validation Error" if status < 429 else "Server Busy", "message": message},
            },
            ensure_ascii=False,
        ).encode()
        ctype = b"application/json; charset=utf-8"
    elif path.endswith(".json"):
        body = json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False).encode()
        ctype = b"application/json; charset=utf-8"
    elif scope.get("method", "GET") in ("GET", "HEAD") and "." not in path_last(path):  # a browser's page
        body, ctype = html_error(status, message, path), b"text/html; charset=utf-8"
    else:
        body, ctype = (message + "\n").encode(), b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", ctype),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ] + (extra or [])
    return status, headers, body


class Budget:
    """Per-worker admission: a global count and per-client counts, woken by an asyncio.Condition."""

    def __init__(
        self,
        per_client: int = PER_CLIENT,
        total: int = GLOBAL,
        wait_s: float = WAIT_S,
        wait_global_s: float = WAIT_GLOBAL_S,
    ):
        self.per_client, self.total, self.wait_s, self.wait_global_s = per_client, total, wait_s, wait_global_s
        self.running = 0
        self.clients: dict[str, int] = {}
        self._cond: asyncio.Condition | None = None

    def _free(self, client: str) -> bool:
        return self.running < self.total and self.clients.get(client, 0) < self.per_client

    async def acquire(self, client: str) -> int:
        """0 when admitted, else the status to answer (429 client over budget, 503 worker busy)."""
        if self._cond is None:
            self._cond = asyncio.Condition()
        async with self._cond:
            if not self._free(client):
                mine = self.clients.get(client, 0) >= self.per_client
                try:
                    await asyncio.wait_for(
                        self._cond.wait_for(lambda: self._free(client)), self.wait_s if mine else self.wait_global_s
                    )
                except asyncio.TimeoutError:
                    return 429 if self.clients.get(client, 0) >= self.per_client else 503
            self.running += 1
            self.clients[client] = self.clients.get(client, 0) + 1
            return 0

    async def release(self, client: str) -> None:
        assert self._cond is not None  # acquire() made it
        async with self._cond:
            self.running -= 1
            left = self.clients.get(client, 1) - 1
            if left:
                self.clients[client] = left
            else:
                self.clients.pop(client, None)
            self._cond.notify_all()


def guard(app: Any, budget: Budget | None = None, search_budget: Budget | None = None) -> Any:
    """Wrap an ASGI app with the request-level limits and the admission budgets."""
    budgets = {"heavy": budget or Budget(), "search": search_budget or Budget(total=GLOBAL_SEARCH)}

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        rid = _request_id(scope)
        REQUEST_ID.set(rid)
        scope = dict(scope)
        scope["govdata.request_id"] = rid

        started_response = False

        async def send_with_id(message):
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message = dict(message, headers=headers + [(b"x-request-id", rid.encode())])
            await send(message)

        async def refuse(status: int, message: str, extra: list | None = None):
            status, headers, body = _error(scope, status, message, extra)
            log(f"govdata rid={rid} {status} {scope.get('method')} {scope.get('path', '')[:200]}: {message[:200]}")
            await send_with_id({"type": "http.response.start", "status": status, "headers": headers})
            await send_with_id({"type": "http.response.body", "body": body})

        method = scope.get("method", "GET")
        if method == "OPTIONS":  # a CORS preflight (the API answers any origin): no body, no work
            await send_with_id({"type": "http.response.start", "status": 204, "headers": PREFLIGHT})
            return await send_with_id({"type": "http.response.body", "body": b""})
        if method not in ("GET", "HEAD", "POST") or (method == "POST" and not _posts(scope.get("path", ""))):
            allow = b"GET, HEAD, POST, OPTIONS" if _posts(scope.get("path", "")) else b"GET, HEAD, OPTIONS"
            return await refuse(
                405, "只读：此地址只接受 GET / read-only: this address answers GET", [(b"allow", allow)]
            )
        if any(len(part) > MAX_SEGMENT for part in scope.get("path", "").split("/")):
            return await refuse(
                404, "没有找到 / not found"
            )  # no name here is that long (255 bytes: a file name's limit)
        qs = scope.get("query_string", b"")
        if len(qs) > MAX_QUERY_STRING:
            return await refuse(414, f"查询字符串过长 / query string over {MAX_QUERY_STRING} bytes")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            return await refuse(413, f"请求体过大 / request body over {MAX_BODY} bytes")
        params = parse_qsl(qs.decode("latin-1"), keep_blank_values=True)
        facets = sum(1 for k, _ in params if k in FACET_KEYS)
        if facets > MAX_FACETS:
            return await refuse(400, f"分面过多 / at most {MAX_FACETS} facets per request")
        html = "." not in path_last(scope.get("path", ""))
        if any(k == "_facet_size" or (html and k == "_size") for k, _ in params):
            fixed = [
                (k, _facet_size(v) if k == "_facet_size" else _html_size(v) if (html and k == "_size") else v)
                for k, v in params
            ]
            scope["query_string"] = urlencode(fixed).encode("latin-1", "replace")

        received = 0

        async def receive_capped():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise BodyTooLarge()
            return message

        path = scope.get("path", "")
        client = client_key(scope)
        kind = kind_of(path, params)
        budget = budgets.get(kind)
        if budget is not None:
            status = await budget.acquire(client)
            if status:
                who = "this client has" if status == 429 else "the server has"
                return await refuse(
                    status,
                    f"繁忙，请稍后重试 / {who} too many expensive requests running; retry shortly",
                    [(b"retry-after", RETRY_AFTER)],
                )
        token = EXPENSIVE.set(kind == "heavy")
        started = time.perf_counter()
        try:
            await app(scope, receive_capped, send_with_id)
        except BodyTooLarge:
            if not started_response:
                await refuse(413, f"请求体过大 / request body over {MAX_BODY} bytes")
        finally:
            EXPENSIVE.reset(token)
            if budget is not None:
                await budget.release(client)
        took = time.perf_counter() - started
        if took > 5:
            log(f"govdata rid={rid} slow {took:.1f}s {path[:200]}")

    return guarded


MAX_SEGMENT = 255
PREFLIGHT = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
    (b"access-control-allow-headers", b"content-type, authorization, x-ckan-api-key, x-request-id"),
    (b"access-control-max-age", b"86400"),
]


def _posts(path: str) -> bool:
    """Where a POST means something: the CKAN action API (a JSON body of parameters)."""
    return path.startswith(("/api/3/action/", "/api/action/"))


class BodyTooLarge(Exception):
    pass


def html_error(status: int, message: str, path: str) -> bytes:
    """A refusal on an HTML page: a small page of its own (no template, no database: these are the
    cheap refusals), in both languages as the message is, with the site's style sheet and a way home."""
    text = escape(message)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{status} · {text}</title>"
        '<link rel="stylesheet" href="/-/portal.css?v=7"></head>'
        f'<body><main class="portal" style="padding:1rem;max-width:48rem;margin:0 auto"><h1>{status}</h1><p class="message-error">{text}</p>'
        f'<p><a href="{escape(path)}">此页（不带参数）/ this page without its parameters</a> · '
        '<a href="/">首页 / home</a></p>'
        "</main></body></html>\n"
    ).encode()


def path_last(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _html_size(value: str) -> str:
    """A table page's ``_size`` as HTML: at most HTML_PAGE rows. Rendering is Python on the event
    loop (Datasette's templates, a hook per cell): 1,000 rows took 0.25-0.6 s during which every
    cheap page on that worker waited; the JSON and CSV of the same page go to 1,000 rows."""
    return value if value.isdigit() and int(value) <= HTML_PAGE else str(HTML_PAGE)


def _facet_size(value: str) -> str:
    if value.isdigit() and int(value) <= MAX_FACET_SIZE:
        return value
    return str(MAX_FACET_SIZE)


def _request_id(scope) -> str:
    for key, value in scope.get("headers") or []:
        if key == b"x-request-id" and 0 < len(value) <= 64 and value.replace(b"-", b"").isalnum():
            return value.decode("ascii")
    return f"{_prefix}-{next(_ids):x}"
