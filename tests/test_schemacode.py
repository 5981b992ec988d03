"""The JSON Schemas compiled ahead of time (govdata/schemacode.py, checks/schemagen.py) are what
the generator writes from the schemas of the tree, and never accept what jsonschema refuses:
every descriptor of the catalogue and the corpus, catalog.yaml and each Table Schema, and
variants of them with one value replaced or one key removed, are judged both ways."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest

from govdata import schemacode, verdicts
from govdata.catalog.loader import json_schema, json_schema_path, load
from govdata.catalog.tableschema import normalise_schema
from govdata.checks import profiles, schemagen
from govdata.checks.metadata import frictionless_view
from govdata.verdicts import VerdictCache
from tests.conftest import REPO
from tests.test_gate_corpus import CORPUS

REPLACEMENTS: list[Any] = [None, True, 1, -1.5, "", "2024-02-30", "a@b", "Ab", [1, 1], {}]


def test_generated_module_is_the_generators():
    assert (Path(schemacode.__file__).read_text(encoding="utf-8")) == schemagen.module(), (
        "a schema changed: run `python -m govdata.checks.schemagen`"
    )


def test_every_schema_is_recorded_with_its_file():
    for name, (path, _, _) in schemagen.sources().items():
        assert schemacode.DIGESTS[name] == schemagen.digest(path)
        assert name in schemacode.VALIDATORS


def test_decimals_and_patterns_are_judged_as_fastjsonschemas_own_without_their_imports():
    """The generated module imports neither ``decimal`` nor compiles its expressions at import
    (a cold check's ~2 ms): ``Decimal`` tests as ``decimal.Decimal`` does, each expression is the
    one fastjsonschema compiles, compiled on first use."""
    import decimal

    assert isinstance(decimal.Decimal("1.5"), schemacode.Decimal)
    assert not any(isinstance(v, schemacode.Decimal) for v in (1, 1.5, True, "1", None))
    assert isinstance(decimal.Decimal(2), (int, float, schemacode.Decimal))
    fresh = type(schemacode.REGEX_PATTERNS)(schemacode.REGEX_PATTERNS.sources)
    assert not dict.__len__(fresh)
    for key, source in schemacode.REGEX_PATTERNS.sources.items():
        assert fresh[key] is fresh[key] and fresh[key].pattern == source  # fastjsonschema's (the module test)


def _variants(doc: Any, path: tuple = ()) -> Iterator[Any]:
    """``doc`` with one value replaced by each of REPLACEMENTS, or one key of a mapping removed."""
    yield doc
    for where, value in _leaves(doc):
        for new in REPLACEMENTS:
            if new != value or type(new) is not type(value):
                yield _set(doc, where, new)
        if where and isinstance(_get(doc, where[:-1]), dict):
            changed = copy.deepcopy(doc)
            del _get(changed, where[:-1])[where[-1]]
            yield changed


def _leaves(doc: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _leaves(v, (*path, i))


def _get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(doc)
    _get(changed, path[:-1])[path[-1]] = value
    return changed


def _agree(name: str, source: Path, validator: Any, docs: list[Any]) -> int:
    """Every variant the compiled code accepts, jsonschema accepts; the count of those accepted."""
    accepted = 0
    for doc in docs:
        for variant in _variants(doc):
            if verdicts.proven_valid(name, variant, source):
                accepted += 1
                errors = [e.message for e in validator.iter_errors(variant)]
                assert errors == [], (name, variant)
    return accepted


def _descriptors() -> list[Any]:
    catalog, _ = load(REPO, cache=VerdictCache(None))
    found = [ds.descriptor for ds in catalog.datasets]
    for case in sorted(CORPUS.iterdir()):
        if (case / "datapackage.yaml").is_file():
            from govdata.catalog.safeyaml import load_descriptor

            try:
                found.append(load_descriptor(case / "datapackage.yaml")[0])
            except Exception:
                pass  # a case whose YAML is refused before any schema
    for doc in found:  # two fields of each inline schema: every part of the schema, in seconds
        for res in doc.get("resources", []) if isinstance(doc, dict) else []:
            if isinstance(res, dict) and isinstance(res.get("schema"), dict) and "fields" in res["schema"]:
                res["schema"]["fields"] = res["schema"]["fields"][:2]
    return found


def test_catalog_and_descriptors_agree_with_jsonschema():
    from govdata.catalog.safeyaml import load_descriptor

    catalog_doc = load_descriptor(REPO / "catalog.yaml")[0]
    for key in ("publishers", "themes", "licenses"):  # a few of each: every part of the schema, in seconds
        catalog_doc[key] = catalog_doc[key][:2]
    catalog_doc["publishers"][0]["children"] = catalog_doc["publishers"][0].get("children", [])[:1]
    checker = jsonschema.FormatChecker()
    catalog = jsonschema.Draft202012Validator(json_schema("catalog"), format_checker=checker)
    assert _agree("catalog", json_schema_path("catalog"), catalog, [catalog_doc]) > 50
    dataset = jsonschema.Draft202012Validator(json_schema("dataset"), format_checker=checker)
    docs = _descriptors()
    assert _agree("dataset", json_schema_path("dataset"), dataset, docs[:3] + docs[-8:]) > 500


def test_frictionless_profiles_agree_with_jsonschema():
    catalog, _ = load(REPO, cache=VerdictCache(None))
    data = json.loads(profiles.SNAPSHOT.read_text(encoding="utf-8"))
    schemas = [normalise_schema(r.schema) for ds in catalog.datasets for r in ds.resources if r.schema]
    fields: dict[str, list[Any]] = {}
    for schema in schemas:
        for f in schema["fields"]:
            fields.setdefault(f.get("type", "string"), []).append(f)
    accepted = 0
    for kind, docs in sorted(fields.items()):
        profile = data["fields"][kind]["profile"]
        validator = jsonschema.validators.validator_for(profile)(profile)
        accepted += _agree(f"frictionless.field.{kind}", profiles.SNAPSHOT, validator, docs[:2])
    views = [frictionless_view(ds) for ds in catalog.datasets[:3]]
    for view in views:  # the fields were judged above
        for res in view["resources"]:
            res["schema"]["fields"] = res["schema"]["fields"][:1]
    for kind, docs in (("schema", schemas[:2]), ("package", views), ("resource", [v["resources"][0] for v in views])):
        validator = jsonschema.validators.validator_for(data[kind])(data[kind])
        accepted += _agree(f"frictionless.{kind}", profiles.SNAPSHOT, validator, docs)
    assert accepted > 500


@pytest.mark.parametrize(
    "value", ["2024-01-05", "2024-02-30", "2024-1-05", "２０２４-01-05", "2024-01-05\n", "20240105", "a@b", "ab", ""]
)
def test_formats_are_jsonschemas(value):
    checker = jsonschema.FormatChecker()
    for name, rule in verdicts.FORMATS.items():
        assert rule(value) == checker.conforms(value, name), (name, value)


def test_a_stale_or_unknown_schema_proves_nothing(tmp_path):
    changed = tmp_path / "dataset.json"
    changed.write_bytes(json_schema_path("dataset").read_bytes() + b" ")
    catalog, _ = load(REPO, cache=VerdictCache(None))
    doc = catalog.datasets[0].descriptor
    assert verdicts.proven_valid("dataset", doc, json_schema_path("dataset"))
    assert not verdicts.proven_valid("dataset", doc, changed)
    assert not verdicts.proven_valid("no-such-schema", doc, json_schema_path("dataset"))


def test_generator_rewrites_what_draft7_reads_otherwise_and_refuses_the_unknown():
    ref = {"properties": {"a": {"$ref": "#/$defs/x", "type": "string"}, "b": {"const": 1}}, "$defs": {"x": {}}}
    assert schemagen.prepared(ref) == {
        "properties": {"a": {"allOf": [{"$ref": "#/$defs/x"}, {"type": "string"}]}, "b": {"enum": [1]}},
        "$defs": {"x": {}},
    }
    for refused in ({"prefixItems": [{}]}, {"items": [{}]}, {"$ref": "other.json"}, {"unevaluatedProperties": False}):
        with pytest.raises(ValueError):
            schemagen.prepared({"properties": {"a": refused}})
    assert schemagen.prepared({"title": "t", "item": {}, "type": "object"}) == {"type": "object"}
