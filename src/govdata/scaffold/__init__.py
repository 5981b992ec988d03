"""``govdata new``: scaffold a dataset folder from a CSV or Excel file.

The Table Schema is inferred from the data (types, required, enum, unique, minimum,
patterns for codes); Chinese headers become ASCII field names (pinyin) with the
original kept as the field title. Everything a person must still decide is written
as ``TODO``, which ``govdata check`` reports as ``metadata-todo`` until it is filled in.
"""

from __future__ import annotations

import collections
import csv
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from govdata.catalog.model import Catalog
from govdata.checks.rules import lost_digits, negative_list_field
from govdata.checks.source import prepare
from govdata.checks.structure import MISSING_CELL
from govdata.csvlimit import field_size_limit
from govdata.sheets import fill_merged
from govdata.scaffold.infer import SAMPLE_ROWS, TODO, ascii_name, infer_field, names_column, placeholders, redact
from govdata.scaffold.layout import (
    FOOTER_ROWS,
    SCAFFOLD_CELL_LIMIT,
    LostDigits,
    DateCell,
    NumberCell,
    ScaffoldError,
    excel_layout,
    find_header,
    side_columns,
    footer_rows,
    summary_row,
    text_layout,
    WESTERN,
)

__all__ = ["ScaffoldError", "scaffold"]

_COMPRESSED = frozenset({"gz", "gzip", "zip", "bz2", "xz", "7z", "rar", "tgz"})
# formats agencies export that are not a table the gate reads (JSON resources are not supported)
_NOT_TABLES = frozenset({"json", "geojson", "xml", "pdf", "doc", "docx", "ods", "parquet", "sav", "dbf", "mdb"})


def scaffold(catalog: Catalog, source: Path, publisher: str, name: str, notes: list[str] | None = None) -> Path:
    """Write datasets/PUBLISHER/NAME from ``source``; ``notes`` receives what was decided about the
    file's layout (sheet, header rows, delimiter, normalising steps), also written into the descriptor."""
    from govdata.catalog.safeyaml import MAX_DESCRIPTOR_BYTES
    from govdata.checks.declared import MAX_SERVED_COLUMNS

    notes = notes if notes is not None else []
    if publisher not in catalog.publishers:
        raise ScaffoldError(f"publisher '{publisher}' is not in catalog.yaml ({', '.join(sorted(catalog.publishers))})")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,98}[a-z0-9]", name):
        raise ScaffoldError(f"name '{name}' must be lower-case letters, digits and hyphens")
    target = catalog.root / "datasets" / publisher / name
    if target.exists():
        raise ScaffoldError(f"{target.relative_to(catalog.root)} already exists")
    # names are the catalogue's keys (URLs, tables, downloads): a folder of that name under another
    # publisher is the same name (the gate holds each dataset's name to its folder's)
    taken_by = sorted((catalog.root / "datasets").glob(f"*/{name}/datapackage.*"))
    if taken_by:
        where = taken_by[0].parent.relative_to(catalog.root)
        raise ScaffoldError(f"the catalogue already has a dataset named '{name}' ({where})")
    fmt = source.suffix.lower().lstrip(".")
    if fmt in _COMPRESSED:  # read as text they were "not valid UTF-8 … not a recognised GB18030 file"
        raise ScaffoldError(
            f"{source.name} is compressed ({fmt}): decompress it and run govdata new on the CSV or Excel file; "
            "the descriptor may then point at the compressed file with compression: gz or zip (docs/descriptor.md)"
        )
    if fmt in _NOT_TABLES:
        raise ScaffoldError(
            f"{source.name}: a .{fmt} file is not read by the platform; save the table as CSV (UTF-8) or Excel (.xlsx)"
        )
    excel = fmt in ("xlsx", "xls")
    raw: dict[str, Any] = {"format": fmt} if excel else {}
    dialect: dict[str, Any] = {}
    merged: list[Any] = []
    beside = False  # a note beside the table, below its header
    with tempfile.TemporaryDirectory() as tmp:
        if excel:
            sheet, layout_rows, sheet_notes, merged = excel_layout(source)
            raw["sheet"] = sheet
            notes += sheet_notes
            encoding = "xlsx"
        else:
            delimiter, layout_rows, encoding = text_layout(source, Path(tmp))
            if encoding in WESTERN.values():  # not detected by the gate: declared for it to read the file so
                raw["encoding"] = encoding
                notes.append(
                    f"文件不是 UTF-8、GB18030/GBK 或 UTF-16：检测为 {encoding}（西文单字节编码），已按此读取并声明 "
                    f"encoding: {encoding}；请确认文字无误（如 é、ü），最好另存为 UTF-8 后重新运行 govdata new。"
                )
            if delimiter != ",":
                dialect["delimiter"] = delimiter
                notes.append(f"分隔符为「{'制表符' if delimiter == chr(9) else delimiter}」，已写入 dialect。")
        header_rows, above = find_header(layout_rows, merged)
        for j in side_columns(layout_rows):
            n, text = next(
                (n, str(r[j])) for n, r in enumerate(layout_rows, start=1) if j < len(r) and str(r[j]).strip()
            )
            if n > header_rows[-1]:
                beside = True
                notes.append(
                    f"第 {n} 行第 {j + 1} 列的「{redact(text)[:40]}」在表格之外：表格因此多出没有表头的列，检查会报告"
                    " blank-label（Frictionless 亦然）；请在文件中删除它或移到表头上方，再重新运行 govdata new。"
                )
        above = [redact(a) for a in above]  # quoted in the descriptor: never a phone, ID or signer's name
        if excel:  # Frictionless's own keys too: frictionless validate reads the same sheet, the same cells
            dialect["excel"] = {"sheet": raw["sheet"]}
            if any(r1 + 1 >= header_rows[0] for (_r0, _c0), (r1, _c1) in merged):
                dialect["excel"]["fillMergedCells"] = True
                fill_merged(layout_rows, merged)
                notes.append(
                    "工作表有合并单元格：已声明 dialect.excel.fillMergedCells，合并区域的每个单元格取其首格的值"
                    "（Frictionless 亦然），合并的表头和纵向合并的类别都不会丢失。"
                )
        if header_rows != [1]:
            dialect["headerRows"] = header_rows
            rows_text = "、".join(str(n) for n in header_rows)
            notes.append(
                f"表头在第 {rows_text} 行"
                + (f"（{len(header_rows)} 行表头已合并为字段标题）" if len(header_rows) > 1 else "")
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
        _refuse_repeated_headers(errors, prep.header)
        if prep.path is None or errors:
            raise ScaffoldError(
                "the file cannot be read: " + "; ".join(f.message for f in (errors or prep.findings))[:500]
            )
        with field_size_limit(SCAFFOLD_CELL_LIMIT), prep.path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            sample: list[tuple[int, list[str]]] = []
            tail: collections.deque[tuple[int, list[str]]] = collections.deque(maxlen=FOOTER_ROWS)
            unlabelled = [i for i, h in enumerate(header) if not h.strip()]
            filled: dict[int, list[int]] = {}  # an unlabelled column -> file rows with a value in it
            inside: list[tuple[int, list[str]]] = []  # subtotals and notes among the rows
            second: tuple[int, list[str]] | None = None  # the header of another table below this one
            for index, r in enumerate(reader):  # (the file's row number, cells)
                r = ["" if c == MISSING_CELL else c for c in r]  # a short row's padding is no value
                for i in unlabelled:
                    if i < len(r) and r[i].strip() and len(filled.setdefault(i, [])) <= FOOTER_ROWS:
                        filled[i].append(prep.row_number(index))
                if len(sample) < SAMPLE_ROWS:
                    sample.append((prep.row_number(index), r))
                if second is None and _second_header(r, header):
                    second = (prep.row_number(index), [c.strip() for c in r if c.strip()])
                if summary_row(r, len(header)) and len(inside) < SAMPLE_ROWS:
                    inside.append((prep.row_number(index), r))
                tail.append((prep.row_number(index), r))
        if second is not None:
            at, labels = second
            text = ", ".join(labels)[:120]
            raise ScaffoldError(
                f"row {at}: another table starts here (its header {text!r} repeats this table's column names): "
                "a resource is one table; save each table as its own file (CSV or sheet) and run govdata new on each / "
                f"第 {at} 行是另一张表的表头（{text}，与本表的列名部分相同）：一个资源只能是一张表，"
                "请把每张表另存为单独的文件（CSV 或工作表），再分别运行 govdata new。"
            )
        footer = footer_rows(list(tail), len(header))
        if footer:
            shown = "；".join(redact(" ".join(c.strip() for c in r if c.strip()))[:60] for n, r in tail if n in footer)
            notes.append(
                f"第 {'、'.join(str(n) for n in footer)} 行在数据之后，是合计、签名或说明（{shown[:200]}），"
                "不是数据：已写入 dialect.commentRows 跳过。"
            )
        # subtotals and notes among the data rows: not data either (a few of them, not half the table)
        inside = [(n, r) for n, r in inside if not footer or n < min(footer)]
        if inside and len(inside) < len(sample) / 2:
            shown = "；".join(redact(" ".join(c.strip() for c in r if c.strip()))[:40] for _n, r in inside[:5])
            inside_rows = "、".join(str(n) for n, _r in inside[:20]) + (" 等" if len(inside) > 20 else "")
            notes.append(
                f"第 {inside_rows} 行在数据中间，是小计、合计或说明（{shown[:200]}），不是数据：已写入 dialect.commentRows "
                "跳过（作为数据行发布，合计会被重复计算）；若确是数据，请从 commentRows 中删除这些行号。"
            )
            footer = sorted({n for n, _r in inside} | set(footer))
        if footer:
            dialect["commentRows"] = footer
            raw["dialect"] = dialect
        rows = [r for n, r in sample if n not in footer and len(r) == len(header)]
        # columns with neither a header nor a value in any data row (a table that starts in column C):
        # left out by the pipeline's reader, which stops at a value that appears there later
        skipped = [i for i in unlabelled if set(filled.get(i, [])) <= set(footer)]
        kept = [h.strip() for i, h in enumerate(header) if i not in skipped]
        if beside or not all(kept) or len(set(kept)) < len(kept):
            skipped = []
    if len(header) > MAX_SERVED_COLUMNS:
        raise ScaffoldError(
            f"the file has {len(header)} columns; a published table holds at most {MAX_SERVED_COLUMNS} "
            "(SQLite's limit): split it into several files joined on a key, or make it long "
            "(one indicator and value per row)"
        )
    # the sheet's data rows as calamine read them (sheet row n is layout row n - 1), footer left out
    sheet_rows = [r for n, r in enumerate(layout_rows, start=1) if n > header_rows[-1] and n not in footer]
    _refuse_lost_digits(
        header,
        [(n, r) for n, r in sample if n not in footer],
        [(n, r) for n, r in enumerate(layout_rows, start=1) if n > header_rows[-1] and n not in footer]
        if excel
        else [],
    )
    taken: set[str] = set()
    missing: set[str] = set()
    fields = []
    negative_list = catalog.raw.get("negative_list") or []
    for i, label in enumerate(header):
        if i in skipped:
            continue
        fname = ascii_name(label, taken) if label.strip() else f"column_{i + 1}"
        values = [r[i] for r in rows]
        none = placeholders(values)  # "-" or "无" for none in a column of numbers: missingValues
        if none:
            values = ["" if v.strip() in none else v for v in values]
        cells = (
            [
                r[i]
                for r in sheet_rows
                if i < len(r) and r[i] != "" and not (isinstance(r[i], str) and r[i].strip() in none)
            ]
            if excel
            else []
        )
        # every cell a number, or numbers and digits typed as text (Excel's green triangles) none of which
        # starts with a zero: nothing left to keep as text, the column is a number (as text, every number
        # cell was a type error)
        numbers = bool(cells) and (
            all(isinstance(c, NumberCell) for c in cells)
            or (
                any(isinstance(c, NumberCell) for c in cells)
                and not any(
                    isinstance(c, str) and not isinstance(c, NumberCell) and c.strip().startswith("0") for c in cells
                )
            )
        )
        dated = bool(cells) and sum(isinstance(c, DateCell) for c in cells) >= 0.8 * len(cells)
        title = label.strip() or f"{TODO}: 第 {i + 1} 列"
        listed = negative_list_field.matches({"name": fname, "title": title}, negative_list)
        fields.append(
            infer_field(
                fname,
                title,
                values,
                len(rows),
                excel=excel,
                number_cells=numbers,
                date_cells=dated,
                listed=str(listed.get("id")) if listed else None,
            )
        )
        if none and fields[-1]["type"] in ("integer", "number", "date"):
            missing.update(none)
            kind = "日期" if fields[-1]["type"] == "date" else "数字"
            notes.append(
                f"列「{title}」是{kind}，以「{'」「'.join(sorted(none))}」表示无：已写入 schema.missingValues（对所有列生效）。"
            )
        elif none:  # not numbers after all: the placeholders are values
            fields[-1] = infer_field(
                fname,
                title,
                [r[i] for r in rows],
                len(rows),
                excel=excel,
                number_cells=False,
                listed=str(listed.get("id")) if listed else None,
            )
        notes.extend(_mixed_scales(title, fields[-1].get("x-normalise", []), values))
        if _serial_dates(title, fields[-1]["type"], values):
            notes.append(
                f"列「{title}」是日期列，但值是 {min(v for v in values if v.strip())} 这样的整数：像是 Excel 的日期序号"
                "（45357 即 2024-03-05），导出时丢了日期格式；请在 Excel 中把该列设为日期格式后重新导出，再运行 govdata new / "
                "this date column holds whole numbers like Excel's date serials: export it again with a date format."
            )
        if not listed and fields[-1]["type"] == "string" and names_column(values):
            notes.append(
                f"列「{title}」的值像自然人姓名（值不写入描述文件）："
                "自然人姓名属于负面清单，公开前请删除该列，或脱敏后声明 personal: person_name 与 masked: true；"
                "若是单位或职务名称，可忽略本提示。"
            )
        if listed and not fields[-1].get("personal"):
            notes.append(
                f"列「{title}」名列负面清单（{listed.get('title', listed.get('id'))}）：公开前删除该列，"
                f"或对每个值脱敏后声明 personal: {listed.get('id')} 与 masked: true；否则检查会报告 negative-list-field。"
            )
        if not label.strip() and not (beside and i > max(j for j, h in enumerate(header) if h.strip())):
            empty = not any(v.strip() for v in values)
            notes.append(
                f"第 {i + 1} 列没有表头{'，整列也没有数据' if empty else ''}：检查会报告 blank-label（Frictionless 亦然），"
                f"改描述文件无法修复；请在文件中{'删除该列' if empty else '为该列填写表头'}后重新运行 govdata new。"
            )
    if excel:  # a text column with number cells: the gate reports each (type-error); say how to fix it
        for i, f in zip([i for i in range(len(header)) if i not in skipped], fields):
            texts = [r[i] for r in sheet_rows if i < len(r) and r[i] != "" and type(r[i]) is str]
            if (
                f["type"] in ("date", "datetime")
                and texts
                and any(isinstance(r[i], DateCell) for r in sheet_rows if i < len(r))
            ):
                notes.append(
                    f"列「{f['title']}」是日期，但有 {len(texts)} 个单元格是文字（不是日期）：检查会在这些行报告类型错误；"
                    "请在文件中改为日期或留空（没有日期时留空）后重新保存 / a few cells of this date column are text: the "
                    "check reports each at its row; enter a date or leave the cell empty."
                )
            elif f["type"] == "date" and any(i < len(r) and isinstance(r[i], NumberCell) for r in sheet_rows):
                notes.append(
                    f"列「{f['title']}」是日期，但有数字格式的单元格（未设日期格式的日期，如 45357）：检查会在这些行报告"
                    "类型错误；请在 Excel 中把这些单元格设为日期格式后重新保存。"
                )
            elif f["type"] == "string" and any(i < len(r) and isinstance(r[i], NumberCell) for r in sheet_rows):
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
    if missing:
        schema["missingValues"] = ["", *sorted(missing)]
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
    # the table's name among the lines above its header: not a comment, a unit or an export date
    named = [a for a in above if not re.match(r"\s*(#|单位|导出|打印|制表|填报|日期|时间|截至)", a)]
    title = (named or above or [f"{TODO}: 表名"])[0]
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
    if steps or skipped:
        pipeline = _write_pipeline(catalog.root, name, resource, excel, encoding, dialect, steps, bool(skipped))
        for key in ("path", "dialect", "encoding", "format", "sheet"):
            resource.pop(key, None)
        resource["pipeline"] = pipeline
        if skipped:
            notes.append(
                f"第 {'、'.join(str(i + 1) for i in skipped)} 列既无表头也无数据（表格不从第 1 列开始）：流程 "
                f"pipelines/{pipeline}.yaml 读取时略去这些列（skip_blank_columns；其中一旦出现数据，流程会在该行报错，"
                "不会丢弃）。"
            )
        if steps:
            notes.append(
                "以下列含中文日期或年月、全角数字、千分位、单位（万元）、百分号或会计负数，已声明真实类型并生成流程 pipelines/"
                f"{pipeline}.yaml 进行规范化：" + "；".join(f"{k}：{'、'.join(v)}" for k, v in steps.items())
            )
    resource["schema"] = schema
    descriptor = {
        "name": name,
        "title": title if above else f"{TODO}: 中文标题",
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


# a column of identifiers (codes, identity, card, account and phone numbers) and a number in
# scientific notation of 12 digits and more, as Excel writes a long number into a CSV: the gate's
# lost-digits warning reads the same patterns
_IDENTIFIERS = lost_digits.IDENTIFIERS
_SCIENTIFIC = re.compile(lost_digits.SCIENTIFIC)


def _refuse_lost_digits(
    header: list[str], rows: list[tuple[int, list[str]]], cells: list[tuple[int, list[Any]]]
) -> None:
    """A column of identifiers (统一社会信用代码, 身份证号码 …) that Excel turned into numbers has
    lost its digits for good: in a CSV it reads ``9.13301E+17``, in a sheet a number cell of 16
    digits or more (Excel keeps 15). No descriptor can publish those values; say where, and how to
    get them back (the gate would pass a text column of them)."""
    for i, label in enumerate(header):
        if not _IDENTIFIERS.search(label):
            continue
        lost = [(n, r[i]) for n, r in rows if i < len(r) and _SCIENTIFIC.fullmatch(r[i])]
        lost += [(n, "") for n, r in cells if i < len(r) and isinstance(r[i], LostDigits)]
        if not lost:
            continue
        n, value = lost[0]
        shown = f" ({value.strip()})" if value else ""
        raise ScaffoldError(
            f"row {n}, column {i + 1} ({label.strip()}): {len(lost)} value(s) of this identifier column are numbers "
            f"Excel rounded to 15 significant digits{shown}; their last digits are lost and no descriptor can "
            "publish them: export the column again from the source system as text (in Excel, format the column as "
            "text before entering or pasting the codes) and run govdata new again / "
            f"第 {n} 行第 {i + 1} 列（{label.strip()}）：该代码列有 {len(lost)} 个值被 Excel 当作数字{shown}，"
            "只保留了 15 位有效数字，末尾数字已丢失，无法发布：请从原系统把该列按文本重新导出"
            "（在 Excel 中先把该列设为“文本”格式再录入或粘贴），然后重新运行 govdata new。"
        )


def _serial_dates(title: str, kind: str, values: list[str]) -> bool:
    """A column named as a date (日期, 时间) of whole numbers between 1954 and 2064 as Excel counts
    days (20000 to 60000): dates that lost their format on the way out of a sheet."""
    present = [v.strip() for v in values if v.strip()]
    return (
        kind == "integer"
        and bool(re.search(r"日期|时间|date", title, re.I))
        and bool(present)
        and all(v.isdigit() and 20000 <= int(v) <= 60000 for v in present)
    )


def _mixed_scales(title: str, steps: list[str], values: list[str]) -> list[str]:
    """A note on a normalised column whose plain numbers may not be on the scale of the others: in a
    column of percentages, fractions (0.125 beside 12.5%: a sheet's percent-formatted cell reads
    0.125); in a column of amounts whose header names a unit (投资额（万元）), plain numbers (12.5
    beside 3万: 12.5 万元 or 12.5 元?). The step keeps a plain number as written."""
    from govdata.valueforms import UNITS, number_text

    present = [v.strip() for v in values if v.strip()]
    if "normalize_percentages" in steps:
        plain = [number_text(v) for v in present if not v.endswith(("%", "％"))]
        if plain and all(p is not None and abs(float(p)) <= 1 for p in plain) and any(float(p or 0) for p in plain):
            return [
                f"列「{title}」中不带 % 的数（如 {next(v for v in present if not v.endswith(('%', '％')))}）都不大于 1，像是小数"
                "（Excel 百分比格式的单元格读出为 0.125）：规范化步骤按原值保留它们，与 12.5% 记为 12.5 不在同一尺度；请在文件中统一"
                "写成百分数后重新运行 govdata new / the plain numbers of this percentage column look like fractions "
                "(0.125 for 12.5%): the step keeps them as written; write them as percentages in the file."
            ]
    if "normalize_amounts" in steps and re.search(r"万元|亿元|万|亿", title):
        plain = [v for v in present if not v.endswith(tuple(UNITS)) and number_text(v) is not None]
        if plain and len(plain) < len(present):
            return [
                f"列「{title}」的表头带单位，但有的值带“万”“亿”（换算为元），有的是普通数字（如 {plain[0]}，按原值保留）："
                "二者不在同一尺度；请在文件中统一单位后重新运行 govdata new / the header names a unit but the column mixes "
                "amounts with a unit (converted to 元) and plain numbers (kept as written): make them one unit in the file."
            ]
    return []


def _second_header(cells: list[str], header: list[str]) -> bool:
    """A row naming two columns or more as the header does, at their places, but not all of them:
    the header of another table exported below this one (a header repeated whole is the gate's
    ``repeated-header``, reported at its row)."""
    labels = [h.strip() for h in header]
    texts = [c.strip() for c in cells]
    same = sum(1 for c, h in zip(texts, labels) if c and c == h and not re.search(r"[0-9０-９]", c))
    return same >= 2 and texts[: len(labels)] != labels


def _refuse_repeated_headers(errors: list[Any], header: list[str]) -> None:
    """A header repeated in the file (``duplicate-label``, the gate's rule: labels compared without
    their leading and trailing spaces, as Frictionless compares them) refused at its column, with
    the fix: such a file cannot pass the gate whatever the descriptor says, and renaming a column
    of the agency's file is the agency's decision, not the scaffold's."""
    for f in errors:
        if f.code != "duplicate-label" or f.cell is None:
            continue
        label = f.cell
        first = next((i for i, h in enumerate(header, start=1) if h.strip() == label.strip()), None)
        spaced = first is not None and header[first - 1] != label
        other_en, other_zh = (
            (f"column {first}'s {header[first - 1]!r}", f"第 {first} 列的 {header[first - 1]!r}")
            if first
            else ("an earlier header", "前面的表头")
        )
        why_en = f"differs from {other_en} only by leading or trailing spaces" if spaced else f"repeats {other_en}"
        why_zh = f"与{other_zh}只差首尾空格" if spaced else f"与{other_zh}重复"
        raise ScaffoldError(
            f"row {f.row or 1}, column {f.field_number}: the header {label!r} {why_en}; the check compares headers "
            "without those spaces (as Frictionless does) and would report duplicate-label: rename one of the two "
            f"columns in the file (e.g. '{label.strip()}_2') and run govdata new again / "
            f"第 {f.row or 1} 行第 {f.field_number} 列的表头 {label!r}{why_zh}：检查会去掉首尾空格后比较表头并报告 "
            f"duplicate-label；请在文件中改名其一（如 '{label.strip()}_2'）后重新运行 govdata new。"
        )


def _write_pipeline(
    root: Path,
    name: str,
    resource: dict,
    excel: bool,
    encoding: str,
    dialect: dict,
    steps: dict[str, list[str]],
    skip_blank_columns: bool = False,
) -> str:
    """pipelines/NAME.yaml reading the committed file and normalising the named columns."""
    source: dict[str, Any] = {"step": "read_excel" if excel else "read_csv", "path": resource["path"]}
    if skip_blank_columns:
        source["skip_blank_columns"] = True
    if excel:
        source["sheet"] = resource["sheet"]
        if (dialect.get("excel") or {}).get("fillMergedCells"):
            source["fill_merged"] = True
    elif encoding != "utf-8":
        source["encoding"] = encoding
    if dialect.get("delimiter"):
        source["delimiter"] = dialect["delimiter"]
    if dialect.get("headerRows"):
        source["header_rows"] = dialect["headerRows"]
    if dialect.get("commentRows"):
        source["comment_rows"] = dialect["commentRows"]
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
