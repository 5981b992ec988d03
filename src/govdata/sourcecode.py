"""A digest of the platform's own source code and schemas: what the verdict cache
(``verdicts.py``) and incremental builds (``publish/incremental.py``) key on, since a change to
any check or step can change a verdict or an output without a new version number."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache  # the code a process runs does not change under it
def digest() -> str:
    """sha256 over the relative path and bytes of every ``.py`` and ``.json`` file of the package."""
    import hashlib  # OpenSSL's (a few MB to hash): loaded when asked, not by every cold check

    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
