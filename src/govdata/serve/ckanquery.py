"""CKAN's ``q`` and ``fq``: the Solr syntax harvesters and portals send, parsed and evaluated over
the catalogue as sets of datasets (the catalogue index's bitsets, :mod:`govdata.serve.catalogsearch`).

Meaning as in CKAN 2.10 (Solr's classic query parser, default operator AND as CKAN sets it):
bare words and ``"phrases"`` (the catalogue's substring match, as ``/datasets?q=``);
``field:value``, ``field:"a b"``, ``field:(a OR b)``, ``field:pre*``, ``field:*`` (has a value);
ranges ``field:[A TO B]`` / ``{A TO B}`` with ``*`` open ends on dates (``2025-01-01T00:00:00Z``,
``NOW-7DAYS``, ``NOW/DAY``), integers (``num_resources``, ``num_tags``) and other fields (as text);
``AND OR NOT && || ! + -`` and parentheses, mixed by Lucene's rules (``a OR b`` makes both
optional; a clause list without a required clause needs one optional match); ``*:*``; a query of
only negative clauses means "all but" (Solr). Text fields (``title``, ``notes``, ``text``,
``res_name``, ``res_description``, ``author``, ``maintainer``) match substrings of folded text;
other fields match their exact value.

Anything else — fuzzy ``~``, regular expressions, a wildcard not at the end, unbalanced brackets
or quotes, a field no dataset has — is CKAN's answer to a Solr error, a 409 ``Search Error``
naming the part, never an empty success. Work is bounded (issue 12): one linear scan to tokenize,
nesting at most ``MAX_DEPTH``, at most ``MAX_CLAUSES`` clauses, each evaluated once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from govdata.serve.catalogsearch import _mask
from govdata.serve.ckanparams import ActionError, Directory
from govdata.textsearch import fold, terms as query_terms

MAX_DEPTH = 8  # nested parentheses
MAX_CLAUSES = 64  # leaf clauses in one q or fq (Solr's maxBooleanClauses is 1024)

# CKAN's facet and fq field names → the catalogue index's facets; CKAN's own keep their meaning
# (``organization`` is the owning publisher only); the platform adds ``publisher`` (with its
# subtree), ``level``, ``theme``, ``keyword``, ``open_condition``, ``frequency``, ``format``.
INDEX_FIELDS = {
    "organization": "owner_org",
    "owner_org": "owner_org",
    "groups": "theme",
    "tags": "keyword",
    "res_format": "format",
    "license_id": "license",
    "publisher": "publisher",
    "level": "level",
    "theme": "theme",
    "keyword": "keyword",
    "open_condition": "open_condition",
    "frequency": "frequency",
    "format": "format",
    "license": "license",
    "freshness": "freshness",
}
TEXT_FIELDS = ("title", "notes", "text", "res_name", "res_description", "author", "maintainer")
DATE_FIELDS = ("metadata_modified", "metadata_created")
INT_FIELDS = ("num_resources", "num_tags")
ALIASES = {"dataset_type": "type", "entity_type": "type"}
CONSTANT = {"capacity": "public", "site_id": None}  # every dataset is public; site_id: any value

OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
SPECIAL = set(' \t\r\n()[]{}"^~')
_CLOSE = re.compile(r"[\]}]")


class SearchSyntaxError(ActionError):
    def __init__(self, param: str, message: str):
        super().__init__("Search Error", f"Search error: {param}: {message} (Search Query is invalid)", 409)


@dataclass
class Leaf:
    field: str | None
    value: str = ""
    kind: str = "word"  # word | phrase | prefix | any | range
    hi: str = ""
    lo_incl: bool = True
    hi_incl: bool = True


@dataclass
class Bool:
    clauses: list  # [(occur, node)]: occur in "must" | "should" | "not"


# ---- tokenizing: one scan -------------------------------------------------------------


def tokenize(text: str, param: str) -> list[tuple[str, Any, int]]:
    """(kind, value, position) tokens: ``(`` ``)`` ``op`` ``mod`` ``field`` ``word`` ``phrase`` ``range``."""
    out: list[tuple[str, Any, int]] = []
    i, n = 0, len(text)
    after_field = False
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if ch in "()":
            out.append((ch, ch, i))
            i += 1
        elif ch == '"':
            j, chars = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                chars.append(text[j])
                j += 1
            if j >= n:
                raise SearchSyntaxError(param, f"the quote at character {i + 1} is never closed")
            out.append(("phrase", "".join(chars), i))
            i = j + 1
        elif ch in "[{":
            found = _CLOSE.search(text, i)  # the first ] or }: a scan that stops there
            close = found.start() if found else -1
            if close < 0:
                raise SearchSyntaxError(param, f"the range at character {i + 1} is never closed")
            parts = text[i + 1 : close].split()
            if len(parts) != 3 or parts[1] != "TO":
                raise SearchSyntaxError(param, f"a range is [A TO B], not {text[i : close + 1]!r}")
            lo, hi = (p.strip('"') for p in (parts[0], parts[2]))
            out.append(("range", (lo, hi, ch == "[", text[close] == "]"), i))
            i = close + 1
        elif ch in "^~" or ch in "]}":
            if ch == "^" and out and out[-1][0] in ("word", "phrase", "range", ")"):
                j = i + 1  # a boost: changes scores only
                while j < n and (text[j].isdigit() or text[j] == "."):
                    j += 1
                i = j
                continue
            what = "fuzzy and proximity searches (~)" if ch == "~" else f"{ch!r} here"
            raise SearchSyntaxError(param, f"{what} at character {i + 1} not supported")
        elif ch in "+-!" and not after_field:
            if i + 1 >= n or text[i + 1].isspace() or text[i + 1] == ")":
                raise SearchSyntaxError(param, f"{ch!r} at character {i + 1} modifies nothing")
            out.append(("mod", "-" if ch in "-!" else "+", i))
            i += 1
            continue
        else:
            if ch == "/" and not after_field:
                raise SearchSyntaxError(param, f"regular expressions (/…/) at character {i + 1} not supported")
            j = i
            buf: list[str] = []
            wild: list[int] = []
            while j < n and text[j] not in SPECIAL:
                c = text[j]
                if c == "\\":
                    if j + 1 >= n:
                        raise SearchSyntaxError(param, "a backslash at the end escapes nothing")
                    buf.append(text[j + 1])
                    j += 2
                    continue
                if c == ":" and not after_field and buf and (not wild or buf == ["*"]):
                    break
                if c in "*?":
                    wild.append(len(buf))
                buf.append(c)
                j += 1
            word = "".join(buf)
            if j < n and text[j] == ":" and not after_field:
                out.append(("field", word, start))
                i = j + 1
                after_field = True
                continue
            if not after_field and word in OPERATORS and not wild:
                out.append(("op", OPERATORS[word], start))
            else:
                out.append(("word", (word, wild), start))
            i = j
        after_field = False
    return out


# ---- parsing: Lucene's clause rules, bounded depth -------------------------------------


class _Parser:
    def __init__(self, tokens: list, param: str):
        self.tokens, self.param, self.pos, self.leaves = tokens, param, 0, 0

    def peek(self) -> tuple[str, Any, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def error(self, message: str) -> SearchSyntaxError:
        return SearchSyntaxError(self.param, message)

    def query(self, depth: int, field: str | None) -> Bool:
        clauses: list = []
        while (tok := self.peek()) is not None and tok[0] != ")":
            conj = None
            if tok[0] == "op" and tok[1] in ("AND", "OR"):
                if not clauses:
                    raise self.error(f"{tok[1]} at character {tok[2] + 1} has nothing before it")
                conj = tok[1]
                self.pos += 1
                tok = self.peek()
                if tok is None or tok[0] == ")" or (tok[0] == "op" and tok[1] != "NOT"):
                    raise self.error(f"{conj} at character {self.tokens[self.pos - 1][2] + 1} has nothing after it")
            mod = None
            if tok[0] == "op" and tok[1] == "NOT" or tok[0] == "mod":
                mod = "-" if tok[1] in ("NOT", "-") else "+"
                self.pos += 1
                if self.peek() is None:
                    raise self.error(f"{tok[1]} at character {tok[2] + 1} has nothing after it")
            node = self.clause(depth, field)
            if conj == "AND" and clauses and clauses[-1][0] != "not":
                clauses[-1] = ("must", clauses[-1][1])
            if conj == "OR" and clauses and clauses[-1][0] != "not":
                clauses[-1] = ("should", clauses[-1][1])
            occur = "not" if mod == "-" else ("should" if conj == "OR" else "must")
            clauses.append((occur, node))
        return Bool(clauses)

    def clause(self, depth: int, field: str | None) -> Any:
        tok = self.peek()
        assert tok is not None
        if tok[0] == "field":
            field = tok[1]
            self.pos += 1
            tok = self.peek()
            if tok is None or tok[0] in (")", "op", "mod", "field"):
                raise self.error(f"field {field!r} at character {self.tokens[self.pos - 1][2] + 1} has no value")
        if tok[0] == "(":
            if depth >= MAX_DEPTH:
                raise self.error(f"parentheses nested deeper than {MAX_DEPTH}")
            self.pos += 1
            inner = self.query(depth + 1, field)
            if self.peek() is None:
                raise self.error(f"'(' at character {tok[2] + 1} is never closed")
            self.pos += 1
            if not inner.clauses:
                raise self.error(f"'()' at character {tok[2] + 1} is empty")
            return inner
        if tok[0] in ("op", "mod", ")"):
            raise self.error(f"{tok[1]!r} at character {tok[2] + 1} is out of place")
        self.pos += 1
        self.leaves += 1
        if self.leaves > MAX_CLAUSES:
            raise self.error(f"more than {MAX_CLAUSES} clauses")
        if tok[0] == "phrase":
            return Leaf(field, tok[1], "phrase")
        if tok[0] == "range":
            if field is None:
                raise self.error(f"the range at character {tok[2] + 1} has no field (field:[A TO B])")
            lo, hi, lo_incl, hi_incl = tok[1]
            return Leaf(field, lo, "range", hi, lo_incl, hi_incl)
        word, wild = tok[1]
        if field == "*" and word == "*":
            return Leaf(None, "", "any")
        if field == "*":
            raise self.error("only *:* may use the field *")
        if not wild:
            return Leaf(field, word, "word")
        if word == "*":
            return Leaf(field, "", "any")
        if wild == [len(word) - 1] and word.endswith("*"):
            return Leaf(field, word[:-1], "prefix")
        raise self.error(f"the wildcard in {word!r} (only a trailing * is supported)")


def parse(text: str, param: str) -> Bool:
    if text.lstrip().startswith("{!"):
        raise SearchSyntaxError(param, "Local parameters are not supported.")
    parser = _Parser(tokenize(text, param), param)
    tree = parser.query(0, None)
    tok = parser.peek()
    if tok is not None:
        raise parser.error(f"')' at character {tok[2] + 1} closes nothing")
    return tree


# ---- evaluating ------------------------------------------------------------------------

_DATE = re.compile(r"(NOW|\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?Z?)((?:[+-]\d{1,6}[A-Z]+|/[A-Z]+)*)")
_UNITS = {"YEAR": "years", "MONTH": "months", "DAY": "days", "DATE": "days", "HOUR": "hours"}
_UNITS |= {"MINUTE": "minutes", "SECOND": "seconds", "MILLI": "milliseconds", "MILLISECOND": "milliseconds"}


def solr_date(value: str, now: dt.datetime) -> dt.datetime:
    """A Solr date: ISO 8601 (UTC, ``Z`` optional here) or ``NOW``, then date math (``-7DAYS``, ``/DAY``)."""
    m = _DATE.fullmatch(value)
    if not m:
        raise ValueError(value)
    base = m.group(1)
    t = now if base == "NOW" else dt.datetime.fromisoformat(base.rstrip("Z"))
    for op in re.findall(r"[+-]\d+[A-Z]+|/[A-Z]+", m.group(2)):
        name = op.lstrip("+-/0123456789")
        unit = _UNITS.get(name) or _UNITS.get(name.removesuffix("S"))
        if unit is None:
            raise ValueError(op)
        if op[0] == "/":
            t = _round(t, unit)
            continue
        amount = int(op[: len(op) - len(name)])
        if unit in ("years", "months"):
            months = t.month - 1 + amount * (12 if unit == "years" else 1)
            year, month = t.year + months // 12, months % 12 + 1
            t = t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))
        else:
            t = t + dt.timedelta(**{unit: amount})
    return t


def _round(t: dt.datetime, unit: str) -> dt.datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds", "milliseconds"]
    keep = order.index(unit)
    parts: dict[str, Any] = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    return t.replace(**{k: v for n, (k, v) in enumerate(parts.items()) if n >= keep})


class Evaluator:
    """Evaluates parsed queries over one directory and catalogue index; ``scores`` collects the
    catalogue engine's per-term scores of the positive free-text terms (for relevance)."""

    def __init__(self, d: Directory, today: Any = None, now: dt.datetime | None = None):
        self.d, self.ix, self.today = d, d.index, today
        self.now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.scores: list[dict[int, int]] = []
        self.param = "q"
        known = d.__dict__.get("_query_known")
        if known is None:  # the catalogue's datasets that have a CKAN package (all, in a build)
            known = d.__dict__["_query_known"] = _mask([self.ix.by_id[n] for n in d.packages if n in self.ix.by_id])
        self.known = known

    def match(self, text: str, param: str, score: bool = False) -> int:
        self.param = param
        if not text.strip():
            return self.known
        return self.node(parse(text, param), score) & self.known

    def node(self, node: Any, score: bool) -> int:
        if isinstance(node, Leaf):
            return self.leaf(node, score)
        must = [self.node(n, score) for occ, n in node.clauses if occ == "must"]
        should = [self.node(n, score) for occ, n in node.clauses if occ == "should"]
        mask = self.ix.all
        if must:
            for m in must:
                mask &= m
        elif should:
            mask = 0
            for m in should:
                mask |= m
        for occ, n in node.clauses:
            if occ == "not":
                mask &= ~self.node(n, False)
        return mask

    def leaf(self, leaf: Leaf, score: bool) -> int:
        field = ALIASES.get(leaf.field or "text", leaf.field or "text")
        if leaf.kind == "any" and leaf.field is None:
            return self.ix.all
        if field == "text" and leaf.kind != "range":
            return self._text(leaf, score)
        if field in INDEX_FIELDS:
            key = INDEX_FIELDS[field]
            masks = self.ix.freshness(self.today)[1] if key == "freshness" else self.ix.facet_masks.get(key, {})
            mask = 0
            for value, m in masks.items():
                if self._accepts(leaf, value, field):
                    mask |= m
            return mask
        values = self._values(field)
        if values is None:
            raise SearchSyntaxError(self.param, f"unknown field {leaf.field!r}")
        return _mask([i for i, vals in values.items() if any(self._accepts(leaf, v, field) for v in vals)])

    def _text(self, leaf: Leaf, score: bool) -> int:
        """Free text: the catalogue engine's match (every folded term a substring somewhere)."""
        if leaf.kind == "any":
            return self.ix.all
        words = [fold(leaf.value).strip()] if leaf.kind == "phrase" else query_terms(leaf.value)
        words = [w for w in words if w]
        mask = self.ix.all if words else 0
        for w in words:
            found = self.ix._term_scores(w)
            if score:
                self.scores.append(found)
            mask &= _mask(list(found))
        return mask

    def _accepts(self, leaf: Leaf, value: str, field: str) -> bool:
        if field in TEXT_FIELDS and leaf.kind != "range":  # values folded by _values
            return leaf.kind == "any" or bool(value) and fold(leaf.value) in value
        if leaf.kind == "any":
            return value not in ("", None)
        if leaf.kind == "prefix":
            return value.startswith(leaf.value)
        if leaf.kind != "range":
            if field in DATE_FIELDS:
                return self._date(value) == self._bound(leaf.value, field)
            return value == leaf.value
        lo, hi = self._bound(leaf.value, field), self._bound(leaf.hi, field)
        v: Any = self._date(value) if field in DATE_FIELDS else int(value) if field in INT_FIELDS else value
        if v is None:
            return False
        if lo is not None and (v < lo or v == lo and not leaf.lo_incl):
            return False
        return hi is None or v < hi or v == hi and leaf.hi_incl

    def _bound(self, value: str, field: str) -> Any:
        if value == "*":
            return None
        try:
            if field in DATE_FIELDS:
                return solr_date(value, self.now)
            if field in INT_FIELDS:
                return int(value)
        except ValueError:
            kind = "a date (2025-01-01T00:00:00Z, NOW-7DAYS)" if field in DATE_FIELDS else "an integer"
            raise SearchSyntaxError(self.param, f"{field}: {value!r} is not {kind}") from None
        return value

    @staticmethod
    def _date(value: str) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(str(value).rstrip("Z")).replace(tzinfo=None)
        except ValueError:
            return None

    def _values(self, field: str) -> dict[int, list[str]] | None:
        """Dataset index → the field's values, for fields that are not catalogue facets."""
        cache = self.d.__dict__.setdefault("_query_values", {})
        if field in cache:
            return cache[field]
        out: dict[int, list[str]] = {}
        seen = False
        for name, pkg in self.d.packages.items():
            if name not in self.ix.by_id:
                continue
            vals = _package_values(pkg, field)
            if vals is not None:
                seen = True
                out[self.ix.by_id[name]] = [fold(v) for v in vals] if field in TEXT_FIELDS else vals
        cache[field] = out if seen else None
        return cache[field]


def _package_values(pkg: dict, field: str) -> list[str] | None:
    """A package's values of a (non-facet) field as strings, or None if it has no such field."""
    if field in CONSTANT:
        return [CONSTANT[field] or pkg["name"]]
    if field == "title":
        return [pkg.get("title") or "", *(e["value"] for e in pkg.get("extras", []) if e["key"] == "title_en")]
    if field == "res_name":
        return [r.get("name") or "" for r in pkg.get("resources", [])]
    if field == "res_description":
        return [r.get("description") or "" for r in pkg.get("resources", [])]
    if field == "res_url":
        return [r.get("url") or "" for r in pkg.get("resources", [])]
    key = field.removeprefix("extras_")
    extras = [str(e["value"]) for e in pkg.get("extras", []) if e["key"] == key]
    if extras:
        return extras
    value = pkg.get(field)
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if value is None and field in pkg:
        return []
    return None
