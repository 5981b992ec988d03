"""personal-data: identity-card numbers, mobile numbers, bank-card numbers or e-mail addresses in the
clear, in a column not declared masked.

Declared once here and applied three ways by :mod:`govdata.checks.privacy`: a SQL prefilter
(:func:`prefilter`), the byte-level scanner of the one-pass proof (which looks for the same
prefilter, a run of :data:`DIGIT_RUN` digits or an ``@``), and the validation of each candidate
cell (:func:`holds`: a bounded candidate that passes its checksum, via python-stdnum)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from govdata.checks.rules.base import Check
from govdata.checks.rules.masking_error import declared
from govdata.findings import Finding
from govdata.sql import lit

if TYPE_CHECKING:
    from govdata.checks.sqltypes import FieldSQL

# candidate patterns (RE2 and Python alike); candidates are then validated in Python
# an identity number is 18 characters (GB 11643-1999: region, YYYYMMDD, sequence, check character)
# or, first generation, 15 digits (region, YYMMDD of 19YY, sequence; no check character)
_MMDD = "(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
CANDIDATES = {
    "id_card": f"[1-9][0-9]{{5}}(?:(?:19|20)[0-9]{{2}}{_MMDD}[0-9]{{3}}[0-9Xx]|[0-9]{{2}}{_MMDD}[0-9]{{3}})",
    "mobile": r"1[3-9][0-9]{9}",
    "bank_card": r"[3-6][0-9]{15,18}",
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
}
# the same numbers as people write them apart: digit groups of the standard layouts (6-8-4 for an
# identity card, 3-4-4 for a mobile, 4-4-4-4(-3) for a bank card), one separator between groups
GROUPS = {
    "id_card": ("[1-9][0-9]{5}", "(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])", "[0-9]{3}[0-9Xx]"),
    "mobile": ("1[3-9][0-9]", "[0-9]{4}", "[0-9]{4}"),
    "bank_card": ("[3-6][0-9]{3}", "[0-9]{4}", "[0-9]{4}", "[0-9]{4}"),
}
LAST_GROUP = {"bank_card": "[0-9]{3}"}  # a 19-digit card's optional fifth group
NUMBERS = ("id_card", "mobile", "bank_card")  # kinds found by a run of digits; "email" by an @
DIGIT_RUN = 11  # every number candidate written plainly has this many digits in a row
# full-width digits (and an identity card's full-width check character) are the ASCII ones; the
# full-width space and hyphen separate groups as the ASCII ones do
WIDE, NARROW = "０１２３４５６７８９Ｘｘ　－", "0123456789Xx -"
# and every other full-width form of ASCII (ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ is an e-mail address)
_FOLD = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, **str.maketrans(WIDE, NARROW)}
AT_SIGNS = ("@", "＠")
SEPARATOR = "[ -]"  # after folding
# what the prefilters look for (a superset of the candidates, before folding): 11 digits in a row,
# or the groups of a mobile (also a card's first three) or of an identity card's first two apart
_D, _S = "[0-9０-９]", "[ \\-　－]"
NUMBER_PREFILTER = f"{_D}{{{DIGIT_RUN}}}|{_D}{{3}}{_S}{_D}{{4}}{_S}{_D}{{4}}|{_D}{{6}}{_S}{_D}{{8}}"
LABELS = {
    "id_card": ("居民身份证号码", "identity-card numbers"),
    "mobile": ("手机号码", "mobile numbers"),
    "bank_card": ("银行卡号", "bank-card numbers"),
    "email": ("电子邮箱", "e-mail addresses"),
}


def _apart(kind: str, sep: str, same: str) -> str:
    """The groups of ``kind`` separated by ``sep`` (the first separator) and then ``same``."""
    first, *rest = GROUPS[kind]
    last = f"(?:{same}{LAST_GROUP[kind]})?" if kind in LAST_GROUP else ""
    return first + sep + same.join(rest) + last


def spaced(kind: str) -> str:
    """RE2 (no back-references): ``kind`` written plainly or apart, any separator between groups."""
    if kind == "email":
        return CANDIDATES[kind]
    return f"(?:{CANDIDATES[kind]}|{_apart(kind, SEPARATOR, SEPARATOR)})"


# a number bounded by what is not a letter or digit, and not the fraction of a decimal (WKT and
# coordinates: POINT (116.39712345678 39.9) holds no mobile number) nor followed by one; written
# apart, the same separator between all its groups
BOUNDED = {
    kind: re.compile(
        pattern
        if kind == "email"
        else f"(?<![0-9A-Za-z])(?<![0-9][.])(?:{pattern}|{_apart(kind, f'(?P<sep>{SEPARATOR})', '(?P=sep)')})"
        "(?![0-9A-Za-z])(?![.][0-9])"
    )
    for kind, pattern in CANDIDATES.items()
}
_SEPARATORS = re.compile(SEPARATOR)


def fold(value: str) -> str:
    """Full-width digits, letters, signs (＠, ．), space and hyphen as their ASCII forms (each one
    character for one)."""
    return value.translate(_FOLD)


def valid(kind: str, value: str, registers: bool = False) -> bool:
    """Is the candidate ``value`` a valid ``kind``? ``registers``: the column holds enterprise
    registration numbers (:func:`registration_numbers`), whose 15 digits are no identity number."""
    # stdnum imported only when a candidate is validated (it imports ssl, pydoc, …: 10 ms of a gate)
    from stdnum import luhn
    from stdnum.cn import ric

    value = _SEPARATORS.sub("", fold(value))
    if kind == "id_card":
        if len(value) == 15:  # first generation: the 18-digit number it was upgraded to (19YY, a check digit)
            if registers and _registration_number(value):
                return False
            value = value[:6] + "19" + value[6:]
            value += ric.calc_check_digit(value + "0")
        return _identity_number(value)
    if kind == "bank_card":
        # an identity number (Zhejiang's start with 33) passes the Luhn check one time in ten: a
        # number that reads as one is reported as what it is, not as a card too
        return luhn.is_valid(value) and not (
            len(value) == 18 and _ID_SHAPE.fullmatch(value) and _identity_number(value)
        )
    if kind == "email":  # a government mailbox (xxgk@hangzhou.gov.cn) is an office's, not a person's
        return not _OFFICIAL_MAIL.search(value)
    return True


_ID_SHAPE = re.compile(CANDIDATES["id_card"])


def _identity_number(value: str) -> bool:
    """An 18-character identity number that passes its check character (GB 11643), or one a
    spreadsheet turned into a number (``330106198001101000`` as Excel shows it with 15 significant
    digits, ``330106198001100992`` as a sheet's number cell reads): region, birth date and most of
    the sequence still name the person."""
    from stdnum.cn import ric

    try:
        ric.validate(value.upper())
        return True
    except Exception:  # stdnum raises ValidationError subclasses
        if not (len(value) == 18 and value.isdigit() and _ID_SHAPE.fullmatch(value)):
            return False
        from decimal import Decimal  # only here: a cold gate imports no decimal (tests/test_gate_startup.py)

        kept = Decimal(f"{int(value):.14e}")  # 15 significant digits, as Excel keeps them
        # as Excel shows it (…000), or a double as a number cell holds it (18 digits: every 32nd or 64th number)
        return int(value) in (int(kept), int(float(value)))


_OFFICIAL_MAIL = re.compile(r"@(?:[A-Za-z0-9-]+\.)*gov(?:\.cn)?$", re.I)


def holds(kind: str, value: str, registers: bool = False) -> bool:
    """Does the cell ``value`` hold a valid ``kind`` (a bounded candidate that passes its checksum),
    written plainly, in full-width digits or in groups apart?"""
    return any(valid(kind, m.group(0), registers) for m in BOUNDED[kind].finditer(fold(value)))


_FIFTEEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{15}(?![0-9A-Za-z])")


def _registration_number(digits: str) -> bool:
    """An enterprise registration number (工商注册号, GS15-2006: region, sequence, an ISO 7064
    MOD 11,10 check digit). One first-generation identity number in ten passes the same check."""
    from stdnum.iso7064 import mod_11_10

    return mod_11_10.is_valid(digits)


def registration_numbers(values: Iterable[str | None]) -> bool:
    """Are the 15-digit numbers of a column's candidate cells enterprise registration numbers (at
    least 5 different ones, and most pass their check digit: a column of identity numbers has one in ten that
    does)? Their region and sequence look like an identity number's region and birth date one time
    in 170, so such a column would otherwise be reported; a lone 15-digit identity number in free
    text is still found."""
    numbers = {m for v in values if v for m in _FIFTEEN.findall(fold(v))}
    return len(numbers) >= 5 and 2 * sum(map(_registration_number, numbers)) > len(numbers)


def in_skipped_rows(rows: list[tuple[int, list[str]]], where: Mapping[str, Any]) -> list[Finding]:
    """Findings for the rows of a committed file left out of the table (a title or unit line above
    the header, comment rows such as a signature under the data) that hold personal data: the file
    is public as committed. One per row and kind, the cell never echoed; not data rows, so not
    counted among the rows with findings."""
    out = []
    for number, cells in rows:
        text = "\n".join(cells)
        if not _ANY.search(text):
            continue
        for kind in CANDIDATES:
            if holds(kind, text):
                found = dict(args(kind), variant="skipped", row=number)
                out.append(Finding(CHECK.code, CHECK.message("en", found), row=number, args=found, **where))
    return out


def enum_only(f: FieldSQL) -> bool:
    """A column held to a declared enum: its possible values are in the schema, no need to scan rows."""
    enum = (f.field.get("constraints") or {}).get("enum")
    return isinstance(enum, list) and bool(enum)


def scanned(fields: list[FieldSQL]) -> list[FieldSQL]:
    """The columns whose content is scanned: text and numbers not declared masked, not held to an enum."""
    return [
        f
        for f in fields
        if f.type in ("string", "any", "integer", "number") and not all(declared(f.field)) and not enum_only(f)
    ]


def prefilter(f: FieldSQL, kinds: tuple[str, ...]) -> str:
    """SQL: the cell may hold one of ``kinds`` (NUMBERS, or ("email",))."""
    if kinds[0] == "email":
        return "(" + " OR ".join(f"contains({f.col}, {lit(at)})" for at in AT_SIGNS) + ")"
    # strlen is stored with the string; one RE2 search beats ten memchr passes over text without digits
    return f"strlen({f.col}) >= {DIGIT_RUN} AND regexp_matches({f.col}, {lit(NUMBER_PREFILTER)})"


def args(kind: str) -> dict[str, Any]:
    zh, en = LABELS[kind]
    return {"kind": kind, "what_zh": zh, "what_en": en}


# the cheap test before validation, as the prefilter's (a run of digits, digit groups apart, an @)
_ANY = re.compile(f"{NUMBER_PREFILTER}|[{''.join(AT_SIGNS)}]")


class PersonalData(Check):
    code = "personal-data"
    title_zh, title_en = "含有未脱敏的个人信息", "Personal data in the clear"
    hint_zh = (
        "删除该列，或按规则脱敏（如 110105********002X）并在字段上声明 personal 与 masked: true；"
        "表格之外的行（标题、签名）和描述文件的文字同样公开：删除其中的个人信息。"
    )
    hint_en = (
        "Remove the column, or mask it (e.g. 110105********002X) and declare personal and masked: true on the field; "
        "rows outside the table (a title, a signature) and the descriptor's text are public too: remove it there."
    )
    message_zh = "含有{what_zh}：请脱敏并声明 personal: {kind}, masked: true，或删除该列"
    message_en = "holds {what_en}: mask them and declare personal: {kind}, masked: true — or remove the column"
    variants = {
        "enum": (
            "枚举值中列出了{what_zh}：请脱敏并声明 personal: {kind}, masked: true，或删除该列",
            "its enum lists {what_en}; mask them and declare personal: {kind}, masked: true — or remove the column",
        ),
        # a row of the committed file the table leaves out (a title, a note, a signature)
        "skipped": (
            "第 {row} 行不在表格中（标题、说明或注释行），但含有{what_zh}：提交的文件是公开的，请删除或脱敏",
            "row {row} is left out of the table (a title, note or comment row) but holds {what_en}: the committed "
            "file is public — remove or mask them",
        ),
        # the descriptor's own text (a description, a title, a comment line)
        "descriptor": (
            "描述文件第 {line} 行含有{what_zh}：描述文件是公开的，请删除",
            "line {line} of the descriptor holds {what_en}: the descriptor is public — remove them",
        ),
    }
    phase = "privacy"


CHECK = PersonalData()
