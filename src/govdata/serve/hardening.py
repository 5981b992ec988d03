"""Holding a public SQL endpoint against the attacks in docs (security.md):
SQLite limits on every connection, refused backslash paths, security headers."""

from __future__ import annotations

import sqlite3

LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: 10_000_000,        # no 900 MB randomblob / zeroblob results
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 500,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 20,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 100,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 1000,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
}
HEAP_LIMIT = 256 * 1024 * 1024

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]


def limit_connection(conn: sqlite3.Connection) -> None:
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    conn.execute(f"PRAGMA hard_heap_limit={HEAP_LIMIT}")


def wrap(app):
    """ASGI middleware: refuse paths with a backslash (open-redirect), add headers."""

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        if b"\\" in raw or b"%5c" in raw.lower() or "\\" in scope.get("path", ""):
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")] + SECURITY_HEADERS})
            await send({"type": "http.response.body", "body": b"Bad request: backslash in path\n"})
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)]
                message = dict(message, headers=headers + SECURITY_HEADERS)
            await send(message)

        return await app(scope, receive, send_with_headers)

    return guarded
