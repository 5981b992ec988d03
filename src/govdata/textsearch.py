"""Chinese-first text search, shared by the build (which indexes) and serving (which queries).

SQLite's FTS5 ``unicode61`` tokenizer makes one token of a whole run of Chinese characters, so
``罚款`` finds nothing inside ``处以罚款``. Every indexed text is therefore rewritten into
**bigrams** before it reaches FTS5: each run of letters and digits (a *segment*) becomes its
overlapping two-character pieces (``惠民食品`` → ``惠民 民食 食品``), a one-character segment stays
itself. A query is rewritten the same way into FTS5 phrases (``"惠民 民食"``), so a phrase of
bigrams matches exactly the records that *contain* the query (two characters or more), across
word boundaries, for Chinese, ASCII and digits alike (``3301`` inside ``JY13301020``).

Before that, both sides are *folded* character by character: traditional to simplified (the
character table of OpenCC's ``t2s``), full-width ASCII to ASCII, A–Z to a–z. Folding keeps the
length of a string, so a match in folded text is a match at the same offsets in the original
(used for highlighting); the index and queries are lower-cased after folding. The build bigrams
inside DuckDB (:func:`duckdb_index_sql`) and folds in Python only the chunks that need it;
``tests/test_search.py`` holds both implementations equal.
"""

from __future__ import annotations

import functools
import re

SEGMENT = re.compile(r"[^\W_]+")  # letters and digits of any script (RE2: [\p{L}\p{N}]+)
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@functools.lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """Character map: traditional → simplified (OpenCC t2s, one character at a time), full-width
    ASCII → ASCII, upper-case ASCII → lower case. ~4,700 entries, built in ~50 ms."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    table: dict[int, str] = {}
    for lo, hi in _CJK_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            simple = t2s.convert(ch)
            if simple != ch and len(simple) == 1:
                table[cp] = simple
    for cp in range(0xFF01, 0xFF5F):  # full-width ! … ~
        table[cp] = chr(cp - 0xFEE0).lower()
    table[0x3000] = " "  # ideographic space
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    return table


def fold(text: str) -> str:
    """Length-preserving normal form used on both sides of every comparison."""
    return text.translate(fold_table())


def _bigrams(segment: str) -> list[str]:
    if len(segment) < 2:
        return [segment]
    return [segment[i:i + 2] for i in range(len(segment) - 1)]


def index_text(text: str | None) -> str:
    """What FTS5 stores for ``text``: folded, then bigrams of each segment, space-separated."""
    if not text:
        return ""
    return " ".join(" ".join(_bigrams(seg)) for seg in SEGMENT.findall(fold(text).lower()))


def _phrase(segment: str) -> str:
    if len(segment) == 1:
        return f'"{segment}"*'  # one character: any bigram starting with it (approximate)
    return '"' + " ".join(_bigrams(segment)) + '"'


NO_MATCH = '"\u0001"'  # folds to no token: an empty phrase, which FTS5 matches with no row


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression over a bigram index for what a user typed: every whitespace-
    separated term must occur; a term with punctuation inside (``2024-03``) becomes its segments
    adjacent to each other (``NEAR(…, 0)``)."""
    parts = []
    for term in (query or "").split():
        segments = SEGMENT.findall(fold(term).lower())
        if not segments:
            continue
        phrases = [_phrase(s) for s in segments]
        parts.append(phrases[0] if len(phrases) == 1 else f"NEAR({' '.join(phrases)}, 0)")
    return " AND ".join(parts) if parts else NO_MATCH


def terms(query: str) -> list[str]:
    """The folded terms of a query, for substring search in small collections (the catalogue)."""
    words = ("".join(ch for ch in w if ch >= " ") for w in (query or "").split())  # no control characters
    return [t for t in (fold(w) for w in words) if SEGMENT.search(t)]


# ---- the same in DuckDB, for building indexes over millions of rows -----------------------

def needs_fold_class() -> str:
    """An RE2 character class of the characters :func:`fold` changes beyond ASCII case: a text
    without any of them is folded by ``lower()`` alone (most simplified-Chinese data)."""
    chars = "".join(chr(k) for k in fold_table() if not 0x41 <= k <= 0x5A)
    return "[" + chars.replace("\\", "\\\\").replace("]", "\\]").replace("^", "\\^").replace("-", "\\-") + "]"


def fold_many(values: list[str | None]) -> list[str]:
    """:func:`fold` of many strings at once (one ``str.translate`` over their concatenation: ~1 s
    per million short strings). Cells never hold NUL (the gate refuses it), the separator."""
    return "\x00".join(v or "" for v in values).translate(fold_table()).split("\x00")


def duckdb_index_sql(column_sql: str) -> str:
    """A DuckDB expression computing :func:`index_text` of ``column_sql`` (VARCHAR), which must
    already be folded where :func:`needs_fold_class` matches (``lower()`` does the rest)."""
    segs = f"regexp_extract_all(lower(coalesce({column_sql}, '')), '[\\p{{L}}\\p{{N}}]+')"
    one = ("CASE WHEN length(s) < 2 THEN s ELSE array_to_string("
           "list_transform(range(1, length(s)), lambda i: substr(s, i, 2)), ' ') END")
    return f"array_to_string(list_transform({segs}, lambda s: {one}), ' ')"
