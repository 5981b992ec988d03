"""One compiled plan of checks per resource.

Every registered check (:mod:`govdata.checks.rules`, and plugins') contributes its row conditions,
keys and column aggregates for the resource's fields; the plan is what every path runs:

* the precise path (:mod:`govdata.checks.table`) turns each row condition into findings with row
  numbers, each key into duplicate findings, each column aggregate into a column finding;
* foreign keys (:class:`Reference`) are checked by the precise path once every table of the run is
  loaded (a resource with one is always materialised);
* the one-pass proof (:mod:`govdata.checks.proof`) counts each row condition's ``bound``, each key's
  duplicates and each column's cheap test, in one scan (:meth:`Plan.aggregates`), or in a build
  writes one flag column (:meth:`Plan.flag`) beside the typed values.

Both read the same list, so a check cannot be on one path and not the other.
"""

from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

from govdata.checks.rules.base import Check, Column, Key, Reference, Row, Table
from govdata.sql import lit

_Item = TypeVar("_Item", Row, Key, Column, Reference)


class Plan:
    """The conditions of ``checks`` over ``table`` (its fields and schema)."""

    def __init__(self, table: Table, checks: Sequence[Check]):
        rows: list[Row] = []
        keys: list[Key] = []
        columns: list[Column] = []
        references: list[Reference] = []
        for check in checks:
            kind = type(check)
            if kind.field_rows is not Check.field_rows:
                for number, f in enumerate(table.fields, start=1):
                    rows += _owned(check.field_rows(f, number, table), check)
            if kind.table_rows is not Check.table_rows:
                rows += _owned(check.table_rows(table), check)
            if kind.keys is not Check.keys:
                keys += _owned(check.keys(table), check)
            if kind.columns is not Check.columns:
                columns += _owned(check.columns(table), check)
            if kind.references is not Check.references:
                references += _owned(check.references(table), check)
        self.rows: tuple[Row, ...] = tuple(rows)
        self.keys: tuple[Key, ...] = tuple(keys)
        self.columns: tuple[Column, ...] = tuple(columns)
        # checked by the precise path only, against the other tables of the run (a resource with a
        # reference is always materialised: the proof never sees it)
        self.references: tuple[Reference, ...] = tuple(references)
        items: list[Row | Key | Column | Reference] = [*rows, *keys, *columns, *references]
        self._labels = {item.label: item for item in items}

    @classmethod
    def compile(cls, table: Table) -> "Plan":
        """The plan of every registered check."""
        from govdata import plugins

        return cls(table, plugins.checks())

    def item(self, label: str) -> Row | Key | Column | Reference | None:
        return self._labels.get(label)

    def rows_in(self, phases: Iterable[str], passed: Iterable[str] = ()) -> list[Row]:
        """The row conditions of checks in ``phases``, without those labelled in ``passed``."""
        phases, passed = set(phases), set(passed)
        return [r for r in self.rows if owner(r).phase in phases and r.label not in passed]

    def proof_rows(self, privacy: bool) -> list[tuple[str, str]]:
        """(label, bound) of every row condition the proof counts; one condition counted once (a
        required key column is also the key's)."""
        seen: set[str] = set()
        out = []
        for r in self.rows:
            if owner(r).phase == "privacy" and not privacy:
                continue
            if r.proof not in seen:
                seen.add(r.proof)
                out.append((r.label, r.proof))
        return out

    def flag(self, privacy: bool) -> str:
        """One boolean over a row: true when any row condition the proof counts holds."""
        return " OR ".join(f"({c})" for _, c in self.proof_rows(privacy)) or "false"

    def aggregates(self, privacy: bool) -> list[tuple[str, str]]:
        """(label, aggregate) for every condition of the plan, each zero when the precise path would
        report nothing for it."""
        return (
            [(label, f"count_if({c})") for label, c in self.proof_rows(privacy)]
            + [(k.label, key_duplicates([f.typed() for f in k.fields])) for k in self.keys]
            + self.column_tests()
        )

    def column_tests(self) -> list[tuple[str, str]]:
        return [(c.label, c.likely) for c in self.columns]


def owner(item: Row | Key | Column | Reference) -> Check:
    """The check that made an item of a plan (every item of a plan has one: :func:`_owned`)."""
    assert item.check is not None, "an item of a plan is owned by its check"
    return item.check


def _owned(items: Sequence[_Item], check: Check) -> Sequence[_Item]:
    """Items a check just made, marked as its own (they are frozen; made fresh for this plan)."""
    for item in items:
        object.__setattr__(item, "check", check)
    return items


def key_duplicates(keys: list[str]) -> str:
    """Non-missing keys minus distinct keys: zero when no key repeats (``keys``: typed expressions)."""
    not_null = " OR ".join(f"{k} IS NOT NULL" for k in keys)  # as keys.duplicates
    key = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
    return f"count_if({not_null}) - count(DISTINCT {key}) FILTER (WHERE {not_null})"


def combined_item(r: Row, gate: str = "") -> str:
    """A row condition as an item of :func:`combined_items`: a struct (field, code, note, cell,
    limit) where it holds, NULL where it does not; ``gate``: a condition the row must also meet
    (a batch of files applies each file's conditions to its own rows, :mod:`.batch`)."""
    when = f"{gate} AND coalesce({r.condition}, false)" if gate else f"coalesce({r.condition}, false)"
    return (
        f"CASE WHEN {when} THEN {{'fn': {lit(r.number)}::INTEGER, "
        f"'field': {lit(r.field)}::VARCHAR, 'code': {lit(owner(r).code)}, 'note': {lit(r.label)}, "
        f"'cell': ({r.cell or 'NULL'})::VARCHAR, 'lim': {lit(r.limit)}::INTEGER}} END"
    )


def item_list(items: Sequence[str]) -> str:
    """Items of :func:`combined_item` as one list per row, without the NULLs; '' without items."""
    return f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)" if items else ""


def combined_items(rows: list[Row]) -> str:
    """Every row condition as one list per row: a struct (field, code, note, cell, limit) where the
    condition holds, none where it does not; '' without conditions."""
    return item_list([combined_item(r) for r in rows])


def key_present(key: Key) -> str:
    """A key takes part unless all its parts are missing (Frictionless compares tuples with None in them)."""
    return " OR ".join(f"{f.typed()} IS NOT NULL" for f in key.fields)


def unique_keys(key: Key) -> str:
    """An aggregate true when no two rows share the key (the rows where it takes part)."""
    typed = ", ".join(f.typed() for f in key.fields)
    keys = f"({typed})" if len(key.fields) > 1 else typed
    present = key_present(key)
    return f"count_if({present}) = count(DISTINCT CASE WHEN {present} THEN {keys} END)"
