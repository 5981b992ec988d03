"""The csv module's field size limit, held for the readers that need it and then given back.

Python's ``csv`` has one field size limit for the whole process (``csv.field_size_limit``). The
gate needs it low (a cell over ``MAX_CELL_CHARS`` is a finding, and must not be read whole into
memory first); ``govdata new`` needs it high (a huge cell is the gate's to report, not a reason
for the scaffold to fail). Rather than each setting it and leaving it set for whoever reads a
CSV next (Frictionless, a pipeline step, a test), a reader holds a limit for the duration of its
reading::

    with field_size_limit(MAX_CELL_CHARS + 1):
        for row in csv.reader(fh): ...

Holders nest (the innermost limit is in force) and may overlap across threads (the gate's check
threads hold the same limit); when the last holder leaves, the limit in force before the first
one entered is restored. The stack of holders is the single owner of the setting.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_held: list[int] = []  # limits of the current holders, innermost last
_before: list[int] = []  # the limit found when the first holder entered


@contextmanager
def field_size_limit(limit: int) -> Iterator[None]:
    """Hold the csv field size limit at ``limit`` while the block runs (usable as a decorator)."""
    with _lock:
        previous = csv.field_size_limit(limit)
        if not _held:
            _before[:] = [previous]
        _held.append(limit)
    try:
        yield
    finally:
        with _lock:
            del _held[len(_held) - 1 - _held[::-1].index(limit)]  # the innermost entry of this value
            csv.field_size_limit(_held[-1] if _held else _before[0])


def in_force() -> int:
    """The limit in force now (for tests and diagnostics)."""
    return csv.field_size_limit()
