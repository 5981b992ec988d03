"""What the checks hand downstream: an immutable description of each resource that was read.

Publishing asks the check run for a resource (:meth:`govdata.checks.runner.CheckRun.resource`) and
gets a :class:`CheckedResource`: its fields, the SQL that selects its typed values on the checks'
connection (the scratch table they read the file into, so a build never reads a file twice), and,
when the one-pass proof already wrote those values into the destination the build asked for
(``run_checks(typed_tables=...)``), the name of that table to adopt as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from govdata.checks.loaded import csv_relation, typed_select
from govdata.checks.sqltypes import FieldSQL, read_missing


@dataclass(frozen=True)
class CheckedResource:
    dataset: str
    resource: str
    schema: Mapping[str, Any]
    fields: tuple[FieldSQL, ...]
    typed_select: str  # SELECT of the typed columns (one per field, by name), on the checks' connection
    typed_table: str | None = None  # the destination table already holding them (the fused proof wrote it)
    source_path: Path | None = None  # the file the checks read (the original, or a cleaned UTF-8 copy)
    header: tuple[str, ...] = ()  # the file's header as read
    proven: bool = False  # proven clean in one streaming pass, straight from the file


def typed_read(dataset: str, resource: str, path: Path, schema: Mapping[str, Any]) -> CheckedResource:
    """The typed values of a plain UTF-8 CSV selected straight from the file, exactly as the checks
    read and type it, before any check has run (a load started beside the checks, which publishing
    keeps only if the checks then prove the file clean)."""
    fields = tuple(FieldSQL(f, schema.get("missingValues", [""])) for f in schema.get("fields") or [])
    relation = csv_relation(path, list(schema.get("fields") or []), read_missing(schema))
    return CheckedResource(dataset, resource, schema, fields, typed_select(list(fields), relation), source_path=path)
