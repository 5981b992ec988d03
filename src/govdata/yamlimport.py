"""Import PyYAML with its pure-Python reader's one pattern compiled on first use.

``import yaml`` imports the pure-Python reader, whose class body compiles ``NON_PRINTABLE``, a
character class up to U+10FFFF: ~4-6 ms of CPU, a twentieth of a cold 1,000-row ``govdata check``
(issue 14), for a pattern only the pure-Python loaders use; the gate parses with libyaml's
(``CSafeLoader``: its own reader). Importing this module imports ``yaml`` (first) with that one
pattern left to be compiled when a pure-Python loader first reads text; every other pattern, and
the pattern's behaviour, are PyYAML's. The modules that parse YAML on the gate's path import this
module before ``yaml``.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# yaml/reader.py's Reader.NON_PRINTABLE, exactly as it compiles it
READER_PATTERN = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


class OnFirstUse:
    """A compiled pattern's stand-in: the pattern is compiled when an attribute is first read."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self.compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self.compiled is None:
            self.compiled = _compile(*self._args)
        value = getattr(self.compiled, name)
        setattr(self, name, value)  # read directly from now on
        return value


_compile = re.compile


def _import() -> None:
    if "yaml" in sys.modules:
        return

    def compile(pattern: Any, flags: Any = 0) -> Any:
        if pattern == READER_PATTERN and not flags:
            return OnFirstUse(pattern)
        return _compile(pattern, flags)

    re.compile = compile
    try:
        import yaml  # noqa: F401
    finally:
        re.compile = _compile


_import()
