"""Findings: what a check says about the catalogue, as data.

A finding has a stable ``code`` (Frictionless error type names where one exists,
see :mod:`govdata.codes`), a severity, a message and a location: file, line,
key path (descriptor findings) or row / field (data findings).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, TypedDict

from govdata.codes import CODES

EXCERPT = 80


def excerpt(value: Any, limit: int = EXCERPT) -> str | None:
    """A short, printable excerpt of a cell: messages never echo a huge value."""
    if value is None:
        return None
    text = str(value)
    text = text.replace("\x00", "\\x00")
    if len(text) > limit:
        return text[:limit] + f"…(+{len(text) - limit} chars)"
    return text


class Where(TypedDict, total=False):
    """Where a data finding is: the keyword arguments of :class:`Finding` (and
    :meth:`Notice.more`) naming the file, dataset and resource the checks are reading."""

    file: str
    dataset: str
    resource: str


@dataclass(frozen=True)
class Finding:
    """One finding of the gate: its code, message and where (file, row, field, cell)."""

    code: str
    message: str
    file: str | None = None
    dataset: str | None = None
    resource: str | None = None
    line: int | None = None
    key: str | None = None
    row: int | None = None
    field: str | None = None
    field_number: int | None = None
    cell: str | None = None
    severity: str = ""
    # the arguments of the code's message template (a check's, see govdata.checks.rules): the message
    # in another language; not part of the JSON (``message`` is the English text)
    args: Mapping[str, Any] | None = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered finding code {self.code!r}")
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code].severity)
        if self.cell is not None:
            object.__setattr__(self, "cell", excerpt(self.cell))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        parts = [self.file or "-"]
        if self.line:
            parts[0] += f":{self.line}"
        if self.key:
            parts.append(f"key {self.key}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("zh" or "en"), without the location (said apart, once)."""
        if lang == "en":
            return self.message
        if self.args is None:  # made without a template's arguments: its code's templates read it
            from govdata.messages import translate

            return translate(self.code, self.message) or self.message
        from govdata import plugins

        check = plugins.check(self.code)
        return check.message(lang, dict(self.args)) if check is not None else self.message

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in _JSON_FIELDS if getattr(self, k) is not None}
        # Frictionless-compatible aliases
        if self.row is not None:
            out["rowNumber"] = self.row
        if self.field is not None:
            out["fieldName"] = self.field
        if self.field_number is not None:
            out["fieldNumber"] = self.field_number
        out["type"] = self.code
        return out


_JSON_FIELDS = [f.name for f in dataclasses.fields(Finding) if f.name != "args"]


@dataclass(frozen=True)
class Notice:
    """Something the report says that is not a finding (not counted, no code of its own): that
    more findings of a resource were found than listed."""

    message: str
    message_zh: str
    file: str | None = None
    dataset: str | None = None
    resource: str | None = None
    not_shown: int = 0

    @classmethod
    def more(cls, not_shown: int, shown: int, **where: Any) -> "Notice":
        return cls(
            f"{not_shown} more findings not shown (first {shown} listed)",
            f"另有 {not_shown} 条检查结果未列出（只列出前 {shown} 条）",
            not_shown=not_shown,
            **where,
        )

    def text(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass
class ResourceStats:
    """Rows accounting for one resource: rows_read == rows_valid + rows_with_findings."""

    dataset: str
    resource: str
    file: str
    rows_read: int = 0
    rows_with_findings: int = 0

    @property
    def rows_valid(self) -> int:
        return self.rows_read - self.rows_with_findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "resource": self.resource,
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_with_findings": self.rows_with_findings,
        }


@dataclass
class Report:
    """A check run's report: its findings, each resource's row statistics and notices."""

    findings: list[Finding] = field(default_factory=list)
    stats: list[ResourceStats] = field(default_factory=list)
    datasets_checked: list[str] = field(default_factory=list)
    completeness: dict[str, float] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def strict(self) -> "Report":
        """Warnings promoted to errors (``--strict``)."""
        promoted = [dataclasses.replace(f, severity="error") if f.severity == "warning" else f for f in self.findings]
        return Report(promoted, self.stats, self.datasets_checked, self.completeness, self.notices)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "datasets": self.datasets_checked,
            "findings": [f.to_dict() for f in self.findings],
            "resources": [s.to_dict() for s in self.stats],
            "completeness": self.completeness,
            "notices": [n.to_dict() for n in self.notices],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
