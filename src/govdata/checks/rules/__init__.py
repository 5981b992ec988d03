"""The built-in checks, one file each, registered through the same hook as a plugin's
(:mod:`govdata.hookspecs`). To add one, see docs/architecture.md, "How to add a check"."""

from __future__ import annotations

from govdata.checks.rules import (
    blank_row,
    cell_too_large,
    constraint_error,
    foreign_key,
    lost_digits,
    masking_error,
    negative_list_field,
    normalisable_text,
    personal_data,
    primary_key,
    repeated_header,
    spreadsheet_formula,
    type_error,
    unique_error,
)
from govdata.checks.rules.base import Check
from govdata.hookspecs import hookimpl

BUILT_IN = [
    blank_row.CHECK,
    repeated_header.CHECK,
    cell_too_large.CHECK,
    type_error.CHECK,
    constraint_error.CHECK,
    spreadsheet_formula.CHECK,
    lost_digits.CHECK,
    unique_error.CHECK,
    primary_key.CHECK,
    normalisable_text.CHECK,
    masking_error.CHECK,
    personal_data.CHECK,
    negative_list_field.CHECK,
    foreign_key.CHECK,
]


@hookimpl
def register_checks() -> list[Check]:
    return BUILT_IN
