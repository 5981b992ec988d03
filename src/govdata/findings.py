"""Findings: what a check says about the catalogue, as data.

A finding has a stable ``code`` (Frictionless error type names where one exists,
see :mod:`govdata.codes`), a severity, a message and a location: file, line,
key path (descriptor findings) or row / field (data findings).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

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


@dataclass(frozen=True)
class Finding:
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

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        # Frictionless-compatible aliases
        if self.row is not None:
            out["rowNumber"] = self.row
        if self.field is not None:
            out["fieldName"] = self.field
        if self.field_number is not None:
            out["fieldNumber"] = self.field_number
        out["type"] = self.code
        return out


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
    findings: list[Finding] = field(default_factory=list)
    stats: list[ResourceStats] = field(default_factory=list)
    datasets_checked: list[str] = field(default_factory=list)
    completeness: dict[str, float] = field(default_factory=dict)

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
        promoted = [
            dataclasses.replace(f, severity="error") if f.severity == "warning" else f
            for f in self.findings
        ]
        return Report(promoted, self.stats, self.datasets_checked, self.completeness)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "datasets": self.datasets_checked,
            "findings": [f.to_dict() for f in self.findings],
            "resources": [s.to_dict() for s in self.stats],
            "completeness": self.completeness,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
