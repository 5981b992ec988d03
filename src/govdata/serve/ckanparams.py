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


class Directory:
    def __init__(self, data: dict[str, Any], index: Any = None):
        self.data = data
        self.index = index  # the catalogue search engine (govdata.serve.catalogsearch), shared with the portal
        self.packages = {p["name"]: p for p in data["packages"]}
        self.orgs = {o["name"]: o for o in data["organizations"]}
        self.groups = {g["name"]: g for g in data["groups"]}
        self.resources = {r["id"]: (p, r) for p in data["packages"] for r in p["resources"]}

    @classmethod
    def load(cls, build: Path, index: Any = None) -> "Directory":
        return cls(json.loads((build / "directory" / "ckan.json").read_text("utf-8")), index)


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
