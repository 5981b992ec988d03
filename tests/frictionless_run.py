"""``frictionless validate`` of one resource descriptor, as the conformance tests compare with it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from frictionless import Resource


def frictionless_findings(directory: Path, descriptor: dict[str, Any]) -> list[tuple]:
    """Frictionless's (row, field, type) of the resource ``descriptor`` whose paths are relative
    to ``directory`` (Frictionless refuses absolute paths)."""
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        report = Resource.from_descriptor(descriptor).validate()
    finally:
        os.chdir(cwd)
    return [tuple(x) for x in report.flatten(["rowNumber", "fieldName", "type"])]
