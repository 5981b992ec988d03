"""Descriptor checks: the catalogue's JSON Schema, Frictionless metadata rules, and
cross-references into catalog.yaml (publisher tree, themes, licences, pipelines)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

from govdata.catalog.loader import json_schema, json_schema_path
from govdata.catalog.model import Catalog, Dataset, Resource
from govdata import verdicts
from govdata.checks import profiles
from govdata.checks.descriptor_text import check_descriptor_text
from govdata.findings import Finding
from govdata.catalog.tableschema import normalise_schema

_VALIDATOR_CODES = {
    "required": "metadata-required",
    "type": "metadata-type",
    "enum": "metadata-enum",
    "const": "metadata-enum",
    "format": "metadata-format",
    "pattern": "metadata-format",
}

_dataset_validator = None


def dataset_validator() -> Any:  # a jsonschema.Draft202012Validator (jsonschema ships no types)
    """The descriptor's JSON Schema validator (``jsonschema`` is imported only when a verdict is not cached)."""
    global _dataset_validator
    if _dataset_validator is None:
        import jsonschema

        _dataset_validator = jsonschema.Draft202012Validator(
            json_schema("dataset"), format_checker=jsonschema.FormatChecker()
        )
    return _dataset_validator


def _at(ds: Dataset, code: str, message: str, key_path: tuple = (), **extra: Any) -> Finding:
    key = ".".join(str(p) for p in key_path) or None
    return Finding(code, message, file=ds.rel_file, dataset=ds.name, key=key, line=ds.line(*key_path), **extra)


def _leaf_errors(error) -> Iterator:
    # if/then and allOf wrap the useful error; report the leaves
    if error.context:
        for sub in error.context:
            yield from _leaf_errors(sub)
    else:
        yield error


def check_json_schema(ds: Dataset, cache: verdicts.VerdictCache | None = None) -> list[Finding]:
    """The descriptor against the platform's JSON Schema, memoised in ``cache`` when given
    (:mod:`govdata.verdicts`)."""
    directory = cache.directory("jsonschema") if cache is not None else None
    digest = (
        verdicts.key(
            verdicts.version("jsonschema"),
            ds.rel_file,
            ds.descriptor_file.read_bytes(),
            json.dumps(ds.descriptor, sort_keys=True, default=str),
            json_schema_path("dataset").read_bytes(),
        )
        if directory
        else ""
    )
    return verdicts.memoised(directory, digest, lambda: _json_schema_findings(ds))


def _json_schema_findings(ds: Dataset) -> list[Finding]:
    if verdicts.proven_valid("dataset", ds.descriptor, json_schema_path("dataset")):
        return []  # jsonschema not imported (govdata.checks.schemagen)
    out = []
    errors = sorted(dataset_validator().iter_errors(ds.descriptor), key=lambda e: [str(p) for p in e.absolute_path])
    for top in errors:
        for err in _leaf_errors(top):
            path = tuple(err.absolute_path)
            code = _VALIDATOR_CODES.get(err.validator, "metadata-invalid")
            message = err.message
            if err.validator == "required":
                missing = message.split("'")[1] if "'" in message else message
                path_to = path + (missing,)
                if missing == "review" or (path and path[0] == "review"):
                    code = "review-missing"
                message = f"required key '{'.'.join(map(str, path_to))}' is missing"
                out.append(_at(ds, code, message, path_to))
                continue
            if len(message) > 200:
                message = message[:200] + "…"
            where = ".".join(map(str, path)) or "(top)"
            out.append(_at(ds, code, f"{where}: {message}", path))
    return out


def frictionless_view(ds: Dataset) -> dict[str, Any]:
    """The descriptor as Frictionless sees it: schemas resolved and normalised."""
    desc = copy.deepcopy(ds.descriptor)
    resources = []
    for res in ds.resources:
        raw = copy.deepcopy(res.raw)
        raw["schema"] = normalise_schema(res.schema, keep_labels=True) if res.schema else {"fields": []}
        # paths are checked by govdata.catalog.paths (repository containment, no URLs)
        raw["path"] = f"{res.name}.{res.format}"
        raw.pop("data", None)  # inline data: refused apart ("needs a path"), not also as "path and data"
        raw.pop("hash", None)  # checked against the bytes by the table checks
        resources.append(raw)
    desc["resources"] = resources
    return desc


def check_frictionless(ds: Dataset) -> list[Finding]:
    """Frictionless is the authority on Table Schema and Data Package descriptors. A descriptor
    its profiles and rules surely accept is proven so without importing it (:mod:`.profiles`,
    half a second of a cold gate); any other is judged by Frictionless itself."""
    proven = _proven(ds)
    return proven if proven is not None else _frictionless_findings(ds)


def _no_schema(ds: Dataset, res: Resource) -> Finding:
    return _at(ds, "schema-error", f"resource {res.name}: no schema", ("resources", res.index), resource=res.name)


def _proven(ds: Dataset) -> list[Finding] | None:
    """Frictionless's findings when :mod:`.profiles` can prove them (none, or only missing schemas)."""
    missing = [_no_schema(ds, res) for res in ds.resources if res.schema is None and res.schema_ref is None]
    for res in ds.resources:
        if res.schema is not None and profiles.schema_ok(normalise_schema(res.schema, keep_labels=True)) is not True:
            return None
    if missing:
        return missing
    if profiles.package_ok(frictionless_view(ds), schemas_proven=all(res.schema for res in ds.resources)) is not True:
        return None
    return []


def _frictionless_findings(ds: Dataset) -> list[Finding]:
    """Frictionless's own verdict (imported here, not at module level: a slow import)."""
    from frictionless import FrictionlessException, Package, Schema
    from frictionless.metadata.context import ValidationContext

    # the Data Package version the dataset's "$schema" declares (v1 when none) is imposed on its
    # schemas, as Frictionless imposes it from the package: v2 keys (exclusiveMinimum, missing
    # values with labels) are refused under v1 only
    version = Package.effective_datapackage_version(ds.descriptor, None)
    out = []
    for res in ds.resources:
        if res.schema is None:
            if res.schema_ref is None:
                out.append(_no_schema(ds, res))
            continue
        try:
            errors = list(
                Schema.metadata_validate(
                    normalise_schema(res.schema, keep_labels=True),
                    context=ValidationContext(datapackage_version=version),
                )
            )
        except FrictionlessException as exc:
            errors = [exc.error]
        for err in errors:
            out.append(
                _at(
                    ds,
                    "schema-error",
                    f"resource {res.name}: {err.note or err.message}",
                    ("resources", res.index, "schema"),
                    resource=res.name,
                )
            )
    if out:
        return out
    try:
        errors = list(Package.metadata_validate(frictionless_view(ds)))
    except FrictionlessException as exc:
        errors = [exc.error]
    for err in errors:
        code = err.type if err.type in ("package-error", "resource-error", "schema-error") else "package-error"
        out.append(_at(ds, code, err.note or err.message))
    return out


def _verdict_key(ds: Dataset) -> str:
    """Everything a verdict depends on: the descriptor's bytes (its findings carry line numbers),
    its path, the resolved schemas, and the Frictionless and platform versions."""
    return verdicts.key(
        verdicts.version("frictionless"),
        ds.rel_file,
        ds.descriptor_file.read_bytes(),
        json.dumps([res.schema for res in ds.resources], sort_keys=True, default=str),
    )


def cached_frictionless(ds: Dataset, cache_dir: Path | None) -> list[Finding]:
    """:func:`check_frictionless`, memoised on disk (:mod:`govdata.verdicts`)."""
    return verdicts.memoised(cache_dir, _verdict_key(ds) if cache_dir else "", lambda: check_frictionless(ds))


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def check_references(catalog: Catalog, ds: Dataset) -> list[Finding]:
    out = []
    d = ds.descriptor
    if isinstance(d.get("name"), str) and d["name"] != ds.folder:
        out.append(
            _at(ds, "dataset-name-mismatch", f"name '{d['name']}' differs from its folder '{ds.folder}'", ("name",))
        )
    publisher = d.get("publisher")
    if isinstance(publisher, str):
        if publisher not in catalog.publishers:
            out.append(_at(ds, "unknown-publisher", f"publisher '{publisher}' is not in catalog.yaml", ("publisher",)))
        elif publisher != ds.publisher_folder:
            out.append(
                _at(
                    ds,
                    "unknown-publisher",
                    f"publisher '{publisher}' differs from the folder datasets/{ds.publisher_folder}/",
                    ("publisher",),
                )
            )
    for i, theme in enumerate(d.get("themes") or []):
        if isinstance(theme, str) and theme not in catalog.themes:
            out.append(_at(ds, "unknown-theme", f"theme '{theme}' is not in the taxonomy", ("themes", i)))
    for i, lic in enumerate(d.get("licenses") or []):
        name = lic.get("name") if isinstance(lic, dict) else None
        if isinstance(name, str) and name not in catalog.licenses:
            out.append(
                _at(ds, "unknown-license", f"licence '{name}' is not allowed by catalog.yaml", ("licenses", i, "name"))
            )
    issued, modified = _date(d.get("issued")), _date(d.get("modified"))
    if issued and modified and modified < issued:
        out.append(_at(ds, "date-order", f"modified {modified} is before issued {issued}", ("modified",)))
    temporal_raw = d.get("temporal")
    temporal = temporal_raw if isinstance(temporal_raw, dict) else {}
    start, end = _date(temporal.get("start")), _date(temporal.get("end"))
    if start and end and end < start:
        out.append(_at(ds, "date-order", f"temporal.end {end} is before temporal.start {start}", ("temporal", "end")))
    if ds.open_type == "not_open":
        for res in ds.resources:
            if res.raw.get("path") or res.raw.get("pipeline"):
                out.append(
                    _at(
                        ds,
                        "open-condition-error",
                        f"resource {res.name}: a not_open dataset must not carry data (remove path/pipeline)",
                        ("resources", res.index),
                        resource=res.name,
                    )
                )
    else:
        # Frictionless passes a package without resources: nothing would be published (entries that
        # are not resources are the JSON Schema's metadata-type findings)
        if ds.descriptor.get("resources") == []:
            out.append(
                _at(
                    ds,
                    "open-condition-error",
                    f"the dataset (open_condition {ds.open_type}) has no resources: add its data, or declare it not_open with its legal_basis",
                    ("resources",),
                )
            )
        for res in ds.resources:
            if not res.raw.get("path") and not res.raw.get("pipeline"):
                out.append(
                    _at(
                        ds,
                        "resource-error",
                        f"resource {res.name}: needs a path or a pipeline",
                        ("resources", res.index),
                        resource=res.name,
                    )
                )
    for res in ds.resources:
        names = set(res.field_names)
        for key in ("filterable", "facets"):
            for i, fname in enumerate(res.raw.get(key) or []):
                if fname not in names:
                    out.append(
                        _at(
                            ds,
                            "filter-unknown-field",
                            f"resource {res.name}: {key} names unknown field '{fname}'",
                            ("resources", res.index, key, i),
                            resource=res.name,
                        )
                    )
        if res.pipeline and not any(
            (catalog.root / "pipelines" / f"{res.pipeline}{ext}").is_file() for ext in (".yaml", ".yml")
        ):
            out.append(
                _at(
                    ds,
                    "pipeline-unknown",
                    f"resource {res.name}: pipeline '{res.pipeline}' not in pipelines/",
                    ("resources", res.index, "pipeline"),
                    resource=res.name,
                )
            )
    return out


def check_duplicates(catalog: Catalog) -> list[Finding]:
    counts = Counter(ds.name for ds in catalog.datasets)
    return [
        _at(ds, "dataset-name-duplicate", f"dataset name '{ds.name}' is used {counts[ds.name]} times", ("name",))
        for ds in catalog.datasets
        if counts[ds.name] > 1
    ]


REQUIRED_KEYS = (
    "name",
    "title",
    "description",
    "version",
    "publisher",
    "themes",
    "licenses",
    "open_condition",
    "update_frequency",
    "issued",
    "modified",
    "contact",
    "resources",
)
RECOMMENDED_KEYS = ("title_en", "description_en", "keywords", "temporal", "spatial", "sources")
MIN_DESCRIPTION = 30


def completeness(ds: Dataset) -> float:
    """Share of required and recommended keys present (0–1), plus field titles and descriptions."""
    d = ds.descriptor
    keys = REQUIRED_KEYS + RECOMMENDED_KEYS
    present = sum(1 for k in keys if d.get(k) not in (None, "", [], {}))
    fields = [f for res in ds.resources for f in res.fields]
    documented = sum(1 for f in fields if f.get("title") and f.get("description"))
    score = present / len(keys)
    if fields:
        score = 0.8 * score + 0.2 * documented / len(fields)
    return round(score, 3)


def _todos(value: Any, path: tuple) -> Iterator[tuple]:
    if isinstance(value, str) and value.strip().startswith("TODO"):
        yield path
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _todos(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _todos(v, path + (i,))


def check_quality(ds: Dataset) -> list[Finding]:
    d = ds.descriptor
    out = [_at(ds, "metadata-todo", f"{'.'.join(map(str, p))} is still TODO", p) for p in _todos(d, ())]
    for res in ds.resources:
        if res.schema_ref is None:
            continue
        for f in res.fields:
            for p in _todos(f, ()):
                out.append(
                    _at(
                        ds,
                        "metadata-todo",
                        f"resource {res.name}: field {f.get('name')} {'.'.join(map(str, p))} is still TODO",
                        ("resources", res.index, "schema"),
                        resource=res.name,
                    )
                )
    for key in RECOMMENDED_KEYS:
        if d.get(key) in (None, "", [], {}):
            out.append(_at(ds, "metadata-recommended", f"recommended key '{key}' is missing", (key,)))
    desc = d.get("description")
    if isinstance(desc, str) and len("".join(desc.split())) < MIN_DESCRIPTION:
        out.append(
            _at(
                ds,
                "description-short",
                f"description has {len(''.join(desc.split()))} characters; at least {MIN_DESCRIPTION} are expected",
                ("description",),
            )
        )
    return out


def check_dataset_metadata(catalog: Catalog, ds: Dataset, frictionless: bool = True) -> list[Finding]:
    return (
        check_json_schema(ds, catalog.verdicts)
        + (check_frictionless(ds) if frictionless else [])
        + check_references(catalog, ds)
        + check_quality(ds)
        + check_descriptor_text(ds)
    )
