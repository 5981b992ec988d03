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
from collections.abc import Sequence

SEGMENT = re.compile(r"[^ ]+")  # a run: folding turns every whitespace and control character into " "
END = "\ue000"  # private use (kept by the tokenizer): marks the last character of a run
# FTS5 keeps letters, numbers, marks, punctuation, symbols and private use in tokens: a bigram
# such as "1-" or "〔2" is one token, so a query with punctuation is one exact phrase
TOKENIZE = "unicode61 categories 'L* N* Co M* P* S*'"
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@functools.lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """Character map: traditional → simplified (OpenCC t2s, one character at a time), full-width
    ASCII → ASCII, upper-case ASCII → lower case, every whitespace and control character → space.
    ~4,800 entries, built in ~50 ms."""
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
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA1)):  # controls (NUL too): separators
        table[cp] = " "
    for cp in range(0x100, 0x3001):
        if chr(cp).isspace():  # Unicode spaces (U+3000 ideographic space …): separators
            table[cp] = " "
    table.pop(0x20, None)
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    return table


def fold(text: str) -> str:
    """Length-preserving normal form used on both sides of every comparison."""
    return text.translate(fold_table())


def _bigrams(segment: str) -> list[str]:
    if len(segment) < 2:
        return [segment]
    return [segment[i:i + 2] for i in range(len(segment) - 1)] + [segment[-1] + END]


def index_text(text: str | None) -> str:
    """What FTS5 stores for ``text``: folded, lower-cased, then per run of non-space characters its
    bigrams and an end token (its last character + END), space-separated."""
    if not text:
        return ""
    return " ".join(" ".join(_bigrams(seg)) for seg in SEGMENT.findall(fold(text).lower()))


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _phrase(segment: str) -> str:
    if len(segment) == 1:  # one character: a bigram starting with it, or a run ending with it
        return f"({_quoted(segment)}* OR {_quoted(segment + END)})"
    pairs = [segment[i:i + 2] for i in range(len(segment) - 1)]
    return '"' + " ".join(p.replace('"', '""') for p in pairs) + '"'


NO_MATCH = '"\u0001"'  # folds to no token: an empty phrase, which FTS5 matches with no row


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression over a bigram index for what a user typed: every whitespace-
    separated term must occur in one cell, as it is (punctuation included): the bigrams of a
    term are one phrase, which matches exactly where the term is a substring."""
    parts = [_phrase(seg) for term in (query or "").split() for seg in SEGMENT.findall(fold(term).lower())]
    return " AND ".join(dict.fromkeys(parts[:MAX_TERMS])) if parts else NO_MATCH


def terms(query: str) -> list[str]:
    """The folded terms of a query, for substring search in small collections (the catalogue)."""
    return [seg for w in (query or "").split() for seg in SEGMENT.findall(fold(w))][:MAX_TERMS]


MAX_TERMS = 10  # words of a query that are searched (the rest would only narrow it further)


# ---- the same in DuckDB, for building indexes over millions of rows -----------------------

def needs_fold_class() -> str:
    """An RE2 character class of the characters :func:`fold` changes beyond ASCII case: a text
    without any of them is folded by ``lower()`` alone (most simplified-Chinese data)."""
    return "[" + "".join(f"\\x{{{k:x}}}" for k in fold_table() if not 0x41 <= k <= 0x5A) + "]"


def fold_many(values: Sequence[str | None]) -> list[str]:
    """:func:`fold` of many strings at once (one ``str.translate`` over their concatenation: ~1 s
    per million short strings). NUL, the separator, is folded to a space first, as fold does."""
    return "\x00".join((v or "").replace("\x00", " ") for v in values).translate(_joined_table()).split("\x00")


@functools.lru_cache(maxsize=1)
def _joined_table() -> dict[int, str]:
    return {k: v for k, v in fold_table().items() if k != 0}  # NUL separates the joined values


def duckdb_index_sql(column_sql: str) -> str:
    """A DuckDB expression computing :func:`index_text` of ``column_sql`` (VARCHAR), which must
    already be folded where :func:`needs_fold_class` matches (``lower()`` does the rest)."""
    segs = f"regexp_extract_all(lower(coalesce({column_sql}, '')), '[^ ]+')"
    one = ("CASE WHEN length(s) < 2 THEN s ELSE array_to_string("
           "list_transform(range(1, length(s)), lambda i: substr(s, i, 2)), ' ') || ' ' || right(s, 1) || chr(57344) END")
    return f"array_to_string(list_transform({segs}, lambda s: {one}), ' ')"
