"""Confidentiality review (保密审查) of the data itself.

* Fields on the catalogue's negative list (负面清单), by name or title, must be declared
  ``personal: <kind>`` with ``masked: true``.
* Every published text column is scanned in DuckDB for resident identity-card numbers
  (GB 11643: valid check character and birth date, via python-stdnum), mobile numbers,
  bank-card numbers (Luhn, via python-stdnum) and e-mail addresses. Content found in an
  undeclared column blocks publication.
* A declared masked column is verified on every value against its masking pattern
  (e.g. ``110105********002X``).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from govdata.checks.rules import masking_error, negative_list_field, personal_data
from govdata.checks.plan import owner
from govdata.checks.rules.masking_error import declared as _declared
from govdata.checks.rules.personal_data import AT_SIGNS, DIGIT_RUN, NUMBERS, holds as _holds
from govdata.checks.loaded import LoadedTable
from govdata.checks.sqltypes import FieldSQL
from govdata.checks.table import TableChecks
from govdata.findings import Finding
from govdata.sql import lit

MASKED = masking_error.MASKED
CANDIDATES = personal_data.CANDIDATES
_BOUNDED = personal_data.BOUNDED
_valid = personal_data.valid
_enum_only = personal_data.enum_only
SAMPLE = 200


# What the catalogue's name-only items (no ``content`` to scan for) protect, as a value looks: a
# column of a few values none of which looks so is categories (``residence``: Urban/Rural, 城镇/农村),
# not the item. An item not here (``medical_record``: a diagnosis is a category too) has no such
# exemption for a text column.
_LOOKS_LIKE = {
    # a Chinese name (2-4 characters, or a transcribed one with a middle dot), or "Wang Wei"
    "person_name": (
        r"[\u3400-\u9fff]{2,4}|[\u3400-\u9fff]{1,6}[·•・][\u3400-\u9fff]{1,8}|[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}",
        0,
    ),
    # a place name before an address unit (东山村, 解放路, 3号), or a number and a street
    "home_address": (
        r".*(?:[\u3400-\u9fff]{2}(?:省|市|区|县|旗|镇|乡|村|街道|路|街|巷|弄|胡同|里|苑|小区)|\d+\s*(?:号|栋|幢|单元|室|楼|组)).*"
        r"|.*\d+[ ,]+.*\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr)\b.*",
        re.I,
    ),
}


@functools.cache
def _looks_like(item: str) -> re.Pattern[str] | None:
    """The pattern of :data:`_LOOKS_LIKE` for ``item``, compiled when a column is first asked (not
    at import: a cold gate without such a column never compiles them)."""
    found = _LOOKS_LIKE.get(item)
    return re.compile(found[0], found[1]) if found else None


def _categorical(tables: TableChecks, lt: LoadedTable, f: FieldSQL, item: dict[str, Any]) -> bool:
    """A column of a few categories, none of which looks like what the negative-list item protects
    (:data:`_LOOKS_LIKE`): a non-text type, or an enum or at most 10 distinct values over 20+ rows."""
    if f.type not in ("string", "any"):
        return True
    looks = _looks_like(str(item.get("id")))
    if looks is None:
        return False
    if _enum_only(f):
        values = [str(v) for v in (f.field.get("constraints") or {}).get("enum") or []]
    else:
        row = tables.con.execute(f"SELECT count(DISTINCT {f.value}), count({f.value}) FROM {lt.rel([f])}").fetchone()
        assert row is not None  # an aggregate has one row
        distinct, present = row
        if present < 20 or distinct > 10:
            return False
        values = [v for (v,) in tables.con.execute(f"SELECT DISTINCT {f.value} FROM {lt.rel([f])}").fetchall()]
    return not any(v is not None and looks.fullmatch(str(v).strip()) for v in values)


CANDIDATE_ROWS = 200_000  # up to this many candidate cells per column are validated in Python; beyond, SQL per kind
ROWS_PER_KIND = 1000  # rows reported per column and kind (the resource's findings are capped too)


def _digits_test(f: FieldSQL) -> str:
    return personal_data.prefilter(f, NUMBERS)


def scanned_fields(lt: LoadedTable) -> list[FieldSQL]:
    return personal_data.scanned(lt.fields)


def candidate_counts(lt: LoadedTable) -> list[tuple[str, str]]:
    """(label, aggregate) pairs counting candidate cells of each scanned column: number-like and e-mail-like."""
    out = []
    for f in scanned_fields(lt):
        out += [
            (f"digits:{f.name}", f"count_if({_digits_test(f)})"),
            (f"email:{f.name}", f"count_if({personal_data.prefilter(f, ('email',))})"),
        ]
    return out


def _kinds(counts: dict[str, int], name: str) -> dict[str, int]:
    digits, email = counts.get(f"digits:{name}", 0), counts.get(f"email:{name}", 0)
    kinds = {k: digits for k in NUMBERS if digits}
    kinds.update({"email": email} if email else {})
    return kinds


# in ``LoadedTable.passed``: the byte pass's personal-data scan of the same file (CellScanner) was
# usable and found no valid value, as the candidate statements and their validation would not
SCANNED_NONE = "personal-data:scanned-none"


def _suspects(tables: TableChecks, lt: LoadedTable) -> dict[str, dict[str, int]]:
    """Per column, the kinds of personal data it could hold and how many cells are candidates:
    one scan for the whole table."""
    if lt.long:  # one grouped scan of the value column
        scanned = {lt.number(f): f for f in scanned_fields(lt)}
        counts = {}
        if scanned:
            v = lt.cells[0]
            for fn, digits, email in tables.con.execute(
                f"SELECT fn, count_if({_digits_test(v)}), count_if({personal_data.prefilter(v, ('email',))}) FROM {lt.table} "
                f"WHERE fn IN ({', '.join(map(str, scanned))}) GROUP BY fn"
            ).fetchall():
                counts[f"digits:{scanned[fn].name}"], counts[f"email:{scanned[fn].name}"] = digits, email
    else:
        counts = tables.counts(lt, candidate_counts(lt))
    return {f.name: kinds for f in scanned_fields(lt) if (kinds := _kinds(counts, f.name))}


# digits -> "1", X/x -> "X" (an identity card's check character), other ASCII letters -> "A", a
# separator between digit groups (space, hyphen) -> "-"; in UTF-8 the full-width digits and hyphen
# (EF BC 90-99, EF BC 8D) -> "FBD", the ideographic space (E3 80 80) -> "GSS"; the rest -> "0"
_SPECIAL = {b" "[0]: "-", b"-"[0]: "-", 0xEF: "F", 0xBC: "B", 0x8D: "D", 0xE3: "G", 0x80: "S"}
_MARKS = bytes(
    0x31
    if 0x30 <= b <= 0x39
    else 0x58
    if b in b"Xx"
    else 0x41
    if chr(b).isascii() and chr(b).isalpha()
    else ord(_SPECIAL[b])
    if b in _SPECIAL
    else 0x44
    if 0x90 <= b <= 0x99
    else 0x30
    for b in range(256)
)
_RUN = b"1" * DIGIT_RUN
_NOT_DIGIT = re.compile(rb"[^1]")
# digit groups written apart with ASCII separators (every such layout has four digits, a separator,
# four digits), and the layouts themselves, as the prefilter's (personal_data.NUMBER_PREFILTER)
_APART = b"1111-1111"
_LAYOUT = re.compile(rb"1{3}-1{4}-1{4}|1{6}-1{8}")
# a full-width digit or hyphen, or an ideographic space after an ASCII digit: the cell is validated
# (validation folds full-width forms to ASCII); each signal costs one search of the chunk. The
# full-width forms (marked "FBD") are searched in the bytes themselves: a find of "FBD" over the
# marks (mostly "0", "B" and "F" in Chinese text) costs ~3 ms a MB, this expression ~1.4 ms
#
# The full-width at sign (EF BC A0: a full-width e-mail) is found by the same search: one pass of
# ~0.5 ms a MB instead of two (a find of those three bytes cost ~0.65 ms a MB by itself), and the
# cell found is validated for each kind it holds (_full_width_kinds), as two searches would
_FULL_WIDTH = re.compile(rb"\xef\xbc[\x8d\x90-\x99\xa0]")  # EF BC 8D, 90-99: marked "FBD"; A0: ＠
_FULL_WIDTH_NUMBER = re.compile(rb"\xef\xbc[\x8d\x90-\x99]")
_FULL_WIDTH_AT = "＠".encode()
_ASCII_AT = b"@"
assert set(AT_SIGNS) == {"@", "＠"}, "an at sign the scan does not search for"
# after an ASCII digit: a number cut by spaces (_digit_spaces); a compiled literal searches these
# three bytes in ~0.4 ms a MB where bytes.find took ~0.7
_IDEOGRAPHIC_SPACE = re.compile(re.escape("\u3000".encode()))
_MAX_LINE = 16 * 1024**2  # a longer line is not a table row worth scanning here (the SQL prefilter takes over)


def scanner_for(lt: LoadedTable) -> "CellScanner":
    positions = {f.name: i for i, f in enumerate(lt.fields)}
    return CellScanner({positions[f.name]: f.name for f in scanned_fields(lt)})


def _full_width_kinds(cell: bytes) -> tuple[str, ...]:
    """What a cell found by the full-width search is validated for: its numbers when it holds a
    full-width digit or hyphen, e-mail when it holds a full-width at sign (ASCII ones are found by
    their own search)."""
    return (NUMBERS if _FULL_WIDTH_NUMBER.search(cell) else ()) + (("email",) if _FULL_WIDTH_AT in cell else ())


class CellScanner:
    """The personal-data scan straight from a CSV's bytes, fed chunk by chunk by the byte pass
    (:func:`govdata.checks.bytescan.byte_pass`) while DuckDB checks the same file.

    In a file without quotes and with ``\\n`` line ends every line is a row and every comma a cell
    boundary, so each cell with a run of 11 digits, digit groups written apart (``138-1234-5678``)
    or an ``@`` (the SQL prefilter's conditions; full-width digits folded first, when a chunk has
    any) is found with one ``bytes.translate`` and a few ``find`` calls per chunk, and
    validated at once as the precise path validates candidates (so memory stays flat however
    many there are). Anything else (quotes, bare ``\\r``, a huge line) sets ``usable`` to False
    and the SQL prefilter runs instead. ``found`` holds the (field, kind) pairs of valid values."""

    def __init__(self, columns: dict[int, str]):
        self.columns = columns  # position -> field name of the scanned columns
        self.found: set[tuple[str, str]] = set()
        self.candidates = 0
        self.usable = True
        self._tail = b""
        self._header = True

    def feed(self, chunk: bytes) -> None:
        if not self.usable:
            return
        data = self._tail + chunk
        end = data.rfind(b"\n") + 1
        self._tail, data = data[end:], data[:end]
        if b'"' in chunk or len(self._tail) > _MAX_LINE or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
            self.usable, self._tail = False, b""
            return
        if self._header and end:
            data, self._header = data[data.find(b"\n") + 1 :], False
        if data and not self._header:
            self._scan(data)

    def finish(self) -> None:
        if b"\r" in self._tail.rstrip(b"\r"):
            self.usable = False
        if self.usable and self._tail and not self._header:
            self._scan(self._tail)
        self._tail = b""

    def _scan(self, data: bytes) -> None:
        marks = data.translate(_MARKS)
        size = len(marks)
        pos = marks.find(_RUN)
        while pos >= 0:  # a run of DIGIT_RUN+ digits; every number pattern is bounded by non-alphanumerics (_BOUNDED)
            end = m.start() if (m := _NOT_DIGIT.search(marks, pos + DIGIT_RUN)) else size
            after = marks[end : end + 2]
            if (
                marks[pos - 1 : pos] not in (b"A", b"X")
                and after[:1] != b"A"
                and not (after[:1] == b"X" and after[1:2] in (b"1", b"A", b"X"))
            ):
                end = self._cell(data, pos, NUMBERS)
            pos = marks.find(_RUN, end)
        pos = marks.find(_APART)
        while pos >= 0:  # groups apart: a cell whose marks hold a layout (around this spot) is validated
            end = pos + len(_APART)
            if _LAYOUT.search(marks, max(pos - 16, 0), pos + 24):
                end = self._cell(data, pos, NUMBERS)
            pos = marks.find(_APART, end)
        found = _FULL_WIDTH.search(data)  # as marks.find(b"FBD") from each cell's end, and "＠"
        while found:
            found = _FULL_WIDTH.search(data, self._cell(data, found.start() + 2, None))
        self._digit_spaces(data)
        pos = data.find(_ASCII_AT)
        while pos >= 0:
            pos = data.find(_ASCII_AT, self._cell(data, pos, ("email",)))

    def _digit_spaces(self, data: bytes) -> None:
        """The cells where an ASCII digit precedes an ideographic space (the marks "1GSS"), found in
        the bytes: E3 80 80 is rare in Chinese text where a "1GSS" search of the marks of a file
        full of digits stops at every digit (~0.75 ms a MB against ~0.05)."""
        found = _IDEOGRAPHIC_SPACE.search(data)
        while found:
            pos = found.start()
            if pos and 0x30 <= data[pos - 1] <= 0x39:
                found = _IDEOGRAPHIC_SPACE.search(data, self._cell(data, pos + 2, NUMBERS) + 1)
            else:
                found = _IDEOGRAPHIC_SPACE.search(data, pos + 1)

    def _cell(self, data: bytes, pos: int, kinds: tuple[str, ...] | None) -> int:
        """Validate the cell around offset ``pos`` when its column is scanned; returns the cell's end.
        ``kinds`` None: the kinds of the full-width forms the cell holds (_full_width_kinds)."""
        line = data.rfind(b"\n", 0, pos) + 1
        start = data.rfind(b",", line, pos) + 1 or line
        stop = min(x for x in (data.find(b",", pos), data.find(b"\n", pos), len(data)) if x >= 0)
        name = self.columns.get(data.count(b",", line, pos))
        if name is not None:
            self.candidates += 1
            cell = data[start:stop]
            if kinds is None:
                kinds = _full_width_kinds(cell)
            value = cell.rstrip(b"\r").decode("utf-8", "replace")
            self.found.update((name, kind) for kind in kinds if _holds(kind, value))
        return stop

    def hold_none(self) -> bool:
        """Do the candidate cells hold no valid personal data (as the precise path validates them)?"""
        return not self.found


def candidates_hold_none(tables: TableChecks, lt: LoadedTable, counts: dict[str, int]) -> bool:
    """For a streamed table: do the candidate cells counted in ``counts`` hold no valid personal data?
    (Validated in Python; too many candidates answer False and the precise path takes over.)"""
    for f in scanned_fields(lt):
        kinds = _kinds(counts, f.name)
        for group, test in ((NUMBERS, _digits_test(f)), (("email",), personal_data.prefilter(f, ("email",)))):
            wanted = [k for k in group if k in kinds]
            if not wanted:
                continue
            if kinds[wanted[0]] > CANDIDATE_ROWS:
                return False
            for (value,) in tables.con.execute(f"SELECT {f.col} FROM {lt.table} WHERE {test}").fetchall():
                if any(_holds(kind, value) for kind in wanted):
                    return False
    return True


def _hits(tables: TableChecks, lt: LoadedTable, f: FieldSQL, kinds: dict[str, int]) -> dict[str, list[int]]:
    """Row indexes of the valid values of each kind in column ``f`` (up to ROWS_PER_KIND): the
    candidate cells are validated in Python when there are not too many, otherwise SQL narrows
    them down per kind first."""
    hits: dict[str, list[int]] = {}
    for group in (NUMBERS, ("email",)):
        wanted = [k for k in group if k in kinds]
        if not wanted:
            continue
        if kinds[wanted[0]] > CANDIDATE_ROWS:
            for kind in wanted:
                found = _sql_hits(tables, lt, f, kind)
                if found:
                    hits[kind] = found
            continue
        test = personal_data.prefilter(f, group)
        rows = sorted(tables.con.execute(f"SELECT rowid, {f.col} FROM {lt.rel([f])} WHERE {test}").fetchall())
        registers = group == NUMBERS and personal_data.registration_numbers(v for _, v in rows)
        for kind in wanted:
            found = [rowid for rowid, value in rows if _holds(kind, value, registers)][:ROWS_PER_KIND]
            if found:
                hits[kind] = found
    return hits


def _sql_hits(tables: TableChecks, lt: LoadedTable, f: FieldSQL, kind: str) -> list[int]:
    pattern = personal_data.spaced(kind)
    bounded = f"(?:^|[^0-9A-Za-z]){pattern}(?:[^0-9A-Za-z]|$)" if kind != "email" else pattern
    prefilter = personal_data.prefilter(f, (kind,))
    folded = f"translate({f.value}, {lit(personal_data.WIDE)}, {lit(personal_data.NARROW)})"
    out = []
    registers = kind == "id_card" and personal_data.registration_numbers(
        v for (v,) in tables.con.execute(f"SELECT {f.value} FROM {lt.rel([f])} WHERE {prefilter} LIMIT 1000").fetchall()
    )
    for rowid, value in tables.con.execute(
        f"SELECT rowid, {f.value} FROM {lt.rel([f])} WHERE {prefilter} AND regexp_matches({folded}, "
        f"{lit(bounded)}) ORDER BY rowid"
    ).fetchall():
        if _holds(kind, value, registers):
            out.append(rowid)
            if len(out) >= ROWS_PER_KIND:
                break
    return out


def _enum_hits(f: FieldSQL) -> set[str]:
    values = [str(v) for v in (f.field.get("constraints") or {}).get("enum") or []]
    return {kind for kind in _BOUNDED if any(_holds(kind, v) for v in values)}


def check_privacy(tables: TableChecks, lt: LoadedTable, negative_list: list[dict[str, Any]]) -> list[Finding]:
    """The confidentiality review of a loaded resource: negative-list fields, the plan's masked-column
    conditions (unmasked values of a masked column, one finding per row) and personal data in the clear."""
    out: list[Finding] = []
    # a streamed table was proven free of unmasked values and personal data in its one pass; the
    # byte pass's scan of a table read again after a failed proof may have found no personal data
    suspects = {} if lt.streamed or SCANNED_NONE in lt.passed else _suspects(tables, lt)
    out += tables.check_rows(lt, "privacy")  # the plan's conditions (unmasked values of masked columns)
    verified = {r.number for r in lt.plan.rows_in(["privacy"]) if owner(r).code == masking_error.CHECK.code}
    for number, f in enumerate(lt.fields, start=1):
        kind, masked = _declared(f.field)
        where: dict[str, Any] = dict(field=f.name, field_number=number, **lt.where)
        listed = negative_list_field.matches(f.field, negative_list)
        if listed and not listed.get("content") and not (kind and masked) and _categorical(tables, lt, f, listed):
            listed = None  # an item known by its name only (a name, an address): categories are not it
        if listed and not (kind and masked):
            check = negative_list_field.CHECK
            args = {"title": listed["title"], "id": listed["id"]}
            out.append(Finding(check.code, check.message("en", args), args=args, **where))
        if number in verified:
            continue  # a verified masked column is not scanned further
        if _enum_only(f):
            found = personal_data.CHECK
            for content in sorted(_enum_hits(f)):
                args = dict(personal_data.args(content), variant="enum")
                out.append(Finding(found.code, found.message("en", args), args=args, **where))
            continue
        if f.name not in suspects:
            continue
        hits = _hits(tables, lt, f, suspects[f.name])
        for content in CANDIDATES:
            if content in hits:
                # one finding per row, through the findings table (counted in the rows with findings);
                # the cell itself is never echoed
                tables.add_findings(
                    lt,
                    "SELECT unnest(?::BIGINT[]), ?, ?, 'personal-data', ?, NULL",
                    [hits[content], number, f.name, json.dumps(personal_data.args(content))],
                )
    return out
