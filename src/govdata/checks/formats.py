"""The string formats of Table Schema that the gate checks (``format: email``, ``uri``, ``uuid``),
as regular expressions that DuckDB's RE2 and Python's ``re`` read alike, each written to accept
what Frictionless accepts (its ``validators.email``, ``rfc3986`` and ``validators.uuid``): see
tests/test_string_formats.py, which compares them on generated cells. Where they stop is in
docs/architecture.md ("Conformance with Frictionless").
"""

from __future__ import annotations

# ---- e-mail: validators.email (Django's validator): exactly one "@"; a name of at most 64
# characters that is dot-atom text (Latin-1 and Latin Extended letters allowed), one extended-Latin
# character, or a quoted string; a domain that Python's idna codec encodes into labels of letters,
# digits and inner hyphens, the last ending with a letter; at most 253 characters
_EL = "\u00a0-\u024f"  # U+00A0-00FF, U+0100-017F, U+0180-024F
_ATEXT = f"[{_EL}0-9a-z!#$%&'*+/=?^_`{{|}}~-]"
_LOCAL = f'[{_EL}]|{_ATEXT}+(?:\\.{_ATEXT}+)*|"(?:[{_EL}!#-\\[\\]-\x7f]|\\\\[\t.])*"'
_DOTS = ".\u3002\uff0e\uff61"  # the label separators of Python's idna codec
_U = f"[^\\x00-\\x7f{_DOTS[1:]}\u3000\u00a0@]"  # a character an IDNA label encodes (xn--…)
_ULABEL = f"[a-z0-9-]*{_U}(?:[a-z0-9-]|{_U})*"
_ALABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TLD = "[a-z0-9][a-z0-9-]{0,61}[a-z]"
EMAIL = f"(?i)(?:{_LOCAL})@(?:(?:{_ALABEL}|{_ULABEL})[{_DOTS}])+(?:{_TLD}|{_ULABEL})"
EMAIL_NAME_MAX, EMAIL_DOMAIN_MAX = 64, 253

# ---- URI: rfc3986's validator requiring a scheme, and nothing more
URI = r"(?s)[A-Za-z][A-Za-z0-9+.-]*:.*"

# ---- UUID: what Python's uuid.UUID() reads: 32 hex digits, hyphens anywhere among them, in braces
# or not, after "urn:uuid:"
UUID = r"(?:urn:|uuid:)*[{}]*(?:-*[0-9a-fA-F]){32}-*[{}]*"


def email_invalid(v: str, lit) -> str:
    """SQL: the cell ``v`` is not an e-mail address."""
    return (
        f"(NOT regexp_full_match({v}, {lit(EMAIL)}) OR length(split_part({v}, '@', 1)) > {EMAIL_NAME_MAX}"
        f" OR length(split_part({v}, '@', 2)) > {EMAIL_DOMAIN_MAX})"
    )
