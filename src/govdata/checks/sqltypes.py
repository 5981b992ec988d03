"""Table Schema field semantics as DuckDB SQL.

For each field: the DuckDB type it loads as, a SQL condition that is true when a
(non-missing) raw cell is *not* a valid value of the type, and the expression
that casts a valid raw cell to its typed value. DuckDB's own casts are looser
than Table Schema (``2023/5/1`` is a date to DuckDB), so every type is guarded
by a regular expression first.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from govdata.checks import formats
from govdata.sql import ident, lit
from govdata.valueforms import bit_sql, candidate_sql, kinds_sql

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "year": "INTEGER",
    "yearmonth": "VARCHAR",
    "object": "JSON",
    "array": "JSON",
    "geopoint": "VARCHAR",
    "geojson": "JSON",
    "duration": "VARCHAR",
    "any": "VARCHAR",
    "list": "VARCHAR",
}

TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]

# what Python's str.isspace() calls whitespace (strip() and \s in a str pattern): ASCII blanks, the
# Unicode spaces and separators (no-break U+00A0, ideographic U+3000 …), U+001C–U+001F and U+0085
_SPACE_CLASS = r"\s\p{Z}\x{1c}-\x{1f}\x{85}"
_WS = f"[{_SPACE_CLASS}]*"
_ZONE = "(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"  # a zone suffix dateutil reads: Z, +08, +0800, +08:00

_RE = {
    # what Python's int() and Decimal() accept after strip(), as Frictionless reads them (ASCII digits)
    "integer": _WS + r"[+-]?[0-9]+(_[0-9]+)*" + _WS,
    "number": _WS + r"[+-]?(([0-9]+(_[0-9]+)*\.?([0-9]+(_[0-9]+)*)?|\.[0-9]+(_[0-9]+)*)([eE][+-]?[0-9]+)?"
    r"|(?i:nan|inf|infinity))" + _WS,
    # datetime.strptime(cell, "%Y-%m-%d"): one- or two-digit month and day
    "date": r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12][0-9]|0[1-9]|[1-9])",
    # dateutil's isoparse(), as Frictionless reads datetimes and times: any one separator between
    # date and time, a fraction after "." or ",", a zone "Z", "+08", "+0800" or "+08:00"
    "datetime": r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}.[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"([.,][0-9]+)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?",
    "time": r"[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?",
    "year": r"[0-9]{4}",
    # year, month = cell.split("-"); int(year); int(month) in 1..12 (the month is checked apart)
    "yearmonth": r"\s*\+?[0-9]+(_[0-9]+)*\s*-\s*\+?[0-9]+(_[0-9]+)*\s*",
    # isodate's ISO8601_PERIOD_REGEX: a sign, "." or "," fractions (the bare "P" is refused apart)
    "duration": r"[+-]?P(?:[0-9]+(?:[,.][0-9]+)?Y)?(?:[0-9]+(?:[,.][0-9]+)?M)?(?:[0-9]+(?:[,.][0-9]+)?W)?(?:[0-9]+(?:[,.][0-9]+)?D)?(?:T(?:[0-9]+(?:[,.][0-9]+)?H)?(?:[0-9]+(?:[,.][0-9]+)?M)?(?:[0-9]+(?:[,.][0-9]+)?S)?)?",
    # lon, lat = cell.split(","), each a Decimal (ranges are checked apart)
    "geopoint": r"[^,]*,[^,]*",
    "uri": formats.URI,
    "uuid": formats.UUID,
}


FORMULA_ROWS = 20  # formula warnings listed per field


def python_regex(pattern: str) -> str:
    """A Table Schema ``pattern`` (Python ``re`` semantics in Frictionless, XML Schema in the spec)
    for RE2: ``\\d`` and ``\\w`` match Unicode digits and word characters there, ASCII only in RE2."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            if e in "uU" and _is_hex(pattern, i + 2, 4 if e == "u" else 8):  # \u4e00 (Python) -> \x{4e00} (RE2)
                size = 4 if e == "u" else 8
                out.append("\\x{" + pattern[i + 2 : i + 2 + size] + "}")
                i += 2 + size
                continue
            if e == "s":
                out.append(_SPACE_CLASS if in_class else f"[{_SPACE_CLASS}]")
            elif e == "S" and not in_class:
                out.append(f"[^{_SPACE_CLASS}]")
            elif e == "d":
                out.append(r"\p{Nd}")
            elif e == "D" and not in_class:
                out.append(r"\P{Nd}")
            elif e == "w":
                out.append(r"\p{L}\p{N}_" if in_class else r"[\p{L}\p{N}_]")
            elif e == "W" and not in_class:
                out.append(r"[^\p{L}\p{N}_]")
            else:
                out.append(c + e)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a literal ] first in the class
                out.append("]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        elif c == "{" and not in_class and pattern[i + 1 : i + 2] == "," and re.match(r"\{,[0-9]+\}", pattern[i:]):
            out.append("{0")  # {,n}: Python reads "0 to n", RE2 a literal
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _strptime_regex(fmt: str) -> str | None:
    """The regular expression Python's ``datetime.strptime`` matches ``fmt`` with (Frictionless reads
    custom date formats with it; DuckDB's strptime is looser: two-digit %Y, spaces), for RE2."""
    import _strptime

    try:
        pattern = _strptime._TimeRE_cache.pattern(fmt)
    except (KeyError, ValueError, re.error):
        return None
    return "(?i)" + python_regex(pattern)


def _is_hex(text: str, start: int, size: int) -> bool:
    return len(text) >= start + size and all(ch in "0123456789abcdefABCDEF" for ch in text[start : start + size])


# a cell a spreadsheet runs as a formula: = @ tab or CR and more; + or - followed by anything but a
# signed number (a digit, then only digits, "," "." "%"); a lone sign is a value
FORMULA_RE = r"(?s)[=@\t\r].+|[+-](?:[^0-9].*|[0-9][0-9,.%]*[^0-9,.%].*)"


def field_missing(field: dict[str, Any], schema_missing: Any) -> list[str]:
    """The strings that are missing values in ``field``: its own ``missingValues`` (Table Schema v2:
    a field's list replaces the schema's), else the schema's (default ``[""]``)."""
    own = field.get("missingValues") if isinstance(field, dict) else None
    values = own if isinstance(own, list) else schema_missing
    return [""] if values is None else [str(m) for m in values]


def has_field_missing(schema: Mapping[str, Any]) -> bool:
    return any(isinstance(f, dict) and isinstance(f.get("missingValues"), list) for f in schema.get("fields") or [])


def read_missing(schema: Mapping[str, Any]) -> list[str] | None:
    """The missing values a read of the file may turn into NULL for every column at once (DuckDB's
    ``nullstr``, :func:`loaded.null_option`): the schema's, or with a field's own list, "" only when
    every field's list holds it (the rest is each field's :attr:`FieldSQL.value`)."""
    if not has_field_missing(schema):
        return schema.get("missingValues")
    shared = schema.get("missingValues", [""])
    every = all("" in field_missing(f, shared) for f in schema.get("fields") or [])
    return [""] if every else []


class FieldSQL:
    """SQL pieces for one field over a raw VARCHAR column."""

    def __init__(self, field: dict[str, Any], missing_values: list[str], column: str | None = None, own: bool = True):
        """``missing_values``: the schema's; a field's own ``missingValues`` replace them (unless not
        ``own``: a column of typed values, whose missing values are NULL already)."""
        self.field = field
        self.name: str = field["name"]
        self.type: str = field.get("type", "any") or "any"
        self.format: str = field.get("format", "default") or "default"
        # the raw column: the field's own name, or ``column`` (the value column ``v`` of a long table)
        self.col = column or ident(self.name)
        missing = field_missing(field, missing_values) if own else [str(m) for m in missing_values]
        extra_missing = [m for m in missing if m != ""]
        if extra_missing:
            # "" among them too: the read's null string holds "" only when every field's list does
            listed = extra_missing + ([""] if "" in missing else [])
            self.value = (
                f"(CASE WHEN {self.col} IN ({', '.join(lit(m) for m in listed)}) THEN NULL ELSE {self.col} END)"
            )
        elif "" in missing:
            self.value = f"NULLIF({self.col}, '')"
        else:  # nothing is missing: an empty cell is the empty string
            self.value = self.col
        self.duckdb_type = DUCKDB_TYPES.get(self.type, "VARCHAR")

    def _num_text(self, decimal: bool = True) -> str:
        v = self.value
        if self.field.get("bareNumber") is False:  # as Frictionless: strip leading and trailing non-digits
            v = f"regexp_replace({v}, '^[^-\\p{{Nd}}]*|\\P{{Nd}}*$', '', 'g')"
        if self.type != "number":  # Frictionless reads groupChar and decimalChar on numbers only
            return v
        group, dec = self.field.get("groupChar"), self.field.get("decimalChar")
        if group:
            v = f"replace({v}, {lit(group)}, '')"
        if decimal and dec and dec != ".":
            v = f"replace({v}, {lit(dec)}, '.')"
        return v

    def _cast(self, sql_type: str) -> str:
        """The number cast; DuckDB trims ASCII blanks only, so a cell with Unicode spaces around it is
        cast again with them stripped (evaluated only where the plain cast gave NULL)."""
        text = self._num_text()
        stripped = f"regexp_replace({text}, '^[{_SPACE_CLASS}]+|[{_SPACE_CLASS}]+$', '', 'g')"
        return f"coalesce(TRY_CAST({text} AS {sql_type}), TRY_CAST({stripped} AS {sql_type}))"

    def invalid(self) -> str | None:
        """Condition (on a non-null value) that the cell is not of the field's type."""
        v, t = self.value, self.type
        if t == "integer":
            return f"NOT regexp_full_match({self._num_text()}, {lit(_RE['integer'])}) OR {self._cast('BIGINT')} IS NULL"
        if t == "number":
            bad = f"NOT regexp_full_match({self._num_text()}, {lit(_RE['number'])})"
            dec = self.field.get("decimalChar")
            if dec and dec != "." and self.field.get("groupChar") != ".":
                # as Frictionless: with another decimal mark, a "." left after the group marks go is refused
                return f"{bad} OR contains({self._num_text(decimal=False)}, '.')"
            return bad
        if t == "boolean":
            values = (self.field.get("trueValues") or TRUE_VALUES) + (self.field.get("falseValues") or FALSE_VALUES)
            return f"{v} NOT IN ({', '.join(lit(x) for x in values)})"
        if t in ("date", "datetime", "time"):
            fmt = self.format
            # DuckDB's casts read 'infinity' and 'epoch' as dates and times; Table Schema does not
            special = f"regexp_full_match(trim({v}), '(?i)[+-]?(inf|infinity|epoch)') OR "
            if fmt == "any":
                return f"{special}TRY_CAST({v} AS {self.duckdb_type}) IS NULL"
            if fmt != "default":
                guard = _strptime_regex(fmt)
                if guard is None:  # a directive Python's strptime does not know: no cell can be read
                    return "true"
                return f"NOT regexp_full_match({v}, {lit(guard)}) OR {special}try_strptime({v}, {lit(fmt)}) IS NULL"
            return (
                f"NOT regexp_full_match({v}, {lit(_RE[t])}) OR TRY_CAST({self._iso(v)} AS {self.duckdb_type}) IS NULL"
            )
        if t == "yearmonth":
            month = f"regexp_replace(split_part({v}, '-', 2), '[\\s_+]', '', 'g')"
            return (
                f"NOT regexp_full_match({v}, {lit(_RE[t])}) "
                f"OR NOT coalesce(TRY_CAST({month} AS BIGINT) BETWEEN 1 AND 12, false)"
            )
        if t == "duration":
            return f"NOT regexp_full_match({v}, {lit(_RE[t])}) OR regexp_full_match({v}, '[+-]?P')"
        if t == "geopoint":
            return self._geopoint_invalid(v)
        if t == "list":
            return self._list_invalid(v)
        if t == "year":
            return f"NOT regexp_full_match({v}, {lit(_RE[t])})"
        if t in ("object", "array", "geojson"):
            want = "ARRAY" if t == "array" else "OBJECT"
            return f"NOT json_valid({v}) OR (CASE WHEN json_valid({v}) THEN json_type({v}) END) != '{want}'"
        if t == "string" and self.format == "email":
            return formats.email_invalid(v, lit)
        if t == "string" and self.format in ("uri", "uuid"):
            return f"NOT regexp_full_match({v}, {lit(_RE[self.format])})"
        return None

    def formula(self) -> str | None:
        """Condition that a text cell would run as a formula when the CSV is opened in a spreadsheet
        (CSV injection): it starts with = + - @, a tab or a carriage return. A signed number
        (``-5``, ``+1,000.5``, ``-3%``) or a lone sign is what a spreadsheet reads as a value, not a formula."""
        if self.type not in ("string", "any"):
            return None
        # one regular expression, evaluated only on cells that start below "A" (all six characters
        # are; the comparison reads the string's inlined prefix, so Chinese text costs nothing more):
        # binding a statement costs per expression node, and the same test written with ascii(),
        # length(), translate() and substr() over the value cost ~1.3 ms of binding per text column of
        # a small file against ~0.5 ms (the rule is held by tests/test_gate_shapes.py)
        v = self.value
        return f"CASE WHEN {v} < 'A' THEN regexp_full_match({v}, {lit(FORMULA_RE)}) ELSE false END"

    def normalisable(self) -> str | None:
        """Aggregate: one of the values when every value of a plain text column (no enum, pattern or
        format) is of one family of :mod:`govdata.valueforms` (Chinese dates, numbers written with
        full-width digits, thousands separators, units, % or in brackets …) and one at least is not
        plain, else NULL. Such a column is published unusable for machines (``normalisable-text``,
        whose finding then takes its example and rows from the file). The forms are tested in one
        ``CASE`` per value (the first that matches: a plain number costs one regular expression)."""
        c = self.field.get("constraints") or {}
        if self.type != "string" or self.format != "default" or "enum" in c or "pattern" in c:
            return None
        v = self.value
        return f"(CASE WHEN {candidate_sql(v, self.col)} THEN min({v}) END)"

    def normalisable_exact(self) -> str | None:
        """Aggregate: true when the column :meth:`normalisable` gives a value for holds values of one
        family only (amounts with percentages, or numbers with dates, are not normalisable): every
        form tested apart, so run only on the columns that test passes."""
        if self.normalisable() is None:
            return None
        return kinds_sql(f"bit_or({bit_sql(self.value, self.col)})")

    def normalisable_likely(self) -> str | None:
        """A cheap first test for :meth:`normalisable` (no regular expression, one look at each
        cell's first character): 1 when every value of the column starts like a normalisable value
        (a digit, a sign, a bracket, a blank, or their full-width forms). Written for speed (a fifth
        of the cost of ``ascii`` under ``v IS NOT NULL AND``): ``unicode`` of NULL is NULL, which
        ``count_if`` does not count, and of '' is -1, which starts nothing."""
        if self.normalisable() is None:
            return None
        v = self.value
        starts = (
            f"(unicode({v}) BETWEEN 48 AND 57 OR unicode({v}) IN (43, 45, 40, 32, 9, 65288, 65291, 65293) "
            f"OR unicode({v}) BETWEEN 65296 AND 65305)"
        )
        return f"CAST(count({v}) > 0 AND count_if(NOT {starts}) = 0 AS INTEGER)"

    def _geopoint_invalid(self, v: str) -> str:
        if self.format in ("array", "object"):
            kind, lon, lat = ("ARRAY", "$[0]", "$[1]") if self.format == "array" else ("OBJECT", "$.lon", "$.lat")
            size = f"json_array_length({v})" if kind == "ARRAY" else f"len(json_keys({v}))"
            return (
                f"NOT coalesce(CASE WHEN json_valid({v}) AND json_type({v}) = '{kind}' THEN {size} = 2 "
                f"AND TRY_CAST(json_extract_string({v}, '{lon}') AS DOUBLE) BETWEEN -180 AND 180 "
                f"AND TRY_CAST(json_extract_string({v}, '{lat}') AS DOUBLE) BETWEEN -90 AND 90 END, false)"
            )
        number = lit(_RE["number"])
        lon, lat = f"split_part({v}, ',', 1)", f"split_part({v}, ',', 2)"
        return (
            f"NOT regexp_full_match({v}, {lit(_RE['geopoint'])}) OR NOT regexp_full_match({lon}, {number}) "
            f"OR NOT regexp_full_match({lat}, {number}) "
            f"OR NOT coalesce(TRY_CAST({lon} AS DOUBLE) BETWEEN -180 AND 180, false) "
            f"OR NOT coalesce(TRY_CAST({lat} AS DOUBLE) BETWEEN -90 AND 90, false)"
        )

    def _list_invalid(self, v: str) -> str | None:
        """A list is invalid when any item (split on the delimiter) is not of ``itemType``."""
        item = FieldSQL({"name": "_item", "type": self.field.get("itemType") or "string"}, [""])
        item.value = item.col = "_item"  # the lambda's parameter
        bad = item.invalid()
        if bad is None:
            return None
        delimiter = lit(self.field.get("delimiter") or ",")
        return f"list_bool_or(list_transform(string_split({v}, {delimiter}), lambda _item: coalesce({bad}, true)))"

    def _utc(self, v: str, cast: str = "TRY_CAST") -> str:
        """A datetime with a zone as its UTC time; one without, as written. ``cast="CAST"`` for a
        schema's own bound or enum value: an unreadable one is a schema error, not a silent pass."""
        return (
            f"(CASE WHEN regexp_matches({v}, {lit(_ZONE)}) THEN timezone('UTC', "
            f"{cast}({self._iso(v, keep_zone=True)} AS TIMESTAMPTZ)) ELSE {cast}({self._iso(v)} AS TIMESTAMP) END)"
        )

    def _iso(self, v: str, keep_zone: bool = False) -> str:
        """A valid date, datetime or time as DuckDB casts it: "T" between date and time, "." for the
        fraction, the zone left out unless ``keep_zone``."""
        if self.type == "date":  # the date pattern has no time-zone suffix to strip
            return v
        if self.type == "datetime":
            v = f"(substr({v}, 1, 10) || 'T' || substr({v}, 12))"
        if not keep_zone:
            v = f"regexp_replace({v}, {lit(_ZONE)}, '')"
        return f"replace({v}, ',', '.')"

    def _parsed(self, text: str, function: str = "try_strptime") -> str:
        """A cell (or, with ``strptime``, a schema value) in the field's custom format; a zone read
        by %z gives the UTC time, as :meth:`_utc` does."""
        parsed = f"{function}({text}, {lit(self.format)})"
        if "%z" in self.format and self.type == "datetime":
            return f"timezone('UTC', {parsed})"
        return f"CAST({parsed} AS {self.duckdb_type})"

    def typed(self) -> str:
        """Typed value of a valid cell (NULL for missing)."""
        v, t = self.value, self.type
        if t == "integer":
            return self._cast("BIGINT")
        if t == "number":
            return self._cast("DOUBLE")
        if t == "boolean":
            trues = self.field.get("trueValues") or TRUE_VALUES
            falses = self.field.get("falseValues") or FALSE_VALUES
            return (
                f"(CASE WHEN {v} IN ({', '.join(lit(x) for x in trues)}) THEN TRUE "
                f"WHEN {v} IN ({', '.join(lit(x) for x in falses)}) THEN FALSE END)"
            )
        if t in ("date", "datetime", "time"):
            if self.format not in ("default", "any"):
                return self._parsed(v)
            if t == "datetime" and self.format == "default":
                return self._utc(v)
            return f"TRY_CAST({self._iso(v)} AS {self.duckdb_type})"
        if t == "year":
            return f"TRY_CAST({v} AS INTEGER)"
        if t in ("object", "array", "geojson"):
            return f"TRY_CAST({v} AS JSON)"
        return v

    def constraints(self, required: bool = False, assume_valid: bool = False) -> list[tuple[str, str]]:
        """(note, SQL condition that the constraint fails) for each constraint. ``assume_valid``:
        leave out the type guard (for a pass that fails anyway when any value is invalid)."""
        c = self.field.get("constraints") or {}
        if not c and not required:
            return []
        v, typed = self.value, self.typed()
        out: list[tuple[str, str]] = []
        if required or c.get("required"):
            out.append(('constraint "required" is "True"', f"{v} IS NULL"))
        invalid = None if assume_valid else self.invalid()
        ok = f"{v} IS NOT NULL" + (f" AND NOT ({invalid})" if invalid else "")
        length_expr = {
            "string": f"length({v})",
            "any": f"length({v})",
            "array": f"(CASE WHEN json_valid({v}) THEN json_array_length({v}) END)",
            "object": f"(CASE WHEN json_valid({v}) AND json_type({v}) = 'OBJECT' THEN len(json_keys({v})) END)",
            "list": f"len(string_split({v}, {lit(self.field.get('delimiter') or ',')}))",
        }.get(self.type)
        if length_expr:
            if "minLength" in c:
                out.append(
                    (f'constraint "minLength" is "{c["minLength"]}"', f"{ok} AND {length_expr} < {int(c['minLength'])}")
                )
            if "maxLength" in c:
                out.append(
                    (f'constraint "maxLength" is "{c["maxLength"]}"', f"{ok} AND {length_expr} > {int(c['maxLength'])}")
                )
        bounds = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}
        for key, op in bounds.items():
            if key in c and self.type in ("integer", "number", "date", "datetime", "time", "year"):
                bound = self._typed_literal(c[key])
                # NaN fails every bound, as Decimal comparisons do in Frictionless
                nan = f"isnan({typed}) OR " if self.type == "number" else ""
                out.append((f'constraint "{key}" is "{c[key]}"', f"{ok} AND ({nan}{typed} {op} {bound})"))
        if "pattern" in c:
            # Frictionless: re.compile(f"^{pattern}$").match(cell), so "a|b" reads as "^a" or "b$" from the start
            pattern = "^(?:^" + python_regex(str(c["pattern"])) + "$)"
            out.append(
                (f'constraint "pattern" is "{c["pattern"]}"', f"{ok} AND NOT regexp_matches({v}, {lit(pattern)})")
            )
        if "enum" in c and isinstance(c["enum"], list):
            if self.type in ("string", "any", "yearmonth") or not c["enum"]:
                values = ", ".join(lit(str(x)) for x in c["enum"]) or "NULL"
                out.append((f'constraint "enum" is "{c["enum"]}"', f"{ok} AND {v} NOT IN ({values})"))
            else:
                values = ", ".join(self._typed_literal(x) for x in c["enum"])
                out.append((f'constraint "enum" is "{c["enum"]}"', f"{ok} AND {typed} NOT IN ({values})"))
        return out

    def _typed_literal(self, value: Any) -> str:
        """A bound or enum value read as the field reads cells (Frictionless reads them with the
        field's own reader: a custom date format, a zone)."""
        if self.type in ("integer", "number", "year") and isinstance(value, (int, float)):
            return lit(value)
        if self.type in ("date", "datetime", "time") and self.format not in ("default", "any"):
            return self._parsed(lit(str(value)), "strptime")
        if self.type == "datetime" and self.format == "default":
            return self._utc(lit(str(value)), cast="CAST")
        return f"CAST({lit(str(value))} AS {self.duckdb_type})"
