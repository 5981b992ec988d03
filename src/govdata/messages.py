"""Message templates, in Chinese and English, of the codes whose findings are made without template
arguments: paths, YAML, the descriptor checks, the structure pass (a check of ``checks/rules/``
declares its own templates, and its findings carry their arguments).

Such a finding carries its English message only (as does every finding read back from a verdict
cache, which stores the JSON). The code's English templates are the patterns those messages
follow: the first that matches the whole message gives the arguments of its Chinese template.
An argument that itself matches a template of the same code is translated too (the structure
pass's "row 4 (line 5): {detail}", a JSON Schema message after its key). Text a library wrote (a
YAML parser's, JSON Schema's or the CSV module's message, an exception) stays as it is, inside the
Chinese sentence. ``tests/test_code_texts.py`` fails when a code has no template in either
language, and when a finding of the corpus matches none of its code's templates.
"""

from __future__ import annotations

import functools
import re

Templates = list[tuple[str, str]]  # (zh, en), the first is the code's main message

# JSON Schema's messages (jsonschema's wording), after "{key}: " in the descriptor codes
_JSON_SCHEMA: Templates = [
    ("键 {key}：{detail}", "{key}: {detail}"),
    ("{value} 不是以下取值之一：{options}", "{value} is not one of {options}"),
    ("{value} 的类型不是 {type}", "{value} is not of type {type}"),
    ("{value} 不符合模式 {pattern}", "{value} does not match {pattern}"),
    ("{value} 不是有效的 {format}", "{value} is not a {format}"),
    ("{value} 太短", "{value} is too short"),
    ("{value} 太长", "{value} is too long"),
    ("{value} 应为非空", "{value} should be non-empty"),
    ("{value} 小于最小值 {minimum}", "{value} is less than the minimum of {minimum}"),
    ("{value} 大于最大值 {maximum}", "{value} is greater than the maximum of {maximum}"),
    ("应为 {value}", "{value} was expected"),
    ("不允许的键（{keys}）", "Additional properties are not allowed ({keys} was unexpected)"),
    ("不允许的键（{keys}）", "Additional properties are not allowed ({keys} were unexpected)"),
    ("缺少必填键 '{key}'", "required key '{key}' is missing"),
]
_PATH: Templates = [
    ("路径必须是非空字符串，实际为 {value}", "path must be a non-empty string, got {value}"),
    ("拒绝远程路径 {path}：检查从不访问网络", "remote path {path} refused: checks never use the network"),
    ("路径 {path} 带有协议前缀；只允许相对路径", "path {path} has a scheme; only relative paths are allowed"),
    ("路径 {path} 含有反斜杠或 NUL", "path {path} contains a backslash or NUL"),
    ("拒绝绝对路径 {path}", "absolute path {path} refused"),
    ("路径 {path} 含有变量", "path {path} contains a variable"),
    ("路径 {path} 离开了所在目录（'..'）", "path {path} leaves its folder ('..')"),
    ("路径 {path} 解析到仓库之外（符号链接？）", "path {path} resolves outside the repository (symlink?)"),
    ("资源 {resource}：{detail}", "resource {resource}: {detail}"),
    ("资源 {resource}：schema {detail}", "resource {resource}: schema {detail}"),
]
# the location (file, row, field) is said by whoever prints the finding: a Chinese template does not
# repeat what the English message says of it
_ROW: Templates = [("（文件第 {line} 行）{detail}", "row {row} (line {line}): {detail}")]

TEMPLATES: dict[str, Templates] = {
    "path-unsafe": _PATH,
    "path-remote": _PATH,
    "file-missing": [
        ("{folder}/ 中没有 datapackage.yaml", "{folder}/ has no datapackage.yaml"),
        ("资源 {resource}：{path} 不存在", "resource {resource}: {path} does not exist"),
        ("资源 {resource}：{detail}", "resource {resource}: {detail}"),
    ],
    "file-too-large": [
        ("{size} 字节，超过 {cap} 字节的上限", "{size} bytes, over the {cap}-byte cap"),
        ("工作簿解压后为 {size} 字节，超过 {cap} 的上限", "the workbook expands to {size} bytes, over the {cap} cap"),
        ("压缩比 {ratio}:1，像是压缩炸弹", "compression ratio {ratio}:1 looks like a zip bomb"),
        ("压缩文件解压后超过 {cap} 字节的上限", "the compressed file holds over {cap} bytes, over the cap"),
        ("资源 {resource}：{detail}", "resource {resource}: {detail}"),
    ],
    "yaml-unsafe": [
        (
            "{file}：{size} 字节，超过描述文件 {cap} 字节的上限",
            "{file}: {size} bytes, over the {cap}-byte cap for descriptors",
        ),
        ("{file}：含有 NUL 字节", "{file}: contains NUL bytes"),
        ("{file}：第 {byte} 字节起不是 UTF-8", "{file}: not UTF-8 at byte {byte}"),
        ("{file}：不允许使用 YAML 锚点和别名", "{file}: YAML anchors and aliases are not allowed"),
        ("{file}：嵌套超过 {depth} 层", "{file}: nested more than {depth} levels deep"),
        ("资源 {resource}：{detail}", "resource {resource}: {detail}"),
    ],
    "descriptor-duplicate-key": [
        (
            "键 '{key}' 出现了两次（第 {first} 行和第 {line} 行）：删除或合并其中一个",
            "key '{key}' is given twice (lines {first} and {line}); remove or merge one",
        ),
        ("键 '{key}' 出现了两次：删除或合并其中一个", "key '{key}' is given twice; remove or merge one"),
    ],
    "descriptor-parse-error": [
        ("描述文件无法解析：{detail}", "{detail}"),
        ("描述文件必须是键值映射", "the descriptor must be a mapping of keys"),
    ],
    "catalog-error": [("catalog.yaml 中 {key}：{detail}", "{key}: {detail}"), *_JSON_SCHEMA[1:]],
    "metadata-required": _JSON_SCHEMA,
    "metadata-type": _JSON_SCHEMA,
    "metadata-enum": _JSON_SCHEMA,
    "metadata-format": _JSON_SCHEMA,
    "metadata-invalid": _JSON_SCHEMA,
    "review-missing": _JSON_SCHEMA,
    "package-error": [("数据包描述无效：{detail}", "{detail}")],
    "resource-error": [
        ("资源 {resource}：需要 path 或 pipeline", "resource {resource}: needs a path or a pipeline"),
        ("资源描述无效：{detail}", "{detail}"),
    ],
    "schema-error": [
        ("资源 {resource}：没有表结构（schema）", "resource {resource}: no schema"),
        (
            "资源 {resource}：表结构 {schema} 无法加载：{detail}",
            "resource {resource}: schema {schema} cannot be loaded: {detail}",
        ),
        ("{what} 无法应用：{detail}", "{what} cannot be applied: {detail}"),
        ("资源 {resource}：{detail}", "resource {resource}: {detail}"),
        ("表结构无效：{detail}", "{detail}"),
    ],
    "field-name-clash": [
        (
            "第 {number} 个字段没有名称：请命名（可用文件表头作为其标题）",
            "field {number} has an empty name: give it one (the file's header can be its title)",
        ),
        (
            "第 {number} 个字段 '{name}' 与第 {other} 个字段 '{other_name}' 仅大小写不同：数据库会把它们读成同一列，请重命名其一",
            "field {number} '{name}' and field {other} '{other_name}' differ only in case: databases read them as one "
            "column; rename one",
        ),
    ],
    "too-many-columns": [
        (
            "表结构有 {fields} 个字段；发布用的数据库每张表最多 {cap} 列：拆分该表或以长表形式发布",
            "the schema has {fields} fields; the published database holds at most {cap} columns per table: split the "
            "table or publish it long",
        )
    ],
    "unknown-publisher": [
        ("发布机构 '{publisher}' 不在 catalog.yaml 中", "publisher '{publisher}' is not in catalog.yaml"),
        (
            "发布机构 '{publisher}' 与目录 datasets/{folder}/ 不一致",
            "publisher '{publisher}' differs from the folder datasets/{folder}/",
        ),
    ],
    "unknown-theme": [("主题 '{theme}' 不在主题分类中", "theme '{theme}' is not in the taxonomy")],
    "unknown-license": [
        ("catalog.yaml 不允许许可协议 '{license}'", "licence '{license}' is not allowed by catalog.yaml")
    ],
    "dataset-name-mismatch": [
        ("名称 '{name}' 与其目录 '{folder}' 不同", "name '{name}' differs from its folder '{folder}'")
    ],
    "dataset-name-duplicate": [
        ("数据集名称 '{name}' 被使用了 {count} 次", "dataset name '{name}' is used {count} times")
    ],
    "open-condition-error": [
        (
            "资源 {resource}：不予开放的数据集不能带有数据（删除 path/pipeline）",
            "resource {resource}: a not_open dataset must not carry data (remove path/pipeline)",
        ),
        (
            "数据集（开放属性 {open}）没有资源：请添加数据，或声明为不予开放（not_open）并写明 legal_basis",
            "the dataset (open_condition {open}) has no resources: add its data, or declare it not_open with its legal_basis",
        ),
    ],
    "date-order": [
        ("更新日期 {modified} 早于发布日期 {issued}", "modified {modified} is before issued {issued}"),
        ("temporal.end {end} 早于 temporal.start {start}", "temporal.end {end} is before temporal.start {start}"),
    ],
    "metadata-todo": [
        ("{key} 仍是 TODO", "{key} is still TODO"),
        ("资源 {resource}：字段 {field} 的 {key} 仍是 TODO", "resource {resource}: field {field} {key} is still TODO"),
    ],
    "metadata-recommended": [("缺少建议填写的键 '{key}'", "recommended key '{key}' is missing")],
    "description-short": [
        (
            "描述只有 {length} 个字符；至少应有 {minimum} 个",
            "description has {length} characters; at least {minimum} are expected",
        )
    ],
    "filter-unknown-field": [
        (
            "资源 {resource}：{key} 指向不存在的字段 '{field}'",
            "resource {resource}: {key} names unknown field '{field}'",
        )
    ],
    "breaking-change": [
        ("{change}（{tail}）", "{change} ({tail})"),
        ("{resource}：字段 '{field}' 被删除或改名", "{resource}: field '{field}' dropped or renamed"),
        (
            "{resource}：字段 '{field}' 的类型由 {before} 改为 {after}",
            "{resource}: field '{field}' re-typed {before} → {after}",
        ),
        ("{resource}：主键由 {before} 改为 {after}", "{resource}: primary key {before} → {after}"),
        ("资源 '{resource}' 被删除", "resource '{resource}' removed"),
        ("请把版本号升为 {major}.0.0 再发布", "bump version to {major}.0.0 to publish it"),
        ("版本 {before} → {after}", "version {before} → {after}"),
    ],
    "change-too-large": [
        (
            "本次变更增加 {size} 字节，超过每个合并请求 {cap} 字节的上限",
            "the change adds {size} bytes, over the {cap}-byte cap per pull request",
        )
    ],
    "pipeline-unknown": [
        (
            "资源 {resource}：处理流程 '{pipeline}' 不在 pipelines/ 中",
            "resource {resource}: pipeline '{pipeline}' not in pipelines/",
        )
    ],
    "pipeline-error": [
        ("处理流程 '{pipeline}' 不在 pipelines/ 中", "pipeline '{pipeline}' not found in pipelines/"),
        ("pipelines/{file}：'steps' 必须是非空列表", "pipelines/{file}: 'steps' must be a non-empty list"),
        ("pipelines/{file}：第 {step} 步需要 'step' 键", "pipelines/{file}: step {step} needs a 'step' key"),
        (
            "pipelines/{file}：第 1 步 '{name}' 不是数据来源步骤（{known}）",
            "pipelines/{file}: step 1 '{name}' is not a source step ({known})",
        ),
        (
            "pipelines/{file}：第 {step} 步 '{name}' 未知（{known}）",
            "pipelines/{file}: step {step} '{name}' is unknown ({known})",
        ),
        ("pipelines/{file}：{detail}", "pipelines/{file}: {detail}"),
        ("{path} 不存在", "{path} does not exist"),
        ("{path}：工作表 {sheet} 无法读取：{detail}", "{path}: sheet {sheet} cannot be read: {detail}"),
        (
            "oversight：table 必须是 {tables} 之一，而不是 {table}",
            "oversight: table must be one of {tables}, not {table}",
        ),
    ],
    "encoding-error": [
        (
            "声明的编码为 {declared}，但文件是有效的 UTF-8：删除 encoding 键（或按声明的编码保存文件）",
            "encoding is declared as {declared} but the file is valid UTF-8: remove the encoding key (or save the file "
            "in the declared encoding)",
        ),
        (
            "文件是 GB18030（GBK）编码，但第 {line} 行含有不属于该编码的字节（{bytes}）：更正该行或重新导出文件（推荐 UTF-8）",
            "the file is GB18030 (GBK) but line {line} holds bytes that are not ({bytes}): correct that line or export "
            "the file again (UTF-8 preferred)",
        ),
        (
            "第 {line} 行不是有效的 UTF-8（字节 {bytes}），也不是可识别的 GB18030/GBK/UTF-16 文件（看起来像 {detected}）",
            "not valid UTF-8 at line {line} (bytes {bytes}) and not a recognised GB18030/GBK/UTF-16 file (looks like "
            "{detected})",
        ),
        (
            "第 {line} 行不是有效的 UTF-8（字节 {bytes}），也不是可识别的 GB18030/GBK/UTF-16 文件",
            "not valid UTF-8 at line {line} (bytes {bytes}) and not a recognised GB18030/GBK/UTF-16 file",
        ),
        ("未知的编码 {declared}", "unknown encoding {declared}"),
        ("第 {line} 行的字节无法按 {encoding} 解码", "bytes at line {line} cannot be decoded as {encoding}"),
    ],
    "encoding-normalised": [("按 {encoding} 读取并转换为 UTF-8", "read as {encoding} and normalised to UTF-8")],
    "nul-byte": [("第 {line} 行有 NUL 字节（第 {byte} 字节）", "NUL byte at line {line} (byte {byte})")],
    "source-error": [
        *_ROW,
        (
            "引号未闭合：文件其余部分都被读进了一个单元格",
            "unterminated quote: the rest of the file was swallowed into one cell",
        ),
        ("找不到工作表 {sheet}；工作簿中有 {sheets}", "sheet {sheet} not found; the workbook has {sheets}"),
        ("工作簿无法读取：{detail}", "the workbook cannot be read: {detail}"),
        ("不是有效的 .xlsx 文件（不是 zip 压缩包）", "not a valid .xlsx file (not a zip archive)"),
        ("无法读取压缩方式 {compression}：只支持 gz 或 zip", "compression {compression} cannot be read: gz or zip"),
        (
            "zip 压缩包中有 {count} 个文件；一个资源只能是一个文件",
            "the zip archive holds {count} files; a resource is one file",
        ),
        (
            "文件无法按声明的压缩方式解压（compression: {kind}）：{detail}",
            "the file cannot be decompressed as declared (compression: {kind}): {detail}",
        ),
        ("表头无法解析：{detail}", "header cannot be parsed: {detail}"),
        ("文件为空（没有表头行）", "the file is empty (no header row)"),
        (
            "没有表头行：方言的 headerRows 指向第 {row} 行，但文件只有 {rows} 行不是注释",
            "no header row: the dialect's headerRows name row {row} but the file has {rows} rows that are not comments",
        ),
        (
            "没有表头行：方言的 headerRows 指向第 {row} 行，但文件只有 {rows} 行",
            "no header row: the dialect's headerRows name row {row} but the file has {rows} rows",
        ),
        (
            "文件无法按严格的 CSV 读取为每行 {cells} 个单元格",
            "the file cannot be read strictly as CSV with {cells} cells on every row",
        ),
        (
            "第 {row} 行：文件在此处无法按 CSV 读取（{detail}）",
            "row {row}: the file cannot be read as CSV there ({detail})",
        ),
        ("文件无法加载：{detail}", "the file cannot be loaded: {detail}"),
    ],
    "blank-label": [("第 {column} 列的表头为空", "column {column} has a blank header")],
    "duplicate-label": [
        ("第 {column} 列的表头 '{label}' 重复", "column {column} repeats the header '{label}'"),
        (
            "第 {column} 列重复了第 {first} 列的表头 '{label}'：fieldsMatch '{mode}' 按名称将列对应到字段，"
            "每列表头须唯一",
            "column {column} repeats the header '{label}' of column {first}: fieldsMatch '{mode}' maps columns "
            "to fields by name, which needs every header to be unique",
        ),
    ],
    "missing-label": [
        ("缺少第 {column} 列 '{name}'", "column {column} '{name}' is missing"),
        (
            "表结构的字段 '{name}' 不是文件中的列（fieldsMatch '{mode}'）",
            "the schema's field '{name}' is not a column of the file (fieldsMatch '{mode}')",
        ),
    ],
    "extra-label": [
        ("第 {column} 列 '{label}' 不在表结构中", "column {column} '{label}' is not in the schema"),
        (
            "第 {column} 列 '{label}' 不在表结构中（fieldsMatch '{mode}'）",
            "column {column} '{label}' is not in the schema (fieldsMatch '{mode}')",
        ),
    ],
    "unmatched-header": [
        (
            "表头中没有一列是表结构的字段（fieldsMatch 'partial'）：{labels}",
            "no column of the header is a field of the schema (fieldsMatch 'partial'): {labels}",
        )
    ],
    "incorrect-label": [
        ("第 {column} 列是 '{label}'，表结构期望 '{name}'", "column {column} is '{label}', the schema expects '{name}'")
    ],
    "dialect-error": [
        ("dialect 必须是 CSV 方言键的映射", "dialect must be a mapping of CSV dialect keys"),
        ("dialect {key}：{value} 无法使用", "dialect {key}: {value} cannot be used"),
        ("dialect 的 delimiter 与 quoteChar 是同一个字符", "dialect delimiter and quoteChar are the same character"),
        (
            "dialect headerRows：第 {rows} 行是注释行（commentChar 或 commentRows），不是表头",
            "dialect headerRows: row {rows} is a comment row (commentChar or commentRows), not a header",
        ),
    ],
    "extra-cell": [("该行有 {cells} 个单元格，表头有 {width} 个", "row {row} has {cells} cells, the header {width}")],
    "missing-cell": [("该行有 {cells} 个单元格，表头有 {width} 个", "row {row} has {cells} cells, the header {width}")],
    "hash-count": [
        ("声明的哈希为 {declared}，但文件的哈希为 {actual}", "declared hash {declared} but the file's is {actual}")
    ],
    "byte-count": [
        ("声明的字节数为 {declared}，但文件有 {actual} 字节", "declared bytes {declared} but the file has {actual}")
    ],
}
TEMPLATES["breaking-change-versioned"] = TEMPLATES["breaking-change"]
# findings of a check's code made before any check runs, without arguments
UNSTRUCTURED: dict[str, Templates] = {
    # an Excel number cell or error cell in a text field (found while the sheet is read)
    "type-error": [
        (
            "文本字段中的单元格是 16 位以上的数字（{cell}）：Excel 只保留 15 位有效数字，末尾数字已丢失；"
            "请先在 Excel 中把该列设为文本格式，再按原始资料以文本重新录入",
            "row {row}, field {field}: the cell is a number of 16 digits or more ({cell}) in a text field: Excel keeps "
            "15 significant digits, so its last digits are lost; enter the value again as text from the source "
            "(format the column as text in Excel first)",
        ),
        (
            "文本字段中的单元格是数字（{cell}）：在 Excel 中把该列设为文本格式（数字会丢失前导零）",
            "row {row}, field {field}: the cell is a number ({cell}) in a text field: format the column as text in "
            "Excel (numbers lose leading zeros)",
        ),
        *(
            (
                f"文本字段中的单元格是{zh}（{{cell}}）：把字段类型声明为 {declare}，或在 Excel 中把该列设为文本格式",
                f"row {{row}}, field {{field}}: the cell is {en} ({{cell}}) in a text field: declare the field's type "
                f"{declare}, or format the column as text in Excel",
            )
            for zh, en, declare in (
                ("布尔值", "a boolean", "boolean"),
                ("日期时间", "a date and time", "datetime"),
                ("日期", "a date", "date"),
                ("时间", "a time of day", "time"),
                ("时长", "a duration", "duration"),
            )
        ),
        (
            "布尔字段中的单元格是数字（{cell}）：在 Excel 中填入 TRUE/FALSE，或把该列设为文本格式",
            "row {row}, field {field}: the cell is a number ({cell}) in a boolean field: enter TRUE/FALSE in Excel, "
            "or format the column as text",
        ),
        (
            "单元格是 Excel 错误值（{cell}）：生成它的公式出错，请更正公式或填入数值",
            "row {row}, field {field}: the cell is an Excel error ({cell}): the formula that made it failed; correct "
            "the formula or enter the value",
        ),
    ],
    # the structure pass (Python's csv module) finding a cell over the size cap
    "cell-too-large": _ROW,
}

_FIELD = re.compile(r"\{(\w+)\}")


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """A template as a regular expression matching the whole of a message made from it."""
    out, seen, at = [], set(), 0
    for m in _FIELD.finditer(template):
        out.append(re.escape(template[at : m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        at = m.end()
    out.append(re.escape(template[at:]))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def placeholders(template: str) -> set[str]:
    return set(_FIELD.findall(template))


def match(message: str, templates: Templates, whole: bool = True) -> tuple[str, dict[str, str]] | None:
    """The Chinese template of the first of ``templates`` that ``message`` follows, and the arguments
    read from it; None when it follows none (``whole``: a template that is one argument alone counts)."""
    for zh, en in templates:
        if not whole and _FIELD.fullmatch(en):  # "{detail}" alone: only for a whole message
            continue
        found = _pattern(en).match(message)
        if found is not None:
            return zh, found.groupdict()
    return None


def translate(code: str, message: str, depth: int = 2) -> str | None:
    """The Chinese message of a finding of ``code`` made without arguments whose English message is
    ``message``; None when no template of the code matches it."""
    templates = TEMPLATES.get(code) or UNSTRUCTURED.get(code)
    found = match(message, templates, whole=depth == 2) if templates else None
    if found is None:
        return None
    zh, args = found
    if depth:
        for name, value in args.items():
            if (inner := translate(code, value, depth - 1)) is not None:
                args[name] = inner
    return zh.format(**args)
