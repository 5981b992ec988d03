"""The registry of finding codes.

Every code a finding can have, with its severity, a title, a fix hint and message templates in
Chinese and English: the codes of the checks (``checks/rules/``, and any plugin's, see
:mod:`govdata.hookspecs`) are declared with the checks; the others are listed in
:mod:`govdata.codetable` with their templates in :mod:`govdata.messages`. ``docs/codes.md`` is
generated from the registry (``govdata codes --format markdown``); a test fails when a code is
used but not documented, or lacks a text in either language. Codes that Frictionless also
reports keep Frictionless's error type name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from govdata.codetable import TABLE
from govdata.messages import TEMPLATES


@dataclass(frozen=True)
class Code:
    """A finding code: its severity and its titles (the code registry, :data:`CODES`)."""

    code: str
    severity: str  # "error" | "warning" | "info"
    title_zh: str
    title_en: str
    hint_zh: str
    hint_en: str
    message_zh: str = ""  # the main message template (a check's, or govdata.messages')
    message_en: str = ""


# with each code's main message templates (govdata.messages)
_STATIC: dict[str, Code] = {row[0]: Code(*row, *TEMPLATES[row[0]][0]) for row in TABLE}


class _Registry(Mapping[str, Code]):
    """The codes of this table and of every registered check (built-in or a plugin's,
    :mod:`govdata.hookspecs`), looked up live: a plugin registered later adds its codes."""

    def _all(self) -> dict[str, Code]:
        from govdata import plugins

        checks = plugins.checks()
        key = plugins.generation
        if getattr(self, "_key", None) != key:
            merged = dict(_STATIC)
            for check in checks:
                if check.code in _STATIC:
                    raise ValueError(f"check code {check.code!r} is already a registered code")
                merged[check.code] = check.describe()
            self._cache, self._key = merged, key
        return self._cache

    def __getitem__(self, code: str) -> Code:
        return self._all()[code]

    def __contains__(self, code: object) -> bool:
        return code in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


CODES: Mapping[str, Code] = _Registry()


def markdown_table() -> str:
    """The code reference, as written to docs/codes.md."""
    lines = [
        "# Finding codes / 检查结果代码",
        "",
        "Generated from `src/govdata/codetable.py` and the checks of `src/govdata/checks/rules/` by `govdata codes --format markdown`; do not edit by hand.",
        "",
        "| code | severity | 标题 | title | 修正建议 | how to fix |",
        "|---|---|---|---|---|---|",
    ]
    for c in CODES.values():
        lines.append(f"| `{c.code}` | {c.severity} | {c.title_zh} | {c.title_en} | {c.hint_zh} | {c.hint_en} |")
    return "\n".join(lines) + "\n"
