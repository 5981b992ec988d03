"""The CKAN action API's shared pieces: the directory it answers from (``directory/ckan.json``),
its errors, and the parsing of its parameters (input errors are CKAN's 409 Validation Error)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ActionError(Exception):
    def __init__(self, kind: str, message: Any, status: int):
        super().__init__(str(message))
        self.kind, self.message, self.status = kind, message, status


def not_found(what: str) -> ActionError:
    return ActionError("Not Found Error", f"{what} not found", 404)


def invalid(field: str, message: str) -> ActionError:
    return ActionError("Validation Error", {field: [message]}, 409)


MAX_INT = 2**31 - 1  # offsets and limits beyond this are input errors (SQLite takes 64 bits, CKAN 32)
MAX_Q = 2000  # characters of q / fq
MAX_TERMS = 50  # whitespace-separated terms in q / fq
MAX_LIKE_TERM = 90  # a datastore q term becomes a LIKE pattern (SQLite's LIKE_PATTERN_LENGTH is 100)


def int_param(params: dict, key: str, default: int, lo: int = 0, hi: int | None = None) -> int:
    value = params.get(key, default)
    try:
        if isinstance(value, (dict, list)):
            raise TypeError
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid(key, "Invalid integer") from None
    hi = MAX_INT if hi is None else hi
    if number < lo or (hi is not None and number > hi):
        raise invalid(key, f"Must be between {lo} and {hi}" if hi is not None else f"Must be at least {lo}")
    return number


def bool_param(params: dict, key: str, default: bool) -> bool:
    value = params.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


def json_param(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Sharer:
    """Packages of ``ckan.json`` each repeat their organisation, tags, groups, extras and the same
    short strings (formats, licence, states): parsed whole, 10,000 of them held ~175 MB in every
    worker. Each package is made to use one object per equal part as it is parsed (nothing mutates
    a package: answers copy or serialise them)."""

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}

    def _leaf(self, x: Any) -> Any:  # a dict of scalars, one object per content (types count: 1 is not true)
        if not isinstance(x, dict):
            return x
        try:
            return self.memo.setdefault(tuple((k, v, type(v)) for k, v in x.items()), x)
        except TypeError:  # a nested value: kept as it is
            return x

    def package(self, p: Any) -> Any:
        if not isinstance(p, dict):
            return p
        memo = self.memo
        org = p.get("organization")
        if isinstance(org, dict):
            seen = memo.setdefault(("organization", org.get("id")), org)
            if seen == org:
                p["organization"] = seen
        for key in ("tags", "groups", "extras"):
            items = p.get(key)
            if isinstance(items, list):
                items = [self._leaf(x) for x in items]
                p[key] = memo.setdefault(("list", key, *map(id, items)), items)
        for obj, longest in ((p, 200), *((r, 64) for r in p.get("resources") or () if isinstance(r, dict))):
            for k, v in obj.items():
                if type(v) is str and len(v) <= longest:
                    obj[k] = memo.setdefault(v, v)
        return p


_PACKAGES = '"packages":['


def read_directory(text: str) -> dict[str, Any]:
    """``ckan.json`` parsed one package at a time, each sharing what it repeats (:class:`Sharer`):
    the duplicates never all exist at once, so the worker's memory stays at the shared size (the
    whole document parsed first, then shared, left the process at its peak). The document as
    ``directory/ckan.py`` writes it: compact, ``packages`` the first list; anything else is parsed
    whole and shared after."""
    sharer = Sharer()
    at = text.find(_PACKAGES)
    if at >= 0:
        decoder = json.JSONDecoder()
        pos, packages = at + len(_PACKAGES), []
        try:
            while text[pos] != "]":
                package, pos = decoder.raw_decode(text, pos)
                packages.append(sharer.package(package))
                if text[pos] == ",":
                    pos += 1
            data = json.loads(text[:at] + '"packages":[' + text[pos:])
        except (ValueError, IndexError):
            data = None
        if isinstance(data, dict) and data.get("packages") == []:
            data["packages"] = packages
            return data
    data = json.loads(text)
    data["packages"] = [sharer.package(p) for p in data["packages"]]
    return data


class Directory:
    def __init__(self, data: dict[str, Any], index: Any = None):
        self.data = data
        self.index = index  # the catalogue search engine (govdata.serve.catalogsearch), shared with the portal
        self.packages = {p["name"]: p for p in data["packages"]}
        self.orgs = {o["name"]: o for o in data["organizations"]}
        self.groups = {g["name"]: g for g in data["groups"]}
        self.resources = {r["id"]: (p, r) for p in data["packages"] for r in p["resources"]}

    def state(self) -> tuple:
        """The directory as plain containers (a build's serving snapshot, serve/snapshot.py)."""
        return (self.data, self.packages, self.orgs, self.groups, self.resources)

    @classmethod
    def from_state(cls, state: Any, index: Any = None) -> "Directory":
        self = cls.__new__(cls)
        self.data, self.packages, self.orgs, self.groups, self.resources = state
        self.index = index
        return self

    @classmethod
    def load(cls, build: Path, index: Any = None) -> "Directory":
        return cls(read_directory((build / "directory" / "ckan.json").read_text("utf-8")), index)


MAX_QUERY = 1000  # characters of q / fq: longer is a validation error, not work


def text_param(params: dict, key: str) -> str:
    value = params.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise invalid(key, "Must be a string")
    value = str(value)
    if len(value) > MAX_QUERY:
        raise invalid(key, f"Longer than {MAX_QUERY} characters")
    return value


def id_param(params: dict, key: str = "id") -> str:
    value = params.get(key) or (params.get("name") if key == "id" else None)
    if not value:
        raise invalid(key, "Missing value")
    return str(value)
