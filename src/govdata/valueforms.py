"""The forms agencies write values in that a declared pipeline step turns into typed values
(Chinese dates, full-width digits, thousands separators, amounts with units, percentages,
accounting negatives, Chinese year-months): one definition of each, read by

* the gate (:meth:`govdata.checks.sqltypes.FieldSQL.normalisable`: the patterns in DuckDB's RE2),
* the type-error hint and the ``normalisable-text`` message (:func:`form_of`, Python's ``re``),
* ``govdata new`` (:mod:`govdata.scaffold.infer`: the column's type and steps),
* the pipeline steps (:mod:`govdata.pipelines.steps`: which values a step rewrites).

Every pattern is written so that RE2 and Python's ``re`` read it alike (no ``\\d``, no
look-around), and matched against the whole value.

A column is normalisable when every value is of one *family* (:data:`KINDS`) and at least one is
not already plain: plain numbers with amounts, say, but never amounts with percentages or
numbers with dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

B = "[ \t\n\r\f\v]*"  # blanks around a value (ASCII, as DuckDB's and Python's patterns read them)
_D = "[0-9０-９]"  # a digit, ASCII or full-width
_SIGN = "[+＋－-]?"
_BODY = f"(?:{_D}{{1,3}}(?:[,，]{_D}{{3}})+|{_D}+)(?:[.．]{_D}+)?"  # digits, thousands separators, a fraction
_NUMBER = f"(?:{_SIGN}{_BODY}|[(（]{B}{_BODY}{B}[)）])"  # signed, or an accounting negative in brackets
UNITS = {"亿元": 10**8, "万元": 10**4, "元": 1, "亿": 10**8, "万": 10**4}


@dataclass(frozen=True)
class Form:
    """An agency value form: its pattern, the steps that type it and the hint a finding gives."""

    name: str
    bit: int  # the family bit (:data:`KINDS`); plain forms need no step
    pattern: str  # the whole value, blanks around it allowed
    steps: tuple[str, ...]  # the pipeline steps that turn it into a typed value
    hint_en: str
    hint_zh: str

    @property
    def plain(self) -> bool:
        return not self.steps


def _step(en: str, zh: str, step: str) -> tuple[str, str]:
    return (f"{en}, or declare the pipeline step {step}", f"{zh}，或声明处理步骤 {step}")


# in the order a value is tested: the first form a value matches is its form
FORMS: tuple[Form, ...] = (
    Form("number", 1, f"{B}[+-]?[0-9]+(\\.[0-9]+)?{B}", (), "", ""),  # +5 is a number as written (Frictionless)
    Form("date", 16, f"{B}[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}{B}", (), "", ""),
    Form("yearmonth", 64, f"{B}[0-9]{{4}}-[0-9]{{1,2}}{B}", (), "", ""),
    Form(
        "thousands",
        2,
        f"{B}[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?{B}",
        ("strip_thousands_separators",),
        *_step(
            "thousands separators (1,234): remove them",
            "千分位分隔符（1,234）：去掉分隔符",
            "strip_thousands_separators",
        ),
    ),
    Form(
        "accounting",
        2,
        f"{B}(?:[(（]{B}{_BODY}{B}[)）]|[+＋]{_BODY}){B}",
        ("normalize_accounting_negatives",),
        *_step(
            "an accounting negative or a leading plus ((1,200.50), ＋5): write -1200.50 and 5",
            "会计负数或正号（(1,200.50)、＋5）：写成 -1200.50 和 5",
            "normalize_accounting_negatives",
        ),
    ),
    Form(
        "fullwidth",
        2,
        f"{B}{_SIGN}{_BODY}{B}",
        ("normalize_fullwidth", "strip_thousands_separators"),
        *_step(
            "full-width digits (１２３): write ASCII digits", "全角数字（１２３）：改用半角数字", "normalize_fullwidth"
        ),
    ),
    Form(
        "amount",
        4,
        f"{B}{_NUMBER}{B}(?:{'|'.join(UNITS)}){B}",
        ("normalize_amounts",),
        *_step(
            "an amount with its unit (12.5万元): write the number in 元 (125000) and say the unit in the field's "
            "description",
            "带单位的金额（12.5万元）：写成以元计的数值（125000），单位写在字段说明中",
            "normalize_amounts",
        ),
    ),
    Form(
        "percent",
        8,
        f"{B}{_NUMBER}{B}[%％]{B}",
        ("normalize_percentages",),
        *_step(
            "a percentage (12.5%): write the number of percent (12.5) and say % in the field's description",
            "百分数（12.5%）：写成百分数的数值（12.5），单位 % 写在字段说明中",
            "normalize_percentages",
        ),
    ),
    Form(
        "chinese-date",
        32,
        f"{B}(?:{_D}{{4}}{B}年{B}{_D}{{1,2}}{B}月{B}{_D}{{1,2}}{B}日?|[0-9]{{4}}[/.][0-9]{{1,2}}[/.][0-9]{{1,2}}){B}",
        ("normalize_chinese_dates",),
        *_step(
            "a Chinese or slashed date (2024年3月5日, 2024/3/5): write 2024-03-05",
            "中文或斜线日期（2024年3月5日、2024/3/5）：写成 2024-03-05",
            "normalize_chinese_dates",
        ),
    ),
    Form(
        "chinese-yearmonth",
        128,
        f"{B}{_D}{{4}}{B}年{B}{_D}{{1,2}}{B}月{B}",
        ("normalize_chinese_dates",),
        *_step(
            "a Chinese year-month (2024年3月): write 2024-03",
            "中文年月（2024年3月）：写成 2024-03",
            "normalize_chinese_dates",
        ),
    ),
)
# the forms of a number without a unit or % (what the number steps also rewrite)
NUMBER_FORMS = frozenset({"number", "thousands", "accounting", "fullwidth"})
OTHER = 256  # the bit of a value of no form

# (type, the bits a column's values may have): a column is of the first kind whose bits hold all
# its values' and that has a value of a form that is not plain
KINDS: tuple[tuple[str, int], ...] = (
    ("number", 1 | 2 | 4),
    ("number", 1 | 2 | 8),
    ("date", 16 | 32),
    ("yearmonth", 64 | 128),
)
PLAIN_BITS = sum({f.bit for f in FORMS if f.plain})

_COMPILED = [(f, re.compile(f.pattern)) for f in FORMS]


def form_of(value: str) -> Form | None:
    """The form of a value (the first that matches it whole), None for any other value."""
    for form, pattern in _COMPILED:
        if pattern.fullmatch(value):
            return form
    return None


def number_form(value: str) -> bool:
    """A value of a number form (plain, full-width, separators, a unit, %, brackets)."""
    form = form_of(value)
    return form is not None and any(kind == "number" and form.bit & allowed for kind, allowed in KINDS)


def kind_of(bits: int) -> str | None:
    """The type of a column whose values' family bits OR to ``bits`` (see :data:`KINDS`), None when
    the column is not normalisable. :func:`kinds_sql` is the same test in SQL."""
    for kind, allowed in KINDS:
        if bits & ~allowed == 0 and bits & allowed & ~PLAIN_BITS:
            return kind
    return None


def kinds_sql(bits: str) -> str:
    """SQL: the column whose values' bits OR to ``bits`` is normalisable (:func:`kind_of`, over every
    combination of bits: ``bits`` is read once)."""
    # a function of one argument: DuckDB writes ``x IN (a, b, …)`` as ``x = a OR x = b …``, a copy
    # of the whole aggregate for each constant (a 100-column statement ran out of memory)
    return f"list_contains([{', '.join(str(b) for b in range(2 * OTHER) if kind_of(b))}], {bits})"


def bit_sql(value: str, cell: str | None = None) -> str:
    """SQL: the family bit of a value (NULL when missing), :data:`OTHER` for a value of no form: the
    forms tested in order, each only on the values no earlier one matched. ``cell``: the raw cell,
    what the patterns read once ``value`` is known not missing (one expression node less per form:
    a wide table's statement holds one such test per text column)."""
    from govdata.sql import lit

    cell = cell or value
    whens = " ".join(f"WHEN regexp_full_match({cell}, {lit(f.pattern)}) THEN {f.bit}" for f in FORMS)
    return f"(CASE WHEN {value} IS NULL THEN NULL {whens} ELSE {OTHER} END)"


def candidate_sql(value: str, cell: str | None = None) -> str:
    """SQL aggregate, true when every value of the column is of some form and one at least is not
    plain: two regular expressions per value at most (every plain form, then every other), the
    first test of a column; :func:`bit_sql` under :func:`kinds_sql` is the exact one, run on the
    columns this one passes."""
    from govdata.sql import lit

    cell = cell or value
    plain = "|".join(f"(?:{f.pattern})" for f in FORMS if f.plain)
    other = "|".join(f"(?:{f.pattern})" for f in FORMS if not f.plain)
    bits = (
        f"bit_or(CASE WHEN {value} IS NULL THEN NULL WHEN regexp_full_match({cell}, {lit(plain)}) THEN 1 "
        f"WHEN regexp_full_match({cell}, {lit(other)}) THEN 2 ELSE 4 END)"
    )
    return f"list_contains([2, 3], {bits})"


def column_steps(values: list[str]) -> tuple[str, list[str], Form] | None:
    """(type, pipeline steps, the form of the values that need a step) of a column every value of
    which is of one family, one at least not plain; None otherwise. The steps are those of its forms,
    in the order of :data:`STEP_ORDER`; a step that reads every number form
    (``normalize_amounts``, ``normalize_percentages``, ``normalize_accounting_negatives``) stands
    alone."""
    forms = [form_of(v) for v in values]
    if not forms or any(f is None for f in forms):
        return None
    found = [f for f in forms if f is not None]
    kind = kind_of(_or(f.bit for f in found))
    if kind is None:
        return None
    needing = [f for f in found if not f.plain]
    steps = {s for f in needing for s in f.steps}
    whole = [s for s in STEP_ORDER if s in steps and s in WHOLE_NUMBER_STEPS]
    if whole:
        chosen = whole[:1]
    else:
        chosen = [s for s in STEP_ORDER if s in steps]
        if chosen == ["normalize_fullwidth", "strip_thousands_separators"] and not any(
            "," in v or "，" in v for v in values
        ):
            chosen = ["normalize_fullwidth"]
    # whole numbers without a unit or %, as the steps write them: an integer (an amount or a rate is
    # a number, whatever the sample); the accounting step writes every number plain (100.00 as 100),
    # the others only take characters out (1,234.00 stays a fraction)
    written = number_text if "normalize_accounting_negatives" in chosen else _plain
    if kind == "number" and all(f.name in NUMBER_FORMS for f in found):
        if all(re.fullmatch(r"[+-]?[0-9]{1,18}", written(v) or "") for v in values):
            kind = "integer"
    return kind, chosen, max(needing, key=lambda f: f.bit)


STEP_ORDER = (
    "normalize_amounts",
    "normalize_percentages",
    "normalize_accounting_negatives",
    "normalize_fullwidth",
    "strip_thousands_separators",
    "normalize_chinese_dates",
)
WHOLE_NUMBER_STEPS = frozenset({"normalize_amounts", "normalize_percentages", "normalize_accounting_negatives"})


def _or(bits: Iterable[int]) -> int:
    out = 0
    for b in bits:
        out |= b
    return out


_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．，－＋（）％"}
_FULLWIDTH[0x3000] = 0x20


def _plain(value: str) -> str:
    """A number's text with full-width characters, blanks and separators taken out (unit and %
    left as written)."""
    return re.sub(r"[ \t\n\r\f\v,]", "", value.translate(_FULLWIDTH))


_decimal: Any = None  # the decimal module, once number_text has needed it


def number_text(value: str, scale: int = 1) -> str | None:
    """A value of a number form (plain, full-width, thousands separators, a leading plus, an
    accounting negative ``(100)``) times ``scale``, as plain ASCII (``-1200.5``); None for any other."""
    text = _plain(value)
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    if not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", text):
        return None
    global _decimal
    if _decimal is None:  # imported at the first number read (a cold check reads none: ~1 ms)
        import decimal

        _decimal = decimal
    try:
        number = _decimal.Decimal(text)
    except _decimal.InvalidOperation:  # pragma: no cover (the pattern above is a Decimal's)
        return None
    number *= scale
    if negative:
        number = -number
    return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))


def amount_text(value: str) -> str | None:
    """An amount (``12.5万元``, ``3亿``, ``1,200 元``, a plain number) in 元 (or the bare unit)."""
    text = value.strip()
    for unit, scale in UNITS.items():
        if text.endswith(unit):
            return number_text(text[: -len(unit)], scale)
    return number_text(text)


def percent_text(value: str) -> str | None:
    """A percentage (``12.5 %``, ``３％``, a plain number) as its number of percent."""
    text = value.strip()
    if text.endswith(("%", "％")):
        text = text[:-1]
    return number_text(text)
