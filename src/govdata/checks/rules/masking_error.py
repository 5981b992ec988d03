"""masking-error: a value of a column declared ``personal: <kind>`` and ``masked: true`` that is not
masked (checked on every value against the kind's masking pattern)."""

from __future__ import annotations

from typing import Any

from govdata.checks.rules.base import Check, Row, Table
from govdata.checks.sqltypes import FieldSQL
from govdata.sql import lit


def _id_card_masked() -> str:
    """An 18-character identity number with 1-6 leading digits shown, 0-4 trailing ones and the rest
    starred, as agencies mask them (110105********1234, 3301**********1001, 110***********123X,
    110105************), or a 15-digit first-generation one alike (330106******123); RE2 has no
    look-ahead to count the length, so one alternative per shape."""
    shapes = []
    for shown in range(1, 7):
        for tail in range(5):
            end = "" if tail == 0 else f"[0-9]{{{tail - 1}}}[0-9Xx]"
            shapes.append(f"[1-9][0-9]{{{shown - 1}}}\\*{{{18 - shown - tail}}}{end}")
            end = "" if tail == 0 else f"[0-9]{{{tail}}}"
            shapes.append(f"[1-9][0-9]{{{shown - 1}}}\\*{{{15 - shown - tail}}}{end}")
    return "|".join(shapes)


# a masked value: what a declared column must look like on every row
MASKED = {
    "id_card": _id_card_masked(),
    "mobile": r"1[3-9][0-9]\*{4}[0-9]{4}",
    "bank_card": r"[0-9]{4,6}\*{6,}[0-9]{4}",
    "email": r"[^@\s]{0,2}\*+@[A-Za-z0-9.-]+",
    "default": r".*\*.*",
}


def declared(field: dict[str, Any]) -> tuple[str | None, bool]:
    """(the declared personal kind, declared masked) of a field."""
    kind = field.get("personal")
    return (kind if isinstance(kind, str) else None), bool(field.get("masked"))


class MaskingError(Check):
    code = "masking-error"
    title_zh, title_en = "脱敏不完整", "Masking incomplete"
    hint_zh, hint_en = (
        "声明为脱敏的列中每个值都必须已脱敏：检查所指行。",
        "Every value of a masked column must be masked: fix the rows named.",
    )
    # one finding per row (counted in the rows with findings, listed as other row findings are); the
    # cell itself is never echoed
    message_zh = "声明为已脱敏（{kind}），但该值未脱敏"
    message_en = "declared masked ({kind}) but the value is not masked"
    phase = "privacy"

    def field_rows(self, f: FieldSQL, number: int, table: Table) -> list[Row]:
        kind, masked = declared(f.field)
        if not (kind and masked):
            return []
        pattern = MASKED.get(kind, MASKED["default"])
        return [
            Row(
                f"masked:{f.name}",
                f"{f.value} IS NOT NULL AND NOT regexp_full_match({f.value}, {lit(pattern)})",
                number=number,
                field=f.name,
                args=(("kind", kind),),
            )
        ]


CHECK = MaskingError()
