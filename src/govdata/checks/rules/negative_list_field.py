"""negative-list-field: a field whose name or title names an item of the catalogue's negative list
(负面清单) must be declared ``personal: <kind>`` and ``masked: true``."""

from __future__ import annotations

import functools
import re
from typing import Any

from govdata.checks.rules.base import Check


@functools.lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """ASCII words of a field name: snake_case, kebab-case and camelCase split."""
    return tuple(t for t in re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()) if t)


def matches(field: dict[str, Any], negative_list: list[dict[str, Any]]) -> dict | None:
    """The negative-list item a field's name or title names. A Chinese pattern is found anywhere in
    them; an ASCII one must be whole words at the start or end of the name (``id_no`` names
    ``person_id_no``, not ``event_id_no_cnty``)."""
    name, title = str(field.get("name", "")), str(field.get("title", ""))
    text = f"{name} {title}".lower()
    words = [tokens(name)] + ([tokens(title)] if title.isascii() else [])
    for item in negative_list:
        for p in item.get("name_patterns") or []:
            p = str(p)
            if not p.isascii():
                if p.lower() in text:
                    return item
                continue
            want = tokens(p)
            if want and any(w[: len(want)] == want or w[-len(want) :] == want for w in words):
                return item
    return None


class NegativeListField(Check):
    code = "negative-list-field"
    title_zh, title_en = "字段属于负面清单", "Field on the negative list"
    hint_zh = "负面清单中的信息不得明文公开：删除该列，或脱敏后声明 personal 与 masked: true。"
    hint_en = "Negative-list information is never published in the clear: remove the column or mask it and declare it."
    message_zh = "看起来是{title}（负面清单 '{id}'）：请声明 personal: {id} 和 masked: true，并对每个值脱敏"
    message_en = "looks like {title} (负面清单 '{id}'): declare personal: {id} and masked: true, and mask every value"
    phase = "privacy"


CHECK = NegativeListField()
