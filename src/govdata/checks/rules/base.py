"""What a check is.

A check is one object (one file of this folder, or a plugin's, see :mod:`govdata.hookspecs`): a
stable code, its severity, a title, a fix hint and a message template in Chinese and English, and
the conditions it tests over a resource's columns, as SQL:

* :class:`Row` — true on a row the check reports (a type, a constraint, a masked column's value);
* :class:`Key` — fields whose values must not repeat (unique fields, the primary key);
* :class:`Column` — an aggregate over a whole column (a warning about the column);
* :class:`Reference` — fields whose values must be found in another table (a foreign key), checked
  on the precise path once every table of the run is loaded (a resource with one is never streamed).

The conditions are compiled once per resource into a :class:`govdata.checks.plan.Plan`, which both
the precise path (row numbers, findings) and the one-pass proof (one count per condition; in a build
one flag column) run, so the two cannot drift apart.

The SQL is written over :class:`govdata.checks.sqltypes.FieldSQL` pieces: ``f.value`` (the cell,
missing values NULL), ``f.typed()`` (its typed value), ``f.invalid()`` (not of the field's type),
``f.col`` (the raw column).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Sequence

from govdata.codes import Code

if TYPE_CHECKING:
    from govdata.checks.sqltypes import FieldSQL


class Table(Protocol):
    """What a check sees of a resource: its fields (in order) and its schema."""

    fields: list["FieldSQL"]
    schema: dict[str, Any]

    def field_sql(self, name: str) -> "FieldSQL | None": ...


@dataclass(frozen=True)
class Row:
    """A row condition. ``label`` is unique within a resource's plan (the proof counts it under that
    name); ``condition`` is true on a row the precise path reports; ``bound`` (default: the
    condition) is what the one-pass proof counts instead: it may be cheaper, and must be non-zero
    whenever the condition is, given that every other bound of the plan counts zero."""

    label: str
    condition: str
    bound: str | None = None
    number: int | None = None  # the field's position (1-based), None for a condition on the whole row
    field: str | None = None
    args: tuple[tuple[str, Any], ...] = ()  # the message template's arguments
    cell: str | None = None  # SQL of the cell the finding shows (None: no cell, e.g. a huge one)
    reads: tuple[str, ...] = ()  # of a condition on the whole row: the fields it reads (default: all)
    limit: int | None = None  # rows listed per field (a warning that needs only examples)
    summary: bool = False  # reported once per field (how many rows, the first one), not per row
    # the bound holds wherever the condition does, so a zero count proves the condition holds nowhere
    # (False when the bound relies on the other bounds counting zero as well)
    covers: bool = True
    check: "Check | None" = None  # set by the plan

    @property
    def proof(self) -> str:
        return self.bound or self.condition


@dataclass(frozen=True)
class Key:
    """Fields whose (typed) values must not repeat among rows where not all are missing."""

    label: str
    fields: tuple["FieldSQL", ...]
    number: int | None = None
    field: str | None = None
    check: "Check | None" = None


@dataclass(frozen=True)
class Column:
    """A column-level finding: ``value`` is an aggregate giving an example value when the check
    reports the column (else NULL); ``likely`` a cheap aggregate, 1 when ``value`` may report."""

    label: str
    likely: str
    value: str
    number: int
    field: str
    check: "Check | None" = None
    # an aggregate, true when the column is reported: run (a statement of its own) only on the
    # columns ``value`` gives an example for (a precise test too costly to run on every column)
    exact: str | None = None


@dataclass(frozen=True)
class Reference:
    """Values of ``fields`` (not all missing) must be found among ``remote`` of the table of
    ``dataset``/``resource`` (None: the resource's own dataset, or the resource itself)."""

    label: str
    fields: tuple[str, ...]
    dataset: str | None
    resource: str | None
    remote: tuple[str, ...]
    args: tuple[tuple[str, Any], ...] = ()  # the message template's arguments
    check: "Check | None" = None


class _Args(dict):
    def __missing__(self, key: str) -> str:
        return ""


class Check:
    """One check. Subclasses set the class attributes and override what they test."""

    code: str = ""
    severity: str = "error"  # "error" | "warning" | "info"
    title_zh: str = ""
    title_en: str = ""
    hint_zh: str = ""
    hint_en: str = ""
    # message templates over the finding's arguments (``{cell}``: the cell, quoted, if any);
    # the location (file, row, field) is said once, by whoever prints the finding
    message_zh: str = "{cell}"
    message_en: str = "{cell}"
    # "structure": only when the Python structure pass (which finds these itself) did not run;
    # "privacy": the confidentiality review, only for datasets whose findings are reported
    phase: str = "cells"
    # other message templates, chosen by the finding's ``variant`` argument: {variant: (zh, en)}
    variants: dict[str, tuple[str, str]] = {}

    def field_rows(self, f: "FieldSQL", number: int, table: Table) -> Sequence[Row]:
        """Row conditions on one field (``number``: its position from 1)."""
        return ()

    def table_rows(self, table: Table) -> Sequence[Row]:
        """Row conditions on the whole row."""
        return ()

    def keys(self, table: Table) -> Sequence[Key]:
        return ()

    def columns(self, table: Table) -> Sequence[Column]:
        return ()

    def references(self, table: Table) -> Sequence[Reference]:
        """Values that must be found in another table (its SQL: :meth:`missing`)."""
        return ()

    def missing(self, ref: Reference, table: Any, target: Any) -> tuple[str, str] | None:
        """Of a check with references: ``(source, cells)``, the ``FROM … WHERE …`` of the rows of
        ``table`` whose values of ``ref`` are not in ``target`` (both loaded tables) and the SQL of
        the cells a finding shows; None when the reference cannot be applied (its fields)."""
        raise NotImplementedError

    def unresolved(self, ref: Reference, dataset: str, resource: str, known: bool) -> dict[str, Any]:
        """The message arguments of a reference whose table cannot be read (``known``: its dataset
        is in the catalogue)."""
        return dict(ref.args)

    def column_args(self, example: str) -> dict[str, Any]:
        """The message arguments of a column finding whose aggregate gave ``example``."""
        return {"example": example[:40]}

    def listed(self, cell: str) -> bool | None:
        """Of a column finding: is ``cell`` one whose row the finding lists (the first few, as the
        ``rows`` argument)? None: the finding lists no rows."""
        return None

    def describe(self) -> Code:
        return Code(
            self.code,
            self.severity,
            self.title_zh,
            self.title_en,
            self.hint_zh,
            self.hint_en,
            self.message_zh,
            self.message_en,
        )

    def message(self, lang: str, args: dict[str, Any]) -> str:
        zh, en = self.variants.get(args.get("variant") or "", (self.message_zh, self.message_en))
        return render(zh if lang == "zh" else en, args)


def render(template: str, args: dict[str, Any]) -> str:
    """A message template filled in; an argument not given reads as empty."""
    return string.Formatter().vformat(template, (), _Args(args)).strip()
