"""``govdata new``: scaffold a dataset folder from a CSV or Excel file.

The Table Schema is inferred from the data (types, required, enum, unique, minimum,
patterns for codes); Chinese headers become ASCII field names (pinyin) with the
original kept as the field title. Everything a person must still decide is written
as ``TODO``, which ``govdata check`` reports as ``metadata-todo`` until it is filled in.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pypinyin import lazy_pinyin

from govdata.catalog.model import Catalog
from govdata.checks.source import prepare
from govdata.errors import GovdataError

SAMPLE_ROWS = 100_000
TODO = "TODO"
_PATTERNS = [
    (r"^\d{6}$", "^\\d{6}$"),
    (r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", "^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
]


class ScaffoldError(GovdataError):
    pass


def ascii_name(label: str, taken: set[str]) -> str:
    words = lazy_pinyin(label.strip())
    name = "_".join(w for w in (re.sub(r"[^a-z0-9]+", "_", w.lower()).strip("_") for w in words) if w)
    name = re.sub(r"_+", "_", name).strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def infer_field(name: str, title: str, values: list[str], rows: int) -> dict[str, Any]:
    present = [v for v in values if v != ""]
    field: dict[str, Any] = {"name": name, "type": "string", "title": title, "description": f"{TODO}: 说明「{title}」的含义和单位"}
    constraints: dict[str, Any] = {}

    def all_match(pattern: str) -> bool:
        return bool(present) and all(re.fullmatch(pattern, v) for v in present)

    code_like = re.search(r"代码|编码|编号|号码|code|_no$|_id$", f"{name} {title}", re.I)
    lengths = {len(v) for v in present}
    if all_match(r"\d+") and (code_like or (len(lengths) == 1 and min(lengths) >= 6) or all_match(r"0\d+")):
        field["type"] = "string"  # codes keep their leading zeros
        if len(lengths) == 1:
            constraints["pattern"] = f"^\\d{{{lengths.pop()}}}$"
    elif all_match(r"[+-]?(0|[1-9]\d{0,17})"):
        field["type"] = "integer"
    elif all_match(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?") and not all_match(r"0\d+"):
        field["type"] = "number"
    elif all_match(r"\d{4}-\d{2}-\d{2}"):
        field["type"] = "date"
    elif all_match(r"true|false|TRUE|FALSE|True|False"):
        field["type"] = "boolean"
    if present and len(present) == len(values):
        constraints["required"] = True
    if field["type"] in ("integer", "number") and present and all(float(v) >= 0 for v in present):
        constraints["minimum"] = 0
    if field["type"] == "string" and "pattern" not in constraints:
        for test, pattern in _PATTERNS:
            if all_match(test):
                constraints["pattern"] = pattern
                break
        distinct = set(present)
        if rows >= 20 and 1 < len(distinct) <= 12 and "pattern" not in constraints:
            constraints["enum"] = sorted(distinct)
    if present and len(set(present)) == len(values) and rows > 1:
        constraints["unique"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def scaffold(catalog: Catalog, source: Path, publisher: str, name: str) -> Path:
    if publisher not in catalog.publishers:
        raise ScaffoldError(f"publisher '{publisher}' is not in catalog.yaml ({', '.join(sorted(catalog.publishers))})")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,98}[a-z0-9]", name):
        raise ScaffoldError(f"name '{name}' must be lower-case letters, digits and hyphens")
    target = catalog.root / "datasets" / publisher / name
    if target.exists():
        raise ScaffoldError(f"{target.relative_to(catalog.root)} already exists")
    fmt = source.suffix.lower().lstrip(".")
    raw: dict[str, Any] = {"format": fmt} if fmt in ("xlsx", "xls") else {}
    with tempfile.TemporaryDirectory() as tmp:
        prep = prepare(source, Path(tmp), raw, [], {"file": source.name})
        errors = [f for f in prep.findings if f.is_error and f.code not in ("blank-row",)]
        if prep.path is None or errors:
            raise ScaffoldError("the file cannot be read: " + "; ".join(f.message for f in (errors or prep.findings))[:500])
        with prep.path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = [r for _, r in zip(range(SAMPLE_ROWS), reader) if len(r) == len(header)]
    taken: set[str] = set()
    fields = []
    for i, label in enumerate(header):
        fname = ascii_name(label, taken) if label.strip() else f"column_{i + 1}"
        fields.append(infer_field(fname, label.strip() or f"{TODO}: 第 {i + 1} 列", [r[i] for r in rows], len(rows)))
    schema: dict[str, Any] = {"fields": fields}
    unique = [f["name"] for f in fields if f.get("constraints", {}).get("unique")]
    if unique:
        schema["primaryKey"] = [unique[0]]
        fields[[f["name"] for f in fields].index(unique[0])]["constraints"].pop("unique")
    pub = catalog.publishers[publisher]
    (target / "data").mkdir(parents=True)
    data_name = re.sub(r"[^A-Za-z0-9._-]", "_", source.name) if not source.name.isascii() else source.name
    if not re.search(r"[A-Za-z0-9]", Path(data_name).stem):
        data_name = f"{name}{source.suffix.lower()}"
    shutil.copy(source, target / "data" / data_name)
    resource: dict[str, Any] = {"name": re.sub(r"[^a-z0-9_-]", "-", name), "title": f"{TODO}: 表名",
                                "description": f"{TODO}: 一句话说明每行是什么", "path": f"data/{data_name}"}
    if raw:
        resource.update({"format": fmt, "sheet": 1, "header_row": 1})
    if any(f["name"] != f["title"] for f in fields):
        resource["header_labels"] = "titles"  # the file keeps its Chinese headers; they are the field titles
    if prep.encoding not in ("utf-8", "xlsx"):
        resource["encoding"] = prep.encoding
    resource["schema"] = schema
    descriptor = {
        "name": name,
        "title": f"{TODO}: 中文标题",
        "title_en": f"{TODO}: English title",
        "description": f"{TODO}: 用两三句话说明数据内容、范围、来源和用途；合成数据须注明。",
        "version": "1.0.0",
        "publisher": publisher,
        "themes": [TODO],
        "keywords": [f"{TODO}"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "open_condition": {"type": "unconditional"},
        "update_frequency": TODO,
        "issued": TODO,
        "modified": TODO,
        "contact": {"name": pub.contact.get("name", TODO), "email": pub.contact.get("email", TODO)},
        "review": {"reviewer": TODO, "date": TODO, "basis": TODO},
        "resources": [resource],
    }
    header_text = (f"# Scaffolded by `govdata new` from {source.name}. Replace every TODO, then run:\n"
                   f"#   govdata check datasets/{publisher}/{name}\n# Reference: docs/descriptor.md\n")
    (target / "datapackage.yaml").write_text(
        header_text + yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return target
