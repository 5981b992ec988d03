"""Writes ``govdata/schemacode.py``: the gate's JSON Schemas compiled ahead of time into Python.

A cold gate imports ``jsonschema`` (with ``referencing``, ``attrs`` and its format checkers) only
to learn that catalog.yaml, a descriptor and its Table Schemas are valid, which they nearly always
are: a tenth of a second of a run that takes a third of one. ``fastjsonschema.compile_to_code``
turns a schema into plain Python that needs nothing but ``re``; :func:`govdata.verdicts.proven_valid`
runs it, and ``jsonschema`` is imported only when that code says *invalid* (it then writes the
findings, so messages never change).

The compiled code is trusted only for a valid verdict, so it must never accept what ``jsonschema``
(Draft 2020-12, the one that judges these schemas) refuses. What is compiled:

- the platform's schemas ``catalog/jsonschema/{catalog,dataset}-1.0.json`` (with jsonschema's
  format checker: ``date`` and ``email`` are given as jsonschema's own rules, see
  ``verdicts.FORMATS``);
- Frictionless's profiles of ``checks/frictionless_profiles.json`` (no format checker, as
  Frictionless builds them; :mod:`govdata.checks.profiles`).

Rewritten before compiling, without changing what they accept: ``$ref`` beside other keywords
(fastjsonschema follows Draft 7 and ignores them; 2020-12 applies them) becomes an ``allOf``,
``const: X`` becomes ``enum: [X]`` (the same test in jsonschema). A keyword the two libraries
might read differently refuses to compile (:data:`KEYWORDS` lists those checked to agree).
Defaults are never filled in (``use_default=False``).

``python -m govdata.checks.schemagen`` writes the module; ``tests/test_schemacode.py`` fails when
it is not what this writes from the schemas of the tree (each is recorded with its sha256, and a
changed schema file is never judged by stale code: ``proven_valid`` compares the digests).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from govdata.catalog.loader import json_schema_path
from govdata.checks.profiles import SNAPSHOT

TARGET = Path(__file__).resolve().parents[1] / "schemacode.py"

# keywords whose meaning fastjsonschema's generated code shares with jsonschema's Draft 2020-12
# validator (or is stricter, which only sends a document to jsonschema)
KEYWORDS = {
    "type", "enum", "const", "required", "properties", "items", "allOf", "anyOf", "oneOf", "not",
    "if", "then", "else", "pattern", "format", "minLength", "maxLength", "minItems", "maxItems",
    "uniqueItems", "minimum", "maximum", "$ref", "$defs", "definitions",
}  # fmt: skip
# the other keywords of the drafts: refused until checked (any further key is an annotation, or
# unknown, which both libraries ignore: Frictionless's profiles have an ``item`` beside ``items``)
REFUSED = {
    "additionalProperties", "patternProperties", "propertyNames", "minProperties", "maxProperties",
    "dependencies", "dependentRequired", "dependentSchemas", "prefixItems", "additionalItems",
    "contains", "minContains", "maxContains", "unevaluatedItems", "unevaluatedProperties",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "$dynamicRef", "$dynamicAnchor",
    "$recursiveRef", "$recursiveAnchor", "$anchor", "$vocabulary", "contentEncoding",
    "contentMediaType", "contentSchema",
}  # fmt: skip
_SCHEMA_MAPS = {"properties", "$defs", "definitions"}
_SCHEMA_LISTS = {"allOf", "anyOf", "oneOf"}
_SCHEMAS = {"not", "if", "then", "else", "items"}


def sources() -> dict[str, tuple[Path, Any, bool]]:
    """Every schema compiled: name -> (the file it comes from, the schema, with formats)."""
    out: dict[str, tuple[Path, Any, bool]] = {}
    for kind in ("catalog", "dataset"):
        path = json_schema_path(kind)
        out[kind] = (path, json.loads(path.read_text("utf-8")), True)
    profiles = json.loads(SNAPSHOT.read_text("utf-8"))
    for kind in ("package", "resource", "dialect", "schema"):
        out[f"frictionless.{kind}"] = (SNAPSHOT, profiles[kind], False)
    for kind, spec in sorted(profiles["fields"].items()):
        out[f"frictionless.field.{kind}"] = (SNAPSHOT, spec["profile"], False)
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepared(schema: Any, where: str = "#") -> Any:
    """``schema`` rewritten for fastjsonschema (see the module's docstring); refuses a keyword
    not known to mean the same in both libraries."""
    if not isinstance(schema, dict):
        if isinstance(schema, bool):
            return schema
        raise ValueError(f"{where}: a schema must be an object or a boolean")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in REFUSED:
            raise ValueError(f"{where}: keyword {key!r} is not known to agree between fastjsonschema and jsonschema")
        if key not in KEYWORDS:
            continue  # an annotation
        if key in _SCHEMA_MAPS:
            value = {name: prepared(sub, f"{where}/{key}/{name}") for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            value = [prepared(sub, f"{where}/{key}/{i}") for i, sub in enumerate(value)]
        elif key in _SCHEMAS:
            if not isinstance(value, (dict, bool)):
                raise ValueError(f"{where}/{key}: only a schema (not a list) is read the same way")
            value = prepared(value, f"{where}/{key}")
        elif key == "$ref" and not (isinstance(value, str) and value.startswith("#")):
            raise ValueError(f"{where}: only references inside the document are compiled")
        elif key == "const":
            key, value = "enum", [value]
        out[key] = value
    if "$ref" in out and len(out) > 1 and where != "#":
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}, out]}
    if where == "#" and "$ref" in out:
        raise ValueError("#: a reference at the top is not compiled")
    return out


_HEADER = re.compile(r"\A.*?^NoneType = type\(None\)\n", re.S | re.M)


def compiled(name: str, schema: Any, formats: bool) -> tuple[dict[str, str], str]:
    """(regular expressions, functions) of one schema, its functions named after ``name``."""
    import fastjsonschema

    body = prepared(schema)
    ident = "v_" + re.sub(r"\W", "_", name)
    body["$id"] = f"urn:{ident}"  # names the generated functions; every reference is local
    stub = {"date": lambda s: True, "email": lambda s: True}
    code = fastjsonschema.compile_to_code(
        body, formats=stub if formats else {}, use_formats=formats, use_default=False, detailed_exceptions=False
    )
    head = _HEADER.match(code)
    if head is None:
        raise ValueError(f"{name}: fastjsonschema's output has an unexpected header")
    namespace: dict[str, Any] = {}
    exec(code[: head.end()], namespace)  # the header: imports and the compiled expressions
    patterns = {}
    for key, pattern in namespace["REGEX_PATTERNS"].items():
        if pattern.flags != re.compile("").flags:
            raise ValueError(f"{name}: pattern {key!r} compiled with flags")
        patterns[repr(key)] = repr(pattern.pattern)
    return patterns, code[head.end() :]


def module() -> str:
    import fastjsonschema

    patterns: dict[str, str] = {}
    functions, entries, digests = [], [], []
    for name, (path, schema, formats) in sources().items():
        found, code = compiled(name, schema, formats)
        patterns.update(found)
        functions.append(code.strip() + "\n")
        first = re.search(r"^def (\w+)\(", code, re.M)
        assert first is not None
        entries.append(f"    {name!r}: {first[1]},")
        digests.append(f"    {name!r}: {digest(path)!r},")
    lines = [
        '"""GENERATED by ``python -m govdata.checks.schemagen`` from the gate\'s JSON Schemas with',
        f"fastjsonschema {fastjsonschema.VERSION}: do not edit. See :mod:`govdata.checks.schemagen`;",
        'run through :func:`govdata.verdicts.proven_valid`."""',
        "# mypy: ignore-errors",
        "import re",
        "import sys",
        "",
        "",
        "class JsonSchemaValueException(ValueError):",
        '    """The document is not valid (the message is not kept: jsonschema writes the findings)."""',
        "",
        "",
        "class _DecimalType(type):",
        "    def __instancecheck__(cls, value):",
        '        decimal = sys.modules.get("decimal")',
        "        return decimal is not None and isinstance(value, decimal.Decimal)",
        "",
        "",
        "class Decimal(metaclass=_DecimalType):",
        '    """``decimal.Decimal`` to ``isinstance`` without importing ``decimal`` (a cold check\'s documents',
        '    hold none): a value is a Decimal only once ``decimal`` is imported."""',
        "",
        "",
        "class _Patterns(dict):",
        '    """The compiled expressions, each compiled when first used (from its source)."""',
        "",
        "    def __init__(self, sources):",
        "        super().__init__()",
        "        self.sources = sources",
        "",
        "    def __missing__(self, key):",
        "        compiled = self[key] = re.compile(self.sources[key])",
        "        return compiled",
        "",
        "",
        "JsonSchemaValuesException = JsonSchemaValueException",
        "NoneType = type(None)",
        "REGEX_PATTERNS = _Patterns({",
        *(f"    {key}: {value}," for key, value in sorted(patterns.items())),
        "})",
        "",
        "",
        "\n\n".join(functions),
        "",
        "# each schema's validator, and the sha256 of the file it was compiled from",
        "VALIDATORS = {",
        *entries,
        "}",
        "DIGESTS = {",
        *digests,
        "}",
        "",
    ]
    return "\n".join(lines)


def write(path: Path = TARGET) -> None:
    path.write_text(module(), encoding="utf-8")


if __name__ == "__main__":
    write()
    print(f"wrote {TARGET}")
