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
from govdata.csvlimit import field_size_limit
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


_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．，－＋"}
_CN_DATE = re.compile(r"\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?\s*|\s*\d{4}[/.]\d{1,2}[/.]\d{1,2}\s*")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}([,，]\d{3})+(\.\d+)?")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?")


def _looks_personal(value: str) -> bool:
    """A value never copied into a descriptor: digits enough to be an identity, phone or card number,
    an e-mail address, or a masked value."""
    from govdata.checks.rules.personal_data import BOUNDED as _BOUNDED, holds as _holds

    return bool(re.search(r"\d{6,}|@|\*{3,}", value)) or any(_holds(kind, value) for kind in _BOUNDED)


def _masked_kind(present: list[str]) -> str | None:
    """Every value masked as the gate verifies masking (checks/rules/masking_error.py): the kind of personal data."""
    from govdata.checks.rules.masking_error import MASKED

    for kind in ("id_card", "mobile", "bank_card", "email"):
        if present and all(re.fullmatch(MASKED[kind], v) for v in present):
            return kind
    return None


def _normalised(present: list[str]) -> tuple[str, list[str]] | None:
    """(type, pipeline steps) when every value is a Chinese date, or a number written with
    full-width digits and/or thousands separators, that a declared step turns into a typed value."""
    if not present:
        return None
    iso = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*")
    forms = [v.translate(_FULLWIDTH) for v in present]
    if all(_CN_DATE.fullmatch(v) or iso.fullmatch(v) for v in forms) and any(_CN_DATE.fullmatch(v) for v in forms):
        return "date", ["normalize_chinese_dates"]  # the step leaves ISO dates as they are
    ascii_values = [v.translate(_FULLWIDTH).strip() for v in present]
    fullwidth = any(a != v.strip() for a, v in zip(ascii_values, present))
    thousands = any(_THOUSANDS.fullmatch(a) for a in ascii_values)
    if not (fullwidth or thousands):
        return None
    if not all(_THOUSANDS.fullmatch(a) or _PLAIN_NUMBER.fullmatch(a) for a in ascii_values):
        return None
    plain = [re.sub(r"[,，]", "", a) for a in ascii_values]
    kind = "integer" if all(re.fullmatch(r"[+-]?\d{1,18}", v) for v in plain) else "number"
    steps = (["normalize_fullwidth"] if fullwidth else []) + (["strip_thousands_separators"] if thousands else [])
    return kind, steps


def infer_field(name: str, title: str, values: list[str], rows: int) -> dict[str, Any]:
    present = [v for v in values if v != ""]
    field: dict[str, Any] = {
        "name": name,
        "type": "string",
        "title": title,
        "description": f"{TODO}: 说明「{title}」的含义和单位",
    }
    constraints: dict[str, Any] = {}

    def all_match(pattern: str) -> bool:
        return bool(present) and all(re.fullmatch(pattern, v) for v in present)

    code_like = re.search(r"代码|编码|编号|号码|code|_no$|_id$", f"{name} {title}", re.I)
    lengths = {len(v) for v in present}
    normalised = _normalised(present)
    masked = _masked_kind(present)
    if masked:
        field.update(
            {
                "personal": masked,
                "masked": True,
                "description": f"{TODO}: 确认「{title}」每个值都已脱敏（govdata new 识别为已脱敏的 {masked}）",
            }
        )
    elif normalised:
        field["type"] = normalised[0]
        field["x-normalise"] = normalised[1]  # moved into the pipeline by scaffold()
    elif all_match(r"\d+") and (code_like or (len(lengths) == 1 and min(lengths) >= 6) or all_match(r"0\d+")):
        field["type"] = "string"  # codes keep their leading zeros
        if len(lengths) == 1:
            constraints["pattern"] = f"^\\d{{{lengths.pop()}}}$"
    elif all_match(r"[+-]?(0|[1-9]\d{0,17})"):
        field["type"] = "integer"
    elif all_match(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?") and not all_match(r"0\d+"):
        field["type"] = "number"
    elif all_match(r"\d{4}-\d{2}-\d{2}"):
        field["type"] = "date"
    elif all_match(_DATETIME.pattern):
        field["type"] = "datetime"
    elif all_match(r"true|false|TRUE|FALSE|True|False"):
        field["type"] = "boolean"
    if present and len(present) == len(values):
        constraints["required"] = True
    if field["type"] in ("integer", "number") and present and not normalised and all(float(v) >= 0 for v in present):
        constraints["minimum"] = 0
    if field["type"] == "string" and "pattern" not in constraints and not masked:
        for test, pattern in _PATTERNS:
            if all_match(test):
                constraints["pattern"] = pattern
                break
        distinct = set(present)
        # an enum lists values in a file meant for a public pull request: never personal-looking ones
        if (
            rows >= 20
            and 1 < len(distinct) <= 12
            and "pattern" not in constraints
            and not any(_looks_personal(v) for v in distinct)
        ):
            constraints["enum"] = sorted(distinct)
    if present and len(set(present)) == len(values) and rows > 1 and not masked:
        constraints["unique"] = True
    if constraints:
        field["constraints"] = constraints
    return field


_DELIMITERS = [",", ";", "\t", "|"]
LAYOUT_ROWS = 60  # rows looked at to find the header
SCAFFOLD_CELL_LIMIT = 1 << 30  # a huge cell is the gate's to report (cell-too-large), not a reason to fail here


@field_size_limit(SCAFFOLD_CELL_LIMIT)
def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the sample's lines most consistently into several cells."""
    lines = [line for line in text.splitlines()[:LAYOUT_ROWS] if line.strip()]
    best, score = ",", 0
    for d in _DELIMITERS:
        counts = []
        for line in lines:
            try:
                counts.append(len(next(csv.reader([line], delimiter=d), [])))
            except csv.Error:  # a quote left open on this line: the cells go on past it
                counts.append(0)
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        s = wide.count(mode) * (mode > 1)
        if s > score:
            best, score = d, s
    return best


def _filled(row: list) -> int:
    return sum(1 for c in row if str(c if c is not None else "").strip())


def _numberish(cell: str) -> bool:
    return bool(re.fullmatch(r"[\s+\-.,，０-９0-9%]+|\d{4}[-/年].*", cell.strip()))


def find_header(rows: list[list[str]]) -> tuple[list[int], list[str]]:
    """(header rows, 1-based; rows above them) in the first rows of a sheet or CSV as agencies
    export them: a title row, unit and date lines, then the header, possibly on two rows where
    cells are merged (the second row fills in under a merged group and leaves blank what the
    first row's cells span)."""
    sample = rows[:LAYOUT_ROWS]
    counts = [_filled(r) for r in sample]
    several = [c for c in counts if c >= 2]
    if not several:
        return [1], []
    width = max(set(several), key=several.count)  # the data rows' usual number of cells
    width = max(width, max(several))
    # the first row nearly as wide as the data that is not much narrower than the row after it
    # (a title row "某某局, 2024年" over a three-column table is not the header)
    h = next(
        (
            i
            for i, c in enumerate(counts)
            if c >= max(2, 0.6 * width) and (i + 1 >= len(counts) or c >= 0.8 * counts[i + 1])
        ),
        0,
    )
    header = [h + 1]
    first = [str(c if c is not None else "").strip() for c in sample[h]]
    if h + 1 < len(sample):
        nxt = [str(c if c is not None else "").strip() for c in sample[h + 1]]
        texts = [c for c in nxt if c]
        gaps = [i for i, c in enumerate(first) if not c and i < len(nxt) and nxt[i]]
        if texts and gaps and not any(_numberish(c) for c in texts) and _filled(nxt) < width:
            header.append(h + 2)
    above = [" ".join(str(c).strip() for c in r if str(c if c is not None else "").strip()) for r in sample[:h]]
    return header, [a for a in above if a]


class _Number(str):
    """A numeric Excel cell in the layout sample (its text does not matter there)."""


_NUMBER = _Number("0")


def _excel_layout(source: Path) -> tuple[str, list[list[str]], list[str]]:
    """The sheet to publish (the one with the most filled cells), its first rows as text, notes."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(source))
        sheets = {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=LAYOUT_ROWS * 4)
            for name in wb.sheet_names
        }
    except Exception as exc:  # calamine's own error types
        raise ScaffoldError(f"the workbook cannot be read: {str(exc)[:200]}") from None
    if not sheets:
        raise ScaffoldError("the workbook has no sheet")
    name = max(sheets, key=lambda n: sum(_filled(r) for r in sheets[n]))
    notes = []
    if len(sheets) > 1:
        others = ", ".join(f"「{n}」" for n in sheets if n != name)
        notes.append(
            f"工作簿有 {len(sheets)} 个工作表：使用「{name}」（数据最多），未使用 {others}；"
            "如需发布其他工作表，请另建资源并设置 sheet。"
        )
    rows = [
        [
            ""
            if v is None
            else (
                v
                if isinstance(v, str)
                else _NUMBER
                if isinstance(v, (int, float)) and not isinstance(v, bool)
                else str(v)
            )
            for v in r
        ]
        for r in sheets[name]
    ]
    return name, rows, notes


@field_size_limit(SCAFFOLD_CELL_LIMIT)
def _text_layout(source: Path, tmp: Path) -> tuple[str, list[list[str]], str]:
    from govdata.checks.source import normalise_encoding

    utf8, encoding, findings = normalise_encoding(source, tmp, None, {"file": source.name})
    if utf8 is None:
        raise ScaffoldError("the file cannot be read: " + "; ".join(f.message for f in findings)[:500])
    with utf8.open(encoding="utf-8", newline="") as fh:
        text = fh.read(256 * 1024)
    delimiter = "\t" if source.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    rows = []
    reader = csv.reader(text.splitlines()[:LAYOUT_ROWS], delimiter=delimiter)
    while True:
        try:
            rows.append(next(reader))
        except StopIteration:
            break
        except csv.Error:
            break  # the layout is found in the rows before; the gate reports the rest
    return delimiter, rows, encoding


def scaffold(catalog: Catalog, source: Path, publisher: str, name: str, notes: list[str] | None = None) -> Path:
    """Write datasets/PUBLISHER/NAME from ``source``; ``notes`` receives what was decided about the
    file's layout (sheet, header rows, delimiter, normalising steps), also written into the descriptor."""
    from govdata.catalog.safeyaml import MAX_DESCRIPTOR_BYTES
    from govdata.checks.runner import MAX_SERVED_COLUMNS

    notes = notes if notes is not None else []
    if publisher not in catalog.publishers:
        raise ScaffoldError(f"publisher '{publisher}' is not in catalog.yaml ({', '.join(sorted(catalog.publishers))})")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,98}[a-z0-9]", name):
        raise ScaffoldError(f"name '{name}' must be lower-case letters, digits and hyphens")
    target = catalog.root / "datasets" / publisher / name
    if target.exists():
        raise ScaffoldError(f"{target.relative_to(catalog.root)} already exists")
    fmt = source.suffix.lower().lstrip(".")
    excel = fmt in ("xlsx", "xls")
    raw: dict[str, Any] = {"format": fmt} if excel else {}
    dialect: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if excel:
            sheet, layout_rows, sheet_notes = _excel_layout(source)
            raw["sheet"] = sheet
            notes += sheet_notes
            encoding = "xlsx"
        else:
            delimiter, layout_rows, encoding = _text_layout(source, Path(tmp))
            if delimiter != ",":
                dialect["delimiter"] = delimiter
                notes.append(f"分隔符为「{'制表符' if delimiter == chr(9) else delimiter}」，已写入 dialect。")
        header_rows, above = find_header(layout_rows)
        if header_rows != [1]:
            dialect["headerRows"] = header_rows
            rows_text = "、".join(str(n) for n in header_rows)
            notes.append(
                f"表头在第 {rows_text} 行"
                + ("（合并单元格的两行表头已合并）" if len(header_rows) > 1 else "")
                + (f"；其上各行（{'；'.join(above)[:200]}）不是数据，已跳过。" if above else "。")
            )
        if dialect:
            raw["dialect"] = dialect
        prep = prepare(source, Path(tmp), raw, [], {"file": source.name})
        # rows the gate will report (blank, ragged) do not stop a scaffold: the header and the other rows decide
        errors = [
            f
            for f in prep.findings
            if f.is_error and f.code not in ("blank-row", "blank-label", "extra-cell", "cell-too-large", "missing-cell")
        ]
        if prep.path is None or errors:
            raise ScaffoldError(
                "the file cannot be read: " + "; ".join(f.message for f in (errors or prep.findings))[:500]
            )
        with field_size_limit(SCAFFOLD_CELL_LIMIT), prep.path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = [r for _, r in zip(range(SAMPLE_ROWS), reader) if len(r) == len(header)]
    if len(header) > MAX_SERVED_COLUMNS:
        raise ScaffoldError(
            f"the file has {len(header)} columns; a published table holds at most {MAX_SERVED_COLUMNS} "
            "(SQLite's limit): split it into several files joined on a key, or make it long "
            "(one indicator and value per row)"
        )
    taken: set[str] = set()
    fields = []
    for i, label in enumerate(header):
        fname = ascii_name(label, taken) if label.strip() else f"column_{i + 1}"
        fields.append(infer_field(fname, label.strip() or f"{TODO}: 第 {i + 1} 列", [r[i] for r in rows], len(rows)))
    if excel:  # a text column with number cells: the gate reports each (type-error); say how to fix it
        first_data = header_rows[-1]
        for i, f in enumerate(fields):
            if f["type"] == "string" and any(
                i < len(r) and isinstance(r[i], _Number) for r in layout_rows[first_data:]
            ):
                notes.append(
                    f"列「{f['title']}」是文本，但工作表中有数字格式的单元格：请在 Excel 中把该列设为“文本”格式"
                    "后重新保存（数字会丢失前导零），否则检查会逐行报告类型错误。"
                )
    steps: dict[str, list[str]] = {}
    for f in fields:
        for step in f.pop("x-normalise", []):
            steps.setdefault(step, []).append(f["title"])
        if f.get("personal"):
            notes.append(
                f"字段「{f['title']}」的值均已脱敏（{f['personal']}）：已声明 personal 与 masked: true，请确认。"
            )
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
    title = above[0] if above else f"{TODO}: 表名"
    resource: dict[str, Any] = {
        "name": re.sub(r"[^a-z0-9_-]", "-", name),
        "title": title,
        "description": f"{TODO}: 一句话说明每行是什么"
        + (f"（表头上方的说明：{'；'.join(above[1:])[:300]}）" if above[1:] else ""),
        "path": f"data/{data_name}",
    }
    if excel:
        resource.update({"format": fmt, "sheet": raw["sheet"]})
    if dialect:
        resource["dialect"] = dialect
    if any(f["name"] != f["title"] for f in fields):
        resource["header_labels"] = "titles"  # the file keeps its Chinese headers; they are the field titles
    if encoding not in ("utf-8", "xlsx"):
        resource["encoding"] = encoding
    if steps:
        pipeline = _write_pipeline(catalog.root, name, resource, excel, encoding, dialect, steps)
        for key in ("path", "dialect", "encoding", "format", "sheet"):
            resource.pop(key, None)
        resource["pipeline"] = pipeline
        notes.append(
            "以下列含中文日期、全角数字或千分位，已声明真实类型并生成流程 pipelines/"
            f"{pipeline}.yaml 进行规范化：" + "；".join(f"{k}：{'、'.join(v)}" for k, v in steps.items())
        )
    resource["schema"] = schema
    descriptor = {
        "name": name,
        "title": above[0] if above else f"{TODO}: 中文标题",
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
    if excel:
        notes.insert(0, f"读取工作表「{raw['sheet']}」。")
    header_text = (
        f"# Scaffolded by `govdata new` from {source.name}. Replace every TODO, then run:\n"
        f"#   govdata check datasets/{publisher}/{name}\n# Reference: docs/descriptor.md\n"
        + "".join(f"# {n}\n" for n in notes)
    )
    text = header_text + yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False, width=100)
    if len(text.encode("utf-8")) > MAX_DESCRIPTOR_BYTES:
        shutil.rmtree(target)
        raise ScaffoldError(
            f"the descriptor would be {len(text.encode('utf-8'))} bytes, over the "
            f"{MAX_DESCRIPTOR_BYTES}-byte cap the gate reads: split the table"
        )
    (target / "datapackage.yaml").write_text(text, encoding="utf-8")
    return target


def _write_pipeline(
    root: Path, name: str, resource: dict, excel: bool, encoding: str, dialect: dict, steps: dict[str, list[str]]
) -> str:
    """pipelines/NAME.yaml reading the committed file and normalising the named columns."""
    source: dict[str, Any] = {"step": "read_excel" if excel else "read_csv", "path": resource["path"]}
    if excel:
        source["sheet"] = resource["sheet"]
    elif encoding != "utf-8":
        source["encoding"] = encoding
    if dialect.get("delimiter"):
        source["delimiter"] = dialect["delimiter"]
    if dialect.get("headerRows"):
        source["header_rows"] = dialect["headerRows"]
    spec = {
        "title": f"规范化 {resource['path']}（govdata new 生成）",
        "description": "Normalises the columns named below to machine-readable values before the checks.",
        "steps": [source] + [{"step": step, "fields": fields} for step, fields in steps.items()],
    }
    pipeline = name
    n = 2
    while (root / "pipelines" / f"{pipeline}.yaml").exists():
        pipeline, n = f"{name}-{n}", n + 1
    (root / "pipelines").mkdir(exist_ok=True)
    (root / "pipelines" / f"{pipeline}.yaml").write_text(
        yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    return pipeline
