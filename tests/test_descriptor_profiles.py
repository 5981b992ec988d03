"""Frictionless's verdict on descriptors, proven without importing it (checks/profiles.py), is
Frictionless's own: the snapshot of its profiles matches the installed package, and wherever the
proof answers, Frictionless finds exactly the same (nothing, or only missing schemas). Variants
built to sit on each rule's edge are judged both ways."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from frictionless import FrictionlessException, Package, Schema

from govdata.catalog.loader import load
from govdata.checks import metadata, profiles
from govdata.checks.metadata import frictionless_view, normalise_schema
from govdata.verdicts import VerdictCache
from tests.conftest import REPO
from tests.test_gate_corpus import CORPUS


def test_snapshot_matches_installed_frictionless():
    import json

    assert json.loads(profiles.SNAPSHOT.read_text(encoding="utf-8")) == profiles.snapshot(), (
        "Frictionless changed: run `python -m govdata.checks.profiles` and review the rules in profiles.py"
    )


def _theirs_schema(descriptor) -> list[str]:
    try:
        return [e.note for e in Schema.metadata_validate(copy.deepcopy(descriptor))]
    except FrictionlessException as exc:
        return [exc.error.note]
    except Exception as exc:  # Frictionless itself trips on some shapes (the gate reports a traceback-free error)
        return [f"{type(exc).__name__}: {exc}"]


def _theirs_package(descriptor) -> list[str]:
    try:
        return [e.note for e in Package.metadata_validate(copy.deepcopy(descriptor))]
    except FrictionlessException as exc:
        return [exc.error.note]
    except Exception as exc:  # Frictionless itself trips on some shapes (the gate reports a traceback-free error)
        return [f"{type(exc).__name__}: {exc}"]


def _datasets(root: Path):
    catalog, _ = load(root, cache=VerdictCache(None))
    return catalog.datasets


@pytest.mark.parametrize(
    "root", [REPO, *sorted(p for p in CORPUS.iterdir() if (p / "datapackage.yaml").is_file())], ids=lambda p: p.name
)
def test_proof_agrees_with_frictionless_on_every_descriptor(root, tmp_path):
    if root != REPO:  # a corpus case: its descriptor alone in a catalogue
        from tests.conftest import copy_catalog
        import shutil

        cat = copy_catalog(tmp_path / "cat", ["zj-admin-divisions"])
        shutil.copytree(root, cat / "datasets" / "hz-amr" / root.name)
        root = cat
    decided = 0
    for ds in _datasets(root):
        ours = metadata._proven(ds)
        if ours is not None:
            decided += 1
            assert [(f.code, f.message) for f in ours] == [
                (f.code, f.message) for f in metadata._frictionless_findings(ds)
            ], ds.name
    if root == REPO:
        assert decided == len(_datasets(root)), "every published descriptor is proven without Frictionless"


BASE_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {"name": "code", "type": "string", "constraints": {"pattern": "^[0-9]{6}$", "enum": ["330100"]}},
        {"name": "day", "type": "date", "format": "default"},
        {"name": "amount", "type": "number", "bareNumber": False},
        {"name": "ok", "type": "boolean", "trueValues": ["是"], "falseValues": ["否"]},
    ],
    "primaryKey": ["id"],
    "missingValues": ["", "-"],
    "foreignKeys": [{"fields": ["code"], "reference": {"resource": "", "fields": ["code"]}}],
}


def _edit(path: str, value, base=None):
    """A copy of ``base`` with the value at dotted ``path`` replaced (``...DEL``: removed)."""
    d = copy.deepcopy(BASE_SCHEMA if base is None else base)
    *head, last = path.split(".")
    node = d
    for k in head:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if value == "...DEL":
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return d


SCHEMA_VARIANTS = {
    "base": BASE_SCHEMA,
    "unknown type": _edit("fields.0.type", "numbre"),
    "type not a string": _edit("fields.0.type", 5),
    "no type": _edit("fields.0.type", "...DEL"),
    "empty type": _edit("fields.0.type", ""),
    "unsupported constraint": _edit("fields.0.constraints", {"pattern": "x"}),
    "minLength on string": _edit("fields.1.constraints", {"minLength": 2}),
    "unique": _edit("fields.1.constraints", {"unique": True}),
    "exclusiveMinimum (v2)": _edit("fields.0.constraints", {"exclusiveMinimum": 0}),
    "example": _edit("fields.0.example", "1"),
    "bad example": _edit("fields.0.example", "x"),
    "required at field": _edit("fields.0.required", True),
    "duplicate names": _edit("fields.1.name", "id"),
    "field without name": _edit("fields.1.name", "...DEL"),
    "name not a string": _edit("fields.1.name", 3),
    "primary key unknown": _edit("primaryKey", ["nope"]),
    "primary key as string": _edit("primaryKey", "id"),
    "primary key not a list": _edit("primaryKey", 3),
    "fk unknown field": _edit("foreignKeys.0.fields", ["nope"]),
    "fk length": _edit("foreignKeys.0.reference.fields", ["code", "id"]),
    "fk without reference": _edit("foreignKeys.0.reference", "...DEL"),
    "fk fields as string": _edit("foreignKeys.0.fields", "code"),
    "missing values as objects": _edit("missingValues", [{"value": "-", "label": "n/a"}]),
    "missing values not strings": _edit("missingValues", [1]),
    "field missing values": _edit("fields.0.missingValues", ["-"]),
    "field missing values objects": _edit("fields.0.missingValues", [{"value": "-"}]),
    "fields not a list": _edit("fields", {"id": "integer"}),
    "no fields": _edit("fields", "...DEL"),
    "$schema": _edit("$schema", "https://datapackage.org/profiles/2.0/tableschema.json"),
    "format pattern": _edit("fields.2.format", "%Y-%m-%d"),
    "format any": _edit("fields.2.format", "any"),
    "boolean values not strings": _edit("fields.4.trueValues", [1]),
    "title not a string": _edit("fields.0.title", 1),
    "rdfType": _edit("fields.0.rdfType", "http://schema.org/identifier"),
    "extra field key": _edit("fields.0.x-unit", "元"),
    "enum wrong type": _edit("fields.1.constraints.enum", "330100"),
    "list field": _edit("fields.1", {"name": "code", "type": "list", "delimiter": ";"}),
    "geopoint": _edit("fields.1", {"name": "code", "type": "geopoint", "format": "array"}),
}


@pytest.mark.parametrize("variant", SCHEMA_VARIANTS, ids=str)
def test_schema_proof_never_contradicts_frictionless(variant):
    descriptor = SCHEMA_VARIANTS[variant]
    ours = profiles.schema_ok(copy.deepcopy(descriptor))
    theirs = _theirs_schema(descriptor)
    assert ours in (True, None)
    if ours:
        assert theirs == [], f"proven valid but Frictionless says {theirs}"
    if variant in ("base", "unique", "rdfType", "extra field key", "format any", "field missing values"):
        assert ours is True, "a valid schema of a common shape must be proven without Frictionless"


def _package(**changes):
    d = {
        "name": "hz-sample",
        "title": "样例",
        "version": "1.0.0",
        "keywords": ["样例"],
        "licenses": [{"name": "CC-BY-4.0", "title": "署名"}],
        "sources": [{"title": "杭州市", "path": "https://example.gov.cn"}],
        "publisher": "hz-amr",
        "review": {"reviewer": "某人"},
        "resources": [
            {"name": "items", "path": "items.csv", "format": "csv", "schema": BASE_SCHEMA},
            {
                "name": "other",
                "path": "other.csv",
                "format": "csv",
                "schema": {"fields": []},
                "dialect": {"delimiter": ";", "header": True},
            },
        ],
    }
    for path, value in changes.items():
        d = _edit(path.replace("__", "."), value, d)
    return d


PACKAGE_VARIANTS = {
    "base": _package(),
    "upper-case name": _package(name="HZ-Sample"),
    "chinese name": _package(name="样例"),
    "resource upper-case name": _package(resources__0__name="Items"),
    "duplicate resource names": _package(resources__1__name="items"),
    "created": _package(created="2024-01-01T00:00:00Z"),
    "bad created": _package(created="yesterday"),
    "licence without name or path": _package(licenses=[{"title": "x"}]),
    "licence not an object": _package(licenses=["CC-BY-4.0"]),
    "source email": _package(sources=[{"title": "x", "email": "a@b.cn"}]),
    "bad source email": _package(sources=[{"title": "x", "email": "nope"}]),
    "contributor": _package(contributors=[{"title": "某人", "role": "author"}]),
    "profile": _package(profile="tabular-data-package"),
    "$schema": _package(**{"$schema": "https://datapackage.org/profiles/2.0/datapackage.json"}),
    "missingValues at package": _package(missingValues=[""]),
    "fields at package": _package(fields=[]),
    "keywords not a list": _package(keywords="样例"),
    "version not a string": _package(version=1),
    "resources empty": _package(resources=[]),
    "resources not a list": _package(resources={"name": "items"}),
    "resource without path": _package(resources__0__path="...DEL"),
    "resource with data": _package(resources__0__data=[[1]]),
    "resource path traversal": _package(resources__0__path="../items.csv"),
    "resource path absolute": _package(resources__0__path="/etc/passwd"),
    "resource type": _package(resources__0__type="table"),
    "resource missingValues": _package(resources__0__missingValues=[""]),
    "resource profile": _package(resources__0__profile="tabular-data-resource"),
    "resource encoding": _package(resources__0__encoding="gb18030"),
    "resource bytes not int": _package(resources__0__bytes="12"),
    "resource hash": _package(resources__0__hash="sha256:00"),
    "dialect bad header": _package(resources__1__dialect={"header": "yes"}),
    "dialect as string": _package(resources__1__dialect="dialect.json"),
    "schema invalid inside": _package(resources__0__schema=_edit("fields.0.type", "numbre")),
    "schema as path": _package(resources__0__schema="schema.json"),
    "extra keys": _package(open_condition={"type": "unconditional"}, themes=["credit"]),
}


@pytest.mark.parametrize("variant", PACKAGE_VARIANTS, ids=str)
def test_package_proof_never_contradicts_frictionless(variant):
    descriptor = PACKAGE_VARIANTS[variant]
    ours = profiles.package_ok(copy.deepcopy(descriptor))
    theirs = _theirs_package(descriptor)
    assert ours in (True, None)
    if ours:
        assert theirs == [], f"proven valid but Frictionless says {theirs}"
    if variant in ("base", "extra keys", "contributor", "resource encoding"):
        assert ours is True


def test_other_frictionless_version_is_not_trusted(monkeypatch, tmp_path):
    """A snapshot of another Frictionless version proves nothing: Frictionless judges."""
    import json

    snap = json.loads(profiles.SNAPSHOT.read_text(encoding="utf-8"))
    snap["version"] = "0.0.1"
    fake = tmp_path / "frictionless_profiles.json"
    fake.write_text(json.dumps(snap), encoding="utf-8")
    monkeypatch.setattr(profiles, "SNAPSHOT", fake)
    profiles._snapshot.cache_clear()
    profiles._validator.cache_clear()
    try:
        assert profiles.schema_ok(BASE_SCHEMA) is None
        assert profiles.package_ok(_package()) is None
    finally:
        profiles._snapshot.cache_clear()
        profiles._validator.cache_clear()


def test_frictionless_view_of_the_repository_needs_no_import():
    """The repository's descriptors are judged in a child process without importing Frictionless."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from govdata.catalog.loader import load;"
        "from govdata.checks.metadata import check_frictionless; from govdata.verdicts import VerdictCache;"
        f"cat, _ = load(Path({str(REPO)!r}), cache=VerdictCache(None));"
        "assert all(check_frictionless(ds) == [] for ds in cat.datasets);"
        "print('frictionless' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_view_uses_normalised_schemas():
    """The package the proof judges is Frictionless's view (schemas normalised), as before."""
    ds = next(d for d in _datasets(REPO) if d.resources and d.resources[0].schema)
    view = frictionless_view(ds)
    assert view["resources"][0]["schema"] == normalise_schema(ds.resources[0].schema)
    assert yaml.safe_dump(view)  # plain data
