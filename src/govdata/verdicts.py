"""Verdicts of pure checks, memoised on disk.

Two checks of the gate are pure functions of a few files and slow to start: Frictionless's
verdict on a descriptor (importing Frictionless costs half a second of CPU) and the
platform's JSON Schema on catalog.yaml and on each descriptor (importing ``jsonschema``
costs a tenth of a second). The pull-request gate runs them again and again on the same
bytes, so each verdict is kept in ``_build/cache/<kind>/<key>.json``, where the key is a
sha256 over everything the verdict depends on: the bytes judged (findings carry line
numbers), their path, the schema and the versions of the checker and of the platform.

``GOVDATA_NO_CACHE=1`` turns the cache off; a read-only checkout simply does not keep one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Callable

from govdata.findings import Finding


def cache_dir(root: Path, kind: str) -> Path | None:
    """Where verdicts of ``kind`` are kept (None when ``GOVDATA_NO_CACHE`` is set)."""
    return None if os.environ.get("GOVDATA_NO_CACHE") else root / "_build" / "cache" / kind


@cache
def version(distribution: str) -> str:
    from importlib.metadata import version as installed

    from govdata import __version__

    return f"{installed(distribution)}+govdata-{__version__}"


def key(*parts: str | bytes) -> str:
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
