"""The registry of finding codes.

Every code a check can emit is listed here with its severity and a title,
explanation and fix hint in Chinese and English; the codes of the row, column and
confidentiality checks are declared with the checks themselves (``checks/rules/``, and
any plugin's, see :mod:`govdata.hookspecs`) and merged in. ``docs/codes.md`` is generated
from this table (``govdata codes --format markdown``) and a test fails when a
code is used but not documented. Codes that Frictionless also reports keep
Frictionless's error type name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from govdata.messages import TEMPLATES


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # "error" | "warning" | "info"
    title_zh: str
    title_en: str
    hint_zh: str
    hint_en: str
    message_zh: str = ""  # the main message template (a check's, or govdata.messages')
    message_en: str = ""


_TABLE: list[tuple[str, str, str, str, str, str]] = [
    # --- files and paths -------------------------------------------------
    (
        "path-unsafe",
        "error",
        "路径不安全",
        "Unsafe path",
        "路径只能是数据集目录内的相对路径，不能含 ..、绝对路径、~、$变量、file: 或指向目录外的符号链接。",
        "Use a relative path inside the dataset folder: no '..', absolute paths, '~', '$VARS', 'file:' or symlinks leaving the repository.",
    ),
    (
        "path-remote",
        "error",
        "不允许远程地址",
        "Remote URL refused",
        "检查从不访问网络：请把文件提交到仓库中，并使用相对路径。",
        "Checks never touch the network: commit the file and refer to it by a relative path.",
    ),
    (
        "file-missing",
        "error",
        "文件不存在",
        "File not found",
        "确认文件已提交，且路径（区分大小写）与描述文件一致。",
        "Make sure the file is committed and the path (case-sensitive) matches the descriptor.",
    ),
    (
        "file-too-large",
        "error",
        "文件过大",
        "File too large",
        "拆分文件或联系平台管理员提高上限。",
        "Split the file or ask the platform team to raise the cap.",
    ),
    (
        "yaml-unsafe",
        "error",
        "YAML 不安全",
        "Unsafe YAML",
        "描述文件不能使用 YAML 锚点/别名（& 和 *），大小不能超过上限。",
        "Descriptors may not use YAML anchors/aliases (& and *) and must stay under the size cap.",
    ),
    (
        "descriptor-duplicate-key",
        "error",
        "描述文件中的键重复",
        "Key given twice in the descriptor",
        "同一层级的键只能出现一次（例如两个 schema:）：删除或合并重复的键，否则审核人看到的与检查的不是同一内容。",
        "A key may appear once per mapping (e.g. two schema: keys): remove or merge the repeat, or reviewers approve one "
        "value while the gate checks another.",
    ),
    (
        "descriptor-parse-error",
        "error",
        "描述文件无法解析",
        "Descriptor cannot be parsed",
        "检查 YAML/JSON 语法（缩进、冒号、引号）。",
        "Check the YAML/JSON syntax (indentation, colons, quotes).",
    ),
    # --- catalogue and descriptor metadata --------------------------------
    (
        "catalog-error",
        "error",
        "目录配置错误",
        "catalog.yaml is invalid",
        "按 docs/descriptor.md 修正 catalog.yaml 中指出的键。",
        "Fix the named key of catalog.yaml as described in docs/descriptor.md.",
    ),
    (
        "metadata-required",
        "error",
        "缺少必填元数据",
        "Required metadata key missing",
        "在描述文件中补充该键，参见 docs/descriptor.md。",
        "Add the key to the descriptor; see docs/descriptor.md.",
    ),
    (
        "metadata-type",
        "error",
        "元数据类型错误",
        "Metadata key has the wrong type",
        "按参考文档给出正确类型的值（字符串、列表、对象…）。",
        "Give the key a value of the documented type (string, list, object…).",
    ),
    (
        "metadata-enum",
        "error",
        "元数据取值不在允许范围",
        "Metadata value not allowed",
        "使用参考文档列出的取值之一。",
        "Use one of the values listed in the reference.",
    ),
    (
        "metadata-format",
        "error",
        "元数据格式错误",
        "Metadata value badly formatted",
        "日期用 YYYY-MM-DD，邮箱用 name@example.org，名称只用小写字母、数字和连字符。",
        "Dates are YYYY-MM-DD, e-mails name@example.org, names lower-case letters, digits and hyphens.",
    ),
    (
        "metadata-invalid",
        "error",
        "元数据不合规",
        "Metadata value invalid",
        "按提示修正该键的值。",
        "Correct the value as the message says.",
    ),
    (
        "package-error",
        "error",
        "数据包描述不合规",
        "Data Package descriptor invalid",
        "描述文件须符合 Frictionless Data Package 规范。",
        "The descriptor must follow the Frictionless Data Package specification.",
    ),
    (
        "resource-error",
        "error",
        "资源描述不合规",
        "Resource descriptor invalid",
        "资源须有 name、path（或 pipeline）和 schema。",
        "A resource needs a name, a path (or pipeline) and a schema.",
    ),
    (
        "schema-error",
        "error",
        "表结构不合规",
        "Table Schema invalid",
        "表结构须符合 Frictionless Table Schema 规范；共享表结构用 shared:<名称> 引用 schemas/ 中的文件。",
        "The Table Schema must follow the Frictionless spec; reference shared schemas as shared:<name> (a file in schemas/).",
    ),
    (
        "field-name-clash",
        "error",
        "字段名只有大小写不同或为空",
        "Field names equal but for case, or empty",
        "数据库不区分字段名大小写（id 与 ID 是同一列），字段名也不能为空：给每个字段一个不同的名称，原表头可写在 title 中。",
        "Databases compare column names without case (id and ID are one column) and need a name: give every field a "
        "distinct name; keep the file's header as the title.",
    ),
    (
        "too-many-columns",
        "error",
        "列数过多",
        "Too many columns",
        "发布的数据库每张表最多 2000 列：把表拆成几张表（以主键关联），或改为“长表”（每行一个指标和值）。",
        "The published database holds at most 2,000 columns per table: split the table (joined on its key) or publish it "
        "long (one indicator and value per row).",
    ),
    (
        "unknown-publisher",
        "error",
        "提供方未登记",
        "Publisher not in the catalogue",
        "publisher 须为 catalog.yaml 发布机构树中的 id，且与所在目录名一致。",
        "publisher must be an id from the publisher tree in catalog.yaml and match the folder name.",
    ),
    (
        "unknown-theme",
        "error",
        "主题不在分类表中",
        "Theme not in the taxonomy",
        "使用 catalog.yaml 中 themes 列出的主题 id。",
        "Use a theme id listed under themes in catalog.yaml.",
    ),
    (
        "unknown-license",
        "error",
        "许可协议未获准",
        "Licence not allowed",
        "使用 catalog.yaml 中 licenses 列出的许可协议。",
        "Use a licence listed under licenses in catalog.yaml.",
    ),
    (
        "dataset-name-mismatch",
        "error",
        "数据集名称与目录不符",
        "Dataset name does not match its folder",
        "name 须与数据集所在目录名相同。",
        "name must equal the dataset's folder name.",
    ),
    (
        "dataset-name-duplicate",
        "error",
        "数据集名称重复",
        "Duplicate dataset name",
        "数据集名称在整个目录中必须唯一，建议加上机构前缀。",
        "Dataset names are unique across the catalogue; prefix them with the publisher.",
    ),
    (
        "open-condition-error",
        "error",
        "开放属性不一致",
        "Open condition inconsistent",
        "不予开放的数据集不得提交数据文件且须写明法律依据；有条件开放须写明条件。",
        "not_open datasets carry no data and state their legal basis; conditional datasets state their conditions.",
    ),
    (
        "review-missing",
        "error",
        "缺少保密审查记录",
        "Confidentiality review missing",
        "补充 review：reviewer（审查人）、date（日期）、basis（依据）。",
        "Add review: reviewer, date and basis.",
    ),
    (
        "date-order",
        "error",
        "日期先后矛盾",
        "Dates out of order",
        "modified 不能早于 issued；temporal.end 不能早于 temporal.start。",
        "modified cannot precede issued; temporal.end cannot precede temporal.start.",
    ),
    (
        "metadata-todo",
        "error",
        "还有待填写的内容",
        "TODO left in the descriptor",
        "把 TODO 换成真实内容（govdata new 生成的占位）。",
        "Replace the TODO placeholder (left by govdata new) with the real value.",
    ),
    (
        "metadata-recommended",
        "warning",
        "缺少推荐元数据",
        "Recommended metadata missing",
        "补充该键可提高元数据完整度得分（英文标题、关键词、时空范围等）。",
        "Adding the key raises the completeness score (English title, keywords, coverage…).",
    ),
    (
        "description-short",
        "warning",
        "描述过短",
        "Description too short",
        "用两三句话说明数据内容、范围、来源和用途（至少 30 个字）。",
        "Say in two or three sentences what the data is, its coverage, source and use (30+ characters).",
    ),
    (
        "filter-unknown-field",
        "error",
        "筛选字段不存在",
        "Filterable field not in the schema",
        "filterable / facets 只能列出表结构中存在的字段。",
        "filterable / facets may only list fields of the schema.",
    ),
    # --- pull requests ------------------------------------------------------
    (
        "breaking-change",
        "error",
        "不兼容的结构变更",
        "Breaking schema change",
        "删除、改名、改类型或改主键会影响下游用户：恢复原字段，或把 version 升级到新的主版本号。",
        "Dropped, renamed or re-typed fields and changed keys break users: restore them or bump version to a new major.",
    ),
    (
        "breaking-change-versioned",
        "info",
        "已升级主版本的结构变更",
        "Breaking change with a new major version",
        "无需处理；请在描述中说明变更。",
        "Nothing to do; describe the change in the dataset description.",
    ),
    (
        "change-too-large",
        "error",
        "变更过大",
        "Pull request too large",
        "把变更拆成几个 Pull Request，或联系平台管理员。",
        "Split the change into several pull requests, or ask the platform team.",
    ),
    # --- pipelines ---------------------------------------------------------
    (
        "pipeline-unknown",
        "error",
        "处理流程不存在",
        "Pipeline not found",
        "pipeline 须为 pipelines/ 目录中的文件名（不含扩展名）。",
        "pipeline must name a file in pipelines/ (without extension).",
    ),
    (
        "pipeline-error",
        "error",
        "处理流程执行失败",
        "Pipeline failed",
        "按消息修正流程定义或其输入。",
        "Fix the pipeline definition or its input as the message says.",
    ),
    # --- encodings and table structure ---------------------------------------
    (
        "encoding-error",
        "error",
        "编码错误",
        "Encoding error",
        "请以 UTF-8 保存文件（Excel：另存为“CSV UTF-8”）。",
        "Save the file as UTF-8 (Excel: Save As 'CSV UTF-8').",
    ),
    (
        "encoding-normalised",
        "info",
        "已转换为 UTF-8",
        "Normalised to UTF-8",
        "无需处理；建议今后直接提交 UTF-8 文件。",
        "Nothing to do; consider committing UTF-8 next time.",
    ),
    (
        "nul-byte",
        "error",
        "含有 NUL 字节",
        "NUL byte in data",
        "删除文件中的空字节（\\x00），它常见于错误导出的文件。",
        "Remove the NUL (\\x00) bytes; they come from a broken export.",
    ),
    (
        "source-error",
        "error",
        "文件无法读取为表格",
        "File cannot be read as a table",
        "检查 CSV 的引号是否成对、分隔符是否为逗号。",
        "Check that quotes are balanced and the delimiter is a comma.",
    ),
    ("blank-label", "error", "表头为空", "Blank header", "给每一列一个表头。", "Give every column a header."),
    (
        "duplicate-label",
        "error",
        "表头重复",
        "Duplicate header",
        "每列表头必须唯一。",
        "Every column header must be unique.",
    ),
    (
        "missing-label",
        "error",
        "缺少表头",
        "Missing header",
        "文件缺少表结构中声明的列。",
        "The file lacks a column the schema declares.",
    ),
    (
        "extra-label",
        "error",
        "多余表头",
        "Extra header",
        "文件中有表结构未声明的列：在 schema 中声明或删除该列。",
        "The file has a column the schema does not declare: declare it or remove it.",
    ),
    (
        "incorrect-label",
        "error",
        "表头与表结构不符",
        "Header does not match the schema",
        "列的顺序和名称须与表结构的 fields 一致。",
        "Columns must follow the schema's fields in name and order.",
    ),
    (
        "dialect-error",
        "error",
        "CSV 格式声明无效",
        "CSV dialect invalid",
        "dialect 中的 delimiter、quoteChar 须为单个字符，header、skipInitialSpace 为 true/false，headerRows 为正整数列表。",
        "In dialect, delimiter and quoteChar are one character, header and skipInitialSpace true/false, headerRows a list "
        "of positive integers.",
    ),
    (
        "extra-cell",
        "error",
        "多余单元格",
        "Extra cell",
        "该行的列数多于表头：检查未加引号的逗号。",
        "The row has more cells than the header: look for an unquoted comma.",
    ),
    (
        "missing-cell",
        "error",
        "缺少单元格",
        "Missing cell",
        "该行的列数少于表头。",
        "The row has fewer cells than the header.",
    ),
    (
        "hash-count",
        "error",
        "校验和不符",
        "Hash mismatch",
        "更新描述文件中的 hash，或提交正确的文件。",
        "Update hash in the descriptor, or commit the right file.",
    ),
    (
        "byte-count",
        "error",
        "字节数不符",
        "Byte count mismatch",
        "更新描述文件中的 bytes，或提交正确的文件。",
        "Update bytes in the descriptor, or commit the right file.",
    ),
    # --- rows (Frictionless names); the other cell and row codes are those of the checks in checks/rules/ --
]

# with each code's main message templates (govdata.messages)
_STATIC: dict[str, Code] = {row[0]: Code(*row, *TEMPLATES[row[0]][0]) for row in _TABLE}


class _Registry(Mapping[str, Code]):
    """The codes of this table and of every registered check (built-in or a plugin's,
    :mod:`govdata.hookspecs`), looked up live: a plugin registered later adds its codes."""

    def _all(self) -> dict[str, Code]:
        from govdata import plugins

        checks = plugins.checks()
        key = plugins.generation
        if getattr(self, "_key", None) != key:
            merged = dict(_STATIC)
            for check in checks:
                if check.code in _STATIC:
                    raise ValueError(f"check code {check.code!r} is already a registered code")
                merged[check.code] = check.describe()
            self._cache, self._key = merged, key
        return self._cache

    def __getitem__(self, code: str) -> Code:
        return self._all()[code]

    def __contains__(self, code: object) -> bool:
        return code in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


CODES: Mapping[str, Code] = _Registry()


def markdown_table() -> str:
    """The code reference, as written to docs/codes.md."""
    lines = [
        "# Finding codes / 检查结果代码",
        "",
        "Generated from `src/govdata/codes.py` and the checks of `src/govdata/checks/rules/` by `govdata codes --format markdown`; do not edit by hand.",
        "",
        "| code | severity | 标题 | title | 修正建议 | how to fix |",
        "|---|---|---|---|---|---|",
    ]
    for c in CODES.values():
        lines.append(f"| `{c.code}` | {c.severity} | {c.title_zh} | {c.title_en} | {c.hint_zh} | {c.hint_en} |")
    return "\n".join(lines) + "\n"
