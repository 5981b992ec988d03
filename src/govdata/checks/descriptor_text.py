"""Personal data in a descriptor's own text (a description, a title, a YAML comment line): the
descriptor is committed to a public repository and its text is shown on the dataset's page, so an
identity-card, bank-card or mobile number written into it (by hand, or pasted from the rows above a
table's header) is a ``personal-data`` error at its line. The contact block (``contact:``, and keys
named ``phone``/``tel``/``mobile``) is the agency's published contact: its numbers are not
personal. E-mail addresses are not looked for (the contact's is required)."""

from __future__ import annotations

import re

from govdata.catalog.model import Dataset
from govdata.checks.rules import personal_data
from govdata.findings import Finding

_DIGITS = re.compile(personal_data.NUMBER_PREFILTER)
_CONTACT = re.compile(r"""\s*(?:-\s*)?["']?contact["']?\s*:""")
_PHONE_KEY = re.compile(r"""\s*(?:-\s*)?["']?(?:phone|telephone|tel|mobile|电话|联系电话|手机)["']?\s*:""", re.I)


def check_descriptor_text(ds: Dataset) -> list[Finding]:
    """One finding per line and kind of personal data in the descriptor file's text."""
    try:
        text = ds.descriptor_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    if not _DIGITS.search(text):  # most descriptors: one search
        return []
    out: list[Finding] = []
    contact: int | None = None  # the indentation of an open ``contact:`` block
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip())
        if contact is not None and line.strip() and indent <= contact:
            contact = None
        if _CONTACT.match(line):
            contact = indent
        if not _DIGITS.search(line):
            continue
        official = contact is not None or bool(_PHONE_KEY.match(line))
        for kind in personal_data.NUMBERS:
            if (kind != "mobile" or not official) and personal_data.holds(kind, line):
                args = dict(personal_data.args(kind), variant="descriptor", line=number)
                check = personal_data.CHECK
                out.append(
                    Finding(
                        check.code, check.message("en", args), file=ds.rel_file, line=number, dataset=ds.name, args=args
                    )
                )
    return out
