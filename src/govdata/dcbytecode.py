"""The methods ``dataclasses`` writes for each class, compiled once and kept as bytecode.

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__`` (and ``__hash__``,
``__setattr__`` of frozen classes) for every class and compiles it on every import: the gate's
25 dataclasses cost ~10 ms of CPU of a cold 1,000-row ``govdata check`` (issue 14), ~100
compilations of a few lines each. :func:`install` (``govdata check``'s entry point) has them
compiled once per text: the code objects are kept beside the package's own bytecode
(``__pycache__/dataclass-methods.<tag>.marshal``, written by :func:`save` as ``.pyc`` files are,
when the folder can be written) and read back in one ``marshal`` load. The text is the key, so a
changed class compiles its new text; the methods are exactly those ``dataclasses`` makes (the
same text, compiled as ``exec`` compiles it). Only on the Python whose ``dataclasses`` it was
written against (3.11); anywhere else ``dataclasses`` is left alone.
"""

from __future__ import annotations

import marshal
import os
import sys
from types import CodeType
from typing import Any

PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "__pycache__",
    f"dataclass-methods.{sys.implementation.cache_tag}.marshal",
)
FORMAT = "govdata-dataclass-methods-1"  # a file of another format is not read
KEPT = 2000  # texts kept at most: beyond, only those of the last process that saved
_codes: dict[str, CodeType] = {}
_used: set[str] = set()
_added = 0


def install() -> None:
    """Compile dataclasses' methods through the kept bytecode (once per process; 3.11 only)."""
    import dataclasses

    original = dataclasses._create_fn  # type: ignore[attr-defined]
    if sys.version_info[:2] != (3, 11) or getattr(original, "kept_bytecode", False):
        return
    try:
        with open(PATH, "rb") as fh:
            form, kept = marshal.loads(fh.read())
        if form == FORMAT and isinstance(kept, dict):
            _codes.update((k, v) for k, v in kept.items() if isinstance(k, str) and isinstance(v, CodeType))
    except (OSError, EOFError, ValueError, TypeError):
        pass  # none yet, or unreadable: compiled as they come
    missing = dataclasses.MISSING

    def _create_fn(
        name: str,
        args: list[str],
        body: list[str],
        *,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        return_type: Any = missing,
    ) -> Any:
        # dataclasses._create_fn of Python 3.11, the compilation kept
        global _added
        if locals is None:
            locals = {}
        return_annotation = ""
        if return_type is not missing:
            locals["_return_type"] = return_type
            return_annotation = "->_return_type"
        text = f" def {name}({','.join(args)}){return_annotation}:\n" + "\n".join(f"  {b}" for b in body)
        text = f"def __create_fn__({', '.join(locals.keys())}):\n{text}\n return {name}"
        code = _codes.get(text)
        _used.add(text)
        if code is None:
            # as dataclasses' own exec compiles it: no __future__ flag of this module inherited
            code = _codes[text] = compile(text, "<string>", "exec", dont_inherit=True)
            _added += 1
        ns: dict[str, Any] = {}
        exec(code, globals, ns)
        return ns["__create_fn__"](**locals)

    _create_fn.kept_bytecode = True  # type: ignore[attr-defined]
    dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]


def save(always: bool = False) -> None:
    """Keep the methods compiled since the last :func:`save` (if any), as ``.pyc`` files are kept:
    written whole and renamed, silently not when the folder cannot be written, nor when Python
    writes no bytecode (``PYTHONDONTWRITEBYTECODE``) unless ``always`` (``scripts/setup.sh``, as
    ``compileall`` writes ``.pyc`` files whatever the variable says)."""
    global _added
    if not _added or (sys.dont_write_bytecode and not always):
        return
    kept = _codes if len(_codes) <= KEPT else {text: _codes[text] for text in _used}
    try:
        data = marshal.dumps((FORMAT, dict(kept)))
        os.makedirs(os.path.dirname(PATH), exist_ok=True)
        tmp = f"{PATH}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, PATH)
        _added = 0
    except (OSError, ValueError):
        pass
