"""Reading descriptor files safely.

YAML is refused *before* it is parsed into objects when it is over the size cap
or uses anchors/aliases (the "billion laughs" alias bomb costs seconds and GBs
in a naive loader). The parse keeps the line of every key so that findings can
point at ``file:line``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import govdata.yamlimport  # noqa: F401  (before yaml: its pure reader's pattern compiled on first use)
import yaml

from govdata.errors import UnsafeInputError

MAX_DESCRIPTOR_BYTES = 1_000_000
# deeper nesting is refused before the text is composed: libyaml's composer and the walks over the
# tree recurse once per level, so 100,000 "[" (100 KB) crash the process (a segmentation fault) and
# 1,000 raise RecursionError; a descriptor is a few levels deep (190 were tried: they load, and
# pass Frictionless), and the repository's files have a depth bound under 100: none is event-scanned
MAX_DEPTH = 100

try:  # the C loader is much faster and is what pyyaml wheels ship
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as the strings the agency wrote (2024-01-02)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

LineMap = dict[tuple, int]
Lines = Mapping[tuple, int]  # what readers take: a LineMap, or the parse cache's lazy one


class DuplicateKeyError(ValueError):
    """A mapping gives a key twice: YAML loaders keep the last silently, so a reviewer may approve
    one value while the gate checks another."""

    def __init__(self, key: str, line: int | None, first: int | None, path: tuple = ()):
        where = ".".join(str(p) for p in path + (key,))
        super().__init__(
            f"key '{where}' is given twice (lines {first} and {line}); remove or merge one"
            if line
            else f"key '{where}' is given twice; remove or merge one"
        )
        self.key, self.line, self.first, self.path = key, line, first, path


def _walk(node: yaml.Node, path: tuple, lines: LineMap) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        first: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in first:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1, first[key], path)
            first[key] = lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), lines) for i, item in enumerate(node.value)]
    return None


def read_text_capped(path: Path, cap: int = MAX_DESCRIPTOR_BYTES) -> str:
    size = path.stat().st_size
    if size > cap:
        raise UnsafeInputError(f"{path.name}: {size} bytes, over the {cap}-byte cap for descriptors")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise UnsafeInputError(f"{path.name}: contains NUL bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsafeInputError(f"{path.name}: not UTF-8 at byte {exc.start}") from None


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth of YAML text, from counts only (no parse, two regular
    expressions): every flow collection opens with ``[`` or ``{``; block collections nest by
    indentation (a mapping and a sequence per column of it), or on one line after a run of ``-``
    and ``?`` indicators (``- - a: 1``: each indicator and its space count 2, its key's mapping 1)."""
    indent = max(map(len, _INDENT.findall(text)), default=0)
    run = max(map(len, _INDICATORS.findall(text)), default=0)
    return text.count("[") + text.count("{") + 2 * indent + run + 2


_INDENT = re.compile(r"^ +", re.M)
_INDICATORS = re.compile(r"^[ \t]*((?:[-?][ \t]+)+)", re.M)


def _check_depth(text: str, name: str) -> None:
    """Refuse YAML nested deeper than ``MAX_DEPTH`` (UnsafeInputError at the line where it goes
    too deep), from its events: the parser keeps a stack, it does not recurse."""
    if _depth_bound(text) <= MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise UnsafeInputError(f"{name}:{line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def loads_yaml(text: str, name: str = "<yaml>") -> tuple[Any, LineMap]:
    """Parse YAML text with no aliases nor deep nesting; return (data, {key path: line})."""
    _check_depth(text, name)
    # an anchor is written with "&", an alias with "*": text with neither has none (no event scan,
    # ~800 Python events for catalog.yaml, a few ms of every cold check)
    for event in yaml.parse(text, Loader=_Loader) if "&" in text or "*" in text else ():
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            line = event.start_mark.line + 1
            raise UnsafeInputError(f"{name}:{line}: YAML anchors and aliases are not allowed")
    # composed once: the data and the key lines come from the same node tree (yaml.load and
    # yaml.compose would parse the text twice)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: LineMap = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def load_descriptor(path: Path) -> tuple[Any, LineMap]:
    """Load a .yaml/.yml/.json descriptor safely. Raises UnsafeInputError or ValueError."""
    text = read_text_capped(path)
    if path.suffix == ".json":

        def pairs(items):
            out = {}
            for key, value in items:
                if key in out:
                    raise DuplicateKeyError(key, None, None)
                out[key] = value
            return out

        try:
            return json.loads(text, object_pairs_hook=pairs), {}
        except RecursionError:
            raise UnsafeInputError(f"{path.name}: nested more than {MAX_DEPTH} levels deep") from None
    return loads_yaml(text, path.name)


def line_of(lines: Lines, key_path: tuple) -> int | None:
    """The line of a key path, or of its nearest ancestor that has one."""
    path = tuple(key_path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
