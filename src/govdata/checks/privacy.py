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

import re
from typing import Any

from stdnum import luhn
from stdnum.cn import ric

from govdata.checks.sqltypes import lit
from govdata.checks.table import LoadedTable, TableChecks
from govdata.findings import Finding

# candidate patterns (RE2); candidates are then validated in Python
CANDIDATES = {
    "id_card": r"[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]",
    "mobile": r"1[3-9][0-9]{9}",
    "bank_card": r"[3-6][0-9]{15,18}",
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
}
# a masked value: what a declared column must look like on every row
MASKED = {
    "id_card": r"[1-9][0-9]{5}\*{8}[0-9]{3}[0-9Xx]|[1-9][0-9]{5}\*{12}",
    "mobile": r"1[3-9][0-9]\*{4}[0-9]{4}",
    "bank_card": r"[0-9]{4,6}\*{6,}[0-9]{4}",
    "email": r"[^@\s]{0,2}\*+@[A-Za-z0-9.-]+",
    "default": r".*\*.*",
}
SAMPLE = 200


def _valid(kind: str, value: str) -> bool:
    if kind == "id_card":
        try:
            ric.validate(value.upper())
            return True
        except Exception:  # stdnum raises ValidationError subclasses
            return False
    if kind == "bank_card":
        return luhn.is_valid(value)
    return True


def _declared(field: dict[str, Any]) -> tuple[str | None, bool]:
    kind = field.get("personal")
    return (kind if isinstance(kind, str) else None), bool(field.get("masked"))


def _matches_negative_list(field: dict[str, Any], negative_list: list[dict[str, Any]]) -> dict | None:
    text = f"{field.get('name', '')} {field.get('title', '')}".lower()
    for item in negative_list:
        if any(p.lower() in text for p in item.get("name_patterns") or []):
            return item
    return None


DIGITS = r"[0-9]{11}"  # every number candidate has 11+ digits in a row; e-mails have an @
CANDIDATE_ROWS = 200_000  # up to this many candidate cells per column are validated in Python; beyond, SQL per kind
LABELS = {"id_card": "居民身份证号码 identity-card numbers", "mobile": "手机号码 mobile numbers",
          "bank_card": "银行卡号 bank-card numbers", "email": "电子邮箱 e-mail addresses"}
_BOUNDED = {kind: re.compile(pattern if kind == "email" else f"(?<![0-9A-Za-z]){pattern}(?![0-9A-Za-z])")
            for kind, pattern in CANDIDATES.items()}


def _enum_only(f) -> bool:
    """A column held to a declared enum: its possible values are in the schema, no need to scan rows."""
    enum = (f.field.get("constraints") or {}).get("enum")
    return isinstance(enum, list) and bool(enum)


def _digits_test(f) -> str:
    # cheap necessary conditions first (strlen is stored with the string; contains is a memchr),
    # then the regular expression
    any_digit = " OR ".join(f"contains({f.col}, '{d}')" for d in "0123456789")
    return f"strlen({f.col}) >= 11 AND ({any_digit}) AND regexp_matches({f.col}, {lit(DIGITS)})"


def _suspects(tables: TableChecks, lt: LoadedTable) -> dict[str, dict[str, int]]:
    """Per column, the kinds of personal data it could hold and how many cells are candidates:
    one scan for the whole table."""
    scanned = [f for f in lt.fields if f.type in ("string", "any", "integer", "number")
               and not all(_declared(f.field)) and not _enum_only(f)]
    if not scanned:
        return {}
    counts = tables.con.execute(
        "SELECT " + ", ".join(f"count_if({_digits_test(f)}), count_if(contains({f.col}, '@'))"
                              for f in scanned) + f" FROM {lt.table}").fetchone()
    out: dict[str, dict[str, int]] = {}
    for i, f in enumerate(scanned):
        kinds = {k: counts[2 * i] for k in ("id_card", "mobile", "bank_card") if counts[2 * i]}
        kinds.update({"email": counts[2 * i + 1]} if counts[2 * i + 1] else {})
        if kinds:
            out[f.name] = kinds
    return out


def _first_hits(tables: TableChecks, lt: LoadedTable, f, kinds: dict[str, int]) -> dict[str, int]:
    """Row index of the first valid value of each kind in column ``f``: the candidate cells are
    validated in Python when there are not too many, otherwise SQL looks for each kind."""
    hits: dict[str, int] = {}
    for group in (("id_card", "mobile", "bank_card"), ("email",)):
        wanted = [k for k in group if k in kinds]
        if not wanted:
            continue
        if kinds[wanted[0]] > CANDIDATE_ROWS:
            for kind in wanted:
                found = _sql_hit(tables, lt, f, kind)
                if found is not None:
                    hits[kind] = found
            continue
        test = _digits_test(f) if group[0] != "email" else f"contains({f.col}, '@')"
        rows = sorted(tables.con.execute(f"SELECT rowid, {f.col} FROM {lt.table} WHERE {test}").fetchall())
        for kind in wanted:
            for rowid, value in rows:
                if any(_valid(kind, m.group(0)) for m in _BOUNDED[kind].finditer(value)):
                    hits[kind] = rowid
                    break
    return hits


def _sql_hit(tables: TableChecks, lt: LoadedTable, f, kind: str) -> int | None:
    pattern = CANDIDATES[kind]
    bounded = f"(?:^|[^0-9A-Za-z]){pattern}(?:[^0-9A-Za-z]|$)" if kind != "email" else pattern
    prefilter = f"contains({f.value}, '@')" if kind == "email" else _digits_test(f)
    rows = tables.con.execute(
        f"SELECT rowid, regexp_extract({f.value}, {lit('(' + pattern + ')')}, 1) FROM {lt.table} "
        f"WHERE {prefilter} AND regexp_matches({f.value}, {lit(bounded)}) ORDER BY rowid LIMIT {SAMPLE}"
    ).fetchall()
    return next((r for r, v in rows if v and _valid(kind, v)), None)


def _enum_hits(f) -> set[str]:
    values = [str(v) for v in (f.field.get("constraints") or {}).get("enum") or []]
    return {kind for kind, rx in _BOUNDED.items()
            if any(_valid(kind, m.group(0)) for v in values for m in rx.finditer(v))}


def check_privacy(tables: TableChecks, lt: LoadedTable, negative_list: list[dict[str, Any]]) -> list[Finding]:
    out: list[Finding] = []
    con = tables.con
    suspects = _suspects(tables, lt)
    for number, f in enumerate(lt.fields, start=1):
        kind, masked = _declared(f.field)
        where = dict(field=f.name, field_number=number, **lt.where)
        listed = _matches_negative_list(f.field, negative_list)
        if listed and not (kind and masked):
            out.append(Finding("negative-list-field",
                               f"field {f.name} looks like {listed['title']} (负面清单 '{listed['id']}'): "
                               f"declare personal: {listed['id']} and masked: true, and mask every value", **where))
        if kind and masked:
            pattern = MASKED.get(kind, MASKED["default"])
            rows = con.execute(
                f"SELECT rowid, {f.col} FROM {lt.table} WHERE {f.value} IS NOT NULL AND NOT "
                f"regexp_full_match({f.value}, {lit(pattern)}) ORDER BY rowid LIMIT 1"
            ).fetchall()
            total = con.execute(f"SELECT count(*) FROM {lt.table} WHERE {f.value} IS NOT NULL AND NOT "
                                f"regexp_full_match({f.value}, {lit(pattern)})").fetchone()[0]
            if rows:
                row = lt.prep.row_number(rows[0][0])
                out.append(Finding("masking-error",
                                   f"field {f.name} is declared masked ({kind}) but {total} value(s) are not masked; "
                                   f"first at row {row}", row=row, cell=None, **where))
            continue  # a verified masked column is not scanned further
        if _enum_only(f):
            for content in sorted(_enum_hits(f)):
                out.append(Finding("personal-data", f"field {f.name}: its enum lists {LABELS[content]}; mask them and "
                                   f"declare personal: {content}, masked: true — or remove the column", **where))
            continue
        if f.name not in suspects:
            continue
        hits = _first_hits(tables, lt, f, suspects[f.name])
        for content in CANDIDATES:
            if content in hits:
                row = lt.prep.row_number(hits[content])
                out.append(Finding("personal-data",
                                   f"field {f.name} contains {LABELS[content]} (first at row {row}); mask them and declare "
                                   f"personal: {content}, masked: true — or remove the column", row=row, **where))
    return out
