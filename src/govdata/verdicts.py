"""Verdicts of pure checks, memoised on disk.

Two checks of the gate are pure functions of a few files and slow to start: Frictionless's
verdict on a descriptor (importing Frictionless costs half a second of CPU) and the
platform's JSON Schema on catalog.yaml and on each descriptor (importing ``jsonschema``
costs a tenth of a second). The pull-request gate runs them again and again on the same
bytes, so each verdict is kept in ``<out>/cache/<kind>/<key>.json`` (``<out>`` is the output
folder, ``--out``, ``_build`` by default), where the key is a sha256 over everything the verdict
depends on: the bytes judged (findings carry line numbers), their path, the schema, the
checker's version and the platform's source code.

A :class:`VerdictCache` is made by whoever decides the output folder (the CLI, the builder) and
travels with the catalogue it judges (``Catalog.verdicts``). ``GOVDATA_NO_CACHE=1`` turns the
cache off; a read-only checkout simply does not keep one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Callable

from govdata import sha, sourcecode
from govdata.findings import Finding


DEFAULT_OUT = "_build"  # the output folder under the repository root when none is given (--out)


class VerdictCache:
    """Verdicts kept under ``folder/<kind>/`` (``folder`` None: kept nowhere, always computed)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.memo: dict[str, Any] = {}  # companions living as long as this object (the parse cache)

    @classmethod
    def under(cls, out: Path) -> VerdictCache:
        """The cache of the output folder ``out`` (none when ``GOVDATA_NO_CACHE`` is set)."""
        return cls(None if os.environ.get("GOVDATA_NO_CACHE") else out / "cache")

    def directory(self, kind: str) -> Path | None:
        """Where verdicts of ``kind`` are kept, or None."""
        return None if self.folder is None else self.folder / kind

    def memoised(self, kind: str, digest: Callable[[], str], compute: Callable[[], list[Finding]]) -> list[Finding]:
        """``compute()`` memoised under ``digest()``, which is computed only when verdicts are kept
        (it hashes the platform's source: wasted on a run that keeps none)."""
        directory = self.directory(kind)
        return memoised(directory, digest() if directory is not None else "", compute)


@cache
def version(distribution: str) -> str:
    """The installed checker and the platform's code: a verdict is stale once either changes. The
    checker is identified by its module file's path, size and mtime (an upgrade rewrites it),
    which costs a stat where importlib.metadata costs 20 ms of a gate that takes one second."""
    from importlib.util import find_spec

    spec = find_spec(distribution)
    origin = spec.origin if spec is not None and spec.origin else distribution
    stat = os.stat(origin) if os.path.exists(origin) else None
    return (
        f"{origin}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}+govdata-{sourcecode.digest()[:16]}"
    )


def key(*parts: str | bytes) -> str:
    import hashlib  # OpenSSL's: loaded only when verdicts are kept (~3 ms of a cold check)

    h = hashlib.sha256()
    for part in parts:
        h.update((part.encode() if isinstance(part, str) else part) + b"\0")
    return h.hexdigest()


def memoised(directory: Path | None, digest: str, compute: Callable[[], list[Finding]]) -> list[Finding]:
    """The findings of ``compute()``, read from ``directory/<digest>.json`` when kept there."""
    if directory is None:
        return compute()
    path = directory / f"{digest}.json"
    try:
        return [Finding(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        pass
    found = compute()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([dataclasses.asdict(f) for f in found], ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only checkout: no cache, same verdict
    return found


# -- JSON Schema verdicts compiled ahead of time ---------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _is_date(value: str) -> bool:
    """jsonschema's ``date`` format (4.26: ``_format.is_date``), without its exception."""
    try:
        return bool(_DATE.fullmatch(value) and date.fromisoformat(value))
    except ValueError:
        return False


# the formats jsonschema's FormatChecker tests in the platform's schemas, by its own rules
FORMATS: dict[str, Callable[[str], bool]] = {"date": _is_date, "email": lambda value: "@" in value}


@cache
def _digest(source: Path) -> str:
    """The sha256 of a schema file (a few KB: without loading OpenSSL, :mod:`govdata.sha`)."""
    return sha.sha256(source.read_bytes()).hexdigest()


def proven_valid(name: str, document: Any, source: Path) -> bool:
    """True when the schema ``name``, compiled ahead of time from the file ``source``
    (``govdata/schemacode.py``, :mod:`govdata.checks.schemagen`), accepts ``document``: then
    ``jsonschema`` surely finds nothing, and need not be imported. False proves nothing (the
    document is invalid, or the code was compiled from another version of the file): ask
    ``jsonschema``."""
    from govdata import schemacode

    if schemacode.DIGESTS.get(name) != _digest(source):
        return False
    try:
        schemacode.VALIDATORS[name](document, custom_formats=FORMATS)
    except Exception:  # invalid, or a shape the compiled code trips on: jsonschema decides
        return False
    return True
