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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

SEGMENT = re.compile(r"[^ ]+")  # a run: folding turns every whitespace and control character into " "
END = "\ue000"  # private use (kept by the tokenizer): marks the last character of a run
# ASCII letters and digits are few (36 bigrams² ≈ 1,300 bigrams): in codes and licence numbers
# every bigram is in a tenth of the rows, and a phrase of them reads long lists (a 5-character
# fragment of a credit code: 40–90 ms at 10M rows). Each run of 3+ ASCII letters/digits is also
# indexed as its trigrams (~47,000 possible), after the cell's bigrams, closed by TRIGRAM_END so
# that no phrase spans two runs; an ASCII query term of 3+ characters is a phrase of trigrams.
ASCII_RUN = re.compile(r"[0-9a-z]{3,}")
TRIGRAM_END = END + END
SEARCH_VERSION = 2  # 2: bigrams + ASCII trigrams (table metadata ``search_version``; 1: bigrams)
# FTS5's ``ascii`` tokenizer splits only at ASCII characters other than letters and digits, and
# the index and the queries contain no such character but the space: ASCII punctuation is moved
# to private use (U+E100 + code point, :data:`TOKEN_MAP`), so a bigram such as "1-" or "〔2" is one
# token and a query with punctuation is one exact phrase. ``ascii`` inserts ~25% faster than
# ``unicode61`` with categories, which classifies every character.
TOKENIZE = "ascii"
PUNCT_BASE = 0xE100
TOKEN_MAP = {cp: chr(PUNCT_BASE + cp) for cp in range(0x21, 0x7F) if not chr(cp).isalnum()}
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@functools.lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """Character map: traditional → simplified (OpenCC t2s, one character at a time), full-width
    ASCII → ASCII, upper case → lower case (every script, where it keeps the length), every
    whitespace and control character → space. ~6,300 entries, built in ~0.3 s."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    table: dict[int, str] = {}
    # one conversion of every character, a line each (no phrase spans a line break): the same as
    # converting each alone (tests/test_search.py), in a quarter of the time
    points = [cp for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    converted = t2s.convert("\n".join(map(chr, points))).split("\n")
    if len(converted) != len(points):  # a conversion that joined or split lines: one at a time
        converted = [t2s.convert(chr(cp)) for cp in points]
    for cp, simple in zip(points, converted):
        if len(simple) == 1 and simple != chr(cp):
            table[cp] = simple
    for cp in range(0xFF01, 0xFF5F):  # full-width ! … ~
        table[cp] = chr(cp - 0xFEE0).lower()
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA1)):  # controls (NUL too): separators
        table[cp] = " "
    for cp in range(0x100, 0x3001):
        if chr(cp).isspace():  # Unicode spaces (U+3000 ideographic space …): separators
            table[cp] = " "
    table.pop(0x20, None)
    for cp in range(0x1E922):  # lower case, wherever it keeps the length (not İ → i̇); U+1E921 is
        if 0xD800 <= cp < 0xE000:  # the last upper-case character of Unicode 15
            continue
        ch = table.get(cp, chr(cp))
        low = ch.lower()
        if low != ch and len(low) == 1:
            table[cp] = low
    return table


def fold(text: str) -> str:
    """Length-preserving normal form (lower-cased) used on both sides of every comparison."""
    return text.translate(fold_table())


def _bigrams(segment: str) -> list[str]:
    if len(segment) < 2:
        return [segment]
    return [segment[i : i + 2] for i in range(len(segment) - 1)] + [segment[-1] + END]


def index_text(text: str | None) -> str:
    """What FTS5 stores for ``text``: folded, then per run of non-space characters its bigrams and
    an end token (its last character + END), space-separated. The reference for
    :func:`index_texts`, which computes the same tokens for millions of cells at once."""
    if not text:
        return ""
    folded = fold(text).translate(TOKEN_MAP)
    tokens = [token for seg in SEGMENT.findall(folded) for token in _bigrams(seg)]
    for run in ASCII_RUN.findall(folded):
        tokens += _trigrams(run) + [TRIGRAM_END]
    return " ".join(tokens)


def _trigrams(run: str) -> list[str]:
    return [run[i : i + 3] for i in range(len(run) - 2)]


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _phrase(segment: str, trigrams: bool = True) -> str:
    if len(segment) == 1:  # one character: a bigram starting with it, or a run ending with it
        return f"({_quoted(segment)}* OR {_quoted(segment + END)})"
    runs = ASCII_RUN.findall(segment) if trigrams else []
    if runs == [segment]:  # letters and digits only: its trigrams, consecutive in one run's list
        return '"' + " ".join(_trigrams(segment)) + '"'
    pairs = [segment[i : i + 2] for i in range(len(segment) - 1)]
    phrase = '"' + " ".join(p.replace('"', '""') for p in pairs) + '"'
    # the bigram phrase is exact; the trigram phrase of each ASCII run inside it is implied by it
    # and far more selective, so FTS5 skips through the bigram lists at its matches
    return " AND ".join([phrase, *('"' + " ".join(_trigrams(run)) + '"' for run in runs)])


NO_MATCH = '"\u0001"'  # folds to no token: an empty phrase, which FTS5 matches with no row

# what separates the words of a query besides spaces: Chinese users list terms with the input
# method's punctuation (处罚，许可 / 处罚、许可 / 处罚；许可) and paste invisible characters with them
# (a zero-width space, a direction mark); an ASCII comma separates too, except between digits (1,000)
_SEPARATORS = re.compile(r"[\s，、；;]+|(?<!\d),|,(?!\d)")
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")
)


def words(query: str | None) -> list[str]:
    """The words of what a user typed: split on spaces and list punctuation, invisible characters
    left out."""
    return [w for w in _SEPARATORS.split((query or "").translate(_INVISIBLE)) if w]


def match_expression(query: str, trigrams: bool = True) -> str:
    """An FTS5 MATCH expression over a bigram index for what a user typed: every whitespace-
    separated term (:func:`words`: list punctuation separates too) must occur in one cell, as it is: the bigrams of a
    term are one phrase, which matches exactly where the term is a substring (with ``trigrams``,
    for an index of :data:`SEARCH_VERSION` 2, a term of ASCII letters and digits is the phrase of
    its trigrams instead, as exact)."""
    parts = [
        _phrase(seg, trigrams) for term in words(query) for seg in SEGMENT.findall(fold(term).translate(TOKEN_MAP))
    ]
    return " AND ".join(dict.fromkeys(parts[:MAX_TERMS])) if parts else NO_MATCH


def terms(query: str) -> list[str]:
    """The folded terms of a query, for substring search in small collections (the catalogue)."""
    return [seg for w in words(query) for seg in SEGMENT.findall(fold(w))][:MAX_TERMS]


MAX_TERMS = 10  # words of a query that are searched (the rest would only narrow it further)


def fold_many(values: Sequence[str | None]) -> list[str]:
    """:func:`fold` of many strings at once (one ``str.translate`` over their concatenation: ~1 s
    per million short strings). NUL, the separator, is folded to a space first, as fold does."""
    return "\x00".join((v or "").replace("\x00", " ") for v in values).translate(_joined_table()).split("\x00")


@functools.lru_cache(maxsize=1)
def _joined_table() -> dict[int, str]:
    return {k: v for k, v in fold_table().items() if k != 0}  # NUL separates the joined values


# ---- the same for whole Arrow columns, for building indexes over millions of rows -----------


@functools.lru_cache(maxsize=1)
def _fold_lut() -> np.ndarray:
    """:func:`fold_table` then :data:`TOKEN_MAP`, as an array indexed by code point."""
    import numpy as np

    lut = np.arange(0x110000, dtype=np.uint32)
    folded = fold_table()
    lut[np.fromiter(folded, np.int64, len(folded))] = np.fromiter(map(ord, folded.values()), np.uint32, len(folded))
    punct = np.arange(0x110000, dtype=np.uint32)
    punct[list(TOKEN_MAP)] = [ord(ch) for ch in TOKEN_MAP.values()]
    return punct[lut]


@functools.lru_cache(maxsize=1)
def _utf8_lengths() -> np.ndarray:
    import numpy as np

    cp = np.arange(0x110000)
    return (1 + (cp >= 0x80) + (cp >= 0x800) + (cp >= 0x10000)).astype(np.uint8)


def index_texts(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`index_text` of every value of an Arrow string array (nulls → ""), vectorised with
    numpy: the column's characters as one array of code points, folded through a lookup table;
    each character becomes three — itself, then the next character of its run (a bigram), END
    (the last of a run of two or more), or a space (a run of one), then a space. Separators
    become spaces, which FTS5 skips, so the tokens are exactly those of :func:`index_text`
    (``tests/test_search.py``). ~15× faster than doing it in SQL."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type):
        array = array.cast(pa.string())
    array = array.fill_null("")
    rows = len(array)
    lengths = pc.utf8_length(array).to_numpy(zero_copy_only=False).astype(np.int64)
    ends = np.cumsum(lengths)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + rows + 1]
    raw = array.buffers()[2]
    text = (raw.to_pybytes()[offsets[0] : offsets[-1]] if raw is not None else b"").decode("utf-8")
    a = _fold_lut()[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    sp, n = np.uint32(32), a.size
    nxt, prv = np.full(n, sp, np.uint32), np.full(n, sp, np.uint32)
    nxt[:-1], prv[1:] = a[1:], a[:-1]
    filled = lengths > 0
    nxt[ends[filled] - 1] = sp  # a cell's last character is followed by nothing
    prv[(ends - lengths)[filled]] = sp
    second = np.where(a == sp, sp, np.where(nxt != sp, nxt, np.where(prv != sp, np.uint32(ord(END)), sp)))
    out = np.full((n, 3), sp, np.uint32)
    out[:, 0], out[:, 1] = a, second
    data = out.tobytes().decode("utf-32-le").encode("utf-8")
    utf8 = _utf8_lengths()
    byte_at = np.zeros(n + 1, np.int64)  # UTF-8 bytes of the output before each input character
    np.cumsum(utf8[a].astype(np.int32) + utf8[second] + 1, out=byte_at[1:])
    cell_bounds = byte_at[np.concatenate(([0], ends))]
    bigrams = _string_array(rows, cell_bounds, data)
    trigrams = _trigram_texts(a, ends, lengths)
    if trigrams is None:
        return bigrams
    if isinstance(bigrams, pa.LargeStringArray) or isinstance(trigrams, pa.LargeStringArray):
        bigrams, trigrams = bigrams.cast(pa.large_string()), trigrams.cast(pa.large_string())
    return pc.binary_join_element_wise(bigrams, trigrams, " ")


def _string_array(rows: int, bounds: np.ndarray, data: bytes) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    if len(data) < 2**31:
        return pa.StringArray.from_buffers(rows, pa.py_buffer(bounds.astype(np.int32)), pa.py_buffer(data))
    return pa.LargeStringArray.from_buffers(rows, pa.py_buffer(bounds.astype(np.int64)), pa.py_buffer(data))


def _trigram_texts(a: np.ndarray, ends: np.ndarray, lengths: np.ndarray) -> pa.Array | None:
    """Per cell, the trigram tokens of its ASCII runs of 3+ letters/digits, each run closed by
    TRIGRAM_END (the tokens :func:`index_text` appends), from the folded code points ``a`` of all
    cells; None when no cell has such a run."""
    import numpy as np

    n = a.size
    if n < 3:
        return None
    alnum = ((a >= 48) & (a <= 57)) | ((a >= 97) & (a <= 122))
    last = np.zeros(n, bool)  # a cell's last character: no trigram runs past it
    last[ends[lengths > 0] - 1] = True
    valid = alnum[:-2] & alnum[1:-1] & alnum[2:] & ~last[:-2] & ~last[1:-1]
    starts = np.flatnonzero(valid)
    if starts.size == 0:
        return None
    closes = ~np.append(valid[1:], False)[starts]  # the run's last trigram: the next one is not valid
    sp, end = np.uint32(32), np.uint32(ord(END))
    out = np.empty((starts.size, 7), np.uint32)
    out[:, 0], out[:, 1], out[:, 2] = a[starts], a[starts + 1], a[starts + 2]
    out[:, 3], out[:, 4], out[:, 5], out[:, 6] = sp, end, end, sp
    keep = np.ones((starts.size, 7), bool)
    keep[~closes, 4:] = False
    data = out[keep].tobytes().decode("utf-32-le").encode("utf-8")
    per_trigram = np.where(closes, 4 + 3 + 3 + 1, 4)  # UTF-8 bytes: 3 ASCII + space, END END space
    cell = np.searchsorted(ends, starts, side="right")
    per_cell = np.bincount(cell, weights=per_trigram, minlength=lengths.size).astype(np.int64)
    return _string_array(lengths.size, np.concatenate(([0], np.cumsum(per_cell))), data)
