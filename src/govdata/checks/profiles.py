"""Frictionless's verdict on a descriptor, without importing Frictionless when it can be proven.

Importing Frictionless costs 0.25–0.5 s, half of a cold gate on a small file. Frictionless judges
a Table Schema and a Data Package descriptor in two steps (``Metadata.metadata_validate``): its
JSON Schema profile of each class (Package, Resource, Dialect, Schema, one Field class per type),
checked with ``jsonschema``, then a few semantic rules of each class (unique names, keys naming
fields, supported constraints, the v1 name pattern, …). Its profiles are Python dictionaries in
its classes, not files: ``frictionless_profiles.json`` beside this module is a snapshot of them
(``python -m govdata.checks.profiles`` writes it; ``tests/test_descriptor_profiles.py`` fails
when it no longer matches the installed Frictionless).

:func:`proven_valid` runs the same profiles with the same ``jsonschema`` validator and the
semantic rules, and answers only when it is sure: True when Frictionless would find nothing,
None otherwise (any error, anything it does not model: ``$schema``, ``profile``, ``example``,
missing values as objects, an installed Frictionless other than the snapshot's). The caller then
asks Frictionless itself, so every reported message is Frictionless's own.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any, Iterable

from govdata import verdicts

SNAPSHOT = Path(__file__).with_name("frictionless_profiles.json")
_CLASSES = ("package", "resource", "dialect", "schema")


@cache
def _snapshot() -> dict[str, Any] | None:
    """The profiles, when the installed Frictionless is the snapshot's version (one stat)."""
    from importlib.util import find_spec

    try:
        data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
        spec = find_spec("frictionless")
    except (OSError, ValueError, ImportError):
        return None
    if spec is None or not spec.origin:
        return None
    site = Path(spec.origin).parent.parent
    if not (site / f"frictionless-{data['version']}.dist-info").is_dir():
        return None
    return data


@cache
def _validator(kind: str, name: str = "") -> Any:
    """The ``jsonschema`` validator Frictionless builds for a profile (``validator_for`` of a profile
    without ``$schema``: the latest draft; no format checker)."""
    import jsonschema

    data = _snapshot()
    assert data is not None
    profile = data["fields"][name]["profile"] if kind == "field" else data[kind]
    return jsonschema.validators.validator_for(profile)(profile)


def _profile_ok(kind: str, descriptor: Any, name: str = "") -> bool:
    compiled = f"frictionless.field.{name}" if kind == "field" else f"frictionless.{kind}"
    if verdicts.proven_valid(compiled, descriptor, SNAPSHOT):
        return True  # jsonschema not imported (govdata.checks.schemagen)
    return next(_validator(kind, name).iter_errors(descriptor), None) is None


def _safe_path(path: str) -> bool:
    """A path Frictionless's ``helpers.is_safe_path`` surely accepts (plain relative names only)."""
    return bool(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", path))


def _name_ok(name: Any, data: dict[str, Any]) -> bool:
    """``validate_name`` under datapackage v1 (no ``$schema``): the name matches the v1 pattern."""
    return isinstance(name, str) and re.search(data["name_pattern"], name) is not None


def _field_ok(item: dict[str, Any], data: dict[str, Any]) -> bool:
    """``Field.metadata_validate`` of a field's class, under v1."""
    kind = item.get("type") or data["default_field_type"]
    spec = data["fields"].get(kind) if isinstance(kind, str) else None
    if spec is None or not _profile_ok("field", item, kind):
        return False
    constraints = item.get("constraints", {})
    if any(name not in spec["constraints"] + ["unique"] for name in constraints):
        return False
    if "exclusiveMinimum" in constraints or "exclusiveMaximum" in constraints:
        return False  # a datapackage v2 constraint, rejected under v1
    if any(isinstance(m, dict) for m in item.get("missingValues", [])):
        return False  # object form: uniqueness and the v2 gate (not modelled)
    return not item.get("example") and "required" not in item


def schema_ok(descriptor: Any) -> bool | None:
    """True when ``Schema.metadata_validate(descriptor)`` yields nothing; None when not proven."""
    data = _snapshot()
    if data is None or not isinstance(descriptor, dict) or "$schema" in descriptor:
        return None
    try:
        if not _profile_ok("schema", descriptor):
            return None
        fields = descriptor["fields"]
        for item in fields:
            if isinstance(item, dict) and not _field_ok(item, data):
                return None
        names = [f["name"] for f in fields if "name" in f]
        if len(names) != len(set(names)):
            return None
        if any(name not in names for name in descriptor.get("primaryKey", [])):
            return None
        if any(isinstance(m, dict) for m in descriptor.get("missingValues", [])):
            return None
        for fk in descriptor.get("foreignKeys", []):
            if any(name not in names for name in fk["fields"]):
                return None
            if len(fk["fields"]) != len(fk["reference"]["fields"]):
                return None
    except (KeyError, TypeError, AttributeError):
        return None  # a shape Frictionless itself would trip on
    return True


def _people_ok(descriptor: dict[str, Any]) -> bool:
    """Licences name a path or a name; no e-mail of a contributor or source to parse (not modelled)."""
    for item in descriptor.get("licenses", []):
        if not isinstance(item, dict) or (not item.get("path") and not item.get("name")):
            return False
    for key in ("contributors", "sources"):
        for item in descriptor.get(key, []):
            if not isinstance(item, dict) or item.get("email"):
                return False
    return True


def _resource_ok(item: dict[str, Any], data: dict[str, Any], schemas_proven: bool) -> bool:
    """``Resource.metadata_validate`` under the package's v1 (a resource's own ``type`` selects
    another class: not modelled)."""
    if "type" in item or "$schema" in item or not _profile_ok("resource", item):
        return False
    dialect, schema = item.get("dialect"), item.get("schema")
    if isinstance(dialect, dict) and not _profile_ok("dialect", dialect):
        return False
    if isinstance(schema, dict) and not schemas_proven and not schema_ok(schema):
        return False
    if not _name_ok(item["name"], data):
        return False
    for key in ("path", "extrapaths", "profile", "dialect", "schema"):
        value = item.get(key)
        for v in value if isinstance(value, list) else [value]:
            if v and isinstance(v, str) and not _safe_path(v):
                return False
    if item.get("path") is None or item.get("data") is not None:
        return False
    return _people_ok(item) and not item.get("profile") and "missingValues" not in item


def package_ok(descriptor: Any, schemas_proven: bool = False) -> bool | None:
    """True when ``Package.metadata_validate(descriptor)`` yields nothing; None when not proven.
    ``schemas_proven``: every resource's schema was already proven by :func:`schema_ok` (the same
    version, v1, applies inside the package)."""
    data = _snapshot()
    if data is None or not isinstance(descriptor, dict) or "$schema" in descriptor:
        return None
    try:
        if not _profile_ok("package", descriptor):
            return None
        resources = descriptor["resources"]
        for item in resources:
            if isinstance(item, dict) and not _resource_ok(item, data, schemas_proven):
                return None
        if "name" in descriptor and not _name_ok(descriptor["name"], data):
            return None
        names = [r["name"] for r in resources if isinstance(r, dict) and "name" in r]
        if len(names) != len(set(names)) or descriptor.get("created") or descriptor.get("profile"):
            return None
        if not _people_ok(descriptor) or "missingValues" in descriptor or "fields" in descriptor:
            return None
    except (KeyError, TypeError, AttributeError):
        return None
    return True


# -- the snapshot ---------------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Frictionless's merged profiles, read from the installed package (imports Frictionless)."""
    from importlib.metadata import version

    from frictionless import Dialect, Package, Resource, Schema, settings
    from frictionless.schema import Field

    classes: dict[str, Any] = dict(zip(_CLASSES, (Package, Resource, Dialect, Schema)))
    out: dict[str, Any] = {"version": version("frictionless")}
    out.update({name: cls.metadata_ensure_profile() for name, cls in classes.items()})
    out["name_pattern"] = settings.NAME_PATTERN
    out["default_field_type"] = settings.DEFAULT_FIELD_TYPE_SPECS_V1
    out["fields"] = {}
    for kind in _field_types():
        cls: Any = Field.metadata_select_class(kind)
        out["fields"][kind] = {
            "profile": cls.metadata_ensure_profile(),
            "constraints": list(cls.supported_constraints),
        }
    return json.loads(json.dumps(out))


def _field_types() -> Iterable[str]:
    """The types ``system.select_field_class`` finds among Frictionless's field classes."""
    import inspect

    from frictionless import fields

    return sorted(
        {vars(c)["type"] for c in vars(fields).values() if inspect.isclass(c) and isinstance(vars(c).get("type"), str)}
    )


def write(path: Path = SNAPSHOT) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(snapshot(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    write()
    print(f"wrote {SNAPSHOT}")
