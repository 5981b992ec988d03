"""sha256 of small inputs without loading OpenSSL.

``hashlib`` loads OpenSSL's library (``_hashlib``): ~3 ms of CPU, a sixtieth of a cold 1,000-row
``govdata check`` (issue 14), which hashes only a few small files before its report (the schema
files the compiled validators were made from, the descriptors' parse-cache keys). CPython's own
sha256 needs no library but is several times slower per byte, so it serves the first
:data:`SMALL` bytes a process hashes here, while ``hashlib`` is not loaded; then ``hashlib``'s.
The digests are the same.
"""

from __future__ import annotations

import sys
from typing import Any

SMALL = 1 << 20
_hashed = 0


def sha256(data: bytes = b"") -> Any:
    """A sha256 hash object of ``data`` (``update``, ``hexdigest``, ``digest``), as ``hashlib.sha256``."""
    global _hashed
    _hashed += len(data)
    if _hashed <= SMALL and "hashlib" not in sys.modules:
        try:
            from _sha256 import sha256 as own
        except ImportError:  # pragma: no cover - Python 3.12 names it _sha2
            pass
        else:
            return own(data)
    import hashlib

    return hashlib.sha256(data)
