"""The interface's two languages. Chinese is the default; English is chosen by a visible switch
(``/-/lang?to=en``, remembered in a cookie) or, without a cookie, by ``Accept-Language``.

Every label the templates show is a key of ``LABELS``; status values (open conditions,
frequencies, levels, types) have their own tables so that no raw ``unconditional`` or ``weekly``
reaches a Chinese page. ``tests/test_portal.py`` checks both columns are filled.
"""

from __future__ import annotations

import re

from typing import Any

LANGS = ("zh", "en")
COOKIE = "lang"

OPEN = {
    "unconditional": ("无条件开放", "Open (unconditional)"),
    "conditional": ("有条件开放", "Conditional access"),
    "not_open": ("不予开放", "Not open"),
}
FREQUENCY = {
    "daily": ("每日", "Daily"),
    "weekly": ("每周", "Weekly"),
    "monthly": ("每月", "Monthly"),
    "quarterly": ("每季度", "Quarterly"),
    "semiannual": ("每半年", "Every six months"),
    "annual": ("每年", "Annual"),
    "irregular": ("不定期", "Irregular"),
    "on_change": ("随时更新", "On change"),
    "never": ("不再更新", "No longer updated"),
}
LEVEL = {
    "province": ("省级", "Province"),
    "city": ("市级", "City"),
    "county": ("县级", "County"),
    "township": ("乡级", "Township"),
    "village": ("村级", "Village"),
}
FIELD_TYPE = {
    "string": ("文本", "text"),
    "integer": ("整数", "integer"),
    "number": ("数值", "number"),
    "boolean": ("布尔", "boolean"),
    "date": ("日期", "date"),
    "datetime": ("日期时间", "date-time"),
    "time": ("时间", "time"),
    "year": ("年份", "year"),
    "yearmonth": ("年月", "year-month"),
    "duration": ("时长", "duration"),
    "geopoint": ("坐标", "geo point"),
    "geojson": ("GeoJSON", "GeoJSON"),
    "object": ("对象", "object"),
    "array": ("数组", "array"),
    "list": ("列表", "list"),
    "any": ("任意", "any"),
}
FACET = {
    "theme": ("主题", "Theme"),
    "publisher": ("提供方", "Publisher"),
    "level": ("层级", "Level"),
    "format": ("格式", "Format"),
    "open_condition": ("开放属性", "Access"),
    "license": ("许可协议", "Licence"),
    "frequency": ("更新周期", "Update frequency"),
    "freshness": ("时效", "Timeliness"),
    "keyword": ("关键词", "Keyword"),
}
FRESHNESS = {
    "on_time": ("按时更新", "On time"),
    "due_soon": ("应当更新", "Update due"),
    "overdue": ("逾期未更新", "Overdue"),
    "not_applicable": ("不适用", "Not applicable"),
}
CONSTRAINT = {
    "required": ("必填", "required"),
    "unique": ("唯一", "unique"),
    "enum": ("取值", "one of"),
    "pattern": ("格式", "pattern"),
    "minimum": ("最小值", "minimum"),
    "maximum": ("最大值", "maximum"),
    "minLength": ("最短", "min length"),
    "maxLength": ("最长", "max length"),
    "exclusiveMinimum": ("大于", "greater than"),
    "exclusiveMaximum": ("小于", "less than"),
}
# the publication-deadline checks (oversight/events.py): rules, events, statuses, date sources
DEADLINE_RULE = {
    "policy-5": ("新政策文件：成文后 5 个工作日内公开", "New policy document: public within 5 working days"),
    "change-20": ("变更：20 个工作日内公开", "Change: public within 20 working days"),
}
DEADLINE_EVENT = {
    "issued": ("印发", "Issued"),
    "validity": ("效力变化", "Validity changed"),
    "data-release": ("数据更新", "Data updated"),
}
DEADLINE_STATUS = {
    "late": ("逾期", "Late"),
    "on_time": ("按时", "On time"),
    "not_measurable": ("无法核查", "Not measurable"),
}
DEADLINE_SOURCE = {
    "descriptor modified in the commit": ("该提交中描述文件的 modified 日期", "descriptor modified in the commit"),
    "commit date in the repository": ("仓库中的提交日期", "commit date in the repository"),
}
# Datasette's own error pages (templates/error.html): its titles and messages that are not about a
# particular name; any other message is shown as Datasette wrote it (marked lang="en")
ERROR_TITLE = {
    "Invalid SQL": ("SQL 无效", "Invalid SQL"),
    "SQL Interrupted": ("SQL 查询超时", "SQL query took too long"),
}
ERROR_MESSAGE = {
    "Table not found": ("没有这个数据表", "Table not found"),
    "Database not found": ("没有这个数据库", "Database not found"),
    "Record not found": ("没有这一行记录", "Record not found"),
    "Not found": ("没有找到", "Not found"),
}
# Datasette's messages about a table page's parameters, by their form ({0}: what the user wrote)
ERROR_PATTERNS = [
    (re.compile(r"Cannot sort table by (.+)"), ("无法按「{0}」排序：没有这一列", "Cannot sort table by {0}")),
    (re.compile(r"no such column: (.+)"), ("没有「{0}」这一列", "no such column: {0}")),
    (re.compile(r"_size must be <= (\d+)"), ("每页最多 {0} 行（_size）", "_size must be <= {0}")),
    (re.compile(r"_size must be a positive integer"), ("_size 须为正整数", "_size must be a positive integer")),
    (
        re.compile(r"Cannot use _sort and _sort_desc at the same time"),
        ("_sort 与 _sort_desc 不能同时使用", "Cannot use _sort and _sort_desc at the same time"),
    ),
    (re.compile(r"_facet_size must be.*"), ("_facet_size 无效", "invalid _facet_size")),
]
# the filter conditions of Datasette's table pages (datasette/filters.py: key → its display)
LOOKUP = {
    "exact": ("等于", "="),
    "not": ("不等于", "!="),
    "contains": ("包含", "contains"),
    "endswith": ("结尾是", "ends with"),
    "startswith": ("开头是", "starts with"),
    "gt": ("大于", ">"),
    "gte": ("大于等于", "≥"),
    "lt": ("小于", "<"),
    "lte": ("小于等于", "≤"),
    "like": ("匹配（like）", "like"),
    "notlike": ("不匹配（like）", "not like"),
    "glob": ("匹配（glob）", "glob"),
    "in": ("属于", "in"),
    "notin": ("不属于", "not in"),
    "arraycontains": ("数组包含", "array contains"),
    "arraynotcontains": ("数组不包含", "array does not contain"),
    "date": ("日期为", "date"),
    "isnull": ("为空", "is null"),
    "notnull": ("不为空", "is not null"),
    "isblank": ("为空白", "is blank"),
    "notblank": ("不为空白", "is not blank"),
}
SORT = {"relevance": ("相关度", "Relevance"), "modified": ("最近更新", "Last modified"), "title": ("名称", "Title")}

LABELS: dict[str, tuple[str, str]] = {
    "version_history": ("版本历史", "Version history"),
    "changelog": ("更新记录", "Changelog"),
    "catalogue_changelog": ("数据更新记录", "What changed in the catalogue"),
    "release": ("版本", "Release"),
    "release_date": ("发布时间", "Released"),
    "release_notes": ("版本说明", "Release notes"),
    "commit_message": ("未填写版本说明，显示合并提交的标题", "No release notes given: the merge commit's subject"),
    "what_changed": ("变更内容", "What changed"),
    "rows_added": ("新增行", "Rows added"),
    "rows_removed": ("删除行", "Rows removed"),
    "rows_changed": ("修改行", "Rows changed"),
    "changed_fields": ("修改的字段", "Changed fields"),
    "schema_changes": ("结构变更", "Schema changes"),
    "breaking_change": ("不兼容变更", "Breaking change"),
    "first_release": ("首个版本", "First release"),
    "latest_release": ("当前版本", "Current release"),
    "release_files": ("本版本文件", "Files of this release"),
    "diff_file": ("变更明细（CSV）", "Changed rows (CSV)"),
    "atom_feed": ("订阅（Atom）", "Subscribe (Atom)"),
    "all_releases": ("全部版本", "All releases"),
    "since": ("相比", "since"),
    "cite_release": ("引用本版本", "Cite this release"),
    "no_releases": ("尚无已发布的版本。", "No release published yet."),
    "skip": ("跳到正文", "Skip to content"),
    "search_label": ("搜索数据集", "Search datasets"),
    "search_placeholder": ("搜索：如 罚款、预算、学校", "Search, e.g. penalties, budget, schools"),
    "search": ("搜索", "Search"),
    "switch": ("English", "中文"),
    "switch_label": ("Switch to English", "切换到中文"),
    "home": ("首页", "Home"),
    "datasets": ("数据目录", "Datasets"),
    "publishers": ("提供方", "Publishers"),
    "themes": ("主题", "Themes"),
    "api": ("接口", "API"),
    "recent": ("最近更新", "Recently updated"),
    "machine": ("机器可读目录", "Machine-readable directory"),
    "all_datasets": ("全部数据集", "All datasets"),
    "results": ("个数据集", "datasets"),
    "no_results": (
        "没有找到匹配的数据集。试试更短的词、去掉筛选条件，或浏览主题。",
        "No dataset matches. Try a shorter word, remove a filter, or browse the themes.",
    ),
    "filters": ("筛选", "Filters"),
    "remove_filter": ("移除筛选", "Remove filter"),
    "clear_filters": ("清除全部筛选", "Clear all filters"),
    "sort_by": ("排序", "Sort by"),
    "apply": ("应用", "Apply"),
    "page": ("页", "Page"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "publisher": ("提供方", "Publisher"),
    "open_condition": ("开放属性", "Access"),
    "license": ("许可协议", "Licence"),
    "frequency": ("更新周期", "Update frequency"),
    "issued": ("首次发布", "Issued"),
    "modified": ("最近更新", "Last modified"),
    "temporal": ("时间范围", "Temporal coverage"),
    "spatial": ("空间范围", "Spatial coverage"),
    "contact": ("联系方式", "Contact"),
    "version": ("版本", "Version"),
    "rows": ("行", "rows"),
    "keywords": ("关键词", "Keywords"),
    "themes_label": ("主题", "Themes"),
    "about": ("基本信息", "About this dataset"),
    "resources": ("数据资源", "Resources"),
    "dictionary": ("数据字典", "Data dictionary"),
    "field": ("字段", "Field"),
    "field_title": ("中文名称", "Title"),
    "type": ("类型", "Type"),
    "constraints": ("约束", "Constraints"),
    "description": ("说明", "Description"),
    "preview": ("数据预览（前 5 行）", "Preview (first 5 rows)"),
    "downloads": ("下载", "Downloads"),
    "format": ("格式", "Format"),
    "size": ("大小", "Size"),
    "checksum": ("SHA-256 校验和", "SHA-256 checksum"),
    "browse": ("在线浏览和查询", "Browse and query online"),
    "api_snippets": ("接口调用示例", "API examples"),
    "related": ("相关数据集", "Related datasets"),
    "how_to_apply": ("如何申请使用", "How to apply for access"),
    "conditions": ("开放条件", "Conditions"),
    "apply_contact": (
        "请联系以下部门，说明用途并提交申请材料：",
        "Contact the publisher below, stating your purpose, and send your application:",
    ),
    "legal_basis": ("不予开放的依据", "Legal basis for not opening"),
    "no_data": ("本数据集不提供公开数据下载。", "This dataset has no public data to download."),
    "canonical_csv": (
        "CSV（规范格式，UTF-8，字段名表头，与检查过的文件逐字节一致）",
        "CSV (canonical: UTF-8, field-name header, byte for byte what was checked)",
    ),
    "excel_csv": (
        "CSV（Excel 适用：带 BOM，中文表头，公式字符已转义）",
        "CSV for Excel (BOM, Chinese headers, formula characters neutralised)",
    ),
    "xlsx": ("Excel 工作簿（XLSX）", "Excel workbook (XLSX)"),
    "parquet": ("Parquet（列式，适合分析）", "Parquet (columnar, for analysis)"),
    "datapackage": ("数据包描述（datapackage.json）", "Data Package descriptor (datapackage.json)"),
    "formula_note": (
        "规范 CSV 保留原始内容；以 = + - @ 开头的单元格在 Excel 中可能被当作公式执行，请使用“Excel 适用”版本。",
        "The canonical CSV keeps cells as published; cells starting with = + - @ may run as formulas in a spreadsheet: use the Excel version.",
    ),
    "publisher_tree": ("提供方目录", "Publisher tree"),
    "datasets_of": ("的数据集", "datasets"),
    "including_sub": ("含下级单位", "including subordinate bodies"),
    "level": ("层级", "Level"),
    "code": ("行政区划代码", "Division code"),
    "path": ("所在位置", "You are here"),
    "not_found": ("没有找到该页面", "Page not found"),
    "all_themes": ("全部主题", "All themes"),
    "open_data_entry": ("开放数据入口", "Open-data entry points"),
    "footer": (
        "政务数据开放平台 · 数据以 CSV、Parquet 和 JSON API 开放 · 示例数据为合成数据",
        "Open government data platform · data as CSV, Parquet and a JSON API · sample data is synthetic",
    ),
    "capped": ("1,000+", "1,000+"),
    "matched_in": ("匹配", "matched"),
    "copy": ("复制", "Copy"),
    "english_title": ("英文名称", "English title"),
    "table": ("数据表", "Table"),
    "columns": ("列", "columns"),
    "more": ("更多", "more"),
    "none": ("无", "none"),
    "timeliness": ("时效", "Timeliness"),
    "expected": ("下次应更新", "Next update expected"),
    "deadline": ("最迟公开期限（20 个工作日）", "Deadline (20 working days)"),
    "wd_left": ("距期限还有 {} 个工作日", "{} working days left"),
    "wd_overdue": ("已逾期 {} 个工作日", "{} working days overdue"),
    "last_update": ("最近一次更新", "Last update"),
    "timeliness_page": ("数据更新时效", "Timeliness of updates"),
    "timeliness_intro": (
        "按声明的更新周期和实际更新记录计算；期限按国务院节假日安排的工作日计算（含调休上班日），依据《政府信息公开条例》第二十六条（形成或变更之日起 20 个工作日内公开）。计算日期：",
        "Computed from each dataset's declared update frequency and its real updates; deadlines in working days of the State Council holiday schedule (make-up workdays included), under Article 26 of the Regulations on Open Government Information (published within 20 working days of being formed or changed). Computed for:",
    ),
    "not_official": (
        "（该年度节假日安排尚未发布，按周一至周五计）",
        "(that year's holiday schedule is not published yet: Monday to Friday counted)",
    ),
    "scorecards": ("公开工作评分表", "Publisher scorecards"),
    "scorecards_intro": (
        "按提供方及其下级单位汇总；指标与公式见 docs/oversight.md（来源：开放数林数据层、GB/T 38664.3、udata、欧盟 MQA）。计算日期：",
        "Per publisher and rolled up its subtree; indicators and formulas in docs/oversight.md (sources: 开放数林 data layer, GB/T 38664.3, udata, the EU MQA). Computed for:",
    ),
    "sc_datasets": ("数据集", "Datasets"),
    "sc_resources": ("资源", "Resources"),
    "sc_cells": ("数据量（行×字段）", "Cells (rows × fields)"),
    "sc_coverage": ("字段说明覆盖率", "Schema coverage"),
    "sc_udata": ("udata 元数据得分", "udata score"),
    "sc_mqa": ("MQA 元数据质量（满分 405）", "MQA points (of 405)"),
    "sc_themes": ("覆盖主题", "Themes"),
    "sc_open": ("无条件开放占比", "Share unconditional"),
    "sc_on_time": ("按时更新占比", "Share on time"),
    "sc_overdue": ("逾期工作日合计", "Working days overdue"),
    "own": ("本单位", "own"),
    "tree": ("含下级", "with subtree"),
    "sc_missing": ("缺失值比例", "Missing values"),
    "sc_valid": ("检查有效行比例", "Rows valid at the gate"),
    "sc_incidents": ("检查拦截的保密问题", "Confidentiality incidents caught"),
    "sc_failing": ("未通过检查的数据集", "Datasets failing the gate"),
    "policies": ("相关政策文件", "Policy documents"),
    "policy_index": ("政策文件、解读与数据", "Policies, interpretations and data"),
    "interprets": ("解读", "interprets"),
    "interpretations": ("政策解读", "Interpretations"),
    "implements": ("落实", "implements"),
    "evidences": ("佐证", "evidences"),
    "validity": ("效力", "Validity"),
    "validity_unknown": ("未标注", "not stated"),
    "datasets_linked": ("相关数据集", "Datasets"),
    "deadlines_intro": (
        "新出台的政策文件成文后 5 个工作日内在门户网站公开；修改、废止、失效和数据更新在变更后 20 个工作日内公开"
        "（《政府信息公开条例》第二十六条）。工作日按国务院节假日安排计算（含调休上班日）。",
        "New policy documents are public on the portal within 5 working days of being issued; amendments, repeals, "
        "expiries and data updates within 20 working days of the change (Article 26 of the Regulations on Open "
        "Government Information). Working days follow the State Council holiday schedule (make-up workdays included).",
    ),
    "dl_rule": ("规则", "Rule"),
    "dl_subject": ("对象", "Subject"),
    "dl_event": ("事件", "Event"),
    "dl_made": ("形成/变更日期（来源）", "Made or changed (source)"),
    "dl_published": ("公开日期（来源）", "Published (source)"),
    "dl_days": ("间隔工作日 / 时限", "Working days / limit"),
    "dl_status": ("状态", "Status"),
    "ar_row": ("行号", "Row"),
    "ar_content": ("信息内容", "Content"),
    "ar_item": ("项目", "Item"),
    "ar_count": ("数量", "Count"),
    "ar_basis": ("本列数据的统计口径", "What the row counts"),
    "ar_category": ("类别", "Category"),
    "ar_given": ("三、四部分（依申请公开、复议诉讼）", "Parts 3 and 4 (requests, appeals)"),
    "deadlines": ("公开时限核查", "Publication deadlines"),
    "annual_report": ("政府信息公开工作年度报告统计表", "Annual report tables"),
    "annual_intro": (
        "按《政府信息公开工作年度报告格式》填列目录能够提供的数字；每个数字载明来源，每个总计已核对为各项之和。",
        "The numbers of the official annual-report format the catalogue can fill; each says where it comes from, every total is checked as the sum of its parts.",
    ),
    "not_given": ("未填报", "not given"),
    "source": ("来源", "Source"),
    "year": ("年度", "Year"),
    "band_excellent": ("优秀", "Excellent"),
    "band_good": ("良好", "Good"),
    "band_sufficient": ("合格", "Sufficient"),
    "band_bad": ("较差", "Bad"),
    # Datasette's own pages
    "rows_n": ("行", "rows"),
    "search_table": ("在本表中搜索", "Search this table"),
    "search_hint": (
        "输入两个或更多字符，简繁体均可，如 罚款、處罰、公司名称的一部分",
        "Two or more characters; simplified or traditional Chinese, e.g. part of a company name",
    ),
    "column_choose": ("选择列", "column"),
    "remove_filter_opt": ("移除此筛选", "remove filter"),
    "filter_column": ("筛选列", "Filter column"),
    "filter_op": ("条件", "Condition"),
    "filter_value": ("值", "Value"),
    "sort_choose": ("排序…", "Sort..."),
    "sort_by_col": ("按此列排序", "Sort by"),
    "descending": ("降序", "descending"),
    "view_sql": ("查看和编辑 SQL", "View and edit SQL"),
    "this_data_as": ("本页数据格式", "This data as"),
    "advanced": ("高级", "advanced"),
    "next_page": ("下一页", "Next page"),
    "advanced_export": ("高级导出", "Advanced export"),
    "json_shape": ("JSON 结构", "JSON shape"),
    "csv_options": ("CSV 选项", "CSV options"),
    "download_file": ("下载文件", "download file"),
    "expand_labels": ("展开标签", "expand labels"),
    "stream_all": ("导出全部行", "stream all rows"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "zero_records": ("没有记录", "0 records"),
    "facets_timed_out": ("以下分面统计超时", "These facets timed out"),
    "data_license": ("数据许可", "Data license"),
    "data_source": ("数据来源", "Data source"),
    "about_link": ("说明", "About"),
    "dataset_page": ("数据集说明页", "Dataset page"),
    "search_matches": ("搜索", "search matches"),
    "sorted_by": ("排序", "sorted by"),
    "where": ("筛选", "where"),
    "more_than_rows": ("超过 {} 行（为保证速度不做精确计数）", "more than {} rows (not counted exactly, to stay fast)"),
    "count_unknown": ("行数统计超时", "row count timed out"),
    "tables": ("数据表", "Tables"),
    "links_from": ("其他表中引用本行的记录", "Links from other tables"),
    "from_col": ("来自", "from"),
    "query": ("查询", "Query"),
    "run_sql": ("运行 SQL", "Run SQL"),
    "returned_rows": ("返回行数", "rows returned"),
    "error": ("出错了", "Error"),
    "bad_request": ("请求无效", "Bad request"),
    "schema": ("表结构", "Schema"),
    "views": ("视图", "Views"),
    "hidden_tables": ("隐藏的表", "Hidden tables"),
    "download_db": ("下载 SQLite 数据库", "Download SQLite database"),
    "custom_sql": ("自定义 SQL 查询（只读）", "Custom SQL query (read-only)"),
    "sql_label": ("SQL 语句", "SQL statement"),
    "format_sql": ("格式化 SQL", "Format SQL"),
    "returning": ("返回", "returning"),
    "more_than": ("超过", "more than"),
    "query_params": ("查询参数", "Query parameters"),
    "zero_results": ("没有结果", "0 results"),
    "many_rows": ("行数很多", "Many rows"),
    "hidden_n": ("个隐藏的表（全文索引等）", "hidden tables (full-text indexes and the like)"),
}


DAY_TYPE = {
    "workday": ("工作日", "Workday"),
    "weekend": ("周末", "Weekend"),
    "holiday": ("法定节假日", "Public holiday"),
    "makeup_workday": ("调休上班日", "Make-up workday"),
}
SCOPE = {"own": ("本单位", "Own"), "tree": ("含下级单位", "With subordinate bodies")}
BAND = {band: LABELS[f"band_{band}"] for band in ("excellent", "good", "sufficient", "bad")}
UPDATE_SOURCE = {
    "descriptor": ("描述文件的 modified 日期", "descriptor's modified date"),
    "repository": ("仓库提交日期", "commit date"),
}
# Code columns of served tables (table, column) whose values have names in the tables above: table
# pages show the name in the interface's language (cells and facets, templates/_table.html,
# _facet_results.html); a value that is not a key stays as it is. The tables are the oversight
# measures (oversight/derived.py) and the holiday calendar.
CODE_COLUMNS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("timeliness", "status"): FRESHNESS,
    ("timeliness", "frequency"): FREQUENCY,
    ("timeliness", "last_update_source"): UPDATE_SOURCE,
    ("scorecards", "level"): LEVEL,
    ("scorecards", "scope"): SCOPE,
    ("scorecards", "mqa_band"): BAND,
    ("deadlines", "rule"): DEADLINE_RULE,
    ("deadlines", "status"): DEADLINE_STATUS,
    ("deadlines", "event"): DEADLINE_EVENT,  # ``issued``, ``validity:废止``, ``data-release:<commit>``
    ("deadlines", "made_from"): DEADLINE_SOURCE,
    ("deadlines", "published_from"): DEADLINE_SOURCE,
    ("days", "day_type"): DAY_TYPE,
}


def choose(request: Any) -> str:
    """The language of a request: ``?lang=``, then the cookie, then Accept-Language, then zh."""
    asked = request.args.get("lang") if hasattr(request, "args") else None
    if asked in LANGS:
        return asked
    cookie = (request.cookies or {}).get(COOKIE)
    if cookie in LANGS:
        return cookie
    best, best_q = "zh", -1.0
    for part in (request.headers.get("accept-language") or "").lower().split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        lang = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if lang and q > best_q:  # ties: the earlier one
            best, best_q = lang, q
    return best


class Translator:
    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "zh"
        self.i = LANGS.index(self.lang)
        self.html_lang = "zh-CN" if self.lang == "zh" else "en"
        self.colon = "：" if self.lang == "zh" else ": "

    def __call__(self, key: str) -> str:
        pair = LABELS.get(key)
        return pair[self.i] if pair else key

    def error(self, message: Any) -> tuple[str, bool]:
        """(Datasette's error message in this language, whether it is known): exact messages first,
        then the forms of :data:`ERROR_PATTERNS`."""
        if not isinstance(message, str):
            return message, False
        if message in ERROR_MESSAGE:
            return ERROR_MESSAGE[message][self.i], True
        for pattern, pair in ERROR_PATTERNS:
            m = pattern.fullmatch(message)
            if m:
                return pair[self.i].format(*m.groups()), True
        return message, False

    def of(self, table: dict[str, tuple[str, str]], value: Any) -> str:
        pair = table.get(value) if value is not None else None
        return pair[self.i] if pair else ("" if value is None else str(value))

    def codes(self, table: Any) -> dict[str, dict[str, str]]:
        """Column → {code: name in this language} for the code columns of ``table`` (CODE_COLUMNS)."""
        return {
            column: {code: pair[self.i] for code, pair in names.items()}
            for (name, column), names in CODE_COLUMNS.items()
            if name == table
        }

    def event(self, value: Any) -> str:
        """A deadline event (``issued``, ``validity:废止``, ``data-release:<commit>``) in words."""
        kind, _, detail = str(value or "").partition(":")
        label = self.of(DEADLINE_EVENT, kind)
        return f"{label}{self.colon}{detail}" if detail else label

    def pick(self, zh: Any, en: Any) -> Any:
        """The English text when the interface is English and one exists, else the Chinese."""
        return en if self.lang == "en" and en else zh
